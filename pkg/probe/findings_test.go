package probe_test

import (
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/probe"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// result is a probe of a healthy endpoint whose leaf was issued issuedAgo
// days before now and expires expiresIn days after it.
func result(issuedAgo, expiresIn int) *probe.Result {
	leaf := probe.CertInfo{SubjectCN: "rancher.example.com", IssuerCN: "ca", NotBefore: now.Add(-time.Duration(issuedAgo) * day), NotAfter: now.Add(time.Duration(expiresIn) * day)}
	return &probe.Result{
		URL: "https://rancher.example.com", Time: now,
		TLS:      &probe.TLSInfo{Version: 0x0304, VersionName: "TLS 1.3", CipherSuiteName: "TLS_AES_128_GCM_SHA256"},
		Chain:    []probe.CertInfo{leaf},
		Hostname: probe.HostnameCheck{Host: "rancher.example.com", OK: true},
		Strict:   probe.Verification{Checked: true, Anchor: probe.AnchorCACertsSetting, Trusted: true},
		CACerts:  probe.CACertsCheck{Path: "/cacerts", Fetched: true},
	}
}

// TestFindingsThresholds checks WarnDays and MaxAgeDays: defaults, custom
// values and negative values that turn a check off.
func TestFindingsThresholds(t *testing.T) {
	tests := []struct {
		name                 string
		r                    *probe.Result
		warnDays, maxAgeDays int
		want                 []finding
	}{
		{name: "defaults, healthy", r: result(10, 80), want: pass},
		{name: "defaults, 29 days left", r: result(10, 29), want: []finding{{probe.CheckExpiry, report.StatusWarn, probe.SeverityHigh}}},
		{name: "defaults, 31 days left", r: result(10, 31), want: pass},
		{name: "defaults, 91 days old", r: result(91, 200), want: []finding{{probe.CheckAge, report.StatusFail, probe.SeverityMedium}}},
		{name: "warnDays 60", r: result(10, 50), warnDays: 60, want: []finding{{probe.CheckExpiry, report.StatusWarn, probe.SeverityHigh}}},
		{name: "warnDays off", r: result(10, 5), warnDays: -1, want: pass},
		{name: "maxAgeDays 365", r: result(200, 100), maxAgeDays: 365, want: pass},
		{name: "maxAgeDays off", r: result(900, 100), maxAgeDays: -1, want: pass},
		{name: "not yet valid", r: result(-2, 100), want: []finding{{probe.CheckExpiry, report.StatusFail, probe.SeverityCritical}}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.r.Findings(probe.Options{WarnDays: tc.warnDays, MaxAgeDays: tc.maxAgeDays})
			if diff := cmp.Diff(tc.want, findingsOf(got)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%s", diff, messages(got))
			}
		})
	}
}

// TestFindingsMessages pins the wording of a few findings: what is wrong,
// the facts, and the fix.
func TestFindingsMessages(t *testing.T) {
	expired := result(60, -1)
	wrongHost := result(10, 80)
	wrongHost.Hostname = probe.HostnameCheck{Host: "rancher.example.com", Error: "x509: certificate is valid for other.example.com"}
	wrongHost.Chain[0].DNSNames = []string{"other.example.com"}
	tests := []struct {
		name string
		r    *probe.Result
		want string
	}{
		{
			name: "expired", r: expired,
			want: `Endpoint https://rancher.example.com: the certificate "rancher.example.com" expired at 2026-05-31T00:00:00Z; agents refuse it. Fix: renew the certificate Rancher serves (cert-manager: cmctl renew; a Secret tls-rancher-ingress: replace tls.crt and tls.key; Rancher's own dynamiclistener certificate: delete the Secret and restart Rancher)`,
		},
		{
			name: "wrong host", r: wrongHost,
			want: `Endpoint https://rancher.example.com: the certificate is not valid for rancher.example.com (it names other.example.com); agents connecting to this server-url refuse it. Fix: reissue the certificate with rancher.example.com in its subjectAltName, or set server-url to a name the certificate carries (and redeploy the agents)`,
		},
		{
			name: "pass", r: result(10, 80),
			want: `Endpoint https://rancher.example.com: TLS 1.3 with TLS_AES_128_GCM_SHA256; chain verified against the cacerts CA (strict mode); valid for rancher.example.com until 2026-08-20T00:00:00Z (80 days left)`,
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			got := tc.r.Findings(probe.Options{})
			if len(got) != 1 {
				t.Fatalf("got %d results, want 1:\n%s", len(got), messages(got))
			}
			if diff := cmp.Diff(tc.want, got[0].Message); diff != "" {
				t.Errorf("message (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChecksum(t *testing.T) {
	set, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	pem := set.Get("root").CertPEM()
	tests := []struct {
		name, in, want string
	}{
		{name: "with trailing newline", in: pem, want: testcerts.CAChecksum(pem)},
		{name: "newline added when missing", in: pem[:len(pem)-1], want: testcerts.CAChecksum(pem)},
		{name: "empty cacerts has no checksum", in: "", want: ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := probe.Checksum([]byte(tc.in)); got != tc.want {
				t.Errorf("got %s, want %s", got, tc.want)
			}
		})
	}
}
