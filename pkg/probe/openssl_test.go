package probe_test

import (
	"bytes"
	"crypto/tls"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/probe"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// TestProbeOpenSSL probes the real `openssl s_server`, presenting the leaf
// and its intermediate, with -WWW serving ./cacerts (the root) at /cacerts
// as Rancher does; with -www it answers every path with its status page.
func TestProbeOpenSSL(t *testing.T) {
	bin, err := exec.LookPath("openssl")
	if err != nil {
		t.Skip("openssl not found in PATH; install it (Debian: apt-get install openssl) to probe a real openssl s_server")
	}
	p := testPKI(t)
	rootPEM := p.root.CertPEM()
	tests := []struct {
		name        string
		args        []string
		wantVersion uint16
		wantSuite   string
		want        []finding
		wantFail    bool // Success is false
	}{
		{
			name:        "TLS 1.3",
			args:        []string{"-ciphersuites", "TLS_AES_256_GCM_SHA384", "-cipher", "ECDHE+AESGCM"},
			wantVersion: tls.VersionTLS13, wantSuite: "TLS_AES_256_GCM_SHA384", want: pass,
		},
		{
			name:        "TLS 1.2",
			args:        []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES128-GCM-SHA256"},
			wantVersion: tls.VersionTLS12, wantSuite: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", want: pass,
		},
		{
			name:        "TLS 1.2 with a CBC suite",
			args:        []string{"-tls1_2", "-cipher", "ECDHE-ECDSA-AES256-SHA"},
			wantVersion: tls.VersionTLS12, wantSuite: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
			want: []finding{{probe.CheckCipher, report.StatusFail, probe.SeverityHigh}},
		},
		{
			name:        "TLS 1.0",
			args:        []string{"-tls1", "-cipher", "ECDHE-ECDSA-AES128-SHA@SECLEVEL=0"},
			wantVersion: tls.VersionTLS10, wantSuite: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
			want: []finding{
				{probe.CheckCipher, report.StatusFail, probe.SeverityHigh},
				{probe.CheckVersion, report.StatusFail, probe.SeverityHigh},
			},
		},
		{
			name:        "-www status page at /cacerts",
			args:        []string{"-www", "-ciphersuites", "TLS_AES_128_GCM_SHA256", "-cipher", "ECDHE+AESGCM"},
			wantVersion: tls.VersionTLS13, wantSuite: "TLS_AES_128_GCM_SHA256", wantFail: true,
			want: []finding{
				{probe.CheckCACerts, report.StatusFail, probe.SeverityCritical}, // not a PEM
				{probe.CheckCACerts, report.StatusFail, probe.SeverityCritical}, // not CATTLE_CA_CHECKSUM
				{probe.CheckCACerts, report.StatusFail, probe.SeverityCritical}, // not the Setting
			},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := startOpenSSL(t, bin, p.good, rootPEM, tc.args...)
			opts := probe.Options{CACerts: rootPEM, ExpectedChecksum: testcerts.CAChecksum(rootPEM), SystemRoots: pool(), Now: now, HTTPPort: closedPort(t)}
			r, err := probe.Probe(t.Context(), tg, opts)
			if err != nil {
				t.Fatalf("Probe: %v", err)
			}
			if r.Error != "" {
				t.Fatalf("Probe: got error %q, want a session", r.Error)
			}
			if r.TLS.Version != tc.wantVersion || r.TLS.CipherSuiteName != tc.wantSuite {
				t.Errorf("session: got %s %s, want %s %s", r.TLS.VersionName, r.TLS.CipherSuiteName, tls.VersionName(tc.wantVersion), tc.wantSuite)
			}
			gotChain := []string{}
			for _, c := range r.Chain {
				gotChain = append(gotChain, c.SubjectCN)
			}
			if diff := cmp.Diff([]string{"localhost", "probe test intermediate"}, gotChain); diff != "" {
				t.Errorf("presented chain (-want +got):\n%s", diff)
			}
			if !r.Strict.Trusted || !r.Hostname.OK || !r.CACerts.Fetched {
				t.Errorf("got strict %+v hostname %+v cacerts %+v, want trusted, valid, fetched", r.Strict, r.Hostname, r.CACerts)
			}
			if r.Success() == tc.wantFail {
				t.Errorf("Success: got %v, want %v", r.Success(), !tc.wantFail)
			}
			results := r.Findings(opts)
			if diff := cmp.Diff(tc.want, findingsOf(results)); diff != "" {
				t.Errorf("findings (-want +got):\n%s\n%s", diff, messages(results))
			}
		})
	}
}

// startOpenSSL runs `openssl s_server -WWW` on 127.0.0.1 presenting leaf
// and its chain, in a directory whose ./cacerts holds cacerts, until the
// test ends. A -www in args replaces -WWW.
func startOpenSSL(t *testing.T, bin string, leaf *testcerts.Cert, cacerts string, args ...string) probe.Target {
	t.Helper()
	dir := t.TempDir()
	write := func(name, content string) string {
		path := filepath.Join(dir, name)
		if err := os.WriteFile(path, []byte(content), 0o600); err != nil {
			t.Fatal(err)
		}
		return path
	}
	port := closedPort(t)
	addr := fmt.Sprintf("127.0.0.1:%d", port)
	write("cacerts", cacerts)
	mode := "-WWW"
	if slices.Contains(args, "-www") {
		mode = ""
	}
	cmdArgs := append([]string{"s_server", "-quiet", "-accept", addr,
		"-cert", write("cert.pem", leaf.CertPEM()),
		"-key", write("key.pem", leaf.KeyPEM()),
		"-cert_chain", write("chain.pem", testcerts.EncodeCerts(leaf.Chain[1:]...)),
	}, args...)
	if mode != "" {
		cmdArgs = append(cmdArgs, mode)
	}
	cmd := exec.Command(bin, cmdArgs...)
	cmd.Dir = dir
	var out syncBuffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Start(); err != nil {
		t.Fatalf("start openssl s_server: %v", err)
	}
	exited := make(chan struct{})
	go func() { _ = cmd.Wait(); close(exited) }()
	t.Cleanup(func() {
		_ = cmd.Process.Kill()
		<-exited
	})
	// Wait for the port; a plain TCP connect is accepted and dropped.
	for deadline := time.Now().Add(10 * time.Second); ; {
		select {
		case <-exited:
			t.Fatalf("openssl s_server %v exited:\n%s", args, out.String())
		default:
		}
		c, err := net.DialTimeout("tcp", addr, time.Second)
		if err == nil {
			_ = c.Close()
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("openssl s_server did not listen on %s within 10s:\n%s", addr, out.String())
		}
		time.Sleep(20 * time.Millisecond)
	}
	return target(t, "https://"+addr)
}

// syncBuffer is a bytes.Buffer safe for the process's output goroutines.
type syncBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (b *syncBuffer) Write(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.Write(p)
}

func (b *syncBuffer) String() string {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.buf.String()
}
