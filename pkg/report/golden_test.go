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

// auditPolicies is the metadata of the policies of auditReport, as
// WithPolicies receives it from the engine (unsorted here). server-url-https
// has no result; the input pseudo-policy of unreviewable objects has no
// metadata.
func auditPolicies() []report.PolicyInfo {
	const certDocs = "https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/resources/update-rancher-certificate"
	const tlsDocs = "https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/installation-references/tls-settings"
	return []report.PolicyInfo{
		{
			ID: "certificate-expiry", Title: "Certificates are within their validity period", Severity: "critical", Docs: certDocs,
			Description: "An expired (or not yet valid) certificate in Rancher's serving chain or\nCA bundle breaks every agent connection.\n\nGuarded Secrets: every kubernetes.io/tls Secret in cattle-system.\n",
			Remediation: "Renew the certificate and replace it in the Secret (cert-manager:\ncmctl renew).\n",
		},
		{
			ID: "agent-ca-checksum", Title: "Agents pin Rancher's CA with the right CATTLE_CA_CHECKSUM", Severity: "critical", Docs: certDocs,
			Description: "Agents compare the sha256 of Rancher's cacerts with CATTLE_CA_CHECKSUM.\n",
			Remediation: "Set CATTLE_CA_CHECKSUM to the checksum of the effective cacerts, or redeploy the agent.\n",
		},
		{
			ID: "agent-server-https", Title: "Agents dial Rancher over HTTPS at the server-url", Severity: "high",
			Description: "CATTLE_SERVER must be the https:// server-url.\n",
			Remediation: "Set CATTLE_SERVER to the server-url.\n",
		},
		{
			ID: "agent-strict-verify", Title: "Agents verify Rancher's certificate strictly", Severity: "critical", Docs: tlsDocs,
			Description: "STRICT_VERIFY=true makes agents trust only the pinned CA.\n",
			Remediation: "Set STRICT_VERIFY to \"true\".\n",
		},
		{
			ID: "agent-tls-mode-strict", Title: "Rancher agent-tls-mode is strict", Severity: "critical", Docs: tlsDocs,
			Description: "With agent-tls-mode system-store, agents trust the OS store.\n",
			Remediation: "Set the agent-tls-mode Setting's value to \"strict\".\n",
		},
		{
			ID: "certificate-rotation-age", Title: "Certificates are rotated in time", Severity: "medium",
			Docs:        "https://ranchermanager.docs.rancher.com/how-to-guides/new-user-guides/manage-clusters/rotate-certificates",
			Description: "A certificate must not be older than maxAgeDays (90).\n",
			Remediation: "Rotate the certificate: renew it with a new key.\n",
		},
		{
			ID: "certificate-strength", Title: "Certificates use strong keys and signatures", Severity: "high", Docs: certDocs,
			Description: "RSA keys of at least 2048 bits, no SHA-1 signatures.\n",
			Remediation: "Reissue the certificate with a strong key and signature.\n",
		},
		{
			ID: "certificate-trusted-ca", Title: "Rancher serving certificate chains to a trusted CA", Severity: "high", Docs: certDocs,
			Description: "The serving certificate must chain to the CA in cacerts.\n",
			Remediation: "Serve a chain that ends at the CA in cacerts.\n",
		},
		{
			ID: "server-url-https", Title: "Rancher server-url is HTTPS", Severity: "high",
			Description: "The server-url Setting must be an https:// URL.\n",
			Remediation: "Set server-url to https://<host>.\n",
		},
	}
}

// certFacts is what the certificate policies put in details.certificate.
func certFacts(subject, issuer, notBefore, notAfter, sha string) map[string]any {
	return map[string]any{
		"subject": subject, "issuer": issuer, "serial": "0x" + sha[:8],
		"notBefore": notBefore, "notAfter": notAfter, "sha256": sha,
	}
}

