package report_test

import (
	"bytes"
	"testing"

	"github.com/tlsguard/tlsguard/pkg/report"
)

func TestTable(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		report *report.ScanReport
	}{
		{name: "every status", golden: "table.golden", report: goldenReport()},
		{name: "passed results hidden", golden: "table_hide_passed.golden", report: report.New(reportTime, 4, goldenResults(), false)},
		{name: "no results", golden: "table_empty.golden", report: report.New(reportTime, 0, nil, false)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var buf bytes.Buffer
			if err := (report.Table{}).Write(&buf, tc.report); err != nil {
				t.Fatalf("Write: got error %v, want nil", err)
			}
			golden(t, tc.golden, buf.Bytes())
		})
	}
}
