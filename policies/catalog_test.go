package policies_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/catalog"
	"github.com/tlsguard/tlsguard/pkg/policy"
)

// TestCatalogCurrent fails when docs/policies.md, a policy README or the
// README's policy table no longer matches the METADATA (run make generate).
func TestCatalogCurrent(t *testing.T) {
	src, err := policy.ParseFS(os.DirFS("."))
	if err != nil {
		t.Fatal(err)
	}
	check := func(path string, want []byte) {
		t.Helper()
		got, err := os.ReadFile(path)
		if err != nil {
			t.Errorf("%v (run make generate)", err)
			return
		}
		if diff := cmp.Diff(string(want), string(got)); diff != "" {
			t.Errorf("%s is stale, run make generate (-want +got):\n%s", path, diff)
		}
	}
	check(filepath.Join("..", "docs", "policies.md"), catalog.Markdown(src.Policies))
	for _, md := range src.Policies {
		check(filepath.Join(md.ID, "README.md"), catalog.PolicyReadme(md))
	}
	readme, err := os.ReadFile(filepath.Join("..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := catalog.SpliceReadme(readme, catalog.Table(src.Policies))
	if err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(string(want), string(readme)); diff != "" {
		t.Errorf("README.md policy table is stale, run make generate:\n%s", diff)
	}
}
