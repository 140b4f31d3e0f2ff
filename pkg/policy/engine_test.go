package policy_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/config"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
)

var testNow = time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)

func configMap(ns, name string, labels, annotations, data map[string]any) map[string]any {
	return map[string]any{
		"apiVersion": "v1", "kind": "ConfigMap",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": labels, "annotations": annotations},
		"data":     data,
	}
}

func load(t *testing.T, cfg *config.Config) *policy.Engine {
	t.Helper()
	e, err := policy.Load(t.Context(), os.DirFS("testdata/library"), policy.Options{Config: cfg, Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatalf("Load: %v", err)
	}
	return e
}

type brief struct {
	Policy, Result, Action, Message string
}

func briefs(rs []report.Result) []brief {
	var out []brief
	for _, r := range rs {
		out = append(out, brief{r.Policy, string(r.Result), r.Action, r.Message})
	}
	return out
}

func TestEvaluate(t *testing.T) {
	urlLabel := map[string]any{"url": "true"}
	tests := []struct {
		name string
		cfg  *config.Config
		obj  map[string]any
		want []brief
	}{
		{
			name: "https passes",
			obj:  configMap("apps", "a", urlLabel, nil, map[string]any{"url": "https://x"}),
			want: []brief{{"url-https", "pass", "deny", ""}},
		},
		{
			name: "http fails under deny",
			obj:  configMap("apps", "a", urlLabel, nil, map[string]any{"url": "http://x"}),
			want: []brief{{"url-https", "fail", "deny", `ConfigMap a: data.url "http://x" is not https`}},
		},
		{
			name: "http is a warning under warn",
			cfg:  &config.Config{Policies: map[string]config.PolicyConfig{"url-https": {Action: "warn"}}},
			obj:  configMap("apps", "a", urlLabel, nil, map[string]any{"url": "http://x"}),
			want: []brief{{"url-https", "warn", "warn", `ConfigMap a: data.url "http://x" is not https`}},
		},
		{
			name: "parameter from config",
			cfg:  &config.Config{Policies: map[string]config.PolicyConfig{"url-https": {Parameters: map[string]any{"allowHTTP": true}}}},
			obj:  configMap("apps", "a", urlLabel, nil, map[string]any{"url": "http://x"}),
			want: []brief{{"url-https", "pass", "deny", ""}},
		},
		{
			name: "not applicable gives nothing",
			obj:  configMap("apps", "a", nil, nil, map[string]any{"url": "http://x"}),
		},
		{
			name: "default exemption skips",
			obj:  configMap("legacy", "a", urlLabel, nil, map[string]any{"url": "http://x"}),
			want: []brief{{"url-https", "skip", "deny", "ConfigMap legacy/a is exempted: legacy apps"}},
		},
		{
			name: "expired exemption is reported and no longer applies",
			cfg: &config.Config{Policies: map[string]config.PolicyConfig{"url-https": {Exemptions: &[]config.Exemption{
				{Names: []string{"a"}, Expires: config.Date{Time: testNow.Add(-time.Hour)}, Reason: "ticket 1"},
			}}}},
			obj: configMap("legacy", "a", urlLabel, nil, map[string]any{"url": "http://x"}),
			want: []brief{
				{"url-https", "warn", "deny", "ConfigMap legacy/a: exemption expired on 2026-06-01 and no longer applies (reason was: ticket 1); fix the object or renew the exemption in the config"},
				{"url-https", "fail", "deny", `ConfigMap a: data.url "http://x" is not https`},
			},
		},
		{
			name: "warn rule is a warning whatever the action; eval time is injected",
			obj:  configMap("apps", "b", nil, map[string]any{"expires": "2026-06-01T18:00:00Z"}, nil),
			want: []brief{{"expires-soon", "warn", "warn", "expires within a day"}},
		},
		{
			name: "violation of a warn policy",
			obj:  configMap("apps", "b", nil, map[string]any{"expires": "2026-06-01T11:00:00Z"}, nil),
			want: []brief{{"expires-soon", "warn", "warn", "already expired"}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			e := load(t, tc.cfg)
			req, err := review.FromObject(tc.obj)
			if err != nil {
				t.Fatal(err)
			}
			got, err := e.Evaluate(t.Context(), req)
			if err != nil {
				t.Fatal(err)
			}
			if diff := cmp.Diff(tc.want, briefs(got)); diff != "" {
				t.Errorf("results (-want +got):\n%s", diff)
			}
		})
	}
}

func TestConfigErrors(t *testing.T) {
	tests := []struct {
		name, want string
		cfg        config.PolicyConfig
		id         string
	}{
		{name: "unknown policy", id: "nope", want: `unknown policy "nope"`},
		{name: "unknown parameter", id: "url-https", cfg: config.PolicyConfig{Parameters: map[string]any{"allowHttp": true}}, want: `policy "url-https": unknown parameter "allowHttp" (known: [allowHTTP])`},
		{name: "unknown action", id: "url-https", cfg: config.PolicyConfig{Action: "block"}, want: `policy "url-https": unknown action "block"`},
		{name: "wrong type", id: "url-https", cfg: config.PolicyConfig{Parameters: map[string]any{"allowHTTP": "yes"}}, want: `parameter "allowHTTP": yes is not of type boolean`},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := policy.Load(t.Context(), os.DirFS("testdata/library"), policy.Options{
				Config: &config.Config{Policies: map[string]config.PolicyConfig{tc.id: tc.cfg}},
			})
			if !errors.Is(err, policy.ErrInvalidConfig) {
				t.Fatalf("got %v, want ErrInvalidConfig", err)
			}
			if !strings.Contains(err.Error(), tc.want) {
				t.Errorf("got %q, want it to contain %q", err, tc.want)
			}
		})
	}
}

