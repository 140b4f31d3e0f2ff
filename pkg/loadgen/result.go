package loadgen

import (
	"errors"
	"time"
)

// Result is what one target answered during the measured part of a run.
type Result struct {
	Target string `json:"target"`
	// Requests counts the measured requests that completed, errors included.
	Requests int `json:"requests"`
	Errors   int `json:"errors"`
	// ErrorsByClass splits Errors; FirstErrors keeps one message per class.
	ErrorsByClass map[Class]int    `json:"errorsByClass,omitempty"`
	FirstErrors   map[Class]string `json:"firstErrors,omitempty"`
	// Elapsed runs from the first measured send time to the last answer.
	Elapsed time.Duration `json:"elapsedNs"`
	// Throughput is the requests answered as expected (Requests - Errors)
	// per second of Elapsed.
	Throughput float64 `json:"throughput"`
	// CPU is the process's CPU time (user + system) while the measured
	// requests ran; CPUPerRequest divides it by Requests. With the server
	// in the same process it is the cost of both sides.
	CPU           time.Duration `json:"cpuNs"`
	CPUPerRequest time.Duration `json:"cpuPerRequestNs"`
	// Latency runs from each request's scheduled send time to its answer,
	// errors included.
	Latency Stats `json:"latency"`
	// Lag is how late each request left: the generator's timer slack plus
	// any wait for a free in-flight slot. It is part of Latency.
	Lag Stats `json:"lag"`

	latencies, lags []time.Duration
}

// recorder collects one worker's samples; workers never share one.
type recorder struct {
	latencies, lags []time.Duration
	last            time.Time
	errors          map[Class]int
	first           map[Class]string
}

func (r *recorder) add(latency, lag time.Duration, done time.Time, err error) {
	r.latencies = append(r.latencies, latency)
	r.lags = append(r.lags, lag)
	if done.After(r.last) {
		r.last = done
	}
	if err == nil {
		return
	}
	class := ClassTransport
	var e *Error
	if errors.As(err, &e) {
		class = e.Class
	}
	if r.errors == nil {
		r.errors, r.first = map[Class]int{}, map[Class]string{}
	}
	r.errors[class]++
	if _, ok := r.first[class]; !ok {
		r.first[class] = err.Error()
	}
}

// result merges the recorders of a run measured from start, during which
// the process used cpu.
func result(name string, recs []recorder, start time.Time, cpu time.Duration) Result {
	res := Result{Target: name, CPU: cpu}
	var last time.Time
	for _, r := range recs {
		res.latencies = append(res.latencies, r.latencies...)
		res.lags = append(res.lags, r.lags...)
		if r.last.After(last) {
			last = r.last
		}
		for c, n := range r.errors {
			res.addErrors(c, n, r.first[c])
		}
	}
	if !last.IsZero() {
		res.Elapsed = last.Sub(start)
	}
	res.finish()
	return res
}

func (r *Result) addErrors(c Class, n int, first string) {
	if r.ErrorsByClass == nil {
		r.ErrorsByClass, r.FirstErrors = map[Class]int{}, map[Class]string{}
	}
	r.ErrorsByClass[c] += n
	r.Errors += n
	if _, ok := r.FirstErrors[c]; !ok {
		r.FirstErrors[c] = first
	}
}

func (r *Result) finish() {
	r.Requests = len(r.latencies)
	if r.Elapsed > 0 {
		r.Throughput = float64(r.Requests-r.Errors) / r.Elapsed.Seconds()
	}
	if r.Requests > 0 {
		r.CPUPerRequest = r.CPU / time.Duration(r.Requests)
	}
	r.Latency = Summarize(r.latencies)
	r.Lag = Summarize(r.lags)
}

// Merge combines results of the same target measured in several segments
// into one: percentiles over all their samples, throughput and CPU over the
// sums of their elapsed and CPU times.
func Merge(name string, rs ...Result) Result {
	out := Result{Target: name}
	for _, r := range rs {
		out.latencies = append(out.latencies, r.latencies...)
		out.lags = append(out.lags, r.lags...)
		out.Elapsed += r.Elapsed
		out.CPU += r.CPU
		for c, n := range r.ErrorsByClass {
			out.addErrors(c, n, r.FirstErrors[c])
		}
	}
	out.finish()
	return out
}
