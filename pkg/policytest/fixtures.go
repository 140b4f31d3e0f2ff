package policytest

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"text/template"
	"time"

	"github.com/tlsguard/tlsguard/pkg/config"
	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/manifest"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// Expectations of a fixture, from the folder it sits in.
const (
	Allowed = "allowed"
	Denied  = "denied"
)

// Fixture is one file under <policy>/testdata/{allowed,denied}/.
type Fixture struct {
	Policy string // the policy ID (folder name)
	Expect string // Allowed or Denied
	File   string // path inside the policy FS
}

// FixtureResult is the outcome of one fixture.
type FixtureResult struct {
	Fixture
	Pass    bool
	Reason  string          // why it failed
	Results []report.Result // the policy's results for the reviewed object
}

// fixtureDoc is the explicit form of a fixture (kind: Fixture).
type fixtureDoc struct {
	Operation  string           `json:"operation"`
	Object     map[string]any   `json:"object"`
	OldObject  map[string]any   `json:"oldObject"`
	Inventory  []map[string]any `json:"inventory"`
	Parameters map[string]any   `json:"parameters"`
}

// FindFixtures lists the fixtures of every policy in fsys, sorted.
func FindFixtures(fsys fs.FS) ([]Fixture, error) {
	var out []Fixture
	for _, expect := range []string{Allowed, Denied} {
		for _, ext := range []string{"yaml", "yml", "json"} {
			matches, err := fs.Glob(fsys, fmt.Sprintf("*/testdata/%s/*.%s", expect, ext))
			if err != nil {
				return nil, err
			}
			for _, m := range matches {
				out = append(out, Fixture{Policy: strings.SplitN(m, "/", 2)[0], Expect: expect, File: m})
			}
		}
	}
	slices.SortFunc(out, func(a, b Fixture) int { return strings.Compare(a.File, b.File) })
	return out, nil
}

// Fixtures evaluates each fixture of src (read from fsys) through the real
// engine at testcerts.Now, trusting the test root only. An allowed fixture
// passes when its policy applies and reports no violation; a denied one when
// the policy reports at least one fail or warn result. Errors are results,
// not Go errors, except for a broken test setup.
func Fixtures(ctx context.Context, fsys fs.FS, src *policy.Source, fixtures []Fixture) ([]FixtureResult, error) {
	certs, err := testcerts.Default()
	if err != nil {
		return nil, err
	}
	engines := map[string]*policy.Engine{}
	engineFor := func(id string, params map[string]any) (*policy.Engine, error) {
		key := ""
		var cfg *config.Config
		if len(params) > 0 {
			b, _ := json.Marshal(params)
			key = id + string(b)
			cfg = &config.Config{Policies: map[string]config.PolicyConfig{id: {Parameters: params}}}
		}
		if e, ok := engines[key]; ok {
			return e, nil
		}
		e, err := policy.New(ctx, src, policy.Options{Config: cfg, Trust: certs.TrustBundle(), Now: func() time.Time { return testcerts.Now }})
		if err != nil {
			return nil, err
		}
		engines[key] = e
		return e, nil
	}
	out := make([]FixtureResult, 0, len(fixtures))
	for _, fx := range fixtures {
		res := FixtureResult{Fixture: fx}
		doc, err := loadFixture(fsys, fx.File, certs)
		if err != nil {
			res.Reason = err.Error()
			out = append(out, res)
			continue
		}
		e, err := engineFor(fx.Policy, doc.Parameters)
		if err != nil {
			res.Reason = err.Error()
			out = append(out, res)
			continue
		}
		res.Results, err = evalFixture(ctx, e, fx.Policy, doc)
		if err != nil {
			res.Reason = err.Error()
		} else {
			res.Pass, res.Reason = judge(fx, res.Results)
		}
		out = append(out, res)
	}
	return out, nil
}

func loadFixture(fsys fs.FS, file string, certs *testcerts.Set) (*fixtureDoc, error) {
	raw, err := fs.ReadFile(fsys, file)
	if err != nil {
		return nil, err
	}
	tmpl, err := template.New(path.Base(file)).Funcs(testcerts.TemplateFuncs).Option("missingkey=error").Parse(string(raw))
	if err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	var buf bytes.Buffer
	if err := tmpl.Execute(&buf, certs.TemplateData()); err != nil {
		return nil, fmt.Errorf("template: %w", err)
	}
	objs, err := manifest.Decode(file, buf.Bytes())
	if err != nil {
		return nil, err
	}
	if len(objs) == 0 {
		return nil, fmt.Errorf("%s: no object", file)
	}
	first := objs[0].Object
	if first["kind"] == "Fixture" {
		b, err := json.Marshal(first)
		if err != nil {
			return nil, err
		}
		var doc fixtureDoc
		if err := json.Unmarshal(b, &doc); err != nil {
			return nil, fmt.Errorf("%s: Fixture: %w", file, err)
		}
		for _, o := range objs[1:] {
			doc.Inventory = append(doc.Inventory, o.Object)
		}
		return &doc, nil
	}
	doc := &fixtureDoc{Object: first}
	for _, o := range objs[1:] {
		doc.Inventory = append(doc.Inventory, o.Object)
	}
	return doc, nil
}

func evalFixture(ctx context.Context, e *policy.Engine, id string, doc *fixtureDoc) ([]report.Result, error) {
	inv := inventory.New()
	for _, o := range doc.Inventory {
		inv.Add(o)
	}
	if err := e.SetInventory(ctx, inv.Document()); err != nil {
		return nil, err
	}
	subject := doc.Object
	if subject == nil {
		subject = doc.OldObject
	}
	req, err := review.FromObject(subject)
	if err != nil {
		return nil, err
	}
	if doc.Operation != "" {
		req.Operation = strings.ToUpper(doc.Operation)
	}
	req.OldObject = doc.OldObject
	if req.Operation == review.Delete {
		req.Object = nil
	}
	all, err := e.Evaluate(ctx, req)
	if err != nil {
		return nil, err
	}
	var mine []report.Result
	for _, r := range all {
		if r.Policy == id {
			mine = append(mine, r)
		}
	}
	return mine, nil
}

func judge(fx Fixture, results []report.Result) (bool, string) {
	var pass, findings int
	for _, r := range results {
		switch r.Result {
		case report.StatusError:
			return false, "evaluation error: " + r.Message
		case report.StatusPass:
			pass++
		case report.StatusFail, report.StatusWarn:
			findings++
		}
	}
	switch fx.Expect {
	case Allowed:
		if findings > 0 {
			return false, fmt.Sprintf("want no violation, got %d: %s", findings, messages(results))
		}
		if pass == 0 {
			return false, "want a pass, but the policy does not apply to this object (check match and applies)"
		}
	case Denied:
		if findings == 0 {
			return false, "want at least one violation, got none"
		}
	}
	return true, ""
}

func messages(rs []report.Result) string {
	var ms []string
	for _, r := range rs {
		if r.Message != "" {
			ms = append(ms, fmt.Sprintf("[%s] %s", r.Result, r.Message))
		}
	}
	return strings.Join(ms, "; ")
}
