package report_test

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/tlsguard/tlsguard/pkg/report"
)

func TestJSONAndYAML(t *testing.T) {
	tests := []struct {
		name     string
		reporter report.Reporter
		golden   string
		report   *report.ScanReport
	}{
		{name: "json", reporter: report.JSON{}, golden: "report.json.golden", report: goldenReport()},
		{name: "json without results", reporter: report.JSON{}, golden: "empty.json.golden", report: report.New(reportTime, 0, nil, true)},
		{name: "yaml", reporter: report.YAML{}, golden: "report.yaml.golden", report: goldenReport()},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := tc.reporter.Write(&buf, tc.report); err != nil {
				t.Fatalf("Write: got error %v, want nil", err)
			}
			golden(t, tc.golden, buf.Bytes())
		})
	}
}

// TestJSONAndYAMLAgree checks that both formats carry the same document,
// which is what lets a consumer switch between them.
func TestJSONAndYAMLAgree(t *testing.T) {
	var js, ys bytes.Buffer
	if err := (report.JSON{}).Write(&js, goldenReport()); err != nil {
		t.Fatalf("JSON Write: %v", err)
	}
	if err := (report.YAML{}).Write(&ys, goldenReport()); err != nil {
		t.Fatalf("YAML Write: %v", err)
	}
	var fromJSON, fromYAML any
	if err := json.Unmarshal(js.Bytes(), &fromJSON); err != nil {
		t.Fatalf("decode JSON report: %v", err)
	}
	if err := yaml.Unmarshal(ys.Bytes(), &fromYAML); err != nil {
		t.Fatalf("decode YAML report: %v", err)
	}
	if diff := cmp.Diff(fromJSON, fromYAML); diff != "" {
		t.Errorf("JSON and YAML documents differ (-json +yaml):\n%s", diff)
	}
}
