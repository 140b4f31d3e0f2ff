package testcerts

import (
	"crypto/x509"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"sync"
	"text/template"
	"time"

	"github.com/tlsguard/tlsguard/pkg/trust"
)

// Now is the instant every test evaluates at; validity windows of the named
// certificates are relative to it.
var Now = time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

// Host is the Rancher hostname the named leaves are issued for.
const Host = "rancher.example.com"

// Set is the catalogue of named certificates documented in
// docs/policy-authoring.md.
type Set struct {
	certs map[string]*Cert
}

var (
	defaultOnce sync.Once
	defaultSet  *Set
	defaultErr  error
)

// Default returns the named set, generated once per process.
func Default() (*Set, error) {
	defaultOnce.Do(func() { defaultSet, defaultErr = generate() })
	return defaultSet, defaultErr
}

// Get returns the named certificate, or nil.
func (s *Set) Get(name string) *Cert { return s.certs[name] }

// Names lists the names in the set, sorted.
func (s *Set) Names() []string {
	names := make([]string, 0, len(s.certs))
	for n := range s.certs {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

func generate() (*Set, error) {
	s := &Set{certs: map[string]*Cert{}}
	var err error
	add := func(name string, spec Spec, parent string) {
		if err != nil {
			return
		}
		var p *Cert
		if parent != "" {
			p = s.certs[parent]
		}
		var c *Cert
		c, err = Issue(spec, p)
		if err != nil {
			err = fmt.Errorf("test certificate %s: %w", name, err)
			return
		}
		s.certs[name] = c
	}
	ago := func(d int) time.Time { return Now.Add(-time.Duration(d) * day) }
	in := func(d int) time.Time { return Now.Add(time.Duration(d) * day) }
	leaf := func(cn string, key KeyType, from, to time.Time) Spec {
		return Spec{CommonName: cn, DNSNames: []string{cn}, Key: key, NotBefore: from, NotAfter: to}
	}

	add("root", Spec{CommonName: "tlsguard Test Root CA", Organization: []string{"tlsguard tests"}, IsCA: true, Key: RSA2048, NotBefore: ago(730), NotAfter: in(2920)}, "")
	add("intermediate", Spec{CommonName: "tlsguard Test Intermediate CA", Organization: []string{"tlsguard tests"}, IsCA: true, NotBefore: ago(365), NotAfter: in(1460)}, "root")
	add("intermediate_rsa", Spec{CommonName: "tlsguard Test RSA Intermediate CA", IsCA: true, Key: RSA2048, NotBefore: ago(365), NotAfter: in(1460)}, "root")
	add("leaf", leaf(Host, ECDSAP256, ago(30), in(335)), "intermediate")
	add("leaf_rsa", leaf(Host, RSA2048, ago(30), in(335)), "intermediate")
	add("leaf_rotated", leaf(Host, ECDSAP256, ago(1), in(89)), "intermediate")
	add("leaf_selfsigned", leaf(Host, ECDSAP256, ago(30), in(335)), "")
	add("leaf_expired", leaf(Host, ECDSAP256, ago(400), ago(35)), "intermediate")
	add("leaf_notyet", leaf(Host, ECDSAP256, in(10), in(100)), "intermediate")
	add("leaf_expiring", leaf(Host, ECDSAP256, ago(80), in(10)), "intermediate")
	add("leaf_old", leaf(Host, ECDSAP256, ago(200), in(165)), "intermediate")
	add("leaf_long", leaf(Host, ECDSAP256, ago(10), in(815)), "intermediate")
	add("leaf_wronghost", leaf("other.example.com", ECDSAP256, ago(30), in(335)), "intermediate")
	add("leaf_weakrsa", leaf(Host, RSA1024, ago(30), in(335)), "intermediate")
	add("leaf_weakec", leaf(Host, ECDSAP224, ago(30), in(335)), "intermediate")
	sha1 := leaf(Host, RSA2048, ago(30), in(335))
	sha1.SignatureAlgorithm = x509.SHA1WithRSA
	add("leaf_sha1", sha1, "intermediate_rsa")
	add("dynamiclistener_ca", Spec{CommonName: "dynamiclistener-ca@1700000000", Organization: []string{"dynamiclistener-org"}, IsCA: true, Serial: big.NewInt(0), NotBefore: ago(200), NotAfter: in(3450)}, "")
	dl := leaf("dynamic", ECDSAP256, ago(30), in(335))
	dl.Organization = []string{"dynamic"}
	dl.DNSNames = []string{Host, "localhost"}
	add("leaf_dynamiclistener", dl, "dynamiclistener_ca")
	add("other_root", Spec{CommonName: "Evil Root", IsCA: true, NotBefore: ago(100), NotAfter: in(3000)}, "")
	add("leaf_other", leaf(Host, ECDSAP256, ago(30), in(335)), "other_root")
	add("root_expired", Spec{CommonName: "tlsguard Expired Root CA", IsCA: true, NotBefore: ago(3650), NotAfter: ago(5)}, "")
	if err != nil {
		return nil, err
	}
	return s, nil
}

// Entry is the view of one certificate given to Rego tests and fixture
// templates.
func (s *Set) entry(c *Cert) map[string]any {
	cert, chain, key := c.CertPEM(), c.ChainPEM(), c.KeyPEM()
	return map[string]any{
		"cert": cert, "chain": chain, "key": key,
		"b64cert": B64(cert), "b64chain": B64(chain), "b64key": B64(key),
		"checksum": CAChecksum(cert),
	}
}

// TrustBundle trusts the test root only, as fixtures are evaluated.
func (s *Set) TrustBundle() *trust.Bundle {
	var b trust.Bundle
	b.Add(s.certs["root"].Cert)
	return &b
}

// Data is the document mounted at data.testcerts for Rego unit tests: one
// entry per name, now_ns, and trust (a data.tlsguard.trust document that
// trusts root).
func (s *Set) Data() map[string]any {
	d := map[string]any{
		"now_ns": Now.UnixNano(),
		"now":    Now.Format(time.RFC3339),
		"trust":  s.TrustBundle().Data(),
	}
	for n, c := range s.certs {
		d[n] = s.entry(c)
	}
	return d
}

// TemplateFuncs are the functions fixture templates may use.
var TemplateFuncs = template.FuncMap{
	"indent": func(n int, s string) string {
		pad := strings.Repeat(" ", n)
		return pad + strings.ReplaceAll(strings.TrimRight(s, "\n"), "\n", "\n"+pad)
	},
	"b64":      B64,
	"checksum": CAChecksum,
}

// TemplateData is the data fixture templates are rendered with: one entry
// per name, as in Data.
func (s *Set) TemplateData() map[string]any {
	d := map[string]any{}
	for n, c := range s.certs {
		d[n] = s.entry(c)
	}
	return d
}
