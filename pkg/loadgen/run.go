package loadgen

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"sync"
	"time"
)

// slot is one scheduled request.
type slot struct {
	at       time.Time
	body     []byte
	measured bool
}

// send sends t's request unless deadline has passed, and returns when it
// left (or was given up) and when it ended.
func send(ctx context.Context, c *http.Client, t Target, body []byte, deadline time.Time) (time.Time, time.Time, error) {
	sent := time.Now()
	if !sent.Before(deadline) {
		return sent, sent, &Error{ClassTimeout, errors.New("not sent: every in-flight slot stayed busy until the deadline")}
	}
	rctx, cancel := context.WithDeadline(ctx, deadline)
	defer cancel()
	_, done, err := do(rctx, c, t, body)
	return sent, done, err
}

// Run sends t's request at cfg.Rate for cfg.Warmup and then cfg.Duration,
// open loop: the i-th request is due at start + i/Rate whatever happened to
// the ones before it. cfg.Concurrency workers send them; when all are busy
// the scheduler waits, and the requests it holds back are charged the wait
// because latency counts from the due time. A request gets cfg.Timeout
// from its due time; one that could not even leave by then is counted as a
// timeout without being sent, which bounds a run against a server that
// cannot keep up to about Warmup+Duration+Timeout. Only requests due after the
// warmup are recorded. When ctx ends, Run stops scheduling, waits for the
// requests in flight and returns what it measured with ctx's error.
func Run(ctx context.Context, c *http.Client, t Target, cfg Config) (Result, error) {
	if err := cfg.Validate(); err != nil {
		return Result{}, err
	}
	warm, measured := requests(cfg.Rate, cfg.Warmup), requests(cfg.Rate, cfg.Duration)
	if measured == 0 {
		return Result{}, fmt.Errorf("%w: %s at %v/s schedules no request", ErrInvalidConfig, cfg.Duration, cfg.Rate)
	}
	if len(t.Bodies) == 0 {
		return Result{}, fmt.Errorf("%w: target %s has no body", ErrInvalidConfig, t.Name)
	}
	slots := make(chan slot)
	recs := make([]recorder, cfg.Concurrency)
	var wg sync.WaitGroup
	for i := range recs {
		wg.Go(func() {
			rec := &recs[i]
			for s := range slots {
				sent, done, err := send(ctx, c, t, s.body, s.at.Add(cfg.Timeout))
				if s.measured {
					rec.add(done.Sub(s.at), sent.Sub(s.at), done, err)
				}
			}
		})
	}
	interval := float64(time.Second) / cfg.Rate
	due := func(start time.Time, i int) time.Time { return start.Add(time.Duration(float64(i) * interval)) }
	start := time.Now()
	var err error
	var cpu0 time.Duration
schedule:
	for i := range warm + measured {
		at := due(start, i)
		sleepUntil(ctx, at)
		if i == warm {
			cpu0 = processCPU()
		}
		select {
		case slots <- slot{at: at, body: t.Bodies[i%len(t.Bodies)], measured: i >= warm}:
		case <-ctx.Done():
			err = ctx.Err()
			break schedule
		}
	}
	close(slots)
	wg.Wait()
	return result(t.Name, recs, due(start, warm), processCPU()-cpu0), err
}
