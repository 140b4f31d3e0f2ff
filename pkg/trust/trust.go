// Package trust loads the trusted root certificates that policies verify
// chains against and turns them into the data document policies read at
// data.tlsguard.trust.
package trust

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
)

// ErrNoCertificates is returned when a bundle holds no PEM certificate.
var ErrNoCertificates = errors.New("no PEM certificate found")

// Bundle is a de-duplicated set of trusted root certificates.
// The zero value is an empty bundle ready to use.
type Bundle struct {
	certs []*x509.Certificate
	seen  map[string]bool
}

// Add adds certificates to the bundle, ignoring duplicates.
func (b *Bundle) Add(certs ...*x509.Certificate) {
	if b.seen == nil {
		b.seen = map[string]bool{}
	}
	for _, c := range certs {
		key := string(c.Raw)
		if b.seen[key] {
			continue
		}
		b.seen[key] = true
		b.certs = append(b.certs, c)
	}
}

// AddPEM parses every CERTIFICATE block of data and adds it. source names the
// data in errors. Blocks of other types are ignored, as in the OS bundles.
func (b *Bundle) AddPEM(data []byte, source string) (int, error) {
	n := 0
	for block, rest := pem.Decode(data); block != nil; block, rest = pem.Decode(rest) {
		if block.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(block.Bytes)
		if err != nil {
			return n, fmt.Errorf("%s: certificate %d: %w", source, n+1, err)
		}
		b.Add(c)
		n++
	}
	if n == 0 {
		return 0, fmt.Errorf("%s: %w", source, ErrNoCertificates)
	}
	return n, nil
}

// AddFile adds the PEM certificates in the file at path.
func (b *Bundle) AddFile(path string) error {
	data, err := os.ReadFile(path)
	if err != nil {
		return fmt.Errorf("read trust bundle: %w", err)
	}
	_, err = b.AddPEM(data, path)
	return err
}

// Len is the number of distinct roots in the bundle.
func (b *Bundle) Len() int { return len(b.certs) }

// Certificates returns the roots in the order they were added.
func (b *Bundle) Certificates() []*x509.Certificate { return b.certs }

// Data is the document mounted at data.tlsguard.trust. Roots are indexed by
// the base64 of their DER subject, the same encoding as RawIssuer in
// crypto.x509.parse_certificates, so a policy picks the few candidate roots
// for a chain instead of parsing every root on every evaluation.
func (b *Bundle) Data() map[string]any {
	roots := map[string][]any{}
	for _, c := range b.certs {
		k := base64.StdEncoding.EncodeToString(c.RawSubject)
		roots[k] = append(roots[k], string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})))
	}
	out := make(map[string]any, len(roots))
	for k, v := range roots {
		out[k] = v
	}
	return map[string]any{"roots": out, "count": len(b.certs)}
}

// systemBundleFiles are where Linux distributions keep the OS trust bundle,
// the same list Go's crypto/x509 reads.
var systemBundleFiles = []string{
	"/etc/ssl/certs/ca-certificates.crt",
	"/etc/pki/tls/certs/ca-bundle.crt",
	"/etc/ssl/ca-bundle.pem",
	"/etc/pki/tls/cacert.pem",
	"/etc/pki/ca-trust/extracted/pem/tls-ca-bundle.pem",
	"/etc/ssl/cert.pem",
}

// AddSystemRoots adds the OS trust store. It honours SSL_CERT_FILE and
// SSL_CERT_DIR as crypto/x509 does. crypto/x509's pool cannot be listed, so
// the files are read here.
func (b *Bundle) AddSystemRoots() error {
	files := systemBundleFiles
	if f := os.Getenv("SSL_CERT_FILE"); f != "" {
		files = []string{f}
	}
	for _, f := range files {
		data, err := os.ReadFile(f) //nolint:gosec // the OS bundle, or the operator's SSL_CERT_FILE
		if err != nil {
			continue
		}
		if _, err := b.AddPEM(data, f); err == nil {
			break
		}
	}
	if d := os.Getenv("SSL_CERT_DIR"); d != "" {
		for _, dir := range filepath.SplitList(d) {
			entries, _ := os.ReadDir(dir)
			names := make([]string, 0, len(entries))
			for _, e := range entries {
				names = append(names, e.Name())
			}
			sort.Strings(names)
			for _, n := range names {
				data, err := os.ReadFile(filepath.Join(dir, n)) //nolint:gosec // the operator's SSL_CERT_DIR
				if err == nil {
					_, _ = b.AddPEM(data, n) // non-certificate files are normal in cert dirs
				}
			}
		}
	}
	if b.Len() == 0 {
		return fmt.Errorf("system roots: %w in %v", ErrNoCertificates, files)
	}
	return nil
}
