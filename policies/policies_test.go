package policies_test

import (
	"os"
	"testing"

	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/policytest"
	"github.com/tlsguard/tlsguard/policies"
)

// TestRego runs every *_test.rego of the library through OPA's tester, with
// test certificates generated for this run.
func TestRego(t *testing.T) {
	src, err := policy.ParseFS(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	if len(src.Tests) == 0 {
		t.Fatal("no *_test.rego found")
	}
	results, err := policytest.Unit(t.Context(), src, "")
	if err != nil {
		t.Fatal(err)
	}
	if len(results) == 0 {
		t.Fatal("no Rego test ran")
	}
	for _, r := range results {
		t.Run(r.Package+"."+r.Name, func(t *testing.T) {
			switch {
			case r.Error != "":
				t.Errorf("%s:%d: error: %s", r.File, r.Line, r.Error)
			case r.Skip:
				t.Skipf("%s:%d: marked todo_", r.File, r.Line)
			case !r.Pass:
				t.Errorf("%s:%d: failed", r.File, r.Line)
			}
		})
	}
}

// TestFixtures evaluates every policies/*/testdata/{allowed,denied} fixture
// through the real engine, as the webhook and scanner would.
func TestFixtures(t *testing.T) {
	fsys := os.DirFS(".")
	src, err := policy.ParseFS(fsys)
	if err != nil {
		t.Fatal(err)
	}
	fixtures, err := policytest.FindFixtures(fsys)
	if err != nil {
		t.Fatal(err)
	}
	perPolicy := map[string]map[string]int{}
	for _, fx := range fixtures {
		if perPolicy[fx.Policy] == nil {
			perPolicy[fx.Policy] = map[string]int{}
		}
		perPolicy[fx.Policy][fx.Expect]++
	}
	for _, md := range src.Policies {
		if perPolicy[md.ID][policytest.Allowed] == 0 || perPolicy[md.ID][policytest.Denied] == 0 {
			t.Errorf("policy %s: want allowed and denied fixtures, got %v", md.ID, perPolicy[md.ID])
		}
	}
	results, err := policytest.Fixtures(t.Context(), fsys, src, fixtures)
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range results {
		t.Run(r.File, func(t *testing.T) {
			if !r.Pass {
				t.Errorf("%s (%s): %s", r.File, r.Expect, r.Reason)
			}
		})
	}
}

// TestEmbedded checks the embedded library is the one on disk and loads.
func TestEmbedded(t *testing.T) {
	disk, err := policy.ParseFS(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	embedded, err := policy.ParseFS(policies.FS)
	if err != nil {
		t.Fatal(err)
	}
	if got, want := len(embedded.Policies), len(disk.Policies); got != want {
		t.Errorf("embedded policies: got %d, want %d", got, want)
	}
	if _, err := policy.New(t.Context(), embedded, policy.Options{}); err != nil {
		t.Fatalf("embedded library does not compile: %v", err)
	}
}
