package loadgen

import (
	"context"
	"fmt"
	"net/http"
	"time"
)

// Segment is one measured stretch of load on one target.
type Segment struct {
	Target   Target
	Duration time.Duration
}

// String is the target's name and the duration, e.g. "tlsguard 30s".
func (s Segment) String() string { return fmt.Sprintf("%s %s", s.Target.Name, s.Duration) }

// ABA plans a comparison of subject with baseline over d each: baseline for
// the first half of d, subject for all of d, baseline for the second half.
// Both sit at the same mean time in the run, so a drift of the machine
// (heap growth, other load) favours neither.
func ABA(baseline, subject Target, d time.Duration) []Segment {
	return []Segment{{baseline, d / 2}, {subject, d}, {baseline, d - d/2}}
}

// RunSegments runs the segments in order, each with cfg's rate, warmup,
// concurrency and timeout, calling before (when not nil) ahead of each, and
// returns one Result per target name, segments merged, in the order the
// names first appear. An error from before stops the run.
func RunSegments(ctx context.Context, c *http.Client, segs []Segment, cfg Config, before func(Segment) error) ([]Result, error) {
	var names []string
	byName := map[string][]Result{}
	for _, s := range segs {
		if before != nil {
			if err := before(s); err != nil {
				return nil, err
			}
		}
		seg := cfg
		seg.Duration = s.Duration
		res, err := Run(ctx, c, s.Target, seg)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", s.Target.Name, err)
		}
		if _, seen := byName[s.Target.Name]; !seen {
			names = append(names, s.Target.Name)
		}
		byName[s.Target.Name] = append(byName[s.Target.Name], res)
	}
	out := make([]Result, 0, len(names))
	for _, n := range names {
		out = append(out, Merge(n, byName[n]...))
	}
	return out, nil
}
