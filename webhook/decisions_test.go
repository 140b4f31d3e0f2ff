package webhook_test

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"
	"k8s.io/apimachinery/pkg/runtime"

	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
	"github.com/tlsguard/tlsguard/webhook"
)

// counting is an evaluation that counts its calls and returns one result
// naming the call, so a test can tell which evaluation an answer came from.
type counting struct {
	calls  atomic.Int32
	status report.Status
	err    error
}

func (c *counting) eval() ([]report.Result, error) {
	n := c.calls.Add(1)
	if c.err != nil {
		return nil, c.err
	}
	st := c.status
	if st == "" {
		st = report.StatusPass
	}
	return []report.Result{{Policy: "p", Result: st, Message: fmt.Sprintf("call %d", n)}}, nil
}

func TestDecisions(t *testing.T) {
	base := request(t, admissionv1.Update, setting("strict"), setting("strict"), "alice", "ops")
	other := func(f func(r *admissionv1.AdmissionRequest)) *admissionv1.AdmissionRequest {
		r := base.DeepCopy()
		f(r)
		return r
	}
	// Each variant differs from base in one field review.FromAdmission
	// reads, so it must be evaluated on its own.
	variants := map[string]*admissionv1.AdmissionRequest{
		"object": other(func(r *admissionv1.AdmissionRequest) {
			r.Object = runtime.RawExtension{Raw: append([]byte(nil), request(t, admissionv1.Update, setting("system-store"), nil, "").Object.Raw...)}
		}),
		"oldObject": other(func(r *admissionv1.AdmissionRequest) { r.OldObject = runtime.RawExtension{} }),
		"operation": other(func(r *admissionv1.AdmissionRequest) { r.Operation = admissionv1.Create }),
		"user":      other(func(r *admissionv1.AdmissionRequest) { r.UserInfo.Username = "bob" }),
		"uid":       other(func(r *admissionv1.AdmissionRequest) { r.UserInfo.UID = "42" }),
		"groups":    other(func(r *admissionv1.AdmissionRequest) { r.UserInfo.Groups = []string{"ops", "break-glass"} }),
		"name":      other(func(r *admissionv1.AdmissionRequest) { r.Name = "cacerts" }),
		"namespace": other(func(r *admissionv1.AdmissionRequest) { r.Namespace = "cattle-system" }),
		"kind":      other(func(r *admissionv1.AdmissionRequest) { r.Kind.Version = "v4" }),
		// Length prefixes: moving a byte between two fields is a change.
		"boundary": other(func(r *admissionv1.AdmissionRequest) { r.Name, r.Namespace = "agent-tls-mod", "e" }),
	}
	ctx := context.Background()

	t.Run("identical request is answered from the cache", func(t *testing.T) {
		var ev counting
		d := webhook.NewDecisions(webhook.DecisionOptions{Now: clock(testcerts.Now)})
		first, o1, err := d.Do(ctx, &base.AdmissionRequest, ev.eval)
		if err != nil || o1 != webhook.Miss {
			t.Fatalf("first: outcome %s, err %v; want miss", o1, err)
		}
		// A new request UID is the same request.
		again := base.DeepCopy()
		again.UID = "uid-2"
		second, o2, err := d.Do(ctx, again, ev.eval)
		if err != nil || o2 != webhook.Hit {
			t.Fatalf("second: outcome %s, err %v; want hit", o2, err)
		}
		if ev.calls.Load() != 1 || second[0].Message != first[0].Message {
			t.Fatalf("evaluated %d times, answers %q and %q; want one evaluation reused", ev.calls.Load(), first[0].Message, second[0].Message)
		}
	})

	for name, req := range variants {
		t.Run("differs in "+name, func(t *testing.T) {
			var ev counting
			d := webhook.NewDecisions(webhook.DecisionOptions{Now: clock(testcerts.Now)})
			if _, _, err := d.Do(ctx, &base.AdmissionRequest, ev.eval); err != nil {
				t.Fatal(err)
			}
			if _, o, err := d.Do(ctx, req, ev.eval); err != nil || o != webhook.Miss {
				t.Fatalf("outcome %s, err %v; want miss", o, err)
			}
		})
	}

	t.Run("policy set or inventory changed", func(t *testing.T) {
		var ev counting
		var gen atomic.Uint64
		d := webhook.NewDecisions(webhook.DecisionOptions{Now: clock(testcerts.Now), Stamp: func() any { return gen.Load() }})
		mustOutcome(t, d, &base.AdmissionRequest, ev.eval, webhook.Miss)
		gen.Add(1)
		mustOutcome(t, d, &base.AdmissionRequest, ev.eval, webhook.Miss)
		mustOutcome(t, d, &base.AdmissionRequest, ev.eval, webhook.Hit)
	})

	t.Run("results older than the TTL are not reused", func(t *testing.T) {
		var ev counting
		now := testcerts.Now
		d := webhook.NewDecisions(webhook.DecisionOptions{TTL: 30 * time.Second, Now: func() time.Time { return now }})
		mustOutcome(t, d, &base.AdmissionRequest, ev.eval, webhook.Miss)
		now = now.Add(29 * time.Second)
		mustOutcome(t, d, &base.AdmissionRequest, ev.eval, webhook.Hit)
		now = now.Add(time.Second)
		mustOutcome(t, d, &base.AdmissionRequest, ev.eval, webhook.Miss)
		// A clock set back (a different --now) does not reuse either.
		now = now.Add(-time.Hour)
		mustOutcome(t, d, &base.AdmissionRequest, ev.eval, webhook.Miss)
	})

	t.Run("evaluation errors are not kept", func(t *testing.T) {
		failed := counting{status: report.StatusError}
		d := webhook.NewDecisions(webhook.DecisionOptions{Now: clock(testcerts.Now)})
		mustOutcome(t, d, &base.AdmissionRequest, failed.eval, webhook.Miss)
		mustOutcome(t, d, &base.AdmissionRequest, failed.eval, webhook.Miss)

		broken := counting{err: errors.New("boom")}
		if _, _, err := d.Do(ctx, variants["user"], broken.eval); err == nil {
			t.Fatal("error not returned")
		}
		if _, _, err := d.Do(ctx, variants["user"], broken.eval); err == nil || broken.calls.Load() != 2 {
			t.Fatalf("err %v after %d calls; want the failed evaluation run again", err, broken.calls.Load())
		}
	})

	t.Run("bounded", func(t *testing.T) {
		var ev counting
		d := webhook.NewDecisions(webhook.DecisionOptions{Size: 4, Now: clock(testcerts.Now)})
		mustOutcome(t, d, &base.AdmissionRequest, ev.eval, webhook.Miss)
		for _, name := range []string{"user", "uid", "groups", "name", "namespace"} {
			mustOutcome(t, d, variants[name], ev.eval, webhook.Miss)
		}
		mustOutcome(t, d, &base.AdmissionRequest, ev.eval, webhook.Miss)
		mustOutcome(t, d, variants["namespace"], ev.eval, webhook.Hit)
	})

	t.Run("concurrent identical requests share one evaluation", func(t *testing.T) {
		release := make(chan struct{})
		var calls atomic.Int32
		slow := func() ([]report.Result, error) {
			calls.Add(1)
			<-release
			return []report.Result{{Policy: "p", Result: report.StatusPass}}, nil
		}
		d := webhook.NewDecisions(webhook.DecisionOptions{Now: clock(testcerts.Now)})
		const n = 20
		var wg sync.WaitGroup
		outcomes := make(chan webhook.Outcome, n)
		for range n {
			wg.Go(func() {
				res, o, err := d.Do(ctx, &base.AdmissionRequest, slow)
				if err != nil || len(res) != 1 {
					t.Errorf("results %v, err %v", res, err)
				}
				outcomes <- o
			})
		}
		// Let every goroutine reach the cache before the evaluation ends.
		time.Sleep(50 * time.Millisecond)
		close(release)
		wg.Wait()
		close(outcomes)
		count := map[webhook.Outcome]int{}
		for o := range outcomes {
			count[o]++
		}
		if calls.Load() != 1 || count[webhook.Miss] != 1 || count[webhook.Shared]+count[webhook.Hit] != n-1 {
			t.Fatalf("%d evaluations, outcomes %v; want 1 evaluation and %d shared or hit", calls.Load(), count, n-1)
		}
	})

	t.Run("a waiting request gives up with its context", func(t *testing.T) {
		release := make(chan struct{})
		defer close(release)
		started := make(chan struct{})
		slow := func() ([]report.Result, error) {
			close(started)
			<-release
			return nil, nil
		}
		d := webhook.NewDecisions(webhook.DecisionOptions{Now: clock(testcerts.Now)})
		go func() { _, _, _ = d.Do(ctx, &base.AdmissionRequest, slow) }()
		<-started
		wctx, cancel := context.WithCancel(ctx)
		cancel()
		if _, _, err := d.Do(wctx, &base.AdmissionRequest, slow); !errors.Is(err, context.Canceled) {
			t.Fatalf("err %v, want context.Canceled", err)
		}
	})
}

