// Package policytest runs a policy library's tests: the Rego unit tests
// (*_test.rego, through OPA's tester) and the fixtures under
// <policy>/testdata/{allowed,denied} (through the real engine). go test and
// `tlsguard policy test` both use it.
package policytest

import (
	"context"
	"fmt"
	"maps"
	"sort"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage/inmem"
	"github.com/open-policy-agent/opa/v1/tester"

	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// UnitResult is the outcome of one Rego test rule.
type UnitResult struct {
	Package  string
	Name     string
	File     string
	Line     int
	Pass     bool
	Skip     bool
	Error    string // set when the test errored rather than failed
	Duration time.Duration
}

// Unit runs every test_ rule of src through OPA's tester, with the test
// certificates mounted at data.testcerts. filter is a regular expression on
// test names ("" runs all).
func Unit(ctx context.Context, src *policy.Source, filter string) ([]UnitResult, error) {
	certs, err := testcerts.Default()
	if err != nil {
		return nil, err
	}
	modules := maps.Clone(src.Modules)
	maps.Copy(modules, src.Tests)
	store := inmem.NewFromObject(map[string]any{"testcerts": certs.Data()})
	compiler := ast.NewCompiler().WithStrict(true).WithEnablePrintStatements(true)
	runner := tester.NewRunner().
		SetCompiler(compiler).
		SetStore(store).
		SetModules(modules).
		SetDefaultRegoVersion(ast.RegoV1).
		SetTimeout(30 * time.Second).
		Filter(filter)
	ch, err := runner.RunTests(ctx, nil)
	if err != nil {
		return nil, fmt.Errorf("run rego tests: %w", err)
	}
	var out []UnitResult
	for r := range ch {
		u := UnitResult{Package: r.Package, Name: r.Name, Pass: r.Pass(), Skip: r.Skip, Duration: r.Duration}
		if r.Location != nil {
			u.File, u.Line = r.Location.File, r.Location.Row
		}
		if r.Error != nil {
			u.Error = r.Error.Error()
		}
		out = append(out, u)
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].File != out[j].File {
			return out[i].File < out[j].File
		}
		return out[i].Line < out[j].Line
	})
	return out, nil
}
