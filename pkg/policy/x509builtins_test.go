package policy

import (
	"encoding/base64"
	"encoding/pem"
	"testing"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"

	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

// call runs a built-in on operands and returns its output term, or the
// error it raised.
func call(t *testing.T, f topdown.BuiltinFunc, operands ...*ast.Term) (*ast.Term, error) {
	t.Helper()
	var out *ast.Term
	err := f(topdown.BuiltinContext{}, operands, func(t *ast.Term) error { out = t; return nil })
	return out, err
}

// TestX509BuiltinsMatchOPA checks the replacements return exactly what OPA's
// implementations return, for every input form and failure.
func TestX509BuiltinsMatchOPA(t *testing.T) {
	installMemo()
	certs, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	leaf, root := certs.Get("leaf"), certs.Get("root")
	chain := testcerts.EncodeCerts(root.Cert, certs.Get("intermediate").Cert, leaf.Cert)
	der := base64.StdEncoding.EncodeToString(append(append([]byte{}, leaf.Cert.Raw...), root.Cert.Raw...))
	inputs := map[string]string{
		"pem chain":     leaf.ChainPEM(),
		"base64 pem":    testcerts.B64(leaf.ChainPEM()),
		"base64 der":    der,
		"garbage":       "not a certificate",
		"key block":     leaf.KeyPEM(),
		"empty":         "",
		"root to leaf":  chain,
		"expired chain": testcerts.EncodeCerts(root.Cert, certs.Get("intermediate").Cert, certs.Get("leaf_expired").Cert),
		// One PEM block holding two DER certificates: valid for
		// x509.ParseCertificates, not for the per-block parse cache.
		"two in one block": string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: append(append([]byte{}, leaf.Cert.Raw...), root.Cert.Raw...)})),
		"truncated block":  string(pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: leaf.Cert.Raw[:len(leaf.Cert.Raw)-10]})),
		// The same chain again: answered from the caches.
		"pem chain again": leaf.ChainPEM() + "\n",
	}
	now := ast.IntNumberTerm(int(testcerts.Now.UnixNano()))
	options := map[string]*ast.Term{
		"at now":      ast.ObjectTerm(ast.Item(ast.StringTerm("CurrentTime"), now)),
		"any usage":   ast.ObjectTerm(ast.Item(ast.StringTerm("CurrentTime"), now), ast.Item(ast.StringTerm("KeyUsages"), ast.ArrayTerm(ast.StringTerm("KeyUsageAny")))),
		"bad usage":   ast.ObjectTerm(ast.Item(ast.StringTerm("KeyUsages"), ast.ArrayTerm(ast.StringTerm("Nope")))),
		"bad option":  ast.ObjectTerm(ast.Item(ast.StringTerm("Roots"), ast.StringTerm("x"))),
		"wrong host":  ast.ObjectTerm(ast.Item(ast.StringTerm("CurrentTime"), now), ast.Item(ast.StringTerm("DNSName"), ast.StringTerm("other.example.com"))),
		"in 10 years": ast.ObjectTerm(ast.Item(ast.StringTerm("CurrentTime"), ast.IntNumberTerm(int(testcerts.Now.Add(3650*24*time.Hour).UnixNano())))),
	}
	// Ours as registered (memo and OPA's error wrapper included), as
	// evaluation calls it.
	compare := func(t *testing.T, name string, operands ...*ast.Term) {
		t.Helper()
		ours := topdown.GetBuiltin(name)
		want, wantErr := call(t, opaBuiltins[name], operands...)
		got, gotErr := call(t, ours, operands...)
		if (wantErr == nil) != (gotErr == nil) {
			t.Fatalf("error: got %v, want %v", gotErr, wantErr)
		}
		if wantErr != nil && gotErr.Error() != wantErr.Error() {
			t.Errorf("error text: got %q, want %q", gotErr, wantErr)
		}
		if (want == nil) != (got == nil) || (want != nil && !want.Equal(got)) {
			t.Errorf("output differs from OPA's:\n got  %.300v\n want %.300v", got, want)
		}
	}
	for name, in := range inputs {
		t.Run("parse_certificates/"+name, func(t *testing.T) {
			compare(t, "crypto.x509.parse_certificates", ast.StringTerm(in))
		})
		for oname, opts := range options {
			t.Run("parse_and_verify/"+name+"/"+oname, func(t *testing.T) {
				compare(t, "crypto.x509.parse_and_verify_certificates_with_options", ast.StringTerm(in), opts)
			})
		}
	}
}
