package probe

import (
	"bytes"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"encoding/hex"
	"encoding/pem"
	"errors"
	"fmt"
	"time"
)

// CertInfo are the facts of one presented or served certificate; never key
// material.
type CertInfo struct {
	SubjectCN string    `json:"subjectCN"`
	IssuerCN  string    `json:"issuerCN"`
	Serial    string    `json:"serial"` // lower-case hex
	NotBefore time.Time `json:"notBefore"`
	NotAfter  time.Time `json:"notAfter"`
	SHA256    string    `json:"sha256"`  // lower-case hex of the DER
	KeyType   string    `json:"keyType"` // RSA, ECDSA, Ed25519, or the Go type
	KeyBits   int       `json:"keyBits"`
	IsCA      bool      `json:"isCA"`
	DNSNames  []string  `json:"dnsNames,omitempty"`
	IPs       []string  `json:"ips,omitempty"`
}

func certInfo(c *x509.Certificate) CertInfo {
	sum := sha256.Sum256(c.Raw)
	ci := CertInfo{
		SubjectCN: c.Subject.CommonName,
		IssuerCN:  c.Issuer.CommonName,
		Serial:    fmt.Sprintf("%x", c.SerialNumber),
		NotBefore: c.NotBefore.UTC(),
		NotAfter:  c.NotAfter.UTC(),
		SHA256:    hex.EncodeToString(sum[:]),
		IsCA:      c.IsCA,
		DNSNames:  c.DNSNames,
	}
	for _, ip := range c.IPAddresses {
		ci.IPs = append(ci.IPs, ip.String())
	}
	ci.KeyType, ci.KeyBits = keyOf(c)
	return ci
}

func certInfos(certs []*x509.Certificate) []CertInfo {
	out := make([]CertInfo, 0, len(certs))
	for _, c := range certs {
		out = append(out, certInfo(c))
	}
	return out
}

func keyOf(c *x509.Certificate) (string, int) {
	switch k := c.PublicKey.(type) {
	case *rsa.PublicKey:
		return "RSA", k.N.BitLen()
	case *ecdsa.PublicKey:
		return "ECDSA", k.Curve.Params().BitSize
	case ed25519.PublicKey:
		return "Ed25519", 256
	default:
		return fmt.Sprintf("%T", k), 0
	}
}

// Checksum is CATTLE_CA_CHECKSUM of a cacerts value: hex sha256 of the bytes
// with a trailing newline added when missing; "" for an empty value, as
// Rancher computes it.
func Checksum(pemText []byte) string {
	if len(pemText) == 0 {
		return ""
	}
	if !bytes.HasSuffix(pemText, []byte("\n")) {
		pemText = append(bytes.Clone(pemText), '\n')
	}
	sum := sha256.Sum256(pemText)
	return hex.EncodeToString(sum[:])
}

// parsePEMCerts returns every CERTIFICATE block of data; an error when a
// block does not parse or there is none.
func parsePEMCerts(data []byte) ([]*x509.Certificate, error) {
	var out []*x509.Certificate
	for {
		var b *pem.Block
		b, data = pem.Decode(data)
		if b == nil {
			break
		}
		if b.Type != "CERTIFICATE" {
			continue
		}
		c, err := x509.ParseCertificate(b.Bytes)
		if err != nil {
			return nil, fmt.Errorf("certificate %d: %w", len(out)+1, err)
		}
		out = append(out, c)
	}
	if len(out) == 0 {
		return nil, errors.New("no PEM certificate found")
	}
	return out, nil
}

func poolOf(certs []*x509.Certificate) *x509.CertPool {
	p := x509.NewCertPool()
	for _, c := range certs {
		p.AddCert(c)
	}
	return p
}
