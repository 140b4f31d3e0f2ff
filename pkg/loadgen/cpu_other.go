//go:build !unix

package loadgen

import "time"

// processCPU is not measured where getrusage(2) is not available.
func processCPU() time.Duration { return 0 }
