package webhook_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tlsguard/tlsguard/pkg/config"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
	"github.com/tlsguard/tlsguard/policies"
	"github.com/tlsguard/tlsguard/webhook"
)

func engine(t *testing.T, cfg *config.Config) *policy.Engine {
	t.Helper()
	certs, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	e, err := policy.Load(t.Context(), policies.FS, policy.Options{Config: cfg, Trust: certs.TrustBundle(), Now: func() time.Time { return testcerts.Now }})
	if err != nil {
		t.Fatal(err)
	}
	return e
}

func setting(value string) map[string]any {
	return map[string]any{"apiVersion": "management.cattle.io/v3", "kind": "Setting", "metadata": map[string]any{"name": "agent-tls-mode"}, "value": value, "default": "strict"}
}

func request(t *testing.T, op admissionv1.Operation, obj, old map[string]any, user string, groups ...string) admission.Request {
	t.Helper()
	raw := func(o map[string]any) runtime.RawExtension {
		if o == nil {
			return runtime.RawExtension{}
		}
		b, err := json.Marshal(o)
		if err != nil {
			t.Fatal(err)
		}
		return runtime.RawExtension{Raw: b}
	}
	return admission.Request{AdmissionRequest: admissionv1.AdmissionRequest{
		UID:       "uid-1",
		Kind:      metav1.GroupVersionKind{Group: "management.cattle.io", Version: "v3", Kind: "Setting"},
		Operation: op, Name: "agent-tls-mode",
		Object: raw(obj), OldObject: raw(old),
		UserInfo: authenticationv1.UserInfo{Username: user, Groups: groups},
	}}
}

func newHandler(t *testing.T, deps webhook.Deps) *webhook.Handler {
	t.Helper()
	deps.Log = testr.New(t)
	h, err := webhook.New(deps)
	if err != nil {
		t.Fatal(err)
	}
	return h
}

func TestHandle(t *testing.T) {
	deny := engine(t, nil)
	warn := engine(t, &config.Config{Policies: map[string]config.PolicyConfig{"agent-tls-mode-strict": {Action: "warn"}}})
	dryrun := engine(t, &config.Config{Policies: map[string]config.PolicyConfig{"agent-tls-mode-strict": {Action: "dryrun"}}})
	tests := []struct {
		name         string
		eval         webhook.Evaluator
		req          admission.Request
		breakGlass   webhook.BreakGlass
		wantAllowed  bool
		wantCode     int32
		wantMsg      string
		wantWarning  string
		wantAnnotate string
	}{
		{name: "strict is allowed", eval: deny, req: request(t, admissionv1.Update, setting("strict"), setting("strict"), "alice"), wantAllowed: true},
		{name: "downgrade is denied naming the policy", eval: deny, req: request(t, admissionv1.Update, setting("system-store"), setting("strict"), "alice"),
			wantCode: http.StatusForbidden, wantMsg: "[agent-tls-mode-strict] ", wantAnnotate: "agent-tls-mode-strict"},
		{name: "warn action becomes a warning", eval: warn, req: request(t, admissionv1.Update, setting("system-store"), setting("strict"), "alice"),
			wantAllowed: true, wantWarning: "[agent-tls-mode-strict] "},
		{name: "dryrun is only logged", eval: dryrun, req: request(t, admissionv1.Update, setting("system-store"), setting("strict"), "alice"), wantAllowed: true},
		{name: "break-glass group is allowed with a warning", eval: deny, breakGlass: webhook.BreakGlass{Groups: []string{"sre"}},
			req: request(t, admissionv1.Update, setting("system-store"), setting("strict"), "bob", "sre"), wantAllowed: true, wantWarning: "break-glass: [agent-tls-mode-strict]"},
		{name: "malformed object is a 400", eval: deny, req: func() admission.Request {
			r := request(t, admissionv1.Create, nil, nil, "alice")
			r.Object.Raw = []byte("{not json")
			return r
		}(), wantCode: http.StatusBadRequest, wantMsg: "invalid object"},
		{name: "evaluator error is a 500", eval: failing{errors.New("boom")}, req: request(t, admissionv1.Create, setting("strict"), nil, "alice"),
			wantCode: http.StatusInternalServerError, wantMsg: "boom"},
		{name: "panic is a 500, not a crash", eval: panicking{}, req: request(t, admissionv1.Create, setting("strict"), nil, "alice"),
			wantCode: http.StatusInternalServerError, wantMsg: "internal error"},
		{name: "deadline is a 500", eval: blocking{}, req: request(t, admissionv1.Create, setting("strict"), nil, "alice"),
			wantCode: http.StatusInternalServerError, wantMsg: "exceeded"},
		{name: "an error result fails closed", eval: fixed{{Policy: "p", Result: report.StatusError, Message: "cannot parse"}},
			req: request(t, admissionv1.Create, setting("strict"), nil, "alice"), wantCode: http.StatusInternalServerError, wantMsg: "[p] cannot parse"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHandler(t, webhook.Deps{Evaluator: tc.eval, BreakGlass: tc.breakGlass, Timeout: 200 * time.Millisecond})
			resp := h.Handle(t.Context(), tc.req)
			if resp.Allowed != tc.wantAllowed {
				t.Errorf("allowed: got %v, want %v (%+v)", resp.Allowed, tc.wantAllowed, resp.Result)
			}
			if tc.wantCode != 0 && (resp.Result == nil || resp.Result.Code != tc.wantCode) {
				t.Errorf("code: got %+v, want %d", resp.Result, tc.wantCode)
			}
			if tc.wantMsg != "" && (resp.Result == nil || !strings.Contains(resp.Result.Message, tc.wantMsg)) {
				t.Errorf("message: got %+v, want it to contain %q", resp.Result, tc.wantMsg)
			}
			if tc.wantWarning != "" && !anyHasPrefix(resp.Warnings, tc.wantWarning) {
				t.Errorf("warnings: got %q, want one starting %q", resp.Warnings, tc.wantWarning)
			}
			for _, w := range resp.Warnings {
				if len(w) > 120 || strings.HasPrefix(w, "Warning:") {
					t.Errorf("warning %q: want at most 120 characters and no Warning: prefix", w)
				}
			}
			if tc.wantAnnotate != "" && resp.AuditAnnotations["denied-policies"] != tc.wantAnnotate {
				t.Errorf("audit annotations: got %v, want denied-policies=%s", resp.AuditAnnotations, tc.wantAnnotate)
			}
		})
	}
}