func mustOutcome(t *testing.T, d *webhook.Decisions, req *admissionv1.AdmissionRequest, eval func() ([]report.Result, error), want webhook.Outcome) {
	t.Helper()
	if _, got, err := d.Do(context.Background(), req, eval); err != nil || got != want {
		t.Fatalf("outcome %s, err %v; want %s", got, err, want)
	}
}

func clock(t time.Time) func() time.Time { return func() time.Time { return t } }

// The handler answers a cached request exactly as an evaluated one.
func TestHandleWithDecisions(t *testing.T) {
	var calls atomic.Int32
	eng := engine(t, nil)
	ev := evaluatorFunc(func(ctx context.Context, r review.Request) ([]report.Result, error) {
		calls.Add(1)
		return eng.Evaluate(ctx, r)
	})
	d := webhook.NewDecisions(webhook.DecisionOptions{Now: clock(testcerts.Now)})
	h := newHandler(t, webhook.Deps{Evaluator: ev, Decisions: d})
	req := request(t, admissionv1.Update, setting("system-store"), setting("strict"), "alice")
	first := h.Handle(t.Context(), req)
	second := h.Handle(t.Context(), req)
	if calls.Load() != 1 {
		t.Fatalf("evaluated %d times, want 1", calls.Load())
	}
	if first.Allowed || second.Allowed || first.Result.Message != second.Result.Message || first.Result.Code != second.Result.Code {
		t.Fatalf("answers differ or allow a downgrade:\nfirst  %+v\nsecond %+v", first.Result, second.Result)
	}
}

type evaluatorFunc func(context.Context, review.Request) ([]report.Result, error)

func (f evaluatorFunc) Evaluate(ctx context.Context, r review.Request) ([]report.Result, error) {
	return f(ctx, r)
}
