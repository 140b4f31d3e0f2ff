package report_test

import (
	"bytes"
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/report"
)

func writeSARIF(t *testing.T, r *report.ScanReport) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (report.SARIF{}).Write(&buf, r); err != nil {
		t.Fatalf("Write: got error %v, want nil", err)
	}
	return buf.Bytes()
}

func TestSARIF(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		report *report.ScanReport
	}{
		{name: "every status with policies", golden: "report.sarif.golden", report: auditReport()},
		{name: "no results, no policies", golden: "empty.sarif.golden", report: report.New(reportTime, 0, nil, false)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.golden, writeSARIF(t, tc.report))
		})
	}
}

// sarifDoc is the part of a SARIF log the tests look at.
type sarifDoc struct {
	Schema  string `json:"$schema"`
	Version string `json:"version"`
	Runs    []struct {
		Tool struct {
			Driver struct {
				Name  string `json:"name"`
				Rules []struct {
					ID                   string `json:"id"`
					DefaultConfiguration struct {
						Level string `json:"level"`
					} `json:"defaultConfiguration"`
					Properties struct {
						SecuritySeverity string `json:"security-severity"`
					} `json:"properties"`
				} `json:"rules"`
			} `json:"driver"`
		} `json:"tool"`
		Results []struct {
			RuleID    string `json:"ruleId"`
			RuleIndex int    `json:"ruleIndex"`
			Level     string `json:"level"`
			Locations []struct {
				PhysicalLocation *struct {
					ArtifactLocation struct {
						URI string `json:"uri"`
					} `json:"artifactLocation"`
					Region *struct {
						StartLine int `json:"startLine"`
					} `json:"region"`
				} `json:"physicalLocation"`
				LogicalLocations []struct {
					FullyQualifiedName string `json:"fullyQualifiedName"`
				} `json:"logicalLocations"`
			} `json:"locations"`
		} `json:"results"`
	} `json:"runs"`
}

// TestSARIFConsistent checks what the golden file cannot show at a glance:
// every result points at its rule, only fail/warn/error are results, and
// locations are relative slash paths or absent.
func TestSARIFConsistent(t *testing.T) {
	rep := auditReport()
	var doc sarifDoc
	if err := json.Unmarshal(writeSARIF(t, rep), &doc); err != nil {
		t.Fatalf("decode SARIF: %v", err)
	}
	if doc.Version != "2.1.0" || !strings.Contains(doc.Schema, "sarif-schema-2.1.0") || len(doc.Runs) != 1 {
		t.Fatalf("got version %q, schema %q, %d runs; want 2.1.0, the 2.1.0 schema, 1 run", doc.Version, doc.Schema, len(doc.Runs))
	}
	run := doc.Runs[0]
	rules := run.Tool.Driver.Rules
	var want []string
	for _, res := range rep.Results {
		if res.Result == report.StatusFail || res.Result == report.StatusWarn || res.Result == report.StatusError {
			want = append(want, res.Policy)
		}
	}
	var got []string
	for _, res := range run.Results {
		got = append(got, res.RuleID)
		if res.RuleIndex >= len(rules) || rules[res.RuleIndex].ID != res.RuleID {
			t.Errorf("result %s: ruleIndex %d does not point at its rule", res.RuleID, res.RuleIndex)
		}
		if len(res.Locations) != 1 || len(res.Locations[0].LogicalLocations) != 1 {
			t.Fatalf("result %s: got locations %+v, want one with one logical location", res.RuleID, res.Locations)
		}
		if pl := res.Locations[0].PhysicalLocation; pl != nil {
			uri := pl.ArtifactLocation.URI
			if strings.HasPrefix(uri, "./") || strings.Contains(uri, `\`) || strings.Contains(uri, "<") {
				t.Errorf("result %s: got uri %q, want a clean slash path", res.RuleID, uri)
			}
		}
	}
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("results mismatch (-want +got):\n%s", diff)
	}
	if len(rules) != len(auditPolicies())+1 { // + the input stand-in
		t.Errorf("got %d rules, want %d (every policy and input)", len(rules), len(auditPolicies())+1)
	}
}

func TestSARIFSeverity(t *testing.T) {
	tests := []struct {
		severity, level, score string
	}{
		{"critical", "error", "9.5"},
		{"high", "error", "8.0"},
		{"medium", "warning", "5.5"},
		{"low", "note", "3.0"},
		{"info", "note", "1.0"},
	}
	for _, tc := range tests {
		t.Run(tc.severity, func(t *testing.T) {
			rep := report.New(reportTime, 0, nil, false).WithPolicies([]report.PolicyInfo{{ID: "p", Title: "P", Severity: tc.severity}})
			var doc sarifDoc
			if err := json.Unmarshal(writeSARIF(t, rep), &doc); err != nil {
				t.Fatalf("decode SARIF: %v", err)
			}
			rule := doc.Runs[0].Tool.Driver.Rules[0]
			if rule.DefaultConfiguration.Level != tc.level || rule.Properties.SecuritySeverity != tc.score {
				t.Errorf("got level %q, security-severity %q; want %q, %q", rule.DefaultConfiguration.Level, rule.Properties.SecuritySeverity, tc.level, tc.score)
			}
		})
	}
}