func anyHasPrefix(ss []string, p string) bool {
	for _, s := range ss {
		if strings.HasPrefix(s, p) {
			return true
		}
	}
	return false
}

type failing struct{ err error }

func (f failing) Evaluate(context.Context, review.Request) ([]report.Result, error) {
	return nil, f.err
}

type panicking struct{}

func (panicking) Evaluate(context.Context, review.Request) ([]report.Result, error) {
	panic("policy bug")
}

type blocking struct{}

func (blocking) Evaluate(ctx context.Context, _ review.Request) ([]report.Result, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

type fixed []report.Result

func (f fixed) Evaluate(context.Context, review.Request) ([]report.Result, error) { return f, nil }

// TestReloadUnderLoad swaps the policy set (deny <-> warn) while requests are
// answered: every answer comes from one whole set, never from none.
func TestReloadUnderLoad(t *testing.T) {
	deny := engine(t, nil)
	warn := engine(t, &config.Config{Policies: map[string]config.PolicyConfig{"agent-tls-mode-strict": {Action: "warn"}}})
	holder := policy.NewHolder(deny)
	h := newHandler(t, webhook.Deps{Evaluator: holder, Timeout: 5 * time.Second})
	stop := make(chan struct{})
	var swaps sync.WaitGroup
	swaps.Add(1)
	go func() {
		defer swaps.Done()
		for i := 0; ; i++ {
			select {
			case <-stop:
				return
			default:
			}
			if i%2 == 0 {
				holder.Swap(warn)
			} else {
				holder.Swap(deny)
			}
		}
	}()
	var wg sync.WaitGroup
	var mu sync.Mutex
	seen := map[string]int{}
	for range 200 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			resp := h.Handle(t.Context(), request(t, admissionv1.Update, setting("system-store"), setting("strict"), "alice"))
			kind := "other"
			switch {
			case !resp.Allowed && resp.Result != nil && resp.Result.Code == http.StatusForbidden:
				kind = "denied"
			case resp.Allowed && anyHasPrefix(resp.Warnings, "[agent-tls-mode-strict]"):
				kind = "warned"
			}
			mu.Lock()
			seen[kind]++
			mu.Unlock()
		}()
	}
	wg.Wait()
	close(stop)
	swaps.Wait()
	if seen["other"] != 0 || seen["denied"]+seen["warned"] != 200 {
		t.Errorf("answers: got %v, want all 200 denied (old set) or warned (new set)", seen)
	}
}

// TestOverloadAnswers429 fills the only slot with a request that blocks and
// checks the next one is answered 429 after QueueWait, not at its deadline.
func TestOverloadAnswers429(t *testing.T) {
	release := make(chan struct{})
	h := newHandler(t, webhook.Deps{Evaluator: gated{release}, MaxInFlight: 1, QueueWait: 50 * time.Millisecond, Timeout: 10 * time.Second})
	req := request(t, admissionv1.Create, setting("strict"), nil, "alice")
	first := make(chan admission.Response)
	go func() { first <- h.Handle(t.Context(), req) }()
	for !gatedEntered.Load() {
		time.Sleep(time.Millisecond)
	}
	resp := h.Handle(t.Context(), req)
	if resp.Result == nil || resp.Result.Code != http.StatusTooManyRequests {
		t.Errorf("second request: got %+v, want 429", resp.Result)
	}
	close(release)
	if r := <-first; !r.Allowed {
		t.Errorf("first request: got %+v, want allowed once released", r.Result)
	}
}

var gatedEntered atomic.Bool

type gated struct{ release chan struct{} }

func (g gated) Evaluate(context.Context, review.Request) ([]report.Result, error) {
	gatedEntered.Store(true)
	<-g.release
	return nil, nil
}
