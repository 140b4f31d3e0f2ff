package report_test

import (
	"bytes"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/report"
)

func TestNewHeader(t *testing.T) {
	r := report.New(reportTime, 7, nil, false)
	if r.APIVersion != "tlsguard.io/v1alpha1" || r.Kind != "ScanReport" {
		t.Errorf("New: got %s %s, want tlsguard.io/v1alpha1 ScanReport", r.APIVersion, r.Kind)
	}
	if want := time.Date(2026, 6, 1, 12, 30, 0, 0, time.UTC); r.Time != want {
		t.Errorf("New: got time %v, want %v (UTC)", r.Time, want)
	}
	if r.Results == nil {
		t.Errorf("New: got nil Results, want an empty slice (json [] rather than null)")
	}
	if want := (report.Summary{Resources: 7}); r.Summary != want {
		t.Errorf("New: got summary %+v, want %+v", r.Summary, want)
	}
}

// id is how sorting tests name a result.
func id(r report.Result) string {
	return r.Policy + " " + r.Resource.Name + " " + r.Message
}

func ids(rs []report.Result) []string {
	var out []string
	for _, r := range rs {
		out = append(out, id(r))
	}
	return out
}

func TestNewSorts(t *testing.T) {
	src := func(file string, line int) *report.Source { return &report.Source{File: file, Line: line} }
	res := func(policy, ns, kind, name, msg string, s *report.Source) report.Result {
		return report.Result{
			Policy: policy, Result: report.StatusFail, Message: msg,
			Resource: report.Resource{APIVersion: "v1", Kind: kind, Namespace: ns, Name: name},
			Source:   s,
		}
	}
	tests := []struct {
		name string
		in   []report.Result
		want []string
	}{
		{
			name: "results from a cluster come before files",
			in: []report.Result{
				res("p", "", "Secret", "in-file", "", src("a.yaml", 1)),
				res("p", "", "Secret", "live", "", nil),
			},
			want: []string{"p live ", "p in-file "},
		},
		{
			name: "file, then line as a number",
			in: []report.Result{
				res("p", "", "Secret", "b10", "", src("b.yaml", 10)),
				res("p", "", "Secret", "b9", "", src("b.yaml", 9)),
				res("p", "", "Secret", "a20", "", src("a.yaml", 20)),
				res("p", "", "Secret", "b-noline", "", src("b.yaml", 0)),
			},
			want: []string{"p a20 ", "p b-noline ", "p b9 ", "p b10 "},
		},
		{
			name: "namespace, then kind, then name",
			in: []report.Result{
				res("p", "ns-b", "ConfigMap", "a", "", nil),
				res("p", "ns-a", "Secret", "a", "", nil),
				res("p", "ns-a", "ConfigMap", "z", "", nil),
				res("p", "ns-a", "ConfigMap", "b", "", nil),
				res("p", "", "Setting", "cluster", "", nil),
			},
			want: []string{"p cluster ", "p b ", "p z ", "p a ", "p a "},
		},
		{
			name: "policy, then message",
			in: []report.Result{
				res("zeta", "", "Secret", "s", "m", nil),
				res("alpha", "", "Secret", "s", "second", nil),
				res("alpha", "", "Secret", "s", "first", nil),
			},
			want: []string{"alpha s first", "alpha s second", "zeta s m"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := report.New(reportTime, len(tc.in), tc.in, true)
			if diff := cmp.Diff(tc.want, ids(r.Results)); diff != "" {
				t.Errorf("New order mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestNewSortIsStable(t *testing.T) {
	// Results that compare equal keep their input order.
	mk := func(action string) report.Result {
		return report.Result{Policy: "p", Result: report.StatusWarn, Action: action, Resource: report.Resource{Kind: "Secret", Name: "s"}}
	}
	r := report.New(reportTime, 1, []report.Result{mk("first"), mk("second"), mk("third")}, true)
	var got []string
	for _, res := range r.Results {
		got = append(got, res.Action)
	}
	if diff := cmp.Diff([]string{"first", "second", "third"}, got); diff != "" {
		t.Errorf("New order mismatch (-want +got):\n%s", diff)
	}
}

func TestNewDoesNotReorderInput(t *testing.T) {
	in := goldenResults()
	before := ids(in)
	report.New(reportTime, 4, in, true)
	if diff := cmp.Diff(before, ids(in)); diff != "" {
		t.Errorf("New reordered its input (-before +after):\n%s", diff)
	}
}

func TestNewSummary(t *testing.T) {
	st := func(s report.Status) report.Result {
		return report.Result{Policy: string(s), Result: s, Resource: report.Resource{Kind: "Secret", Name: "s"}}
	}
	tests := []struct {
		name       string
		in         []report.Result
		showPassed bool
		want       report.Summary
		wantListed []report.Status
		wantFailed bool
	}{
		{
			name:       "nothing",
			want:       report.Summary{Resources: 3},
			wantListed: nil,
		},
		{
			name:       "every status, passed shown",
			in:         goldenResults(),
			showPassed: true,
			want:       report.Summary{Resources: 3, Pass: 1, Fail: 1, Warn: 1, Error: 1, Skip: 1},
			// Sorted: the cluster result (no source) first, then by file.
			wantListed: []report.Status{report.StatusError, report.StatusFail, report.StatusPass, report.StatusSkip, report.StatusWarn},
			wantFailed: true,
		},
		{
			name:       "passed results are counted but not listed",
			in:         []report.Result{st(report.StatusPass), st(report.StatusWarn), st(report.StatusPass)},
			want:       report.Summary{Resources: 3, Pass: 2, Warn: 1},
			wantListed: []report.Status{report.StatusWarn},
		},
		{
			name:       "only passes",
			in:         []report.Result{st(report.StatusPass), st(report.StatusPass)},
			want:       report.Summary{Resources: 3, Pass: 2},
			wantListed: nil,
		},
		{
			name:       "fail fails the scan",
			in:         []report.Result{st(report.StatusFail)},
			want:       report.Summary{Resources: 3, Fail: 1},
			wantListed: []report.Status{report.StatusFail},
			wantFailed: true,
		},
		{
			name:       "error fails the scan",
			in:         []report.Result{st(report.StatusError), st(report.StatusPass)},
			want:       report.Summary{Resources: 3, Error: 1, Pass: 1},
			wantListed: []report.Status{report.StatusError},
			wantFailed: true,
		},
		{
			name:       "warn and skip do not fail the scan",
			in:         []report.Result{st(report.StatusWarn), st(report.StatusSkip), st(report.StatusSkip)},
			want:       report.Summary{Resources: 3, Warn: 1, Skip: 2},
			wantListed: []report.Status{report.StatusSkip, report.StatusSkip, report.StatusWarn},
		},
		{
			name:       "unknown status is listed but not counted",
			in:         []report.Result{st("odd")},
			want:       report.Summary{Resources: 3},
			wantListed: []report.Status{"odd"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := report.New(reportTime, 3, tc.in, tc.showPassed)
			if diff := cmp.Diff(tc.want, r.Summary); diff != "" {
				t.Errorf("Summary mismatch (-want +got):\n%s", diff)
			}
			var listed []report.Status
			for _, res := range r.Results {
				listed = append(listed, res.Result)
			}
			if diff := cmp.Diff(tc.wantListed, listed); diff != "" {
				t.Errorf("listed statuses mismatch (-want +got):\n%s", diff)
			}
			if got := r.Failed(); got != tc.wantFailed {
				t.Errorf("Failed: got %t, want %t", got, tc.wantFailed)
			}
		})
	}
}

func TestSummaryAdd(t *testing.T) {
	var s report.Summary
	for _, st := range []report.Status{report.StatusPass, report.StatusFail, report.StatusFail, report.StatusWarn, report.StatusError, report.StatusSkip, "bogus"} {
		s.Add(st)
	}
	want := report.Summary{Pass: 1, Fail: 2, Warn: 1, Error: 1, Skip: 1}
	if s != want {
		t.Errorf("Summary: got %+v, want %+v", s, want)
	}
}

// TestWithPolicies checks that the metadata is sorted and stays out of the
// json/yaml document, whose shape is a contract.
func TestWithPolicies(t *testing.T) {
	rep := auditReport()
	var ids []string
	for _, p := range rep.Policies {
		ids = append(ids, p.ID)
	}
	if !slices.IsSorted(ids) || len(ids) != len(auditPolicies()) {
		t.Errorf("Policies: got %v, want every policy sorted by ID", ids)
	}
	var with, without bytes.Buffer
	if err := (report.JSON{}).Write(&with, rep); err != nil {
		t.Fatal(err)
	}
	if err := (report.JSON{}).Write(&without, report.New(reportTime, 8, auditResults(), true)); err != nil {
		t.Fatal(err)
	}
	if diff := cmp.Diff(without.String(), with.String()); diff != "" {
		t.Errorf("json with policies differs from json without (-without +with):\n%s", diff)
	}
}