// auditResults are what a scan of a Rancher installation with typical
// problems reports, at reportTime: every status; sources with file:line,
// file only, an absolute path with a space, stdin and none (cluster); two
// findings of one policy on one resource; certificates that are expired,
// expiring, valid and not yet valid, one of them named by four results; and
// a message with characters every format must escape.
func auditResults() []report.Result {
	agent := report.Resource{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "cattle-system", Name: "cattle-cluster-agent"}
	ingress := report.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "cattle-system", Name: "tls-rancher-ingress"}
	src := func(file string, line int) *report.Source { return &report.Source{File: file, Line: line} }
	leaf := certFacts("CN=rancher.example.com", "CN=Example Issuing CA,O=Example", "2025-06-11T00:00:00Z", "2026-06-11T00:00:00Z",
		"5f1c0d6a2b9e4f7788a1b2c3d4e5f60718293a4b5c6d7e8f90a1b2c3d4e5f607")
	internal := certFacts("CN=rancher.cattle-system", "CN=Rancher Internal CA", "2026-03-01T00:00:00Z", "2027-03-01T00:00:00Z",
		"9a8b7c6d5e4f30211203f4e5d6c7b8a99a8b7c6d5e4f30211203f4e5d6c7b8a9")
	internalCA := certFacts("CN=Rancher Internal CA", "CN=Rancher Internal CA", "2026-07-01T00:00:00Z", "2036-07-01T00:00:00Z",
		"0b1c2d3e4f5a69788796a5b4c3d2e1f00b1c2d3e4f5a69788796a5b4c3d2e1f0")
	return []report.Result{
		{
			Policy: "agent-ca-checksum", Result: report.StatusFail, Action: "deny", Severity: "critical",
			Message:  `Deployment cattle-system/cattle-cluster-agent: env CATTLE_CA_CHECKSUM of container cluster-register is "cdb2fef8" but Rancher's checksum of the effective cacerts is "d93def07"; set it to "d93def07"`,
			Details:  map[string]any{"want": "d93def07", "got": "cdb2fef8"},
			Resource: agent, Source: src("manifests/agent.yaml", 1),
		},
		{
			Policy: "agent-strict-verify", Result: report.StatusPass, Action: "deny", Severity: "critical",
			Resource: agent, Source: src("manifests/agent.yaml", 1),
		},
		{
			Policy: "agent-tls-mode-strict", Result: report.StatusFail, Action: "deny", Severity: "critical",
			Message:  `Setting agent-tls-mode: value "system-store" is not "strict": 100% of agents trust the OS store, not <cacerts> & co; set value to "strict"`,
			Resource: report.Resource{APIVersion: "management.cattle.io/v3", Kind: "Setting", Name: "agent-tls-mode"},
			Source:   src("<stdin>", 3),
		},
		{
			Policy: "certificate-expiry", Result: report.StatusFail, Action: "deny", Severity: "critical",
			Message: "Secret cattle-system/tls-ca: data.cacerts.pem (CN=Example Root CA) expired at 2026-05-20T00:00:00Z (12 days before 2026-06-01T12:30:00Z); renew it and replace it in data.cacerts.pem",
			Details: map[string]any{"field": "data.cacerts.pem", "certificate": certFacts("CN=Example Root CA", "CN=Example Root CA", "2016-05-20T00:00:00Z", "2026-05-20T00:00:00Z",
				"e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")},
			Resource: report.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "cattle-system", Name: "tls-ca"},
			Source:   src("manifests/rancher.yaml", 30),
		},
		{
			Policy: "certificate-expiry", Result: report.StatusWarn, Action: "deny", Severity: "critical",
			Message:  "Secret cattle-system/tls-rancher-ingress: data.tls.crt (CN=rancher.example.com) expires at 2026-06-11T00:00:00Z, in 9 days (warnDays 30); renew it before then",
			Details:  map[string]any{"field": "data.tls.crt", "certificate": leaf, "daysLeft": 9},
			Resource: ingress, Source: src("./manifests/rancher.yaml", 12),
		},
		{
			Policy: "certificate-rotation-age", Result: report.StatusFail, Action: "deny", Severity: "medium",
			Message:  "Secret cattle-system/tls-rancher-ingress: the certificate in data.tls.crt (CN=rancher.example.com) was issued 355 days ago (notBefore 2025-06-11T00:00:00Z), more than maxAgeDays 90; rotate it",
			Details:  map[string]any{"field": "data.tls.crt", "certificate": leaf, "ageDays": 355, "maxAgeDays": 90},
			Resource: ingress, Source: src("./manifests/rancher.yaml", 12),
		},
		{
			Policy: "certificate-strength", Result: report.StatusFail, Action: "deny", Severity: "high",
			Message:  "Secret cattle-system/tls-rancher-ingress: data.tls.crt (CN=rancher.example.com) has a 1024-bit RSA key, fewer than 2048 bits; reissue it with a stronger key",
			Details:  map[string]any{"field": "data.tls.crt", "certificate": leaf, "keyBits": 1024},
			Resource: ingress, Source: src("./manifests/rancher.yaml", 12),
		},
		{
			Policy: "certificate-strength", Result: report.StatusFail, Action: "deny", Severity: "high",
			Message:  "Secret cattle-system/tls-rancher-ingress: data.tls.crt (CN=rancher.example.com) is signed with SHA1-RSA; reissue it with SHA-256 or better",
			Details:  map[string]any{"field": "data.tls.crt", "certificate": leaf, "signatureAlgorithm": "SHA1-RSA"},
			Resource: ingress, Source: src("./manifests/rancher.yaml", 12),
		},
		{
			Policy: "certificate-trusted-ca", Result: report.StatusFail, Action: "deny", Severity: "high",
			Message:  "Secret cattle-system/tls-rancher-internal: the presented chain does not lead to the CA in cacerts",
			Details:  map[string]any{"field": "data.tls.crt", "certificate": internal, "chain": []any{internal, internalCA}},
			Resource: report.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "cattle-system", Name: "tls-rancher-internal"},
		},
		{
			Policy: "input", Result: report.StatusError, Action: "deny", Severity: "high",
			Message:  "manifests/broken.yaml:7: metadata.name is missing",
			Resource: report.Resource{APIVersion: "v1", Kind: "Secret"},
			Source:   src("manifests/broken.yaml", 7),
		},
		{
			Policy: "certificate-expiry", Result: report.StatusSkip, Action: "deny", Severity: "critical",
			Message:  "exempted: vendor appliance, ticket OPS-123 (expires 2027-01-31)",
			Resource: report.Resource{APIVersion: "v1", Kind: "Secret", Namespace: "legacy", Name: "tls-legacy"},
			Source:   src("manifests/legacy.json", 0),
		},
		{
			Policy: "agent-server-https", Result: report.StatusWarn, Action: "dryrun", Severity: "high",
			Message:  `Deployment cattle-fleet-system/fleet-agent: env CATTLE_SERVER is "http://rancher.example.com", not https; set it to the server-url`,
			Resource: report.Resource{APIVersion: "apps/v1", Kind: "Deployment", Namespace: "cattle-fleet-system", Name: "fleet-agent"},
			Source:   src("/srv/gitops/fleet agent.yaml", 5),
		},
	}
}

// auditReport is the report the formats with policy metadata (sarif, junit,
// github, html) are pinned with, pass results listed.
func auditReport() *report.ScanReport {
	return report.New(reportTime, 8, auditResults(), true).WithPolicies(auditPolicies())
}
