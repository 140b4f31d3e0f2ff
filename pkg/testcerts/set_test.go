package testcerts_test

import (
	"crypto"
	"crypto/ecdsa"
	"crypto/rsa"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

const day = 24 * time.Hour

func defaultSet(t *testing.T) *testcerts.Set {
	t.Helper()
	set, err := testcerts.Default()
	if err != nil {
		t.Fatalf("Default: %v", err)
	}
	return set
}

func get(t *testing.T, set *testcerts.Set, name string) *testcerts.Cert {
	t.Helper()
	c := set.Get(name)
	if c == nil {
		t.Fatalf("Get(%q): got nil, want a certificate", name)
	}
	return c
}

// verify checks c's chain at testcerts.Now against root as the only root.
func verify(t *testing.T, set *testcerts.Set, c *testcerts.Cert) ([][]*x509.Certificate, error) {
	t.Helper()
	roots := x509.NewCertPool()
	roots.AddCert(get(t, set, "root").Cert)
	inter := x509.NewCertPool()
	for _, ic := range c.Chain[1:] {
		inter.AddCert(ic)
	}
	return c.Cert.Verify(x509.VerifyOptions{Roots: roots, Intermediates: inter, CurrentTime: testcerts.Now})
}

func TestDefaultIsCached(t *testing.T) {
	a, b := defaultSet(t), defaultSet(t)
	if a != b {
		t.Errorf("Default: got two different sets, want one per process")
	}
}

func TestNames(t *testing.T) {
	want := []string{
		"dynamiclistener_ca", "intermediate", "intermediate_rsa",
		"leaf", "leaf_dynamiclistener", "leaf_expired", "leaf_expiring", "leaf_long",
		"leaf_notyet", "leaf_old", "leaf_other", "leaf_rotated", "leaf_rsa", "leaf_selfsigned",
		"leaf_sha1", "leaf_weakec", "leaf_weakrsa", "leaf_wronghost",
		"other_root", "root", "root_expired",
	}
	set := defaultSet(t)
	if diff := cmp.Diff(want, set.Names()); diff != "" {
		t.Errorf("Names mismatch (-want +got):\n%s", diff)
	}
	if c := set.Get("no_such_cert"); c != nil {
		t.Errorf("Get(unknown): got %v, want nil", c.Cert.Subject)
	}
}

func TestChainsVerifyAtNow(t *testing.T) {
	set := defaultSet(t)
	tests := []struct {
		name      string
		wantChain []string // common names, leaf to root
	}{
		{name: "leaf", wantChain: []string{testcerts.Host, "tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "leaf_rsa", wantChain: []string{testcerts.Host, "tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "leaf_expiring", wantChain: []string{testcerts.Host, "tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "leaf_old", wantChain: []string{testcerts.Host, "tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "leaf_long", wantChain: []string{testcerts.Host, "tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "leaf_wronghost", wantChain: []string{"other.example.com", "tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "leaf_weakrsa", wantChain: []string{testcerts.Host, "tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "leaf_weakec", wantChain: []string{testcerts.Host, "tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "leaf_rotated", wantChain: []string{testcerts.Host, "tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "intermediate", wantChain: []string{"tlsguard Test Intermediate CA", "tlsguard Test Root CA"}},
		{name: "intermediate_rsa", wantChain: []string{"tlsguard Test RSA Intermediate CA", "tlsguard Test Root CA"}},
		{name: "root", wantChain: []string{"tlsguard Test Root CA"}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			chains, err := verify(t, set, get(t, set, tc.name))
			if err != nil {
				t.Fatalf("Verify at %v: got error %v, want nil", testcerts.Now, err)
			}
			var got []string
			for _, c := range chains[0] {
				got = append(got, c.Subject.CommonName)
			}
			if diff := cmp.Diff(tc.wantChain, got); diff != "" {
				t.Errorf("verified chain mismatch (-want +got):\n%s", diff)
			}
		})
	}
}

func TestChainsDoNotVerifyAtNow(t *testing.T) {
	set := defaultSet(t)
	tests := []struct {
		name string
		// wantReason is the CertificateInvalidError reason, when the error
		// is one.
		wantReason *x509.InvalidReason
		// wantUnknownAuthority is set when no chain reaches root.
		wantUnknownAuthority bool
	}{
		{name: "leaf_expired", wantReason: ptr(x509.Expired)},
		{name: "leaf_notyet", wantReason: ptr(x509.Expired)},
		{name: "root_expired", wantReason: ptr(x509.Expired)},
		{name: "leaf_selfsigned", wantUnknownAuthority: true},
		{name: "leaf_other", wantUnknownAuthority: true},
		{name: "other_root", wantUnknownAuthority: true},
		{name: "leaf_dynamiclistener", wantUnknownAuthority: true},
		{name: "dynamiclistener_ca", wantUnknownAuthority: true},
		// crypto/x509 refuses SHA-1 signatures.
		{name: "leaf_sha1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, err := verify(t, set, get(t, set, tc.name))
			if err == nil {
				t.Fatalf("Verify at %v: got nil error, want one", testcerts.Now)
			}
			if tc.wantReason != nil {
				var invalid x509.CertificateInvalidError
				if !errors.As(err, &invalid) || invalid.Reason != *tc.wantReason {
					t.Errorf("Verify: got error %v, want CertificateInvalidError with reason %d", err, *tc.wantReason)
				}
			}
			if tc.wantUnknownAuthority {
				var unknown x509.UnknownAuthorityError
				if !errors.As(err, &unknown) {
					t.Errorf("Verify: got error %v, want UnknownAuthorityError", err)
				}
			}
		})
	}
}

func TestValidity(t *testing.T) {
	set := defaultSet(t)
	tests := []struct {
		name            string
		wantNotBefore   time.Duration // relative to Now
		wantNotAfter    time.Duration
		wantValidAtNow  bool
		wantDNSNames    []string
		wantChainLength int
	}{
		{name: "leaf", wantNotBefore: -30 * day, wantNotAfter: 335 * day, wantValidAtNow: true, wantDNSNames: []string{testcerts.Host}, wantChainLength: 2},
		{name: "leaf_rotated", wantNotBefore: -1 * day, wantNotAfter: 89 * day, wantValidAtNow: true, wantDNSNames: []string{testcerts.Host}, wantChainLength: 2},
		{name: "leaf_expired", wantNotBefore: -400 * day, wantNotAfter: -35 * day, wantDNSNames: []string{testcerts.Host}, wantChainLength: 2},
		{name: "leaf_notyet", wantNotBefore: 10 * day, wantNotAfter: 100 * day, wantDNSNames: []string{testcerts.Host}, wantChainLength: 2},
		{name: "leaf_expiring", wantNotBefore: -80 * day, wantNotAfter: 10 * day, wantValidAtNow: true, wantDNSNames: []string{testcerts.Host}, wantChainLength: 2},
		{name: "leaf_old", wantNotBefore: -200 * day, wantNotAfter: 165 * day, wantValidAtNow: true, wantDNSNames: []string{testcerts.Host}, wantChainLength: 2},
		{name: "leaf_long", wantNotBefore: -10 * day, wantNotAfter: 815 * day, wantValidAtNow: true, wantDNSNames: []string{testcerts.Host}, wantChainLength: 2},
		{name: "leaf_wronghost", wantNotBefore: -30 * day, wantNotAfter: 335 * day, wantValidAtNow: true, wantDNSNames: []string{"other.example.com"}, wantChainLength: 2},
		{name: "leaf_sha1", wantNotBefore: -30 * day, wantNotAfter: 335 * day, wantValidAtNow: true, wantDNSNames: []string{testcerts.Host}, wantChainLength: 2},
		{name: "leaf_dynamiclistener", wantNotBefore: -30 * day, wantNotAfter: 335 * day, wantValidAtNow: true, wantDNSNames: []string{testcerts.Host, "localhost"}, wantChainLength: 1},
		{name: "leaf_selfsigned", wantNotBefore: -30 * day, wantNotAfter: 335 * day, wantValidAtNow: true, wantDNSNames: []string{testcerts.Host}, wantChainLength: 1},
		{name: "dynamiclistener_ca", wantNotBefore: -200 * day, wantNotAfter: 3450 * day, wantValidAtNow: true, wantChainLength: 1},
		{name: "root_expired", wantNotBefore: -3650 * day, wantNotAfter: -5 * day, wantChainLength: 1},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := get(t, set, tc.name).Cert
			if got := c.NotBefore.Sub(testcerts.Now); got != tc.wantNotBefore {
				t.Errorf("NotBefore - Now: got %v, want %v", got, tc.wantNotBefore)
			}
			if got := c.NotAfter.Sub(testcerts.Now); got != tc.wantNotAfter {
				t.Errorf("NotAfter - Now: got %v, want %v", got, tc.wantNotAfter)
			}
			valid := !testcerts.Now.Before(c.NotBefore) && !testcerts.Now.After(c.NotAfter)
			if valid != tc.wantValidAtNow {
				t.Errorf("valid at Now: got %t, want %t", valid, tc.wantValidAtNow)
			}
			if diff := cmp.Diff(tc.wantDNSNames, c.DNSNames); diff != "" {
				t.Errorf("DNSNames mismatch (-want +got):\n%s", diff)
			}
			if got := len(get(t, set, tc.name).Chain); got != tc.wantChainLength {
				t.Errorf("Chain length: got %d, want %d", got, tc.wantChainLength)
			}
		})
	}
}

func TestSelfSigned(t *testing.T) {
	set := defaultSet(t)
	tests := []struct {
		name       string
		wantCN     string
		wantOrg    []string
		wantIsCA   bool
		wantSerial string // decimal; empty for random
	}{
		{name: "root", wantCN: "tlsguard Test Root CA", wantOrg: []string{"tlsguard tests"}, wantIsCA: true},
		{name: "leaf_selfsigned", wantCN: testcerts.Host, wantIsCA: false},
		{name: "dynamiclistener_ca", wantCN: "dynamiclistener-ca@1700000000", wantOrg: []string{"dynamiclistener-org"}, wantIsCA: true, wantSerial: "0"},
		{name: "other_root", wantCN: "Evil Root", wantIsCA: true},
		{name: "root_expired", wantCN: "tlsguard Expired Root CA", wantIsCA: true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := get(t, set, tc.name).Cert
			if string(c.RawIssuer) != string(c.RawSubject) {
				t.Errorf("issuer: got %q, want the subject %q", c.Issuer, c.Subject)
			}
			if err := c.CheckSignature(c.SignatureAlgorithm, c.RawTBSCertificate, c.Signature); err != nil {
				t.Errorf("CheckSignature with its own key: got error %v, want nil", err)
			}
			if c.Subject.CommonName != tc.wantCN {
				t.Errorf("CN: got %q, want %q", c.Subject.CommonName, tc.wantCN)
			}
			if diff := cmp.Diff(tc.wantOrg, c.Subject.Organization); diff != "" {
				t.Errorf("O mismatch (-want +got):\n%s", diff)
			}
			if c.IsCA != tc.wantIsCA {
				t.Errorf("IsCA: got %t, want %t", c.IsCA, tc.wantIsCA)
			}
			if tc.wantSerial != "" && c.SerialNumber.String() != tc.wantSerial {
				t.Errorf("serial: got %s, want %s", c.SerialNumber, tc.wantSerial)
			}
		})
	}
}

func TestIssuers(t *testing.T) {
	set := defaultSet(t)
	tests := []struct {
		name       string
		wantIssuer string
		wantSigAlg x509.SignatureAlgorithm
		wantOrg    []string
	}{
		{name: "leaf", wantIssuer: "intermediate", wantSigAlg: x509.ECDSAWithSHA256},
		{name: "intermediate", wantIssuer: "root", wantSigAlg: x509.SHA256WithRSA, wantOrg: []string{"tlsguard tests"}},
		{name: "intermediate_rsa", wantIssuer: "root", wantSigAlg: x509.SHA256WithRSA},
		{name: "leaf_sha1", wantIssuer: "intermediate_rsa", wantSigAlg: x509.SHA1WithRSA},
		{name: "leaf_dynamiclistener", wantIssuer: "dynamiclistener_ca", wantSigAlg: x509.ECDSAWithSHA256, wantOrg: []string{"dynamic"}},
		{name: "leaf_other", wantIssuer: "other_root", wantSigAlg: x509.ECDSAWithSHA256},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := get(t, set, tc.name).Cert
			issuer := get(t, set, tc.wantIssuer).Cert
			if string(c.RawIssuer) != string(issuer.RawSubject) {
				t.Errorf("issuer: got %q, want %q", c.Issuer, issuer.Subject)
			}
			if c.SignatureAlgorithm != tc.wantSigAlg {
				t.Errorf("SignatureAlgorithm: got %v, want %v", c.SignatureAlgorithm, tc.wantSigAlg)
			}
			if diff := cmp.Diff(tc.wantOrg, c.Subject.Organization); diff != "" {
				t.Errorf("O mismatch (-want +got):\n%s", diff)
			}
			if tc.wantSigAlg == x509.SHA1WithRSA {
				// crypto/x509 refuses to check SHA-1; check the issuer's key
				// and algorithm instead of the signature.
				return
			}
			if err := c.CheckSignatureFrom(issuer); err != nil {
				t.Errorf("CheckSignatureFrom(%s): got error %v, want nil", tc.wantIssuer, err)
			}
		})
	}
}

