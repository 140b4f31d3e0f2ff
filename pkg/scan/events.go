package scan

import (
	"fmt"
	"sync"
	"time"

	"golang.org/x/time/rate"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/record"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// EventSink raises Events for violations.
type EventSink interface {
	Violations(obj *unstructured.Unstructured, results []report.Result)
}

type nopEvents struct{}

func (nopEvents) Violations(*unstructured.Unstructured, []report.Result) {}

// Events raises one Warning Event per violation on the violating object,
// at most once per Interval for the same object, policy and message, and at
// most Rate events per second overall, so a cluster full of findings does not
// flood the API server.
type Events struct {
	Recorder record.EventRecorder
	Interval time.Duration
	Now      func() time.Time

	once    sync.Once
	mu      sync.Mutex
	last    map[string]time.Time
	limiter *rate.Limiter
}

// Reason of tlsguard's Events.
const Reason = "PolicyViolation"

// maxRemembered bounds the deduplication memory.
const maxRemembered = 50000

// maxEventMessage keeps messages within the API's 1 KiB note limit.
const maxEventMessage = 1000

// Violations implements EventSink.
func (e *Events) Violations(obj *unstructured.Unstructured, results []report.Result) {
	e.once.Do(func() {
		e.last = map[string]time.Time{}
		e.limiter = rate.NewLimiter(rate.Limit(10), 100)
		if e.Now == nil {
			e.Now = time.Now
		}
		if e.Interval <= 0 {
			e.Interval = time.Hour
		}
	})
	now := e.Now()
	e.mu.Lock()
	if len(e.last) > maxRemembered {
		// Forget findings whose interval has passed: they may fire again
		// anyway, so memory stays bounded however many findings come and go.
		for k, t := range e.last {
			if now.Sub(t) >= e.Interval {
				delete(e.last, k)
			}
		}
	}
	e.mu.Unlock()
	for _, r := range results {
		if r.Result != report.StatusFail && r.Result != report.StatusWarn {
			continue
		}
		key := fmt.Sprintf("%s|%s|%s", obj.GetUID(), r.Policy, r.Message)
		e.mu.Lock()
		last, seen := e.last[key]
		fresh := !seen || now.Sub(last) >= e.Interval
		if fresh && e.limiter.Allow() {
			e.last[key] = now
		} else {
			fresh = false
		}
		e.mu.Unlock()
		if !fresh {
			continue
		}
		msg := fmt.Sprintf("[%s] %s", r.Policy, r.Message)
		if len(msg) > maxEventMessage {
			msg = msg[:maxEventMessage-3] + "..."
		}
		e.Recorder.Event(obj, corev1.EventTypeWarning, Reason, msg)
	}
}
