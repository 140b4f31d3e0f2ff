package probe_test

import (
	"context"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/probe"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// finding is what a test pins of a result: the check, status and severity.
type finding struct {
	Check    string
	Status   report.Status
	Severity string
}

func findingsOf(rs []report.Result) []finding {
	out := make([]finding, 0, len(rs))
	for _, r := range rs {
		out = append(out, finding{Check: r.Details["check"].(string), Status: r.Result, Severity: r.Severity})
	}
	slices.SortFunc(out, func(a, b finding) int { return strings.Compare(a.Check+string(a.Status), b.Check+string(b.Status)) })
	return out
}

var pass = []finding{{probe.CheckAll, report.StatusPass, probe.SeverityCritical}}

func TestProbeFindings(t *testing.T) {
	p := testPKI(t)
	rootPEM := p.root.CertPEM()
	rootSum := testcerts.CAChecksum(rootPEM)
	otherPEM := p.otherRoot.CertPEM()

	// strict are the options of an agent in strict mode: the cacerts CA
	// and its checksum; plain HTTP is closed unless a case opens it.
	strict := func(t *testing.T) probe.Options {
		return probe.Options{CACerts: rootPEM, ExpectedChecksum: rootSum, SystemRoots: x509.NewCertPool(), Now: now, HTTPPort: closedPort(t)}
	}
	good := server{cert: p.good, cacerts: rootPEM}

	tests := []struct {
		name   string
		server server
		target func(t *testing.T) probe.Target // instead of server
		opts   func(t *testing.T) probe.Options
		want   []finding
		check  func(t *testing.T, r *probe.Result)
	}{
		{
			name: "good chain, strict", server: good, opts: strict, want: pass,
			check: func(t *testing.T, r *probe.Result) {
				if r.TLS.Version != tls.VersionTLS13 {
					t.Errorf("version: got %s, want TLS 1.3", r.TLS.VersionName)
				}
				gotChain := []string{r.Chain[0].SubjectCN, r.Chain[0].IssuerCN, r.Chain[1].SubjectCN}
				if diff := cmp.Diff([]string{"localhost", "probe test intermediate", "probe test intermediate"}, gotChain); diff != "" {
					t.Errorf("presented chain (-want +got):\n%s", diff)
				}
				leaf := r.Chain[0]
				if leaf.SHA256 != fingerprint(p.good.Cert) || leaf.Serial != fmt.Sprintf("%x", p.good.Cert.SerialNumber) || leaf.KeyType != "ECDSA" || leaf.KeyBits != 256 || !leaf.NotAfter.Equal(p.good.Cert.NotAfter) {
					t.Errorf("leaf facts: got %+v, want those of the served certificate", leaf)
				}
				want := probe.Verification{Checked: true, Anchor: probe.AnchorCACertsSetting, Trusted: true, Chain: []string{"localhost", "probe test intermediate", "probe test root"}}
				if diff := cmp.Diff(want, r.Strict); diff != "" {
					t.Errorf("strict verification (-want +got):\n%s", diff)
				}
				if r.System.Trusted {
					t.Error("system verification: got trusted, want untrusted (empty system pool)")
				}
				if !r.CACerts.Fetched || !r.CACerts.Verified || r.CACerts.Checksum != rootSum {
					t.Errorf("cacerts: got %+v, want fetched over a verified session with checksum %s", r.CACerts, rootSum)
				}
				if !r.Success() {
					t.Error("Success: got false, want true")
				}
			},
		},
		{
			name: "good chain, CA pinned by checksum only", server: good, want: pass,
			opts: func(t *testing.T) probe.Options {
				o := strict(t)
				o.CACerts = ""
				return o
			},
			check: func(t *testing.T, r *probe.Result) {
				if r.Strict.Anchor != probe.AnchorCACertsEndpoint || !r.Strict.Trusted {
					t.Errorf("strict verification: got %+v, want trusted against the /cacerts CA", r.Strict)
				}
			},
		},
		{
			name: "good chain, system store", server: server{cert: p.good}, want: pass,
			opts: func(t *testing.T) probe.Options {
				return probe.Options{SystemRoots: pool(p.root), Now: now, HTTPPort: closedPort(t)}
			},
			check: func(t *testing.T, r *probe.Result) {
				if r.Strict.Checked || r.AgentVerification().Anchor != probe.AnchorSystem {
					t.Errorf("verification: got strict %+v, want the system roots only", r.Strict)
				}
			},
		},
		{
			name: "self-signed, strict", server: server{cert: p.selfSigned, cacerts: rootPEM}, opts: strict,
			want: []finding{{probe.CheckTrust, report.StatusFail, probe.SeverityCritical}},
		},
		{
			name: "self-signed, system store", server: server{cert: p.selfSigned},
			opts: func(t *testing.T) probe.Options {
				return probe.Options{SystemRoots: pool(p.root), Now: now, HTTPPort: closedPort(t)}
			},
			want: []finding{{probe.CheckTrust, report.StatusFail, probe.SeverityCritical}},
		},
		{
			name: "trust not checked", server: server{cert: p.good},
			opts: func(t *testing.T) probe.Options {
				return probe.Options{DisableSystemRoots: true, Now: now, HTTPPort: closedPort(t)}
			},
			want: []finding{{probe.CheckTrust, report.StatusWarn, probe.SeverityLow}},
		},
		{
			name: "expired", server: server{cert: p.expired, cacerts: rootPEM}, opts: strict,
			want: []finding{{probe.CheckExpiry, report.StatusFail, probe.SeverityCritical}},
			check: func(t *testing.T, r *probe.Result) {
				if !r.Strict.Trusted || r.Success() {
					t.Errorf("got trusted %v success %v, want the chain trusted and no success", r.Strict.Trusted, r.Success())
				}
			},
		},
		{
			name: "expiring within 30 days", server: server{cert: p.expiring, cacerts: rootPEM}, opts: strict,
			want: []finding{{probe.CheckExpiry, report.StatusWarn, probe.SeverityHigh}},
		},
		{
			name: "older than 90 days", server: server{cert: p.old, cacerts: rootPEM}, opts: strict,
			want: []finding{{probe.CheckAge, report.StatusFail, probe.SeverityMedium}},
		},
		{
			name: "wrong host", server: server{cert: p.host, cacerts: rootPEM}, opts: strict,
			want: []finding{{probe.CheckHostname, report.StatusFail, probe.SeverityCritical}},
		},
		{
			name:   "TLS 1.0 only",
			server: server{cert: p.good, cacerts: rootPEM, minVersion: tls.VersionTLS10, maxVersion: tls.VersionTLS10, suites: []uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA}},
			opts:   strict,
			want: []finding{
				{probe.CheckCipher, report.StatusFail, probe.SeverityHigh},
				{probe.CheckVersion, report.StatusFail, probe.SeverityHigh},
			},
			check: func(t *testing.T, r *probe.Result) {
				if r.TLS.Version != tls.VersionTLS10 || r.TLS.CipherSuiteName != "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA" {
					t.Errorf("session: got %s %s, want TLS 1.0 with the CBC suite", r.TLS.VersionName, r.TLS.CipherSuiteName)
				}
				if !r.Success() {
					t.Error("Success: got false, want true (verification works; the version is a finding, not a failure to connect)")
				}
			},
		},
		{
			name:   "accepts TLS 1.1 and CBC besides TLS 1.3",
			server: server{cert: p.good, cacerts: rootPEM, minVersion: tls.VersionTLS10, suites: append([]uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}, strongSuites...)},
			opts:   strict,
			want: []finding{
				{probe.CheckCipher, report.StatusFail, probe.SeverityHigh},
				{probe.CheckVersion, report.StatusFail, probe.SeverityHigh},
			},
			check: func(t *testing.T, r *probe.Result) {
				if r.TLS.Version != tls.VersionTLS13 || r.TLS.LegacyVersion != tls.VersionTLS11 || r.TLS.WeakCipherSuite != "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA" {
					t.Errorf("tls: got %+v, want TLS 1.3 negotiated, TLS 1.1 and the CBC suite accepted", r.TLS)
				}
			},
		},
		{
			name:   "accepts TLS 1.1 and CBC, extra handshakes skipped",
			server: server{cert: p.good, cacerts: rootPEM, minVersion: tls.VersionTLS10, suites: append([]uint16{tls.TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA}, strongSuites...)},
			opts: func(t *testing.T) probe.Options {
				o := strict(t)
				o.SkipLegacyChecks = true
				return o
			},
			want: pass,
		},
		{
			name: "accepts a weak suite (Go's defaults include CBC)", server: server{cert: p.good, cacerts: rootPEM, defaultCS: true}, opts: strict,
			want: []finding{{probe.CheckCipher, report.StatusFail, probe.SeverityHigh}},
		},
		{
			name: "/cacerts serves another CA", server: server{cert: p.good, cacerts: otherPEM}, opts: strict,
			want: []finding{
				{probe.CheckCACerts, report.StatusFail, probe.SeverityCritical},
				{probe.CheckCACerts, report.StatusFail, probe.SeverityCritical},
			},
			check: func(t *testing.T, r *probe.Result) {
				if r.CACerts.Checksum != testcerts.CAChecksum(otherPEM) || r.CACerts.Certificates[0].SubjectCN != "other root" {
					t.Errorf("cacerts: got %+v, want the other root", r.CACerts)
				}
			},
		},
		{
			name: "/cacerts not served", server: server{cert: p.good}, opts: strict,
			want: []finding{{probe.CheckCACerts, report.StatusFail, probe.SeverityCritical}},
		},
		{
			name: "/cacerts not served, no checksum to compare", server: server{cert: p.good}, want: pass,
			opts: func(t *testing.T) probe.Options {
				return probe.Options{SystemRoots: pool(p.root), Now: now, HTTPPort: closedPort(t)}
			},
		},
		{
			name: "plain HTTP served", server: good,
			opts: withHTTP(strict, func(w http.ResponseWriter, _ *http.Request) { fmt.Fprint(w, "welcome") }),
			want: []finding{{probe.CheckPlainHTTP, report.StatusFail, probe.SeverityMedium}},
			check: func(t *testing.T, r *probe.Result) {
				if r.PlainHTTP.Outcome != probe.HTTPServed || r.PlainHTTP.StatusCode != 200 {
					t.Errorf("plain HTTP: got %+v, want served with 200", r.PlainHTTP)
				}
			},
		},
		{
			name: "plain HTTP redirects to https", server: good, want: pass,
			opts: withHTTP(strict, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "https://127.0.0.1/", http.StatusPermanentRedirect)
			}),
		},
		{
			name: "plain HTTP redirects to http", server: good,
			opts: withHTTP(strict, func(w http.ResponseWriter, r *http.Request) {
				http.Redirect(w, r, "http://127.0.0.1/login", http.StatusFound)
			}),
			want: []finding{{probe.CheckPlainHTTP, report.StatusFail, probe.SeverityMedium}},
		},
		{
			name:   "nothing listening",
			target: func(t *testing.T) probe.Target { return target(t, fmt.Sprintf("https://127.0.0.1:%d", closedPort(t))) },
			opts:   strict,
			want:   []finding{{probe.CheckHandshake, report.StatusError, probe.SeverityCritical}},
		},
		{
			name:   "handshake times out",
			target: func(t *testing.T) probe.Target { return target(t, fmt.Sprintf("https://127.0.0.1:%d", silentPort(t))) },
			opts: func(t *testing.T) probe.Options {
				o := strict(t)
				o.Timeout = 300 * time.Millisecond
				return o
			},
			want: []finding{{probe.CheckHandshake, report.StatusError, probe.SeverityCritical}},
			check: func(t *testing.T, r *probe.Result) {
				if !strings.Contains(r.Error, "timeout") && !strings.Contains(r.Error, "deadline") {
					t.Errorf("error: got %q, want a timeout", r.Error)
				}
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var tg probe.Target
			if tc.target != nil {
				tg = tc.target(t)
			} else {
				tg = tc.server.start(t)
			}
			opts := tc.opts(t)
			r, err := probe.Probe(t.Context(), tg, opts)
			if err != nil {
				t.Fatalf("Probe: got error %v, want nil", err)
			}
			results := r.Findings(opts)
			if diff := cmp.Diff(tc.want, findingsOf(results)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%s", diff, messages(results))
			}
			for _, res := range results {
				checkResultShape(t, tg.URL, res)
			}
			if tc.check != nil {
				tc.check(t, r)
			}
		})
	}
}

