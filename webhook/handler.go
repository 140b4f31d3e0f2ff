// Package webhook is tlsguard's validating admission webhook: the handler
// that evaluates requests with the policy engine, its metrics, the informers
// that keep data.inventory current, and the ValidatingWebhookConfiguration
// it is served under.
package webhook

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"sync"
	"time"

	"github.com/go-logr/logr"
	admissionv1 "k8s.io/api/admission/v1"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tlsguard/tlsguard/pkg/logging"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
)

// Path is where the handler is served.
const Path = "/validate"

// Evaluator is what the handler needs of the policy engine.
type Evaluator interface {
	Evaluate(ctx context.Context, req review.Request) ([]report.Result, error)
}

// BreakGlass lists users and groups whose requests are allowed even when a
// deny policy fails; they are still evaluated, warned, logged and counted.
type BreakGlass struct {
	Users  []string
	Groups []string
}

func (b BreakGlass) matches(u review.UserInfo) bool {
	if slices.Contains(b.Users, u.Username) {
		return true
	}
	for _, g := range u.Groups {
		if slices.Contains(b.Groups, g) {
			return true
		}
	}
	return false
}

// Deps are the handler's dependencies.
type Deps struct {
	Evaluator  Evaluator
	Log        logr.Logger
	BreakGlass BreakGlass
	// Timeout bounds one evaluation; keep it below the webhook's
	// timeoutSeconds so tlsguard answers before the API server gives up.
	Timeout time.Duration
	// MaxInFlight caps concurrent evaluations; excess requests wait for a
	// slot at most QueueWait.
	MaxInFlight int
	// QueueWait bounds the wait for a slot (default 250ms): past it the
	// server is overloaded, and answering 429 at once lets the API server
	// apply failurePolicy instead of every request running into its timeout.
	QueueWait time.Duration
	// Decisions, when set, answers a request identical to a recent one
	// with that one's results (see Decisions).
	Decisions *Decisions
	Metrics   *Metrics
}

// Handler is the admission.Handler for every guarded kind.
type Handler struct {
	deps Deps
	sem  chan struct{}
}

var _ admission.Handler = (*Handler)(nil)

// New returns a Handler; Timeout defaults to 2s and MaxInFlight to 64.
func New(deps Deps) (*Handler, error) {
	if deps.Evaluator == nil {
		return nil, errors.New("webhook: no evaluator")
	}
	if deps.Timeout <= 0 {
		deps.Timeout = 2 * time.Second
	}
	if deps.MaxInFlight <= 0 {
		deps.MaxInFlight = 64
	}
	if deps.QueueWait <= 0 {
		deps.QueueWait = 250 * time.Millisecond
	}
	if deps.Metrics == nil {
		deps.Metrics = NopMetrics()
	}
	return &Handler{deps: deps, sem: make(chan struct{}, deps.MaxInFlight)}, nil
}

// +kubebuilder:webhook:path=/validate,mutating=false,failurePolicy=fail,sideEffects=None,admissionReviewVersions=v1,timeoutSeconds=3,name=tlsguard.tlsguard.io,groups="";apps;management.cattle.io;provisioning.cattle.io;upgrade.cattle.io;cert-manager.io;networking.k8s.io,resources=secrets;configmaps;deployments;daemonsets;settings;clusters;plans;issuers;clusterissuers;certificates;ingresses,verbs=create;update;delete,versions=*

// Handle evaluates one request. It never panics: a panic in evaluation is
// answered as an internal error (500), which the API server treats according
// to the webhook's failurePolicy.
func (h *Handler) Handle(ctx context.Context, req admission.Request) (resp admission.Response) {
	start := time.Now()
	// Most requests are allowed without a log line: build the request's
	// logger only when something is logged.
	log := requestLog(sync.OnceValue(func() logr.Logger {
		return h.deps.Log.WithValues(logging.UID, req.UID, logging.Operation, req.Operation,
			logging.ResourceKind, req.Kind.Kind, logging.Namespace, req.Namespace, logging.Name, req.Name)
	}))
	defer func() {
		if p := recover(); p != nil {
			log().Error(fmt.Errorf("panic: %v", p), "policy evaluation panicked")
			resp = admission.Errored(http.StatusInternalServerError, errors.New("tlsguard: internal error while evaluating policies"))
		}
		h.deps.Metrics.observe(req, resp, time.Since(start))
	}()

	ctx, cancel := context.WithTimeout(ctx, h.deps.Timeout)
	defer cancel()
	evaluate := func() ([]report.Result, error) { return h.evaluate(ctx, log, &req.AdmissionRequest) }
	var results []report.Result
	var err error
	if h.deps.Decisions != nil {
		var outcome Outcome
		results, outcome, err = h.deps.Decisions.Do(ctx, &req.AdmissionRequest, evaluate)
		h.deps.Metrics.decisions.WithLabelValues(string(outcome)).Inc()
	} else {
		results, err = evaluate()
	}
	if err != nil {
		return h.failed(log, err)
	}
	return h.decide(log, review.Header(&req.AdmissionRequest), results)
}

