package loadgen

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
)

func ms(n ...int) []time.Duration {
	out := make([]time.Duration, len(n))
	for i, v := range n {
		out[i] = time.Duration(v) * time.Millisecond
	}
	return out
}

func seq(n int) []time.Duration {
	out := make([]time.Duration, n)
	for i := range out {
		out[i] = time.Duration(i+1) * time.Millisecond
	}
	return out
}

func TestPercentile(t *testing.T) {
	tests := []struct {
		name   string
		sorted []time.Duration
		p      float64
		want   time.Duration
	}{
		{"empty", nil, 99, 0},
		{"single", ms(7), 50, 7 * time.Millisecond},
		{"p50 of 1..100", seq(100), 50, 50 * time.Millisecond},
		{"p90 of 1..100", seq(100), 90, 90 * time.Millisecond},
		{"p99 of 1..100", seq(100), 99, 99 * time.Millisecond},
		{"max of 1..100", seq(100), 100, 100 * time.Millisecond},
		{"p99 of 1..1000", seq(1000), 99, 990 * time.Millisecond},
		{"p50 of 1..10", seq(10), 50, 5 * time.Millisecond},
		{"p90 of 1..10", seq(10), 90, 9 * time.Millisecond},
		{"p99 of 1..10 is the max", seq(10), 99, 10 * time.Millisecond},
		{"p50 of 3 rounds up", ms(1, 2, 3), 50, 2 * time.Millisecond},
		{"p0 is the min", ms(1, 2, 3), 0, time.Millisecond},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := Percentile(tc.sorted, tc.p); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}

func TestSummarizeSortsACopy(t *testing.T) {
	in := ms(9, 1, 5, 3, 7, 2, 8, 4, 10, 6)
	got := Summarize(in)
	want := Stats{P50: 5 * time.Millisecond, P90: 9 * time.Millisecond, P99: 10 * time.Millisecond, Max: 10 * time.Millisecond}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("stats (-want +got):\n%s", diff)
	}
	if in[0] != 9*time.Millisecond {
		t.Error("Summarize reordered its input")
	}
}

// TestResultAndMerge checks that recorders of several workers and results of
// several segments combine into percentiles over every sample.
func TestResultAndMerge(t *testing.T) {
	start := time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)
	var a, b recorder
	for i, l := range seq(50) {
		r := &a
		if i%2 == 1 {
			r = &b
		}
		var err error
		if i == 10 {
			err = &Error{Class: ClassStatus, Err: errors.New("HTTP 500: boom")}
		}
		r.add(l, l/10, start.Add(time.Duration(i+1)*time.Second), err)
	}
	first := result("allow-all", []recorder{a, b}, start, 10*time.Second)
	if first.Requests != 50 || first.Errors != 1 || first.Elapsed != 50*time.Second || first.Throughput != 0.98 || first.CPUPerRequest != 200*time.Millisecond {
		t.Errorf("got %d requests, %d errors, elapsed %s, %v/s, %s CPU/request; want 50, 1, 50s, 0.98/s, 200ms",
			first.Requests, first.Errors, first.Elapsed, first.Throughput, first.CPUPerRequest)
	}
	var c recorder
	for _, l := range seq(100)[50:] {
		c.add(l, 0, start.Add(50*time.Second), &Error{Class: ClassTransport, Err: errors.New("EOF")})
	}
	second := result("allow-all", []recorder{c}, start, 30*time.Second)
	m := Merge("allow-all", first, second)
	wantStats := Stats{P50: 50 * time.Millisecond, P90: 90 * time.Millisecond, P99: 99 * time.Millisecond, Max: 100 * time.Millisecond}
	if diff := cmp.Diff(wantStats, m.Latency); diff != "" {
		t.Errorf("merged latency (-want +got):\n%s", diff)
	}
	if diff := cmp.Diff(map[Class]int{ClassStatus: 1, ClassTransport: 50}, m.ErrorsByClass); diff != "" {
		t.Errorf("merged errors (-want +got):\n%s", diff)
	}
	if m.Requests != 100 || m.Errors != 51 || m.Elapsed != 100*time.Second || m.Throughput != 0.49 || m.CPUPerRequest != 400*time.Millisecond {
		t.Errorf("got %d requests, %d errors, elapsed %s, %v/s, %s CPU/request; want 100, 51, 100s, 0.49/s, 400ms",
			m.Requests, m.Errors, m.Elapsed, m.Throughput, m.CPUPerRequest)
	}
	if !strings.Contains(m.FirstErrors[ClassStatus], "HTTP 500") {
		t.Errorf("got first status error %q, want the HTTP 500", m.FirstErrors[ClassStatus])
	}
}

func TestWriteTable(t *testing.T) {
	rs := []Result{
		{Target: "allow-all", Requests: 30000, Throughput: 999.96, CPUPerRequest: 230 * time.Microsecond,
			Latency: Stats{P50: 412 * time.Microsecond, P90: 610 * time.Microsecond, P99: 1100 * time.Microsecond, Max: 5200 * time.Microsecond}},
		{Target: "tlsguard", Requests: 30000, Errors: 2, Throughput: 1000, CPUPerRequest: 1250 * time.Microsecond,
			Latency: Stats{P50: time.Millisecond, P90: 1500 * time.Microsecond, P99: 1999999 * time.Nanosecond, Max: 12 * time.Millisecond}},
	}
	var b strings.Builder
	if err := WriteTable(&b, rs); err != nil {
		t.Fatal(err)
	}
	want := `TARGET     REQUESTS  ERRORS  THROUGHPUT  P50      P90      P99      MAX       CPU/REQ
allow-all  30000     0       1000.0/s    0.412ms  0.610ms  1.100ms  5.200ms   0.230ms
tlsguard   30000     2       1000.0/s    1.000ms  1.500ms  2.000ms  12.000ms  1.250ms
`
	if diff := cmp.Diff(want, b.String()); diff != "" {
		t.Errorf("table (-want +got):\n%s", diff)
	}
}
