package report

import (
	"fmt"
	"io"
	"strconv"
	"strings"
)

// GitHub writes GitHub Actions workflow commands, which the runner turns
// into annotations on the files and lines of a pull request: ::error for
// fail and error results, ::warning for warn results; pass and skip results
// are not written. A summary line follows. Results without a file (objects
// from a cluster or stdin) become annotations of the job.
type GitHub struct{}

var _ Reporter = GitHub{}

// Write implements Reporter.
func (GitHub) Write(w io.Writer, r *ScanReport) error {
	var b strings.Builder
	for _, res := range r.Results {
		var cmd string
		switch res.Result {
		case StatusFail, StatusError:
			cmd = "error"
		case StatusWarn:
			cmd = "warning"
		default:
			continue
		}
		var props []string
		if f := sourceFile(res.Source); f != "" {
			props = append(props, "file="+escapeProperty(f))
			if res.Source.Line > 0 {
				props = append(props, "line="+strconv.Itoa(res.Source.Line))
			}
		}
		title := "[" + res.Policy + "]"
		if p := r.policy(res.Policy, res.Severity); p.Title != "" {
			title += " " + p.Title
		}
		props = append(props, "title="+escapeProperty(title))
		fmt.Fprintf(&b, "::%s %s::%s\n", cmd, strings.Join(props, ","), escapeData(res.Message))
	}
	s := r.Summary
	fmt.Fprintf(&b, "tlsguard: %d resources scanned: %d fail, %d warn, %d error, %d skip, %d pass\n",
		s.Resources, s.Fail, s.Warn, s.Error, s.Skip, s.Pass)
	if _, err := io.WriteString(w, b.String()); err != nil {
		return fmt.Errorf("write github report: %w", err)
	}
	return nil
}

// escapeData escapes a command's message as the Actions runner expects
// (actions/toolkit, command.ts): a newline cannot end the command early, so
// a message cannot smuggle in a command of its own.
var escapeData = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A").Replace

// escapeProperty escapes a command property value: as data, and also the
// separators of the property list.
var escapeProperty = strings.NewReplacer("%", "%25", "\r", "%0D", "\n", "%0A", ":", "%3A", ",", "%2C").Replace
