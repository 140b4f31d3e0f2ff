package probe_test

import (
	"strings"
	"testing"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/tlsguard/tlsguard/pkg/probe"
)

func TestMetrics(t *testing.T) {
	names := []string{
		"tlsguard_probe_success", "tlsguard_probe_tls_version",
		"tlsguard_probe_certificate_not_after_timestamp_seconds", "tlsguard_probe_duration_seconds",
	}
	reg := prometheus.NewPedanticRegistry()
	m := probe.NewMetrics()
	if err := m.Register(reg); err != nil {
		t.Fatalf("Register: %v", err)
	}
	if err := m.Register(reg); err == nil {
		t.Error("second Register: got nil, want an already-registered error")
	}

	ok := result(10, 80)
	ok.Duration = 1500 * time.Millisecond
	ok.Chain = append(ok.Chain, probe.CertInfo{SubjectCN: "ca", IssuerCN: "root", NotAfter: time.Unix(1900000000, 0)})
	down := &probe.Result{URL: "https://down.example.com", Time: now, Error: "connect: connection refused", Duration: 2 * time.Millisecond}
	m.Observe(ok)
	m.Observe(down)
	m.Observe(nil)
	want := `
# HELP tlsguard_probe_certificate_not_after_timestamp_seconds notAfter of each certificate the endpoint presents, as a Unix time; index 0 is the leaf.
# TYPE tlsguard_probe_certificate_not_after_timestamp_seconds gauge
tlsguard_probe_certificate_not_after_timestamp_seconds{index="0",issuer_cn="ca",subject_cn="rancher.example.com",url="https://rancher.example.com"} 1.787184e+09
tlsguard_probe_certificate_not_after_timestamp_seconds{index="1",issuer_cn="root",subject_cn="ca",url="https://rancher.example.com"} 1.9e+09
# HELP tlsguard_probe_duration_seconds Wall time of the last probe of the endpoint.
# TYPE tlsguard_probe_duration_seconds gauge
tlsguard_probe_duration_seconds{url="https://down.example.com"} 0.002
tlsguard_probe_duration_seconds{url="https://rancher.example.com"} 1.5
# HELP tlsguard_probe_success 1 when an agent would connect to the endpoint and start (session, trust as agents verify, hostname, leaf validity, /cacerts checksum), else 0.
# TYPE tlsguard_probe_success gauge
tlsguard_probe_success{url="https://down.example.com"} 0
tlsguard_probe_success{url="https://rancher.example.com"} 1
# HELP tlsguard_probe_tls_version Negotiated TLS version as its protocol number: 769 TLS 1.0, 770 TLS 1.1, 771 TLS 1.2, 772 TLS 1.3; 0 without a session.
# TYPE tlsguard_probe_tls_version gauge
tlsguard_probe_tls_version{url="https://down.example.com"} 0
tlsguard_probe_tls_version{url="https://rancher.example.com"} 772
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), names...); err != nil {
		t.Errorf("after two probes: %v", err)
	}

	// A rotated certificate replaces the chain's series; Forget drops an
	// endpoint no longer probed.
	rotated := result(1, 89)
	rotated.Chain[0].IssuerCN = "new ca"
	m.Observe(rotated)
	m.Forget("https://down.example.com")
	if got := testutil.CollectAndCount(reg, "tlsguard_probe_certificate_not_after_timestamp_seconds"); got != 1 {
		t.Errorf("certificate series after rotation: got %d, want 1", got)
	}
	if got := testutil.CollectAndCount(reg, "tlsguard_probe_success"); got != 1 {
		t.Errorf("success series after Forget: got %d, want 1", got)
	}
	if lint, err := testutil.GatherAndLint(reg); err != nil || len(lint) > 0 {
		t.Errorf("lint: got %v %v, want no problems", lint, err)
	}
}
