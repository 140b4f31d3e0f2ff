// Command gendocs regenerates the policy catalogue from the policies'
// METADATA: docs/policies.md, policies/<id>/README.md and the table in
// README.md. Run from the repository root (make generate).
package main

import (
	"fmt"
	"os"
	"path/filepath"

	"github.com/tlsguard/tlsguard/pkg/catalog"
	"github.com/tlsguard/tlsguard/pkg/policy"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "gendocs:", err)
		os.Exit(1)
	}
}

func run() error {
	src, err := policy.ParseFS(os.DirFS("policies"))
	if err != nil {
		return err
	}
	if err := os.WriteFile("docs/policies.md", catalog.Markdown(src.Policies), 0o644); err != nil {
		return err
	}
	for _, md := range src.Policies {
		if err := os.WriteFile(filepath.Join("policies", md.ID, "README.md"), catalog.PolicyReadme(md), 0o644); err != nil {
			return err
		}
	}
	readme, err := os.ReadFile("README.md")
	if err != nil {
		return err
	}
	out, err := catalog.SpliceReadme(readme, catalog.Table(src.Policies))
	if err != nil {
		return err
	}
	return os.WriteFile("README.md", out, 0o644)
}
