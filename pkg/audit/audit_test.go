package audit

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/tlsguard/tlsguard/pkg/manifest"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
)

// fake passes every object for policy "a" and fails objects named bad-* for
// policy "b"; it remembers the inventory it was given.
type fake struct {
	inventory map[string]any
	err       error
}

func (f *fake) SetInventory(_ context.Context, doc map[string]any) error {
	f.inventory = doc
	return nil
}

func (f *fake) Evaluate(_ context.Context, r review.Request) ([]report.Result, error) {
	if f.err != nil {
		return nil, f.err
	}
	res := report.Resource{Kind: r.Kind.Kind, Namespace: r.Namespace, Name: r.Name}
	out := []report.Result{{Policy: "a", Result: report.StatusPass, Resource: res}}
	if len(r.Name) > 4 && r.Name[:4] == "bad-" {
		out = append(out, report.Result{Policy: "b", Result: report.StatusFail, Message: r.Name + " is bad", Resource: res})
	}
	return out, nil
}

func objects() []manifest.Object {
	var out []manifest.Object
	for i, name := range []string{"ok-1", "bad-1", "ok-2", "bad-2", "ok-3"} {
		out = append(out, manifest.Object{File: "fleet.yaml", Line: 1 + 10*i, Object: map[string]any{
			"apiVersion": "management.cattle.io/v3", "kind": "Setting", "metadata": map[string]any{"name": name}, "value": "x",
		}})
	}
	return out
}

// source is a Source over objs, yielding the same objects on every pass.
func source(objs []manifest.Object) Source {
	return func(fn func(manifest.Object) error) error {
		for _, o := range objs {
			if err := fn(o); err != nil {
				return err
			}
		}
		return nil
	}
}

func TestScan(t *testing.T) {
	now := time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name       string
		showPassed bool
		results    int
	}{
		{"passes counted, not listed", false, 2},
		{"passes listed", true, 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ev := &fake{}
			rep, err := ScanSource(context.Background(), ev, source(objects()), now, Options{Workers: 2, ShowPassed: tc.showPassed})
			if err != nil {
				t.Fatal(err)
			}
			if rep.Summary.Pass != 5 || rep.Summary.Fail != 2 || rep.Summary.Resources != 5 {
				t.Errorf("summary %+v, want 5 pass, 2 fail, 5 resources", rep.Summary)
			}
			if len(rep.Results) != tc.results {
				t.Errorf("%d results listed, want %d", len(rep.Results), tc.results)
			}
			for _, r := range rep.Results {
				if r.Source == nil || r.Source.File != "fleet.yaml" {
					t.Errorf("result %s/%s has no source", r.Policy, r.Resource.Name)
				}
			}
			// Every object served as inventory.
			if _, ok := ev.inventory["cluster"].(map[string]any)["management.cattle.io/v3"].(map[string]any)["Setting"].(map[string]any)["bad-2"]; !ok {
				t.Errorf("inventory lacks Setting bad-2: %v", ev.inventory)
			}
		})
	}
}

func TestScanEvaluationError(t *testing.T) {
	boom := errors.New("boom")
	_, err := ScanSource(context.Background(), &fake{err: boom}, source(objects()), time.Time{}, Options{})
	if !errors.Is(err, boom) {
		t.Fatalf("err %v, want boom", err)
	}
}

func TestDropPasses(t *testing.T) {
	rs := []report.Result{{Result: report.StatusPass}, {Result: report.StatusWarn}, {Result: report.StatusPass}}
	kept, n := dropPasses(rs)
	if n != 2 || len(kept) != 1 || kept[0].Result != report.StatusWarn {
		t.Fatalf("kept %v, dropped %d", kept, n)
	}
	if kept, n := dropPasses(rs[:0]); kept != nil || n != 0 {
		t.Fatalf("empty: kept %v, dropped %d", kept, n)
	}
}

// A source that yields other objects on the evaluation pass (a file edited
// during the scan) is an error, not a report of half-old results; a live
// source (a cluster) is evaluated as its second pass finds it.
func TestScanSourceInputChanged(t *testing.T) {
	for _, tc := range []struct {
		name   string
		second []manifest.Object
		live   bool
		// resources and failures reported when live
		resources, fails int
	}{
		{name: "fewer objects", second: objects()[:3]},
		{name: "more objects", second: append(objects(), objects()[1])},
		{name: "live, fewer objects", second: objects()[:3], live: true, resources: 3, fails: 1},
		{name: "live, more objects", second: append(objects(), objects()[1]), live: true, resources: 6, fails: 3},
	} {
		t.Run(tc.name, func(t *testing.T) {
			pass := 0
			src := func(fn func(manifest.Object) error) error {
				pass++
				if pass > 1 {
					return source(tc.second)(fn)
				}
				return source(objects())(fn)
			}
			rep, err := ScanSource(context.Background(), &fake{}, src, time.Time{}, Options{Workers: 2, Live: tc.live})
			if !tc.live {
				if !errors.Is(err, ErrInputChanged) {
					t.Fatalf("err %v, want ErrInputChanged", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if rep.Summary.Resources != tc.resources || rep.Summary.Fail != tc.fails || rep.Summary.Pass != tc.resources {
				t.Errorf("summary %+v, want %d resources, %d passes, %d failures", rep.Summary, tc.resources, tc.resources, tc.fails)
			}
		})
	}
}
