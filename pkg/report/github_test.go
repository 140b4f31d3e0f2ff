package report_test

import (
	"bytes"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/report"
)

func writeGitHub(t *testing.T, r *report.ScanReport) string {
	t.Helper()
	var buf bytes.Buffer
	if err := (report.GitHub{}).Write(&buf, r); err != nil {
		t.Fatalf("Write: got error %v, want nil", err)
	}
	return buf.String()
}

func TestGitHub(t *testing.T) {
	golden(t, "report.github.golden", []byte(writeGitHub(t, auditReport())))
}

// TestGitHubEscaping checks that a message or a file name cannot end a
// workflow command early or start one of its own.
func TestGitHubEscaping(t *testing.T) {
	tests := []struct {
		name string
		res  report.Result
		want string
	}{
		{
			name: "newlines and percent in the message",
			res: report.Result{
				Policy: "p", Result: report.StatusFail, Message: "100% bad\r\n::add-mask::x\n",
				Source: &report.Source{File: "a.yaml", Line: 2},
			},
			want: "::error file=a.yaml,line=2,title=[p]::100%25 bad%0D%0A::add-mask::x%0A\n",
		},
		{
			name: "separators in the file name",
			res: report.Result{
				Policy: "p", Result: report.StatusWarn, Message: "m",
				Source: &report.Source{File: "dir,x/c:d%.yaml", Line: 1},
			},
			want: "::warning file=dir%2Cx/c%3Ad%25.yaml,line=1,title=[p]::m\n",
		},
		{
			name: "no file",
			res:  report.Result{Policy: "p", Result: report.StatusError, Message: "m"},
			want: "::error title=[p]::m\n",
		},
		{
			name: "stdin is no file",
			res:  report.Result{Policy: "p", Result: report.StatusFail, Message: "m", Source: &report.Source{File: "<stdin>", Line: 4}},
			want: "::error title=[p]::m\n",
		},
		{
			name: "skip is not annotated",
			res:  report.Result{Policy: "p", Result: report.StatusSkip, Message: "m"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out := writeGitHub(t, report.New(reportTime, 1, []report.Result{tc.res}, true))
			// The last line is the summary; the rest are the commands.
			got := out[:strings.LastIndex(strings.TrimSuffix(out, "\n"), "\n")+1]
			if diff := cmp.Diff(tc.want, got); diff != "" {
				t.Errorf("mismatch (-want +got):\n%s", diff)
			}
			if !strings.HasPrefix(out[len(got):], "tlsguard: 1 resources scanned: ") {
				t.Errorf("got last line %q, want the summary", out[len(got):])
			}
		})
	}
}
