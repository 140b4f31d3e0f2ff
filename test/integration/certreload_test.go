//go:build integration

package integration

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/tlsguard/tlsguard/test/integration/framework"
	"github.com/tlsguard/tlsguard/webhook"
)

// presented dials the webhook and returns the leaf it presents, verified
// against roots when roots is not nil.
func presented(addr string, roots *x509.CertPool) (*x509.Certificate, error) {
	cfg := &tls.Config{MinVersion: tls.VersionTLS12, ServerName: "127.0.0.1", RootCAs: roots, InsecureSkipVerify: roots == nil} //nolint:gosec // only to read the presented certificate
	conn, err := tls.Dial("tcp", addr, cfg)
	if err != nil {
		return nil, err
	}
	defer conn.Close()
	return conn.ConnectionState().PeerCertificates[0], nil
}

// A renewed serving certificate (cert-manager rewrites the Secret, the
// kubelet swaps the mounted files) is served without a restart.
func TestServingCertificateReload(t *testing.T) {
	cp := framework.RunControlPlane(t)
	g := startTLSGuardNoRegister(t, cp, nil)
	before, err := presented(g.webhookAddr, nil)
	if err != nil {
		t.Fatal(err)
	}

	// A new CA and serving certificate, written the way the kubelet updates
	// a Secret volume: new files renamed over the old ones.
	fresh := t.TempDir()
	caPEM, err := webhook.EnsureServingCert(fresh, "127.0.0.1", time.Now())
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"tls.key", "tls.crt"} {
		b, err := os.ReadFile(filepath.Join(fresh, f))
		if err != nil {
			t.Fatal(err)
		}
		tmp := filepath.Join(g.certDir, "."+f+".new")
		if err := os.WriteFile(tmp, b, 0o600); err != nil {
			t.Fatal(err)
		}
		if err := os.Rename(tmp, filepath.Join(g.certDir, f)); err != nil {
			t.Fatal(err)
		}
	}
	roots := x509.NewCertPool()
	if !roots.AppendCertsFromPEM(caPEM) {
		t.Fatal("no CA in the fresh bundle")
	}
	eventually(t, 30*time.Second, "the renewed certificate is served", func() (bool, string) {
		after, err := presented(g.webhookAddr, roots)
		if err != nil {
			return false, err.Error()
		}
		return !bytes.Equal(after.Raw, before.Raw), "still the old certificate"
	})
	// The old CA no longer verifies the server: the swap is complete.
	oldRoots := x509.NewCertPool()
	oldRoots.AddCert(before)
	if _, err := presented(g.webhookAddr, oldRoots); err == nil {
		t.Error("the server still verifies against the old certificate")
	}
}
