package policy

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
)

// Evaluate runs every enabled policy whose match selects the request's kind
// and returns its results: fail/warn for violations, pass when the policy
// applies and found nothing, skip for exempted objects, and error when a
// policy could not be evaluated. A policy that does not apply returns nothing.
// The returned error is only for a cancelled context or an unusable request.
func (e *Engine) Evaluate(ctx context.Context, req review.Request) ([]report.Result, error) {
	now := e.now()
	doc, err := ast.InterfaceToValue(req.Document())
	if err != nil {
		return nil, fmt.Errorf("%w: %w", review.ErrInvalidObject, err)
	}
	reviewTerm := ast.NewTerm(doc)
	res := resourceOf(req)
	// One virtual-document cache for all policies of this request: library
	// rules (parsed certificates, effective settings) depend only on
	// input.review and data, which all these evaluations share, so each is
	// computed once per object instead of once per policy. Load refuses to
	// share when a library reads input.parameters (see sharedLibs).
	var vc topdown.VirtualCache
	if e.shareLibs {
		vc = topdown.NewVirtualCache()
	}
	// One cancellation for all policies of this request, fired by the
	// context: without it OPA starts a goroutine per query only to watch
	// ctx, and waking it costs more than evaluating a small policy.
	cancel := topdown.NewCancel()
	defer context.AfterFunc(ctx, cancel.Cancel)()
	var out []report.Result
	for _, c := range e.policies {
		if !c.Matches(req.Kind.Group, req.Kind.Kind) || !c.reviews(req.Operation) {
			continue
		}
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		ex, expired := c.exemption(req, now)
		if ex != nil {
			out = append(out, c.result(res, report.StatusSkip, skipMessage(req, ex), map[string]any{"exemption": ex}))
			continue
		}
		rs, err := c.eval(ctx, reviewTerm, now, vc, cancel)
		if err != nil {
			if ctxErr := ctx.Err(); ctxErr != nil {
				return nil, errors.Join(ctxErr, err)
			}
			out = append(out, c.result(res, report.StatusError, fmt.Sprintf("%s %s: policy evaluation failed: %v", req.Kind.Kind, ref(req), err), nil))
			continue
		}
		if expired != nil {
			out = append(out, c.result(res, report.StatusWarn, expiredMessage(req, expired), map[string]any{"exemption": expired}))
		}
		out = append(out, c.results(res, rs)...)
	}
	return out, nil
}

// outcome is what one policy's query returned.
type outcome struct {
	applies    bool
	violations []finding
	warnings   []finding
}

type finding struct {
	msg     string
	details map[string]any
}

func (c *compiled) eval(ctx context.Context, reviewTerm *ast.Term, now time.Time, vc topdown.VirtualCache, cancel topdown.Cancel) (outcome, error) {
	input := ast.NewObject(
		ast.Item(ast.StringTerm("review"), reviewTerm),
		ast.Item(ast.StringTerm("parameters"), ast.NewTerm(c.params)),
	)
	opts := []rego.EvalOption{rego.EvalParsedInput(input), rego.EvalTime(now), rego.EvalExternalCancel(cancel)}
	if vc != nil {
		opts = append(opts, rego.EvalVirtualCache(vc))
	}
	rs, err := c.query.Eval(ctx, opts...)
	if err != nil {
		return outcome{}, err
	}
	if len(rs) == 0 {
		return outcome{}, errors.New("query returned no result (is applies defined with a default?)")
	}
	b := rs[0].Bindings
	var o outcome
	if o.applies, err = boolOf(b["applies"]); err != nil {
		return outcome{}, err
	}
	if o.violations, err = findings(b["violation"], "violation"); err != nil {
		return outcome{}, err
	}
	if c.hasWarn {
		if o.warnings, err = findings(b["warn"], "warn"); err != nil {
			return outcome{}, err
		}
	}
	return o, nil
}

func (c *compiled) results(res report.Resource, o outcome) []report.Result {
	var out []report.Result
	status := report.StatusFail
	if c.settings.Action != ActionDeny {
		status = report.StatusWarn
	}
	for _, f := range o.violations {
		out = append(out, c.result(res, status, f.msg, f.details))
	}
	for _, f := range o.warnings {
		out = append(out, c.result(res, report.StatusWarn, f.msg, f.details))
	}
	if len(out) == 0 && (o.applies) {
		out = append(out, c.result(res, report.StatusPass, "", nil))
	}
	slices.SortStableFunc(out, func(a, b report.Result) int {
		switch {
		case a.Message < b.Message:
			return -1
		case a.Message > b.Message:
			return 1
		}
		return 0
	})
	return out
}

func (c *compiled) result(res report.Resource, st report.Status, msg string, details map[string]any) report.Result {
	return report.Result{
		Policy: c.ID, Result: st, Action: c.settings.Action, Severity: c.Severity,
		Message: msg, Details: details, Resource: res,
	}
}

func boolOf(v any) (bool, error) {
	switch t := v.(type) {
	case bool:
		return t, nil
	case ast.Boolean:
		return bool(t), nil
	case *ast.Term:
		return boolOf(t.Value)
	}
	return false, fmt.Errorf("rule applies is %T, want boolean", v)
}

// findings decodes a set of {"msg": string, "details": object}.
func findings(v any, rule string) ([]finding, error) {
	if v == nil {
		return nil, nil
	}
	var val ast.Value
	switch t := v.(type) {
	case ast.Value:
		val = t
	case *ast.Term:
		val = t.Value
	default:
		var err error
		if val, err = ast.InterfaceToValue(v); err != nil {
			return nil, err
		}
	}
	goVal, err := ast.JSON(val)
	if err != nil {
		return nil, fmt.Errorf("rule %s: %w", rule, err)
	}
	items, ok := goVal.([]any)
	if !ok {
		return nil, fmt.Errorf("rule %s is %T, want a set", rule, goVal)
	}
	out := make([]finding, 0, len(items))
	for _, it := range items {
		m, ok := it.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("rule %s: element %v is not an object with msg", rule, it)
		}
		msg, ok := m["msg"].(string)
		if !ok {
			return nil, fmt.Errorf("rule %s: element has no string msg", rule)
		}
		d, _ := m["details"].(map[string]any)
		out = append(out, finding{msg: msg, details: d})
	}
	return out, nil
}

func resourceOf(req review.Request) report.Resource {
	return report.Resource{
		APIVersion: req.Kind.GroupVersion(), Kind: req.Kind.Kind,
		Namespace: req.Namespace, Name: req.Name,
	}
}

func ref(req review.Request) string {
	if req.Namespace == "" {
		return req.Name
	}
	return req.Namespace + "/" + req.Name
}
