package report

import (
	"fmt"
	"io"
	"strings"
)

// Table writes one aligned row per result with the message on its own
// indented line below it, so long messages stay readable, then a summary.
type Table struct{}

// Write implements Reporter.
func (Table) Write(w io.Writer, r *ScanReport) error {
	rows := [][]string{{"RESULT", "POLICY", "SEVERITY", "RESOURCE", "SOURCE"}}
	for _, res := range r.Results {
		rows = append(rows, []string{strings.ToUpper(string(res.Result)), res.Policy, res.Severity, resourceString(res.Resource), sourceString(res.Source)})
	}
	widths := make([]int, len(rows[0]))
	for _, row := range rows {
		for i, c := range row {
			widths[i] = max(widths[i], len(c))
		}
	}
	var b strings.Builder
	for i, row := range rows {
		if i == 0 && len(rows) == 1 {
			break
		}
		for j, c := range row {
			if j == len(row)-1 {
				b.WriteString(c)
				break
			}
			fmt.Fprintf(&b, "%-*s  ", widths[j], c)
		}
		b.WriteByte('\n')
		if i > 0 && r.Results[i-1].Message != "" {
			fmt.Fprintf(&b, "    %s\n", r.Results[i-1].Message)
		}
	}
	s := r.Summary
	if len(rows) > 1 {
		b.WriteByte('\n')
	}
	fmt.Fprintf(&b, "%d resources scanned: %d fail, %d warn, %d error, %d skip, %d pass\n",
		s.Resources, s.Fail, s.Warn, s.Error, s.Skip, s.Pass)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write table report: %w", err)
	}
	return nil
}

func resourceString(r Resource) string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

func sourceString(s *Source) string {
	if s == nil || s.File == "" {
		return "-"
	}
	if s.Line == 0 {
		return s.File
	}
	return fmt.Sprintf("%s:%d", s.File, s.Line)
}
