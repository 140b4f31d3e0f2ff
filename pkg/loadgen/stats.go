package loadgen

import (
	"math"
	"slices"
	"time"
)

// Stats are percentiles of a set of durations, in nanoseconds in JSON.
type Stats struct {
	P50 time.Duration `json:"p50Ns"`
	P90 time.Duration `json:"p90Ns"`
	P99 time.Duration `json:"p99Ns"`
	Max time.Duration `json:"maxNs"`
}

// Summarize computes Stats over every sample (it sorts a copy).
func Summarize(samples []time.Duration) Stats {
	s := slices.Clone(samples)
	slices.Sort(s)
	return Stats{P50: Percentile(s, 50), P90: Percentile(s, 90), P99: Percentile(s, 99), Max: Percentile(s, 100)}
}

// Percentile is the nearest-rank p-th percentile (0 < p <= 100) of sorted:
// the smallest sample with at least p% of the samples at or below it. It is
// an observed value, never an interpolation; 0 for no samples.
func Percentile(sorted []time.Duration, p float64) time.Duration {
	n := len(sorted)
	if n == 0 {
		return 0
	}
	// p*n first: for whole p and n it is exact, so 99% of 100 is rank 99.
	rank := int(math.Ceil(p * float64(n) / 100))
	rank = min(max(rank, 1), n)
	return sorted[rank-1]
}
