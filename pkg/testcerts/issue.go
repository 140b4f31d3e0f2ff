// Package testcerts makes real X.509 chains for tests, fixtures, examples
// and benchmarks: roots, intermediates and leaves with chosen keys,
// signatures and validity, all relative to a fixed time so that nothing
// depends on the wall clock. Keys are generated fresh in memory.
package testcerts

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/sha256"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"fmt"
	"math/big"
	"net"
	"strings"
	"time"
)

// KeyType selects the key algorithm and size of a generated certificate.
type KeyType string

// Key types understood by Issue.
const (
	RSA1024   KeyType = "rsa1024"
	RSA2048   KeyType = "rsa2048"
	ECDSAP224 KeyType = "p224"
	ECDSAP256 KeyType = "p256"
)

// Spec describes one certificate to issue.
type Spec struct {
	CommonName   string
	Organization []string
	DNSNames     []string
	IPs          []net.IP
	IsCA         bool
	Key          KeyType // default ECDSAP256
	NotBefore    time.Time
	NotAfter     time.Time
	// SignatureAlgorithm overrides the default for the issuer's key, e.g.
	// x509.SHA1WithRSA for weak-signature tests.
	SignatureAlgorithm x509.SignatureAlgorithm
	// Serial defaults to a random 64-bit number; dynamiclistener CAs use 0.
	Serial *big.Int
	// Signer reuses an existing key instead of generating one (benchmarks
	// issue thousands of certificates; key generation would dominate).
	Signer crypto.Signer
}

// Cert is an issued certificate with its key and the chain that presents
// it (the certificate followed by its issuers, roots excluded).
type Cert struct {
	Cert  *x509.Certificate
	Key   crypto.Signer
	Chain []*x509.Certificate
}

// Issue creates a certificate for spec signed by parent, or self-signed when
// parent is nil.
func Issue(spec Spec, parent *Cert) (*Cert, error) {
	key := spec.Signer
	var err error
	if key == nil {
		if key, err = NewKey(spec.Key); err != nil {
			return nil, err
		}
	}
	serial := spec.Serial
	if serial == nil {
		serial, err = rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 63))
		if err != nil {
			return nil, fmt.Errorf("serial: %w", err)
		}
	}
	tmpl := &x509.Certificate{
		SerialNumber:          serial,
		Subject:               pkix.Name{CommonName: spec.CommonName, Organization: spec.Organization},
		DNSNames:              spec.DNSNames,
		IPAddresses:           spec.IPs,
		NotBefore:             spec.NotBefore,
		NotAfter:              spec.NotAfter,
		BasicConstraintsValid: true,
		IsCA:                  spec.IsCA,
		SignatureAlgorithm:    spec.SignatureAlgorithm,
	}
	if spec.IsCA {
		tmpl.KeyUsage = x509.KeyUsageCertSign | x509.KeyUsageCRLSign | x509.KeyUsageDigitalSignature
	} else {
		tmpl.KeyUsage = x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment
		tmpl.ExtKeyUsage = []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}
	}
	signerCert, signerKey := tmpl, key
	if parent != nil {
		signerCert, signerKey = parent.Cert, parent.Key
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, signerCert, key.Public(), signerKey)
	if err != nil {
		return nil, fmt.Errorf("issue %q: %w", spec.CommonName, err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		return nil, fmt.Errorf("parse issued %q: %w", spec.CommonName, err)
	}
	out := &Cert{Cert: c, Key: key, Chain: []*x509.Certificate{c}}
	if parent != nil && !isSelfSigned(parent.Cert) {
		out.Chain = append(out.Chain, parent.Chain...)
	}
	return out, nil
}

func isSelfSigned(c *x509.Certificate) bool {
	return string(c.RawIssuer) == string(c.RawSubject)
}

// NewKey generates a private key of type t.
func NewKey(t KeyType) (crypto.Signer, error) {
	switch t {
	case RSA1024:
		return rsa.GenerateKey(rand.Reader, 1024) //nolint:gosec // weak on purpose: weak-key tests
	case RSA2048:
		return rsa.GenerateKey(rand.Reader, 2048)
	case ECDSAP224:
		return ecdsa.GenerateKey(elliptic.P224(), rand.Reader)
	case ECDSAP256, "":
		return ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	default:
		return nil, fmt.Errorf("unknown key type %q", t)
	}
}

// CertPEM is the PEM of the certificate alone.
func (c *Cert) CertPEM() string { return EncodeCerts(c.Cert) }

// ChainPEM is the PEM of the certificate followed by its intermediates, as
// tls.crt holds it.
func (c *Cert) ChainPEM() string { return EncodeCerts(c.Chain...) }

// KeyPEM is the PKCS#8 PEM of the private key.
func (c *Cert) KeyPEM() string {
	der, err := x509.MarshalPKCS8PrivateKey(c.Key)
	if err != nil {
		panic(fmt.Sprintf("marshal test key: %v", err)) // keys come from newKey; cannot fail
	}
	return string(pem.EncodeToMemory(&pem.Block{Type: "PRIVATE KEY", Bytes: der}))
}

// EncodeCerts PEM-encodes certificates in order.
func EncodeCerts(certs ...*x509.Certificate) string {
	var b strings.Builder
	for _, c := range certs {
		_ = pem.Encode(&b, &pem.Block{Type: "CERTIFICATE", Bytes: c.Raw})
	}
	return b.String()
}

// CAChecksum is CATTLE_CA_CHECKSUM as Rancher computes it: hex sha256 of the
// PEM with a trailing newline added when missing.
func CAChecksum(pemText string) string {
	if !strings.HasSuffix(pemText, "\n") {
		pemText += "\n"
	}
	sum := sha256.Sum256([]byte(pemText))
	return hex.EncodeToString(sum[:])
}

// B64 is standard base64, as Secret data holds it.
func B64(s string) string { return base64.StdEncoding.EncodeToString([]byte(s)) }