// checkResultShape checks what every result carries: the policy, the
// endpoint resource, a message naming the URL and, for a problem, the fix.
func checkResultShape(t *testing.T, url string, res report.Result) {
	t.Helper()
	want := report.Resource{APIVersion: "tlsguard.io/v1alpha1", Kind: "Endpoint", Name: url}
	if res.Policy != "endpoint-tls" || res.Resource != want || res.Action != "deny" {
		t.Errorf("result: got policy %q action %q resource %+v, want endpoint-tls, deny, %+v", res.Policy, res.Action, res.Resource, want)
	}
	if !strings.HasPrefix(res.Message, "Endpoint "+url+": ") {
		t.Errorf("message: got %q, want it to start with the endpoint", res.Message)
	}
	if res.Result != report.StatusPass && !strings.Contains(res.Message, ". Fix: ") {
		t.Errorf("message: got %q, want a fix", res.Message)
	}
}

func messages(rs []report.Result) string {
	var b strings.Builder
	for _, r := range rs {
		fmt.Fprintf(&b, "  %s %s: %s\n", r.Result, r.Severity, r.Message)
	}
	return b.String()
}

func withHTTP(base func(*testing.T) probe.Options, h http.HandlerFunc) func(*testing.T) probe.Options {
	return func(t *testing.T) probe.Options {
		o := base(t)
		o.HTTPPort = startHTTP(t, h)
		return o
	}
}

