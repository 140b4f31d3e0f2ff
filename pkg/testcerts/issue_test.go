package testcerts_test

import (
	"bytes"
	"crypto"
	"crypto/x509"
	"encoding/pem"
	"strings"
	"testing"
	"text/template"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

func TestIssue(t *testing.T) {
	ca, err := testcerts.Issue(testcerts.Spec{CommonName: "CA", IsCA: true, NotBefore: testcerts.Now.Add(-day), NotAfter: testcerts.Now.Add(day)}, nil)
	if err != nil {
		t.Fatalf("Issue CA: %v", err)
	}
	inter, err := testcerts.Issue(testcerts.Spec{CommonName: "Inter", IsCA: true, NotBefore: testcerts.Now.Add(-day), NotAfter: testcerts.Now.Add(day)}, ca)
	if err != nil {
		t.Fatalf("Issue intermediate: %v", err)
	}
	signer, err := testcerts.NewKey(testcerts.ECDSAP256)
	if err != nil {
		t.Fatalf("NewKey: %v", err)
	}

	tests := []struct {
		name      string
		spec      testcerts.Spec
		parent    *testcerts.Cert
		wantChain []string
		wantKey   string
		wantUsage []x509.ExtKeyUsage
	}{
		{
			name:      "self-signed, default key",
			spec:      testcerts.Spec{CommonName: "self", NotBefore: testcerts.Now, NotAfter: testcerts.Now.Add(day)},
			wantChain: []string{"self"},
			wantKey:   "ECDSA-P-256",
			wantUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		},
		{
			name:      "under a root the chain stops before the root",
			spec:      testcerts.Spec{CommonName: "leaf", Key: testcerts.RSA2048, NotBefore: testcerts.Now, NotAfter: testcerts.Now.Add(day)},
			parent:    ca,
			wantChain: []string{"leaf"},
			wantKey:   "RSA-2048",
			wantUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		},
		{
			name:      "under an intermediate the chain carries it",
			spec:      testcerts.Spec{CommonName: "leaf", Key: testcerts.ECDSAP224, NotBefore: testcerts.Now, NotAfter: testcerts.Now.Add(day)},
			parent:    inter,
			wantChain: []string{"leaf", "Inter"},
			wantKey:   "ECDSA-P-224",
			wantUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		},
		{
			name:      "CA has no extended key usage",
			spec:      testcerts.Spec{CommonName: "sub", IsCA: true, NotBefore: testcerts.Now, NotAfter: testcerts.Now.Add(day)},
			parent:    inter,
			wantChain: []string{"sub", "Inter"},
			wantKey:   "ECDSA-P-256",
		},
		{
			name:      "given signer is reused",
			spec:      testcerts.Spec{CommonName: "reuse", Signer: signer, Key: testcerts.RSA1024, NotBefore: testcerts.Now, NotAfter: testcerts.Now.Add(day)},
			wantChain: []string{"reuse"},
			wantKey:   "ECDSA-P-256",
			wantUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			c, err := testcerts.Issue(tc.spec, tc.parent)
			if err != nil {
				t.Fatalf("Issue: got error %v, want nil", err)
			}
			var chain []string
			for _, cc := range c.Chain {
				chain = append(chain, cc.Subject.CommonName)
			}
			if diff := cmp.Diff(tc.wantChain, chain); diff != "" {
				t.Errorf("Chain mismatch (-want +got):\n%s", diff)
			}
			if got := keyDesc(c.Cert.PublicKey); got != tc.wantKey {
				t.Errorf("key: got %s, want %s", got, tc.wantKey)
			}
			if diff := cmp.Diff(tc.wantUsage, c.Cert.ExtKeyUsage); diff != "" {
				t.Errorf("ExtKeyUsage mismatch (-want +got):\n%s", diff)
			}
			if c.Cert.IsCA != tc.spec.IsCA {
				t.Errorf("IsCA: got %t, want %t", c.Cert.IsCA, tc.spec.IsCA)
			}
			if tc.spec.Signer != nil && !c.Cert.PublicKey.(interface{ Equal(crypto.PublicKey) bool }).Equal(tc.spec.Signer.Public()) {
				t.Errorf("public key: got a fresh key, want the given signer's")
			}
		})
	}
}

func TestIssueUnknownKeyType(t *testing.T) {
	_, err := testcerts.Issue(testcerts.Spec{CommonName: "x", Key: "dsa512"}, nil)
	if err == nil || !strings.Contains(err.Error(), `"dsa512"`) {
		t.Errorf("Issue: got error %v, want one naming the key type", err)
	}
}

func TestEncodeCerts(t *testing.T) {
	set := defaultSet(t)
	leaf, inter := get(t, set, "leaf").Cert, get(t, set, "intermediate").Cert
	tests := []struct {
		name  string
		certs []*x509.Certificate
		want  []*x509.Certificate
	}{
		{name: "none"},
		{name: "in order", certs: []*x509.Certificate{leaf, inter}, want: []*x509.Certificate{leaf, inter}},
		{name: "reversed", certs: []*x509.Certificate{inter, leaf}, want: []*x509.Certificate{inter, leaf}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			rest := []byte(testcerts.EncodeCerts(tc.certs...))
			var got []*x509.Certificate
			for {
				var block *pem.Block
				block, rest = pem.Decode(rest)
				if block == nil {
					break
				}
				c, err := x509.ParseCertificate(block.Bytes)
				if err != nil {
					t.Fatalf("ParseCertificate: %v", err)
				}
				got = append(got, c)
			}
			if len(got) != len(tc.want) {
				t.Fatalf("EncodeCerts: got %d certificates, want %d", len(got), len(tc.want))
			}
			for i := range got {
				if !got[i].Equal(tc.want[i]) {
					t.Errorf("certificate %d: got %q, want %q", i, got[i].Subject, tc.want[i].Subject)
				}
			}
		})
	}
}

func TestTemplateFuncs(t *testing.T) {
	tests := []struct {
		name string
		tmpl string
		data any
		want string
	}{
		{name: "indent", tmpl: `{{ indent 4 . }}`, data: "a\nb\n", want: "    a\n    b"},
		{name: "indent one line", tmpl: `{{ indent 2 . }}`, data: "a", want: "  a"},
		{name: "indent as pipeline", tmpl: `x:{{ "\n" }}{{ . | indent 2 }}`, data: "l1\nl2\n", want: "x:\n  l1\n  l2"},
		{name: "b64", tmpl: `{{ b64 . }}`, data: "hello\n", want: "aGVsbG8K"},
		{name: "checksum", tmpl: `{{ checksum . }}`, data: "abc", want: "edeaaff3f1774ad2888673770c6d64097e391bc362d7d6fb34982ddf0efd18cb"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tmpl, err := template.New(tc.name).Funcs(testcerts.TemplateFuncs).Parse(tc.tmpl)
			if err != nil {
				t.Fatalf("Parse: %v", err)
			}
			var buf bytes.Buffer
			if err := tmpl.Execute(&buf, tc.data); err != nil {
				t.Fatalf("Execute: %v", err)
			}
			if buf.String() != tc.want {
				t.Errorf("got %q, want %q", buf.String(), tc.want)
			}
		})
	}
}
