package policy

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/ed25519"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/rsa"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/asn1"
	"encoding/json"
	"math/big"
	"net"
	"net/url"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// certificate returns a self-signed certificate from template, signed by key.
func certificate(t *testing.T, template *x509.Certificate, key crypto.Signer) *x509.Certificate {
	t.Helper()
	der, err := x509.CreateCertificate(rand.Reader, template, template, key.Public(), key)
	if err != nil {
		t.Fatal(err)
	}
	c, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// TestCertASTMatchesJSON: the direct encoder gives exactly the value of
// OPA's JSON round trip, for certificates that use every field x509 parses,
// with each kind of public key.
func TestCertASTMatchesJSON(t *testing.T) {
	rsaKey, err := rsa.GenerateKey(rand.Reader, 2048)
	if err != nil {
		t.Fatal(err)
	}
	p256, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	p384, _ := ecdsa.GenerateKey(elliptic.P384(), rand.Reader)
	_, edKey, _ := ed25519.GenerateKey(rand.Reader)
	uri, _ := url.Parse("spiffe://user:secret@cluster.local/ns/cattle-system/sa/rancher?x=1#frag")
	_, v4net, _ := net.ParseCIDR("10.0.0.0/8")
	_, v6net, _ := net.ParseCIDR("fd00::/8")
	policy, _ := x509.ParseOID("1.3.6.1.4.1.99999.1.2")
	serial, _ := new(big.Int).SetString("123456789012345678901234567890123456789", 10)
	from := time.Date(2026, 1, 2, 3, 4, 5, 0, time.UTC)
	full := &x509.Certificate{
		SerialNumber: serial,
		Subject: pkix.Name{
			CommonName: "rancher.example.com", Organization: []string{"Ex <&> ample", "Zweite Straße"},
			OrganizationalUnit: []string{"ops"}, Country: []string{"DE"}, Province: []string{"Berlin"},
			Locality: []string{"Berlin"}, StreetAddress: []string{"Hauptstraße 1"}, PostalCode: []string{"10115"},
			SerialNumber: "42",
			ExtraNames:   []pkix.AttributeTypeAndValue{{Type: asn1.ObjectIdentifier{2, 5, 4, 12}, Value: "Title"}},
		},
		NotBefore: from, NotAfter: from.Add(90 * 24 * time.Hour),
		KeyUsage:              x509.KeyUsageDigitalSignature | x509.KeyUsageKeyEncipherment | x509.KeyUsageCertSign,
		ExtKeyUsage:           []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth, x509.ExtKeyUsageClientAuth},
		UnknownExtKeyUsage:    []asn1.ObjectIdentifier{{1, 3, 6, 1, 4, 1, 99999, 3}},
		BasicConstraintsValid: true, IsCA: true, MaxPathLen: 0, MaxPathLenZero: true,
		SubjectKeyId:                []byte{1, 2, 3, 4},
		OCSPServer:                  []string{"http://ocsp.example.com"},
		IssuingCertificateURL:       []string{"http://ca.example.com/ca.crt"},
		DNSNames:                    []string{"rancher.example.com", "*.rancher.example.com"},
		EmailAddresses:              []string{"ops@example.com"},
		IPAddresses:                 []net.IP{net.ParseIP("10.1.2.3"), net.ParseIP("fd00::1")},
		URIs:                        []*url.URL{uri},
		PermittedDNSDomainsCritical: true,
		PermittedDNSDomains:         []string{".example.com"},
		ExcludedDNSDomains:          []string{"bad.example.com"},
		PermittedIPRanges:           []*net.IPNet{v4net},
		ExcludedIPRanges:            []*net.IPNet{v6net},
		PermittedEmailAddresses:     []string{"example.com"},
		PermittedURIDomains:         []string{".cluster.local"},
		CRLDistributionPoints:       []string{"http://crl.example.com/ca.crl"},
		Policies:                    []x509.OID{policy},
		ExtraExtensions:             []pkix.Extension{{Id: asn1.ObjectIdentifier{1, 3, 6, 1, 4, 1, 99999, 9}, Value: []byte{5, 0}}},
	}
	plain := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "plain"}, NotBefore: from, NotAfter: from.Add(time.Hour)}
	certs := map[string]*x509.Certificate{
		"every field, RSA":     certificate(t, full, rsaKey),
		"every field, P-256":   certificate(t, full, p256),
		"every field, P-384":   certificate(t, full, p384),
		"every field, Ed25519": certificate(t, full, edKey),
		"minimal, RSA":         certificate(t, plain, rsaKey),
	}
	set, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	for _, n := range set.Names() {
		certs["testcerts "+n] = set.Get(n).Cert
	}
	for name, c := range certs {
		t.Run(name, func(t *testing.T) {
			want, err := ast.InterfaceToValue(extend(c))
			if err != nil {
				t.Fatal(err)
			}
			got, err := certAST(extend(c))
			if err != nil {
				t.Fatalf("certAST: %v", err)
			}
			if ast.Compare(want, got) != 0 {
				t.Errorf("certAST differs from OPA's JSON round trip:\n got %v\nwant %v", got, want)
			}
		})
	}
}

// TestValidUTF8MatchesJSON: strings are coerced to valid UTF-8 as
// encoding/json does (each invalid byte becomes U+FFFD).
func TestValidUTF8MatchesJSON(t *testing.T) {
	for _, s := range []string{"", "plain", "Straße", "bad \xff byte", "\xc3\x28 two", "cut \xe2\x82", "\xed\xa0\x80 surrogate", "\u2028 line sep <&>"} {
		b, err := json.Marshal(s)
		if err != nil {
			t.Fatal(err)
		}
		var want string
		if err := json.Unmarshal(b, &want); err != nil {
			t.Fatal(err)
		}
		if got := validUTF8(s); got != want {
			t.Errorf("validUTF8(%q) = %q, want %q", s, got, want)
		}
	}
}

// TestCertASTUnsupported: a type the encoder does not handle is an error
// (the caller then takes OPA's path), never a wrong value.
func TestCertASTUnsupported(t *testing.T) {
	for name, v := range map[string]any{
		"float": struct{ F float64 }{1.5},
		"map":   map[string]int{"a": 1},
		"json tag": struct {
			A int `json:"a"`
		}{1},
		// Addressable through the pointer, so json would call
		// (*big.Int).MarshalJSON, which only *big.Int is special-cased for.
		"big.Int field": &struct{ N big.Int }{},
	} {
		if _, err := certAST(v); err == nil {
			t.Errorf("%s: no error", name)
		}
	}
}
