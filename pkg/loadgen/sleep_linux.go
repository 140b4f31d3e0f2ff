package loadgen

import (
	"syscall"
	"time"
)

// fineSleep blocks the calling thread in nanosleep(2), which honours
// sub-millisecond waits (to the kernel's timer slack, about 50 µs). The
// runtime hands the thread's P to other goroutines while it sleeps. A
// signal (Go's preemption uses SIGURG) ends it early; sleepUntil loops.
func fineSleep(d time.Duration) {
	ts := syscall.NsecToTimespec(int64(d))
	_ = syscall.Nanosleep(&ts, nil)
}
