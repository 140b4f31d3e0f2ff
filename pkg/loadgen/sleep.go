package loadgen

import (
	"context"
	"time"
)

// coarse is how far ahead of a send time the scheduler stops using Go
// timers. An idle Go process waits for timers in epoll with millisecond
// granularity, so a timer due in 0.3 ms fires up to a millisecond late;
// charged to every request, that would swamp a 2 ms latency budget.
const coarse = 2 * time.Millisecond

// sleepUntil returns at t or soon after, or early when ctx ends: Go timers
// for the bulk of the wait, then the platform's fine sleep (fineSleep).
func sleepUntil(ctx context.Context, t time.Time) {
	for {
		d := time.Until(t)
		if d <= 0 || ctx.Err() != nil {
			return
		}
		if d > coarse {
			tm := time.NewTimer(d - coarse)
			select {
			case <-tm.C:
			case <-ctx.Done():
				tm.Stop()
				return
			}
			continue
		}
		fineSleep(d)
	}
}
