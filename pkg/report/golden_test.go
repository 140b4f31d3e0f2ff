package report_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// updateGolden rewrites testdata/*.golden instead of comparing:
// UPDATE_GOLDEN=1 go test ./pkg/report/
var updateGolden = os.Getenv("UPDATE_GOLDEN") == "1"

// golden compares got with testdata/name, or rewrites the file.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if updateGolden {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatalf("write golden file: %v", err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("read golden file (UPDATE_GOLDEN=1 creates it): %v", err)
	}
	if diff := cmp.Diff(string(want), string(got)); diff != "" {
		t.Errorf("%s mismatch (-want +got; UPDATE_GOLDEN=1 rewrites it):\n%s", path, diff)
	}
}

// reportTime is the fixed scan time of the golden reports, in a non-UTC
// zone so that the output shows New's conversion to UTC.
var reportTime = time.Date(2026, 6, 1, 14, 30, 0, 0, time.FixedZone("CEST", 2*60*60))

// goldenResults covers every status, resources with and without a
// namespace, and results with a file:line source, a file-only source and
// no source (objects from a cluster). They are deliberately out of order.
func goldenResults() []report.Result {
	agent := report.Resource{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "cattle-system", Name: "cattle-cluster-agent"}
	tlsSecret := report.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "cattle-system", Name: "tls-rancher"}
	setting := report.Resource{APIVersion: "management.cattle.io/v3", Kind: "Setting", Name: "cacerts"}
	return []report.Result{
		{
			Policy: "certificate-expiry", Result: report.StatusWarn, Action: "warn", Severity: "medium",
			Message:  `Secret cattle-system/tls-rancher: tls.crt expires in 10 days (2026-06-11T00:00:00Z)`,
			Details:  map[string]any{"notAfter": "2026-06-11T00:00:00Z", "daysLeft": 10},
			Resource: tlsSecret,
			Source:   &report.Source{File: "manifests/rancher.yaml", Line: 12},
		},
		{
			Policy: "agent-ca-checksum", Result: report.StatusFail, Action: "deny", Severity: "high",
			Message:  `Deployment cattle-system/cattle-cluster-agent: env CATTLE_CA_CHECKSUM does not match the CA in Setting cacerts`,
			Details:  map[string]any{"want": "3b1c", "got": "9f2e"},
			Resource: agent,
			Source:   &report.Source{File: "manifests/agent.yaml", Line: 1},
		},
		{
			Policy: "agent-strict-verify", Result: report.StatusPass, Action: "deny", Severity: "high",
			Resource: agent,
			Source:   &report.Source{File: "manifests/agent.yaml", Line: 1},
		},
		{
			Policy: "certificate-trusted-ca", Result: report.StatusError, Action: "deny", Severity: "high",
			Message:  "evaluation error: crypto.x509.parse_certificates: illegal base64 data at input byte 4",
			Resource: setting,
		},
		{
			Policy: "certificate-expiry", Result: report.StatusSkip, Action: "deny", Severity: "medium",
			Message:  "exempted: vendor appliance, ticket OPS-123 (expires 2027-01-31)",
			Resource: report.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "legacy", Name: "tls-legacy"},
			Source:   &report.Source{File: "manifests/legacy.json"},
		},
	}
}

func goldenReport() *report.ScanReport {
	return report.New(reportTime, 4, goldenResults(), true)
}
