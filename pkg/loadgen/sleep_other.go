//go:build !linux

package loadgen

import "time"

// fineSleep falls back to a Go timer where nanosleep(2) is not available.
func fineSleep(d time.Duration) { time.Sleep(d) }