// keyDesc names a public key's algorithm and size, e.g. "RSA-2048".
func keyDesc(pub any) string {
	switch k := pub.(type) {
	case *rsa.PublicKey:
		return fmt.Sprintf("RSA-%d", k.N.BitLen())
	case *ecdsa.PublicKey:
		return "ECDSA-" + k.Curve.Params().Name
	}
	return fmt.Sprintf("%T", pub)
}

func TestKeys(t *testing.T) {
	set := defaultSet(t)
	tests := []struct {
		name string
		want string
	}{
		{name: "root", want: "RSA-2048"},
		{name: "intermediate", want: "ECDSA-P-256"},
		{name: "intermediate_rsa", want: "RSA-2048"},
		{name: "leaf", want: "ECDSA-P-256"},
		{name: "leaf_rsa", want: "RSA-2048"},
		{name: "leaf_weakrsa", want: "RSA-1024"},
		{name: "leaf_weakec", want: "ECDSA-P-224"},
		{name: "leaf_sha1", want: "RSA-2048"},
		{name: "dynamiclistener_ca", want: "ECDSA-P-256"},
		{name: "other_root", want: "ECDSA-P-256"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c := get(t, set, tc.name)
			if got := keyDesc(c.Cert.PublicKey); got != tc.want {
				t.Errorf("certificate key: got %s, want %s", got, tc.want)
			}
			if got := keyDesc(c.Key.Public()); got != tc.want {
				t.Errorf("private key: got %s, want %s", got, tc.want)
			}
			// KeyPEM must round-trip to the key that matches the certificate.
			block, _ := pem.Decode([]byte(c.KeyPEM()))
			if block == nil || block.Type != "PRIVATE KEY" {
				t.Fatalf("KeyPEM: got %q, want a PRIVATE KEY block", c.KeyPEM())
			}
			parsed, err := x509.ParsePKCS8PrivateKey(block.Bytes)
			if err != nil {
				t.Fatalf("ParsePKCS8PrivateKey: %v", err)
			}
			signer, ok := parsed.(crypto.Signer)
			if !ok {
				t.Fatalf("ParsePKCS8PrivateKey: got %T, want a crypto.Signer", parsed)
			}
			if eq, ok := signer.Public().(interface{ Equal(crypto.PublicKey) bool }); !ok || !eq.Equal(c.Cert.PublicKey) {
				t.Errorf("KeyPEM: got a key whose public half does not match the certificate")
			}
		})
	}
}

