package webhook

import (
	"maps"
	"slices"
	"strings"

	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
)

// maxWarning keeps each admission warning short enough for kubectl to print
// on one line; the full message is in the logs and the scan report.
const maxWarning = 120

func prefixed(r report.Result) string {
	return "[" + r.Policy + "] " + r.Message
}

// withoutSubject drops the "<Kind> <namespace>/<name>: " a message starts
// with when it names the request's own object: kubectl prints warnings next
// to that object already, and the 120 characters are better spent on what is
// wrong.
func withoutSubject(res report.Result, r review.Request) report.Result {
	subject := r.Kind.Kind + " " + r.Name + ": "
	if r.Namespace != "" {
		subject = r.Kind.Kind + " " + r.Namespace + "/" + r.Name + ": "
	}
	res.Message = strings.TrimPrefix(res.Message, subject)
	return res
}

func join(ss []string) string {
	if len(ss) == 1 {
		return ss[0]
	}
	return strings.Join(ss, "; ")
}

func keys(m map[string]bool) []string {
	return slices.Sorted(maps.Keys(m))
}

// shorten cuts s to at most n bytes at a word boundary, ending with "...".
// Warnings never start with "Warning:": kubectl adds that itself.
func shorten(s string, n int) string {
	s = strings.TrimPrefix(s, "Warning: ")
	if len(s) <= n {
		return s
	}
	cut := strings.LastIndexByte(s[:n-3], ' ')
	if cut < n/2 {
		cut = n - 3
	}
	return strings.TrimRight(s[:cut], " ,;:") + "..."
}