// requestLog returns the logger of one request, built on first use.
type requestLog func() logr.Logger

// statusError is an evaluation that could not happen, with the HTTP code
// that says why.
type statusError struct {
	code int32
	err  error
}

func (e *statusError) Error() string { return e.err.Error() }
func (e *statusError) Unwrap() error { return e.err }

// evaluate decodes and evaluates one request within the concurrency cap.
func (h *Handler) evaluate(ctx context.Context, log requestLog, req *admissionv1.AdmissionRequest) ([]report.Result, error) {
	wait := time.NewTimer(h.deps.QueueWait)
	defer wait.Stop()
	select {
	case h.sem <- struct{}{}:
		defer func() { <-h.sem }()
	case <-wait.C:
		log().Info("admission rejected: too many requests in flight")
		return nil, &statusError{http.StatusTooManyRequests, errors.New("tlsguard: too many requests in flight")}
	case <-ctx.Done():
		return nil, &statusError{http.StatusTooManyRequests, errors.New("tlsguard: too many requests in flight")}
	}
	if ctx.Err() != nil {
		// The API server gave up while this request waited: do not spend
		// an evaluation on it.
		return nil, &statusError{http.StatusInternalServerError, ctx.Err()}
	}
	r, err := review.FromAdmission(req)
	if err != nil {
		return nil, &statusError{http.StatusBadRequest, err}
	}
	return h.deps.Evaluator.Evaluate(ctx, r)
}

// failed answers a request that could not be evaluated.
func (h *Handler) failed(log requestLog, err error) admission.Response {
	if se := (*statusError)(nil); errors.As(err, &se) {
		return admission.Errored(se.code, se.err)
	}
	log().Error(err, "policy evaluation failed")
	if errors.Is(err, context.DeadlineExceeded) {
		return admission.Errored(http.StatusInternalServerError, fmt.Errorf("tlsguard: policy evaluation exceeded %s", h.deps.Timeout))
	}
	return admission.Errored(http.StatusInternalServerError, fmt.Errorf("tlsguard: policy evaluation failed: %w", err))
}

// decide turns results into the admission answer.
func (h *Handler) decide(log requestLog, r review.Request, results []report.Result) admission.Response {
	var denies, warnings, errs []string
	denied, warned := map[string]bool{}, map[string]bool{}
	for _, res := range results {
		h.deps.Metrics.finding(res)
		switch {
		case res.Result == report.StatusError:
			errs = append(errs, prefixed(res))
		case res.Result == report.StatusFail:
			denies = append(denies, prefixed(res))
			denied[res.Policy] = true
		case res.Result == report.StatusWarn && res.Action == "dryrun":
			log().Info("dryrun violation", logging.Policy, res.Policy, "message", res.Message)
		case res.Result == report.StatusWarn:
			warnings = append(warnings, shorten(prefixed(withoutSubject(res, r)), maxWarning))
			warned[res.Policy] = true
		}
	}
	if len(errs) > 0 {
		// A policy that cannot be evaluated must not silently pass: answer 500
		// and let failurePolicy decide.
		log().Info("admission errored: policy could not be evaluated", "errors", errs)
		return admission.Errored(http.StatusInternalServerError, fmt.Errorf("tlsguard: %s", join(errs)))
	}
	var resp admission.Response
	switch {
	case len(denies) > 0 && h.deps.BreakGlass.matches(r.UserInfo):
		h.deps.Metrics.breakGlass.Inc()
		log().Info("admission allowed by break-glass", logging.User, r.UserInfo.Username, "denied", keys(denied))
		for _, res := range results {
			if res.Result == report.StatusFail {
				warnings = append(warnings, shorten("break-glass: "+prefixed(withoutSubject(res, r)), maxWarning))
			}
		}
		resp = admission.Allowed("")
	case len(denies) > 0:
		log().Info("admission denied", logging.User, r.UserInfo.Username, "policies", keys(denied))
		resp = admission.Denied(join(denies))
	default:
		resp = admission.Allowed("")
	}
	resp = resp.WithWarnings(warnings...)
	if len(denied)+len(warned) > 0 {
		resp.AuditAnnotations = map[string]string{}
		if len(denied) > 0 {
			resp.AuditAnnotations["denied-policies"] = join(keys(denied))
		}
		if len(warned) > 0 {
			resp.AuditAnnotations["warned-policies"] = join(keys(warned))
		}
	}
	return resp
}

// Admission wraps h for the manager's webhook server. controller-runtime's
// default log constructor attaches six request fields to a new logger for
// every request, only to log them at V(5); the handler logs its own fields
// when it has something to say, so the wrapper keeps the base logger.
func Admission(h admission.Handler) *crwebhook.Admission {
	return &crwebhook.Admission{
		Handler:        h,
		LogConstructor: func(base logr.Logger, _ *admission.Request) logr.Logger { return base },
	}
}