func TestCAChecksum(t *testing.T) {
	const pemCert = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----"
	tests := []struct {
		name string
		in   string
		want string // sha256sum of the text with one trailing newline
	}{
		{name: "newline added when missing", in: "abc", want: "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb"},
		{name: "existing newline kept", in: "abc\n", want: "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb"},
		{name: "only one newline is ever added", in: "abc\n\n", want: "783701f7599830824fa73488f80eb79894f6f14203264b6a3ac3f0a14012c25f"},
		{name: "empty", in: "", want: "01ba4719c80b6fe911b091a7c05124b64eeece964e09c058ef8f9805daca546b"},
		{name: "PEM without trailing newline", in: pemCert, want: "8010bfcee1842b2a4ce8f67c3e9455f0188f7a15bf39ec61a26feb75cd785821"},
		{name: "PEM with trailing newline", in: pemCert + "\n", want: "8010bfcee1842b2a4ce8f67c3e9455f0188f7a15bf39ec61a26feb75cd785821"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := testcerts.CAChecksum(tc.in); got != tc.want {
				t.Errorf("CAChecksum(%q): got %s, want %s", tc.in, got, tc.want)
			}
		})
	}
}

func TestData(t *testing.T) {
	set := defaultSet(t)
	d := set.Data()

	if got, want := d["now_ns"], testcerts.Now.UnixNano(); got != want {
		t.Errorf("now_ns: got %v, want %d", got, want)
	}
	if got, want := d["now"], "2026-06-01T00:00:00Z"; got != want {
		t.Errorf("now: got %v, want %s", got, want)
	}

	root := get(t, set, "root")
	wantTrust := map[string]any{
		"count": 1,
		"roots": map[string]any{
			base64.StdEncoding.EncodeToString(root.Cert.RawSubject): []any{root.CertPEM()},
		},
	}
	if diff := cmp.Diff(wantTrust, d["trust"]); diff != "" {
		t.Errorf("trust mismatch (-want +got):\n%s", diff)
	}

	wantKeys := append([]string{"now", "now_ns", "trust"}, set.Names()...)
	slices.Sort(wantKeys)
	var gotKeys []string
	for k := range d {
		gotKeys = append(gotKeys, k)
	}
	slices.Sort(gotKeys)
	if diff := cmp.Diff(wantKeys, gotKeys); diff != "" {
		t.Errorf("Data keys mismatch (-want +got):\n%s", diff)
	}

	for _, name := range set.Names() {
		t.Run(name, func(t *testing.T) {
			c := get(t, set, name)
			cert, chain, key := c.CertPEM(), c.ChainPEM(), c.KeyPEM()
			want := map[string]any{
				"cert":     cert,
				"chain":    chain,
				"key":      key,
				"b64cert":  base64.StdEncoding.EncodeToString([]byte(cert)),
				"b64chain": base64.StdEncoding.EncodeToString([]byte(chain)),
				"b64key":   base64.StdEncoding.EncodeToString([]byte(key)),
				"checksum": testcerts.CAChecksum(cert),
			}
			if diff := cmp.Diff(want, d[name]); diff != "" {
				t.Errorf("Data[%q] mismatch (-want +got):\n%s", name, diff)
			}
			if diff := cmp.Diff(want, set.TemplateData()[name]); diff != "" {
				t.Errorf("TemplateData[%q] mismatch (-want +got):\n%s", name, diff)
			}
			if got := pemCount(t, chain); got != len(c.Chain) {
				t.Errorf("chain PEM: got %d certificates, want %d", got, len(c.Chain))
			}
		})
	}
}

// pemCount parses every CERTIFICATE block of s.
func pemCount(t *testing.T, s string) int {
	t.Helper()
	n := 0
	rest := []byte(s)
	for {
		var block *pem.Block
		block, rest = pem.Decode(rest)
		if block == nil {
			return n
		}
		if _, err := x509.ParseCertificate(block.Bytes); err != nil {
			t.Fatalf("ParseCertificate: %v", err)
		}
		n++
	}
}

func ptr[T any](v T) *T { return &v }
