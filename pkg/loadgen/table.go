package loadgen

import (
	"fmt"
	"io"
	"strconv"
	"text/tabwriter"
	"time"
)

// WriteTable writes one aligned row per result: target, requests, errors,
// throughput, latency p50, p90, p99 and max, and process CPU per request,
// in milliseconds.
func WriteTable(w io.Writer, rs []Result) error {
	tw := tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
	fmt.Fprintln(tw, "TARGET\tREQUESTS\tERRORS\tTHROUGHPUT\tP50\tP90\tP99\tMAX\tCPU/REQ")
	for _, r := range rs {
		l := r.Latency
		fmt.Fprintf(tw, "%s\t%d\t%d\t%s/s\t%s\t%s\t%s\t%s\t%s\n", r.Target, r.Requests, r.Errors,
			strconv.FormatFloat(r.Throughput, 'f', 1, 64), Millis(l.P50), Millis(l.P90), Millis(l.P99), Millis(l.Max), Millis(r.CPUPerRequest))
	}
	if err := tw.Flush(); err != nil {
		return fmt.Errorf("write table: %w", err)
	}
	return nil
}

// WriteDetails writes, per result, the send lag and one line per error
// class with the first error seen.
func WriteDetails(w io.Writer, rs []Result) error {
	for _, r := range rs {
		if _, err := fmt.Fprintf(w, "%s: send lag p99 %s, max %s (timer slack and waits for a free slot; included above)\n",
			r.Target, Millis(r.Lag.P99), Millis(r.Lag.Max)); err != nil {
			return fmt.Errorf("write details: %w", err)
		}
		for _, c := range Classes {
			if n := r.ErrorsByClass[c]; n > 0 {
				if _, err := fmt.Fprintf(w, "%s: %d %s errors, first: %s\n", r.Target, n, c, r.FirstErrors[c]); err != nil {
					return fmt.Errorf("write details: %w", err)
				}
			}
		}
	}
	return nil
}

// Millis formats d in milliseconds with microsecond precision, e.g. 0.412ms.
func Millis(d time.Duration) string {
	return strconv.FormatFloat(float64(d)/float64(time.Millisecond), 'f', 3, 64) + "ms"
}
