package app_test

import (
	"crypto/tls"
	"encoding/json"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/tlsguard/tlsguard/cmd/tlsguard/app"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// probeServer serves leaf over TLS on 127.0.0.1 with caPEM at /cacerts, as
// Rancher does, until the test ends; it returns the URL.
func probeServer(t *testing.T, leaf *testcerts.Cert, caPEM string) string {
	t.Helper()
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cacerts" {
			_, _ = io.WriteString(w, caPEM)
		}
	}))
	cert := tls.Certificate{PrivateKey: leaf.Key}
	for _, c := range leaf.Chain {
		cert.Certificate = append(cert.Certificate, c.Raw)
	}
	srv.TLS = &tls.Config{
		Certificates: []tls.Certificate{cert},
		MinVersion:   tls.VersionTLS12,
		CipherSuites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256},
	}
	srv.StartTLS()
	t.Cleanup(srv.Close)
	return srv.URL
}

// TestProbeCommand drives `tlsguard probe` against local TLS servers: exit
// codes, the json report and usage errors.
func TestProbeCommand(t *testing.T) {
	now := testcerts.Now
	issue := func(spec testcerts.Spec, parent *testcerts.Cert) *testcerts.Cert {
		c, err := testcerts.Issue(spec, parent)
		if err != nil {
			t.Fatal(err)
		}
		return c
	}
	ca := issue(testcerts.Spec{CommonName: "cli test CA", IsCA: true, NotBefore: now.Add(-100 * 24 * time.Hour), NotAfter: now.Add(1000 * 24 * time.Hour)}, nil)
	other := issue(testcerts.Spec{CommonName: "other CA", IsCA: true, NotBefore: now.Add(-100 * 24 * time.Hour), NotAfter: now.Add(1000 * 24 * time.Hour)}, nil)
	leaf := issue(testcerts.Spec{CommonName: "localhost", IPs: []net.IP{net.IPv4(127, 0, 0, 1)}, NotBefore: now.Add(-10 * 24 * time.Hour), NotAfter: now.Add(80 * 24 * time.Hour)}, ca)
	url := probeServer(t, leaf, ca.CertPEM())

	dir := t.TempDir()
	caFile := filepath.Join(dir, "cacerts.pem")
	otherFile := filepath.Join(dir, "other.pem")
	junkFile := filepath.Join(dir, "junk.pem")
	for f, pem := range map[string]string{caFile: ca.CertPEM(), otherFile: other.CertPEM(), junkFile: "not a certificate\n"} {
		if err := os.WriteFile(f, []byte(pem), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	base := []string{"probe", "--now", now.Format(time.RFC3339), "--http-port", "0", "--system-roots=false"}
	tests := []struct {
		name       string
		args       []string
		wantCode   int
		wantStatus report.Status // of the single json result, when set
		wantOut    string
		wantErr    string
	}{
		{name: "strict, healthy", args: append(base, "--cacerts", caFile, "--checksum", testcerts.CAChecksum(ca.CertPEM()), "-o", "json", url), wantCode: app.ExitOK, wantStatus: report.StatusPass},
		{name: "pinned by checksum only", args: append(base, "--checksum", testcerts.CAChecksum(ca.CertPEM()), "-o", "json", url), wantCode: app.ExitOK, wantStatus: report.StatusPass},
		{name: "table", args: append(base, "--cacerts", caFile, url), wantCode: app.ExitOK, wantOut: "PASS    endpoint-tls  critical  Endpoint " + url},
		{name: "wrong CA", args: append(base, "--cacerts", otherFile, "-o", "json", url), wantCode: app.ExitViolations},
		{name: "no URL", args: base, wantCode: app.ExitUsage, wantErr: "want exactly one URL"},
		{name: "http URL", args: append(base, "http://127.0.0.1"), wantCode: app.ExitUsage, wantErr: "want an https:// URL"},
		{name: "bad checksum", args: append(base, "--checksum", "abc", url), wantCode: app.ExitUsage, wantErr: "--checksum"},
		{name: "bad now", args: []string{"probe", "--now", "yesterday", url}, wantCode: app.ExitUsage, wantErr: "--now"},
		{name: "bad output", args: append(base, "-o", "xml", url), wantCode: app.ExitUsage, wantErr: "--output"},
		{name: "missing cacerts file", args: append(base, "--cacerts", filepath.Join(dir, "nope.pem"), url), wantCode: app.ExitUsage, wantErr: "--cacerts"},
		{name: "cacerts file without a certificate", args: append(base, "--cacerts", junkFile, url), wantCode: app.ExitUsage, wantErr: "--cacerts " + junkFile + ": invalid probe options: CACerts: no PEM certificate found"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := execute(t, "", tc.args...)
			if code != tc.wantCode {
				t.Fatalf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, out, errOut)
			}
			if tc.wantErr != "" && !strings.Contains(errOut, tc.wantErr) {
				t.Errorf("stderr: got %q, want it to contain %q", errOut, tc.wantErr)
			}
			if tc.wantOut != "" && !strings.Contains(out, tc.wantOut) {
				t.Errorf("stdout: got %q, want it to contain %q", out, tc.wantOut)
			}
			if tc.wantStatus != "" {
				var rep report.ScanReport
				if err := json.Unmarshal([]byte(out), &rep); err != nil {
					t.Fatalf("decode json report: %v\n%s", err, out)
				}
				if len(rep.Results) != 1 || rep.Results[0].Result != tc.wantStatus || rep.Results[0].Resource.Name != url {
					t.Errorf("results: got %+v, want one %s result for %s", rep.Results, tc.wantStatus, url)
				}
				if !rep.Time.Equal(now) {
					t.Errorf("report time: got %s, want --now %s", rep.Time, now)
				}
			}
		})
	}
}
