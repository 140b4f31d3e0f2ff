package report_test

import (
	"bytes"
	"encoding/xml"
	"strings"
	"testing"

	"github.com/tlsguard/tlsguard/pkg/report"
)

func writeJUnit(t *testing.T, r *report.ScanReport) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := (report.JUnit{}).Write(&buf, r); err != nil {
		t.Fatalf("Write: got error %v, want nil", err)
	}
	return buf.Bytes()
}

func TestJUnit(t *testing.T) {
	tests := []struct {
		name   string
		golden string
		report *report.ScanReport
	}{
		{name: "every status with policies", golden: "report.junit.golden", report: auditReport()},
		{name: "no results", golden: "empty.junit.golden", report: report.New(reportTime, 0, nil, false)},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			golden(t, tc.golden, writeJUnit(t, tc.report))
		})
	}
}

type junitCounts struct {
	Tests    int `xml:"tests,attr"`
	Failures int `xml:"failures,attr"`
	Errors   int `xml:"errors,attr"`
	Skipped  int `xml:"skipped,attr"`
}

type junitDoc struct {
	junitCounts
	Suites []struct {
		Name string `xml:"name,attr"`
		junitCounts
		Cases []struct {
			Name    string    `xml:"name,attr"`
			Failure *struct{} `xml:"failure"`
			Skipped *struct{} `xml:"skipped"`
		} `xml:"testcase"`
	} `xml:"testsuite"`
}

// TestJUnitCounts checks that the counts CI tools show agree with the
// testcases, suite by suite and in total.
func TestJUnitCounts(t *testing.T) {
	var doc junitDoc
	if err := xml.Unmarshal(writeJUnit(t, auditReport()), &doc); err != nil {
		t.Fatalf("decode JUnit XML: %v", err)
	}
	var total junitCounts
	for _, s := range doc.Suites {
		var got junitCounts
		names := map[string]bool{}
		for _, c := range s.Cases {
			got.Tests++
			if c.Failure != nil {
				got.Failures++
			}
			if c.Skipped != nil {
				got.Skipped++
			}
			if names[c.Name] {
				t.Errorf("suite %s: testcase %q appears twice", s.Name, c.Name)
			}
			names[c.Name] = true
		}
		if got != s.junitCounts {
			t.Errorf("suite %s: got attributes %+v, want %+v (from its testcases)", s.Name, s.junitCounts, got)
		}
		total.Tests += got.Tests
		total.Failures += got.Failures
		total.Skipped += got.Skipped
	}
	if total != doc.junitCounts {
		t.Errorf("testsuites: got attributes %+v, want %+v (the sum of the suites)", doc.junitCounts, total)
	}
	// auditReport: 11 (resource, policy) pairs; the two certificate-strength
	// findings on one Secret are one testcase.
	if want := (junitCounts{Tests: 11, Failures: 7, Skipped: 1}); total != want {
		t.Errorf("testsuites: got %+v, want %+v", total, want)
	}
}

// TestJUnitWellFormed checks that any message gives well-formed XML: one
// that ends the CDATA section early or holds a character XML cannot carry.
func TestJUnitWellFormed(t *testing.T) {
	msg := "bad ]]> <x> & \x01 \"q\"\nnext"
	res := []report.Result{
		{Policy: "p", Result: report.StatusFail, Message: msg, Resource: report.Resource{Kind: "Secret", Name: "a"}},
		{Policy: "p", Result: report.StatusWarn, Message: msg, Resource: report.Resource{Kind: "Secret", Name: "b"}},
		{Policy: "p", Result: report.StatusSkip, Message: msg, Resource: report.Resource{Kind: "Secret", Name: "c"}},
	}
	var doc struct {
		Cases []struct {
			Failure struct {
				Message string `xml:"message,attr"`
				Text    string `xml:",chardata"`
			} `xml:"failure"`
			SystemOut string `xml:"system-out"`
			Skipped   struct {
				Message string `xml:"message,attr"`
			} `xml:"skipped"`
		} `xml:"testsuite>testcase"`
	}
	if err := xml.Unmarshal(writeJUnit(t, report.New(reportTime, 3, res, true)), &doc); err != nil {
		t.Fatalf("decode JUnit XML: %v", err)
	}
	want := "bad ]]> <x> & \uFFFD \"q\"\nnext"
	if len(doc.Cases) != 3 {
		t.Fatalf("got %d testcases, want 3", len(doc.Cases))
	}
	for _, got := range []string{doc.Cases[0].Failure.Message, doc.Cases[2].Skipped.Message} {
		if got != want {
			t.Errorf("got attribute %q, want %q", got, want)
		}
	}
	for _, got := range []string{doc.Cases[0].Failure.Text, doc.Cases[1].SystemOut} {
		if !strings.Contains(got, want) {
			t.Errorf("got body %q, want it to contain %q", got, want)
		}
	}
}
