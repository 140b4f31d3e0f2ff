package trust_test

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/testcerts"
	"github.com/tlsguard/tlsguard/pkg/trust"
)

func certs(t *testing.T) *testcerts.Set {
	t.Helper()
	set, err := testcerts.Default()
	if err != nil {
		t.Fatalf("testcerts.Default: %v", err)
	}
	return set
}

// subjects lists the common names of certificates, to compare bundles.
func subjects(cs []*x509.Certificate) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.Subject.CommonName)
	}
	return out
}

func TestAddPEM(t *testing.T) {
	set := certs(t)
	root := set.Get("root").CertPEM()
	inter := set.Get("intermediate").CertPEM()
	other := set.Get("other_root").CertPEM()
	key := set.Get("leaf").KeyPEM()
	corrupt := string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: []byte("not DER")}))

	tests := []struct {
		name      string
		data      string
		wantN     int
		wantRoots []string
		wantErr   error
		// wantMsg are substrings the error must contain.
		wantMsg []string
	}{
		{
			name:      "one certificate",
			data:      root,
			wantN:     1,
			wantRoots: []string{"tlsguard Test Root CA"},
		},
		{
			name:      "several certificates keep their order",
			data:      other + root + inter,
			wantN:     3,
			wantRoots: []string{"Evil Root", "tlsguard Test Root CA", "tlsguard Test Intermediate CA"},
		},
		{
			name:      "duplicates are counted but stored once",
			data:      root + root,
			wantN:     2,
			wantRoots: []string{"tlsguard Test Root CA"},
		},
		{
			name:      "other block types and surrounding text are ignored",
			data:      "# OS bundle header\n" + key + root + "trailing text\n",
			wantN:     1,
			wantRoots: []string{"tlsguard Test Root CA"},
		},
		{
			name:    "empty",
			data:    "",
			wantErr: trust.ErrNoCertificates,
			wantMsg: []string{"bundle.pem"},
		},
		{
			name:    "only a private key",
			data:    key,
			wantErr: trust.ErrNoCertificates,
			wantMsg: []string{"bundle.pem"},
		},
		{
			name:    "not PEM",
			data:    "hello",
			wantErr: trust.ErrNoCertificates,
		},
		{
			name:    "corrupt CERTIFICATE block",
			data:    corrupt,
			wantMsg: []string{"bundle.pem", "certificate 1"},
		},
		{
			name:      "corrupt block after a good one keeps the good one",
			data:      root + corrupt,
			wantN:     1,
			wantRoots: []string{"tlsguard Test Root CA"},
			wantMsg:   []string{"bundle.pem", "certificate 2"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b trust.Bundle
			n, err := b.AddPEM([]byte(tc.data), "bundle.pem")
			if tc.wantErr == nil && tc.wantMsg == nil {
				if err != nil {
					t.Fatalf("AddPEM: got error %v, want nil", err)
				}
			} else {
				if err == nil {
					t.Fatalf("AddPEM: got nil error, want one")
				}
				if tc.wantErr != nil && !errors.Is(err, tc.wantErr) {
					t.Errorf("AddPEM: got error %v, want %v", err, tc.wantErr)
				}
				for _, s := range tc.wantMsg {
					if !strings.Contains(err.Error(), s) {
						t.Errorf("AddPEM: got error %q, want it to contain %q", err, s)
					}
				}
			}
			if n != tc.wantN {
				t.Errorf("AddPEM: got n = %d, want %d", n, tc.wantN)
			}
			if b.Len() != len(tc.wantRoots) {
				t.Errorf("Len: got %d, want %d", b.Len(), len(tc.wantRoots))
			}
			if diff := cmp.Diff(tc.wantRoots, subjects(b.Certificates())); diff != "" {
				t.Errorf("Certificates mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestAddDedupesAcrossCalls(t *testing.T) {
	set := certs(t)
	var b trust.Bundle
	if _, err := b.AddPEM([]byte(set.Get("root").CertPEM()), "a"); err != nil {
		t.Fatalf("AddPEM: %v", err)
	}
	b.Add(set.Get("root").Cert, set.Get("other_root").Cert)
	if _, err := b.AddPEM([]byte(set.Get("other_root").CertPEM()), "b"); err != nil {
		t.Fatalf("AddPEM: %v", err)
	}
	want := []string{"tlsguard Test Root CA", "Evil Root"}
	if diff := cmp.Diff(want, subjects(b.Certificates())); diff != "" {
		t.Errorf("Certificates mismatch (-want +got):\n%s", diff)
	}
}

func TestAddFile(t *testing.T) {
	set := certs(t)
	dir := t.TempDir()
	good := filepath.Join(dir, "ca.pem")
	writeFile(t, good, set.Get("root").CertPEM())
	empty := filepath.Join(dir, "empty.pem")
	writeFile(t, empty, "")
	missing := filepath.Join(dir, "missing.pem")

	tests := []struct {
		name    string
		path    string
		wantLen int
		wantErr error
	}{
		{name: "certificate file", path: good, wantLen: 1},
		{name: "missing file", path: missing, wantErr: fs.ErrNotExist},
		{name: "file without certificates", path: empty, wantErr: trust.ErrNoCertificates},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			var b trust.Bundle
			err := b.AddFile(tc.path)
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("AddFile: got error %v, want %v", err, tc.wantErr)
			}
			if err != nil && !strings.Contains(err.Error(), tc.path) {
				t.Errorf("AddFile: got error %q, want it to name %s", err, tc.path)
			}
			if b.Len() != tc.wantLen {
				t.Errorf("Len: got %d, want %d", b.Len(), tc.wantLen)
			}
		})
	}
}

func TestData(t *testing.T) {
	set := certs(t)
	root := set.Get("root").Cert
	other := set.Get("other_root").Cert
	// Two distinct CAs with the same subject, as after a CA re-key: both
	// are candidates for a chain naming that issuer.
	twinA := issueCA(t, "Twin CA")
	twinB := issueCA(t, "Twin CA")

	var b trust.Bundle
	b.Add(root, other, twinA, twinB)

	key := func(c *x509.Certificate) string { return base64.StdEncoding.EncodeToString(c.RawSubject) }
	want := map[string]any{
		"count": 4,
		"roots": map[string]any{
			key(root):  []any{testcerts.EncodeCerts(root)},
			key(other): []any{testcerts.EncodeCerts(other)},
			key(twinA): []any{testcerts.EncodeCerts(twinA), testcerts.EncodeCerts(twinB)},
		},
	}
	got := b.Data()
	if diff := cmp.Diff(want, got); diff != "" {
		t.Errorf("Data mismatch (-want +got):\n%s", diff)
	}

	// The key is what a policy computes from a leaf's issuer.
	leafIssuer := base64.StdEncoding.EncodeToString(set.Get("intermediate").Cert.RawIssuer)
	if _, ok := got["roots"].(map[string]any)[leafIssuer]; !ok {
		t.Errorf("Data roots: got no entry for the intermediate's RawIssuer %s, want root", leafIssuer)
	}
}

func TestDataEmpty(t *testing.T) {
	var b trust.Bundle
	want := map[string]any{"count": 0, "roots": map[string]any{}}
	if diff := cmp.Diff(want, b.Data()); diff != "" {
		t.Errorf("Data mismatch (-want +got):\n%s", diff)
	}
}

func TestAddSystemRoots(t *testing.T) {
	set := certs(t)
	dir := t.TempDir()
	rootFile := filepath.Join(dir, "root.pem")
	writeFile(t, rootFile, set.Get("root").CertPEM())
	notCerts := filepath.Join(dir, "not-certs.pem")
	writeFile(t, notCerts, "no certificates here\n")
	missing := filepath.Join(dir, "missing.pem")

	certDir := filepath.Join(dir, "certs")
	writeFile(t, filepath.Join(certDir, "b-other.pem"), set.Get("other_root").CertPEM())
	writeFile(t, filepath.Join(certDir, "a-root.pem"), set.Get("root").CertPEM())
	writeFile(t, filepath.Join(certDir, "README"), "not a certificate")
	if err := os.Mkdir(filepath.Join(certDir, "subdir"), 0o755); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}
	certDir2 := filepath.Join(dir, "certs2")
	writeFile(t, filepath.Join(certDir2, "ca.pem"), set.Get("dynamiclistener_ca").CertPEM())
	emptyDir := filepath.Join(dir, "empty")
	if err := os.Mkdir(emptyDir, 0o755); err != nil {
		t.Fatalf("Mkdir: %v", err)
	}

	tests := []struct {
		name      string
		certFile  string
		certDir   string
		wantRoots []string
		wantErr   error
	}{
		{
			name:      "SSL_CERT_FILE replaces the OS bundle",
			certFile:  rootFile,
			wantRoots: []string{"tlsguard Test Root CA"},
		},
		{
			name:      "SSL_CERT_DIR files in name order, skipping non-certificates",
			certFile:  missing,
			certDir:   certDir,
			wantRoots: []string{"tlsguard Test Root CA", "Evil Root"},
		},
		{
			name:      "SSL_CERT_DIR is a list",
			certFile:  missing,
			certDir:   certDir2 + string(filepath.ListSeparator) + certDir,
			wantRoots: []string{"dynamiclistener-ca@1700000000", "tlsguard Test Root CA", "Evil Root"},
		},
		{
			name:      "SSL_CERT_FILE and SSL_CERT_DIR together, de-duplicated",
			certFile:  rootFile,
			certDir:   certDir,
			wantRoots: []string{"tlsguard Test Root CA", "Evil Root"},
		},
		{
			name:     "SSL_CERT_FILE missing and no directory",
			certFile: missing,
			wantErr:  trust.ErrNoCertificates,
		},
		{
			name:     "SSL_CERT_FILE without certificates and an empty directory",
			certFile: notCerts,
			certDir:  emptyDir,
			wantErr:  trust.ErrNoCertificates,
		},
		{
			name:      "missing SSL_CERT_DIR entry is skipped",
			certFile:  rootFile,
			certDir:   filepath.Join(dir, "nope"),
			wantRoots: []string{"tlsguard Test Root CA"},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			t.Setenv("SSL_CERT_FILE", tc.certFile)
			t.Setenv("SSL_CERT_DIR", tc.certDir)
			var b trust.Bundle
			err := b.AddSystemRoots()
			if !errors.Is(err, tc.wantErr) {
				t.Fatalf("AddSystemRoots: got error %v, want %v", err, tc.wantErr)
			}
			if diff := cmp.Diff(tc.wantRoots, subjects(b.Certificates())); diff != "" {
				t.Errorf("Certificates mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func issueCA(t *testing.T, cn string) *x509.Certificate {
	t.Helper()
	c, err := testcerts.Issue(testcerts.Spec{
		CommonName: cn,
		IsCA:       true,
		NotBefore:  testcerts.Now.AddDate(-1, 0, 0),
		NotAfter:   testcerts.Now.AddDate(1, 0, 0),
	}, nil)
	if err != nil {
		t.Fatalf("Issue: %v", err)
	}
	return c.Cert
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("MkdirAll: %v", err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatalf("WriteFile: %v", err)
	}
}
