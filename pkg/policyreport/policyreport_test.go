package policyreport_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"sigs.k8s.io/yaml"

	"github.com/tlsguard/tlsguard/pkg/policyreport"
	"github.com/tlsguard/tlsguard/pkg/report"
)

var now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

func results() []report.Result {
	return []report.Result{
		{Policy: "certificate-expiry", Result: report.StatusWarn, Action: "deny", Severity: "critical", Message: "expires in 10 days", Details: map[string]any{"field": "data.tls.crt", "n": 3}},
		{Policy: "certificate-trusted-ca", Result: report.StatusPass, Action: "deny", Severity: "high"},
		{Policy: "certificate-rotation-age", Result: report.StatusFail, Action: "deny", Severity: "medium", Message: "issued 200 days ago"},
	}
}

func TestBuildGolden(t *testing.T) {
	docs := map[string]string{"certificate-expiry": "https://example.com/expiry"}
	tests := []struct {
		name    string
		format  policyreport.Format
		subject policyreport.Subject
		kind    string
	}{
		{"policyreport-namespaced", policyreport.PolicyReport, policyreport.Subject{APIVersion: "v1", Kind: "Secret", Namespace: "cattle-system", Name: "tls-rancher-ingress", UID: "u1"}, "PolicyReport"},
		{"policyreport-cluster", policyreport.PolicyReport, policyreport.Subject{APIVersion: "management.cattle.io/v3", Kind: "Setting", Name: "cacerts", UID: "u2"}, "ClusterPolicyReport"},
		{"openreports-namespaced", policyreport.OpenReports, policyreport.Subject{APIVersion: "v1", Kind: "Secret", Namespace: "cattle-system", Name: "tls-rancher-ingress", UID: "u1"}, "Report"},
		{"openreports-cluster", policyreport.OpenReports, policyreport.Subject{APIVersion: "management.cattle.io/v3", Kind: "Setting", Name: "cacerts", UID: "u2"}, "ClusterReport"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			u := policyreport.Build(tc.format, tc.subject, results(), docs, now)
			if u.GetKind() != tc.kind {
				t.Errorf("kind: got %s, want %s", u.GetKind(), tc.kind)
			}
			got, err := yaml.Marshal(u.Object)
			if err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", tc.name+".golden.yaml")
			if os.Getenv("UPDATE_GOLDEN") != "" {
				if err := os.WriteFile(path, got, 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatalf("%v (UPDATE_GOLDEN=1 creates it)", err)
			}
			if diff := cmp.Diff(string(want), string(got)); diff != "" {
				t.Errorf("%s (-want +got):\n%s", path, diff)
			}
		})
	}
}

func TestSameContentIgnoresTimestamps(t *testing.T) {
	s := policyreport.Subject{APIVersion: "v1", Kind: "Secret", Namespace: "ns", Name: "a", UID: "u"}
	a := policyreport.Build(policyreport.PolicyReport, s, results(), nil, now)
	b := policyreport.Build(policyreport.PolicyReport, s, results(), nil, now.Add(time.Hour))
	if !policyreport.SameContent(a, b) {
		t.Error("got different, want same content when only timestamps differ")
	}
	changed := results()
	changed[2].Result = report.StatusPass
	c := policyreport.Build(policyreport.PolicyReport, s, changed, nil, now)
	if policyreport.SameContent(a, c) {
		t.Error("got same, want different when a result changed")
	}
}