// TestConcurrentEvaluate runs many evaluations at once while the inventory is
// replaced; run with -race.
func TestConcurrentEvaluate(t *testing.T) {
	e := load(t, nil)
	req, err := review.FromObject(configMap("apps", "a", map[string]any{"url": "true"}, nil, map[string]any{"url": "http://x"}))
	if err != nil {
		t.Fatal(err)
	}
	var wg sync.WaitGroup
	errs := make(chan error, 64)
	for i := range 32 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if i%8 == 0 {
				if err := e.SetInventory(t.Context(), map[string]any{"cluster": map[string]any{}, "namespace": map[string]any{}}); err != nil {
					errs <- err
				}
			}
			rs, err := e.Evaluate(t.Context(), req)
			if err != nil {
				errs <- err
				return
			}
			if len(rs) != 1 || rs[0].Result != report.StatusFail {
				errs <- errors.New("unexpected results")
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
}

// TestLibraryReadingParameters: a library that reads input.parameters must
// be evaluated per policy, never shared from another policy's evaluation.
func TestLibraryReadingParameters(t *testing.T) {
	e, err := policy.Load(t.Context(), os.DirFS("testdata/paramlib"), policy.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	req, err := review.FromObject(configMap("apps", "a", nil, nil, map[string]any{"a": "1", "b": "2", "c": "3"}))
	if err != nil {
		t.Fatal(err)
	}
	got, err := e.Evaluate(t.Context(), req)
	if err != nil {
		t.Fatal(err)
	}
	want := []brief{{"large", "pass", "deny", ""}, {"small", "fail", "deny", "too many keys"}}
	if diff := cmp.Diff(want, briefs(got)); diff != "" {
		t.Errorf("results (-want +got):\n%s", diff)
	}
}

// TestEvaluateCancelled: a context that ends during an evaluation stops it
// (the webhook's evaluation deadline relies on this), and reports the
// context's error rather than a policy result.
func TestEvaluateCancelled(t *testing.T) {
	e, err := policy.Load(t.Context(), os.DirFS("testdata/slow"), policy.Options{Now: func() time.Time { return testNow }})
	if err != nil {
		t.Fatal(err)
	}
	req, err := review.FromObject(configMap("apps", "a", nil, nil, nil))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(t.Context(), 100*time.Millisecond)
	defer cancel()
	start := time.Now()
	got, err := e.Evaluate(ctx, req)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Evaluate: results %v, error %v; want context.DeadlineExceeded", got, err)
	}
	// Counting to 50 million takes seconds; a cancelled query stops within
	// OPA's cancellation checks.
	if d := time.Since(start); d > 2*time.Second {
		t.Errorf("Evaluate returned after %s; cancellation did not stop the query", d)
	}
}
