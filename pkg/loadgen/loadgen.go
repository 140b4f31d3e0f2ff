// Package loadgen is an open-loop load generator for admission webhooks. It
// sends one AdmissionReview v1 over HTTPS with keep-alive at a fixed rate for
// a fixed duration, with a bounded number of requests in flight, and reports
// latency percentiles, throughput and errors.
//
// Latency is measured from the time a request was scheduled to be sent, not
// from when it was sent, so a server that stalls is charged for the requests
// that queued behind the stall (no coordinated omission). Percentiles are
// computed exactly over every sample.
package loadgen

import (
	"fmt"
	"time"
)

// Config is the shape of one run.
type Config struct {
	// Rate is the number of requests scheduled per second.
	Rate float64
	// Duration is the measured part of the run.
	Duration time.Duration
	// Warmup is sent before Duration at the same rate and not recorded.
	Warmup time.Duration
	// Concurrency caps the requests in flight; a scheduled request waits
	// for a free slot, and the wait counts in its latency.
	Concurrency int
	// Timeout is how long after its scheduled send time a request may take,
	// as the API server's timeoutSeconds bounds a webhook call. A request
	// still waiting for a slot then is not sent; both count as timeouts.
	Timeout time.Duration
}

// Validate checks c.
func (c Config) Validate() error {
	switch {
	case c.Rate <= 0:
		return fmt.Errorf("%w: rate %v: must be positive", ErrInvalidConfig, c.Rate)
	case c.Duration <= 0:
		return fmt.Errorf("%w: duration %s: must be positive", ErrInvalidConfig, c.Duration)
	case c.Warmup < 0:
		return fmt.Errorf("%w: warmup %s: must not be negative", ErrInvalidConfig, c.Warmup)
	case c.Concurrency < 1:
		return fmt.Errorf("%w: concurrency %d: must be at least 1", ErrInvalidConfig, c.Concurrency)
	case c.Timeout <= 0:
		return fmt.Errorf("%w: timeout %s: must be positive", ErrInvalidConfig, c.Timeout)
	}
	return nil
}

// requests is how many requests a span of d holds at rate r.
func requests(r float64, d time.Duration) int {
	return int(r * d.Seconds())
}

// Target is one endpoint and the request sent to it.
type Target struct {
	// Name labels the target in results, e.g. "tlsguard".
	Name string
	// URL is the webhook's HTTPS URL, e.g. https://127.0.0.1:9443/validate.
	URL string
	// Bodies are the AdmissionReviews sent, as JSON (see ReviewBody); the
	// i-th request of a run sends Bodies[i%len(Bodies)]. Several bodies
	// keep a server from answering every request from one cache entry.
	Bodies [][]byte
	// Expect is what every answer must say.
	Expect Expect
}
