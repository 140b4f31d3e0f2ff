package report_test

import (
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/report"
)

func TestFormats(t *testing.T) {
	want := []string{"github", "html", "json", "junit", "sarif", "table", "yaml"}
	if diff := cmp.Diff(want, report.Formats()); diff != "" {
		t.Errorf("Formats mismatch (-want +got):\n%s", diff)
	}
}

func TestGet(t *testing.T) {
	tests := []struct {
		format  string
		want    report.Reporter
		wantErr string
	}{
		{format: "table", want: report.Table{}},
		{format: "json", want: report.JSON{}},
		{format: "yaml", want: report.YAML{}},
		{format: "sarif", want: report.SARIF{}},
		{format: "junit", want: report.JUnit{}},
		{format: "github", want: report.GitHub{}},
		{format: "html", want: report.HTML{}},
		{format: "xml", wantErr: `unknown output format "xml" (want one of github, html, json, junit, sarif, table, yaml)`},
		{format: "JSON", wantErr: `unknown output format "JSON"`},
		{format: "", wantErr: `unknown output format ""`},
	}
	for _, tc := range tests {
		t.Run(tc.format, func(t *testing.T) {
			got, err := report.Get(tc.format)
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Errorf("Get(%q): got error %v, want %q", tc.format, err, tc.wantErr)
				}
				if got != nil {
					t.Errorf("Get(%q): got reporter %T with the error, want nil", tc.format, got)
				}
				return
			}
			if err != nil {
				t.Fatalf("Get(%q): got error %v, want nil", tc.format, err)
			}
			if got != tc.want {
				t.Errorf("Get(%q): got %T, want %T", tc.format, got, tc.want)
			}
		})
	}
}
