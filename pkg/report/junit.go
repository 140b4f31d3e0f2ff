package report

import (
	"cmp"
	"encoding/xml"
	"fmt"
	"io"
	"slices"
	"strings"
	"time"
)

// JUnit writes JUnit XML for CI test report views: one testsuite per policy
// and one testcase per resource the policy reported on. A testcase fails
// when the policy failed or could not be evaluated for the resource, is
// skipped when the resource is exempted, and passes otherwise. A warning
// passes, with its messages in system-out, so that JUnit gates agree with
// the exit status, which warnings do not change. Pass results become
// passing testcases only when they are listed (--show-passed).
type JUnit struct{}

var _ Reporter = JUnit{}

type junitSuites struct {
	XMLName   xml.Name     `xml:"testsuites"`
	Name      string       `xml:"name,attr"`
	Tests     int          `xml:"tests,attr"`
	Failures  int          `xml:"failures,attr"`
	Errors    int          `xml:"errors,attr"`
	Skipped   int          `xml:"skipped,attr"`
	Time      string       `xml:"time,attr"`
	Timestamp string       `xml:"timestamp,attr"`
	Suites    []junitSuite `xml:"testsuite"`
}

type junitSuite struct {
	Name       string          `xml:"name,attr"`
	Tests      int             `xml:"tests,attr"`
	Failures   int             `xml:"failures,attr"`
	Errors     int             `xml:"errors,attr"`
	Skipped    int             `xml:"skipped,attr"`
	Time       string          `xml:"time,attr"`
	Timestamp  string          `xml:"timestamp,attr"`
	Properties []junitProperty `xml:"properties>property,omitempty"`
	Cases      []junitCase     `xml:"testcase"`
}

type junitProperty struct {
	Name  string `xml:"name,attr"`
	Value string `xml:"value,attr"`
}

type junitCase struct {
	Name      string        `xml:"name,attr"`
	Classname string        `xml:"classname,attr"`
	File      string        `xml:"file,attr,omitempty"`
	Line      int           `xml:"line,attr,omitempty"`
	Time      string        `xml:"time,attr"`
	Failure   *junitFailure `xml:"failure"`
	Skipped   *junitSkipped `xml:"skipped"`
	SystemOut *junitText    `xml:"system-out"`
}

type junitFailure struct {
	Message string `xml:"message,attr"`
	Type    string `xml:"type,attr"`
	Text    string `xml:",cdata"`
}

// junitText is element content kept readable in CDATA.
type junitText struct {
	Text string `xml:",cdata"`
}

type junitSkipped struct {
	Message string `xml:"message,attr"`
}