func pool(certs ...*testcerts.Cert) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c.Cert)
	}
	return p
}

func fingerprint(c *x509.Certificate) string {
	sum := sha256.Sum256(c.Raw)
	return fmt.Sprintf("%x", sum)
}

func TestProbeErrors(t *testing.T) {
	p := testPKI(t)
	tg := server{cert: p.good}.start(t)
	canceled, cancel := context.WithCancel(t.Context())
	cancel()
	tests := []struct {
		name   string
		ctx    context.Context
		target probe.Target
		opts   probe.Options
		want   error
	}{
		{name: "no clock", ctx: t.Context(), target: tg, opts: probe.Options{SkipHTTP: true}, want: probe.ErrInvalidOptions},
		{name: "cacerts without a certificate", ctx: t.Context(), target: tg, opts: probe.Options{Now: now, CACerts: "not a PEM", SkipHTTP: true}, want: probe.ErrInvalidCACerts},
		{name: "bad HTTP port", ctx: t.Context(), target: tg, opts: probe.Options{Now: now, HTTPPort: 70000}, want: probe.ErrInvalidOptions},
		{name: "zero target", ctx: t.Context(), opts: probe.Options{Now: now, SkipHTTP: true}, want: probe.ErrInvalidTarget},
		{name: "context canceled", ctx: canceled, target: tg, opts: probe.Options{Now: now, SystemRoots: pool(p.root), SkipHTTP: true}, want: context.Canceled},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r, err := probe.Probe(tc.ctx, tc.target, tc.opts)
			if !errors.Is(err, tc.want) {
				t.Fatalf("Probe: got error %v, want %v", err, tc.want)
			}
			if r != nil {
				t.Errorf("Probe: got result %+v with the error, want nil", r)
			}
		})
	}
}
