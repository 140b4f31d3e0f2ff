package policy

import (
	"fmt"
	"io/fs"
	"path"
	"sort"
	"strings"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Source is a parsed set of Rego modules: the policies with their metadata,
// the libraries, and (kept apart) the test modules.
type Source struct {
	Policies []Metadata
	Modules  map[string]*ast.Module // policies and libraries, by file
	Tests    map[string]*ast.Module // *_test.rego, by file
}

// ParseFS parses every .rego file under fsys with Rego v1 syntax and reads the
// METADATA of each policy. A policy is <id>/policy.rego; its package must be
// tlsguard.<id with - replaced by _> and custom.id must equal <id>.
func ParseFS(fsys fs.FS) (*Source, error) {
	src := &Source{Modules: map[string]*ast.Module{}, Tests: map[string]*ast.Module{}}
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(d.Name(), ".") || d.Name() == "testdata") {
				return fs.SkipDir
			}
			return nil
		}
		if path.Ext(p) != ".rego" {
			return nil
		}
		data, err := fs.ReadFile(fsys, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		m, err := ast.ParseModuleWithOpts(p, string(data), ast.ParserOptions{RegoVersion: ast.RegoV1, ProcessAnnotation: true})
		if err != nil {
			return fmt.Errorf("parse: %w", err)
		}
		if strings.HasSuffix(p, "_test.rego") {
			src.Tests[p] = m
			return nil
		}
		src.Modules[p] = m
		if path.Base(p) == "policy.rego" {
			md, err := policyMetadata(p, m)
			if err != nil {
				return err
			}
			src.Policies = append(src.Policies, md)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	if len(src.Policies) == 0 {
		return nil, ErrNoPolicies
	}
	sort.Slice(src.Policies, func(i, j int) bool { return src.Policies[i].ID < src.Policies[j].ID })
	for i := 1; i < len(src.Policies); i++ {
		if src.Policies[i].ID == src.Policies[i-1].ID {
			return nil, fmt.Errorf("%w: policy id %q is declared by %s and %s", ErrInvalidPolicy,
				src.Policies[i].ID, src.Policies[i-1].File, src.Policies[i].File)
		}
	}
	return src, nil
}

func policyMetadata(p string, m *ast.Module) (Metadata, error) {
	md, err := metadataFrom(m, p)
	if err != nil {
		return md, err
	}
	dir := path.Base(path.Dir(p))
	if md.ID != dir {
		return md, fmt.Errorf("%w: %s: custom.id %q must equal the folder name %q", ErrInvalidPolicy, p, md.ID, dir)
	}
	want := "data.tlsguard." + strings.ReplaceAll(md.ID, "-", "_")
	if md.Package != want {
		return md, fmt.Errorf("%w: %s: package %s, want %s", ErrInvalidPolicy, p, strings.TrimPrefix(md.Package, "data."), strings.TrimPrefix(want, "data."))
	}
	rules := map[string]bool{}
	for _, r := range m.Rules {
		rules[ruleName(r)] = true
	}
	for _, need := range []string{"applies", "violation"} {
		if !rules[need] {
			return md, fmt.Errorf("%w: %s: missing rule %q", ErrInvalidPolicy, p, need)
		}
	}
	return md, nil
}

// hasRule reports whether the module of the policy defines rule name.
func (s *Source) hasRule(md Metadata, name string) bool {
	m := s.Modules[md.File]
	for _, r := range m.Rules {
		if ruleName(r) == name {
			return true
		}
	}
	return false
}

// Compile compiles the policies and libraries in strict mode.
func (s *Source) Compile() (*ast.Compiler, error) {
	c := ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(false)
	c.Compile(s.Modules)
	if c.Failed() {
		return nil, fmt.Errorf("compile policies: %w", c.Errors)
	}
	return c, nil
}

// ruleName is the first segment of a rule head: "violation" for
// "violation contains x if ...".
func ruleName(r *ast.Rule) string {
	ref := r.Head.Ref()
	if len(ref) == 0 {
		return ""
	}
	if v, ok := ref[0].Value.(ast.Var); ok {
		return string(v)
	}
	return ""
}

// librariesIgnoreParameters reports whether no module other than the
// policies themselves refers to input.parameters (or to input as a whole).
// Only then may library rules be cached across the policies of one request,
// whose parameters differ.
func (s *Source) librariesIgnoreParameters() bool {
	policyFiles := map[string]bool{}
	for _, md := range s.Policies {
		policyFiles[md.File] = true
	}
	params := ast.MustParseRef("input.parameters")
	for file, m := range s.Modules {
		if policyFiles[file] {
			continue
		}
		found := false
		ast.WalkRefs(m, func(r ast.Ref) bool {
			if r.HasPrefix(params) || (len(r) == 1 && r[0].Equal(ast.InputRootDocument)) {
				found = true
			}
			return found
		})
		if found {
			return false
		}
	}
	return true
}