// Write implements Reporter.
func (JUnit) Write(w io.Writer, r *ScanReport) error {
	stamp := r.Time.UTC().Format(time.RFC3339)
	doc := junitSuites{Name: "tlsguard", Time: "0", Timestamp: stamp}
	byPolicy := map[string][]Result{}
	for _, res := range r.Results {
		byPolicy[res.Policy] = append(byPolicy[res.Policy], res)
	}
	ids := make([]string, 0, len(byPolicy))
	for id := range byPolicy {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	for _, id := range ids {
		results := byPolicy[id]
		p := r.policy(id, results[0].Severity)
		suite := junitSuite{Name: id, Time: "0", Timestamp: stamp, Properties: junitProperties(p)}
		for _, group := range groupByResource(results) {
			tc := junitTestcase(p, group)
			suite.Tests++
			switch {
			case tc.Failure != nil:
				suite.Failures++
			case tc.Skipped != nil:
				suite.Skipped++
			}
			suite.Cases = append(suite.Cases, tc)
		}
		doc.Tests += suite.Tests
		doc.Failures += suite.Failures
		doc.Skipped += suite.Skipped
		doc.Suites = append(doc.Suites, suite)
	}
	out, err := xml.MarshalIndent(doc, "", "  ")
	if err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	if _, err := io.WriteString(w, xml.Header+string(out)+"\n"); err != nil {
		return fmt.Errorf("write junit report: %w", err)
	}
	return nil
}

func junitProperties(p PolicyInfo) []junitProperty {
	var props []junitProperty
	for _, kv := range [][2]string{{"title", p.Title}, {"severity", p.Severity}, {"docs", p.Docs}} {
		if kv[1] != "" {
			props = append(props, junitProperty{Name: kv[0], Value: kv[1]})
		}
	}
	return props
}

// groupByResource splits one policy's results into groups about the same
// object, in the order of each object's first result: a policy may report
// several findings on one resource (one per certificate, say), and they
// make one testcase.
func groupByResource(results []Result) [][]Result {
	type key struct {
		res Resource
		src string
	}
	var groups [][]Result
	at := map[key]int{}
	for _, res := range results {
		k := key{res.Resource, sourceString(res.Source)}
		i, ok := at[k]
		if !ok {
			i = len(groups)
			at[k] = i
			groups = append(groups, nil)
		}
		groups[i] = append(groups[i], res)
	}
	return groups
}

func junitTestcase(p PolicyInfo, group []Result) junitCase {
	first := group[0]
	tc := junitCase{Name: resourceLabel(first.Resource), Classname: p.ID, Time: "0"}
	if f := sourceFile(first.Source); f != "" {
		tc.File, tc.Line = f, first.Source.Line
	}
	var failed, out []Result
	skipped := true
	for _, res := range group {
		switch res.Result {
		case StatusFail, StatusError:
			failed = append(failed, res)
		case StatusWarn:
			out = append(out, res)
		}
		if res.Result != StatusSkip {
			skipped = false
		}
	}
	switch {
	case len(failed) > 0:
		typ := string(StatusError)
		if slices.ContainsFunc(failed, func(r Result) bool { return r.Result == StatusFail }) {
			typ = string(StatusFail)
		}
		msg := failed[0].Message
		if len(failed) > 1 {
			msg += fmt.Sprintf(" (and %d more)", len(failed)-1)
		}
		tc.Failure = &junitFailure{Message: msg, Type: typ, Text: junitBody(p, first, group)}
	case skipped:
		tc.Skipped = &junitSkipped{Message: first.Message}
	case len(out) > 0:
		tc.SystemOut = &junitText{Text: junitBody(p, first, group)}
	}
	return tc
}

// junitBody lists every finding of a testcase and what to do about it.
func junitBody(p PolicyInfo, first Result, group []Result) string {
	var b strings.Builder
	for _, res := range group {
		if res.Result != StatusPass && res.Message != "" {
			fmt.Fprintf(&b, "%s: %s\n", strings.ToUpper(string(res.Result)), res.Message)
		}
	}
	b.WriteString("\n")
	fmt.Fprintf(&b, "policy: %s", p.ID)
	if p.Title != "" {
		fmt.Fprintf(&b, " (%s)", p.Title)
	}
	fmt.Fprintf(&b, "\nseverity: %s\naction: %s\n", cmp.Or(p.Severity, first.Severity), first.Action)
	if first.Source != nil && first.Source.File != "" {
		fmt.Fprintf(&b, "source: %s\n", sourceString(first.Source))
	}
	if p.Remediation != "" {
		fmt.Fprintf(&b, "remediation: %s\n", strings.Join(strings.Fields(p.Remediation), " "))
	}
	if p.Docs != "" {
		fmt.Fprintf(&b, "docs: %s\n", p.Docs)
	}
	return xmlSafe(b.String())
}

// xmlSafe replaces the characters XML 1.0 cannot carry, which CDATA does
// not escape, with U+FFFD; a message may quote any string of an object.
func xmlSafe(s string) string {
	return strings.Map(func(r rune) rune {
		switch {
		case r == '\t' || r == '\n' || r == '\r',
			r >= 0x20 && r <= 0xD7FF,
			r >= 0xE000 && r <= 0xFFFD,
			r >= 0x10000 && r <= 0x10FFFF:
			return r
		}
		return '\uFFFD'
	}, s)
}
