// Command genexamples writes examples/rancher-secure (a Rancher install with
// no finding) and examples/rancher (the same install with a few typical
// findings) with real certificates issued relative to a fixed time, so
// `make run` output is reproducible. Run from the repository root:
//
//	go run ./hack/genexamples
//
// The private keys written are throwaway keys for these examples only.
package main

import (
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"text/template"
	"time"

	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// ExampleNow is the --now that `make run` evaluates the examples at.
var ExampleNow = time.Date(2026, 12, 1, 0, 0, 0, 0, time.UTC)

const day = 24 * time.Hour

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "genexamples:", err)
		os.Exit(1)
	}
}

type material struct {
	CA, Leaf, OldLeaf *testcerts.Cert
	CACerts           string // the cacerts Setting: intermediate + root
	Checksum          string
}

func issue() (*material, error) {
	ago := func(d int) time.Time { return ExampleNow.Add(-time.Duration(d) * day) }
	in := func(d int) time.Time { return ExampleNow.Add(time.Duration(d) * day) }
	root, err := testcerts.Issue(testcerts.Spec{CommonName: "Example Corp Root CA", Organization: []string{"Example Corp"}, IsCA: true, Key: testcerts.RSA2048, NotBefore: ago(900), NotAfter: in(2700)}, nil)
	if err != nil {
		return nil, err
	}
	inter, err := testcerts.Issue(testcerts.Spec{CommonName: "Example Corp Issuing CA 1", Organization: []string{"Example Corp"}, IsCA: true, NotBefore: ago(400), NotAfter: in(1400)}, root)
	if err != nil {
		return nil, err
	}
	leaf, err := testcerts.Issue(testcerts.Spec{CommonName: "rancher.example.com", DNSNames: []string{"rancher.example.com"}, NotBefore: ago(20), NotAfter: in(70)}, inter)
	if err != nil {
		return nil, err
	}
	old, err := testcerts.Issue(testcerts.Spec{CommonName: "rancher.example.com", DNSNames: []string{"rancher.example.com"}, NotBefore: ago(340), NotAfter: in(25)}, inter)
	if err != nil {
		return nil, err
	}
	cacerts := strings.TrimSuffix(testcerts.EncodeCerts(inter.Cert, root.Cert), "\n")
	return &material{CA: root, Leaf: leaf, OldLeaf: old, CACerts: cacerts, Checksum: testcerts.CAChecksum(cacerts)}, nil
}

func run() error {
	m, err := issue()
	if err != nil {
		return err
	}
	for _, variant := range []struct {
		dir    string
		secure bool
	}{{"examples/rancher-secure", true}, {"examples/rancher", false}} {
		if err := os.MkdirAll(variant.dir, 0o755); err != nil {
			return err
		}
		data := map[string]any{
			"Secure":   variant.secure,
			"CACerts":  m.CACerts,
			"Checksum": m.Checksum,
			"Leaf":     m.Leaf,
			"OldLeaf":  m.OldLeaf,
		}
		for name, text := range files {
			t, err := template.New(name).Funcs(funcs).Parse(text)
			if err != nil {
				return fmt.Errorf("%s: %w", name, err)
			}
			f, err := os.Create(filepath.Join(variant.dir, name))
			if err != nil {
				return err
			}
			if err := t.Execute(f, data); err != nil {
				f.Close()
				return fmt.Errorf("%s: %w", name, err)
			}
			if err := f.Close(); err != nil {
				return err
			}
		}
	}
	return nil
}

var funcs = template.FuncMap{
	"indent": testcerts.TemplateFuncs["indent"],
	"b64":    testcerts.B64,
	"chain":  func(c *testcerts.Cert) string { return testcerts.B64(c.ChainPEM()) },
	"key":    func(c *testcerts.Cert) string { return testcerts.B64(c.KeyPEM()) },
}
