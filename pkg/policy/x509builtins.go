package policy

import (
	"bytes"
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// The two x509 built-ins the certificate policies call on every Secret are
// re-registered with implementations that return exactly what OPA's return
// (same parsing, same verification, same JSON shape), but convert each
// certificate to AST once and reuse it: the intermediates and roots of
// thousands of chains are the same few certificates, and turning a
// certificate into JSON and then AST costs far more than parsing or
// verifying it. Semantics follow github.com/open-policy-agent/opa
// v1/topdown/crypto.go (v1.22.4); policies/ fixtures pin them.

// certTerms caches the AST of certificates by their DER, two generations
// bounded like memo; shape derives the cached value from the certificate.
type certTerms struct {
	mu         sync.Mutex
	young, old map[string]ast.Value
	shape      func(*x509.Certificate) (ast.Value, error)
}

const certTermsSize = 128

func (c *certTerms) value(cert *x509.Certificate) (ast.Value, error) {
	key := string(cert.Raw)
	c.mu.Lock()
	if v, ok := c.young[key]; ok {
		c.mu.Unlock()
		return v, nil
	}
	if v, ok := c.old[key]; ok {
		c.young[key] = v
		c.mu.Unlock()
		return v, nil
	}
	c.mu.Unlock()
	v, err := c.shape(cert)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.young) >= certTermsSize/2 {
		c.old, c.young = c.young, make(map[string]ast.Value, certTermsSize/2)
	}
	c.young[key] = v
	c.mu.Unlock()
	return v, nil
}

// extendedTerms hold parse_certificates' shape; plainTerms the
// parse_and_verify shape, derived from the extended one (both are cached so
// neither conversion runs twice for a shared intermediate or root).
var (
	extendedTerms = newCertTerms(func(c *x509.Certificate) (ast.Value, error) {
		e := extend(c)
		if v, err := certAST(e); err == nil {
			return v, nil
		}
		return ast.InterfaceToValue(e) // OPA's path, for what certAST does not handle
	})
	plainTerms = newCertTerms(func(c *x509.Certificate) (ast.Value, error) {
		v, err := extendedTerms.value(c)
		if err != nil {
			return nil, err
		}
		return plain(v), nil
	})
)

func newCertTerms(shape func(*x509.Certificate) (ast.Value, error)) *certTerms {
	return &certTerms{young: map[string]ast.Value{}, old: map[string]ast.Value{}, shape: shape}
}

// extendedCert is OPA's parse_certificates shape: the certificate's fields
// plus URIStrings.
type extendedCert struct {
	x509.Certificate
	URIStrings []string
}

func extend(c *x509.Certificate) extendedCert {
	e := extendedCert{Certificate: *c}
	if c.URIs != nil {
		e.URIStrings = make([]string, len(c.URIs))
		for i, u := range c.URIs {
			e.URIStrings[i] = u.String()
		}
	}
	return e
}

// plain is the parse_and_verify shape: the extended object without
// URIStrings.
func plain(v ast.Value) ast.Value {
	obj, ok := v.(ast.Object)
	if !ok {
		return v
	}
	out := ast.NewObject()
	obj.Foreach(func(k, val *ast.Term) {
		if s, ok := k.Value.(ast.String); ok && string(s) == "URIStrings" {
			return
		}
		out.Insert(k, val)
	})
	return out
}

// certsFromString accepts PEM, base64 PEM or base64 DER, as OPA does.
func certsFromString(s string) ([]*x509.Certificate, error) {
	if strings.HasPrefix(s, "-----BEGIN") {
		return certsFromPEM([]byte(s))
	}
	b, err := base64.StdEncoding.DecodeString(s)
	if err != nil {
		return nil, err
	}
	if bytes.HasPrefix(b, []byte("-----BEGIN")) {
		return certsFromPEM(b)
	}
	return x509.ParseCertificates(b)
}

func certsFromPEM(data []byte) ([]*x509.Certificate, error) {
	var der []byte
	var blocks [][]byte
	for len(data) > 0 {
		p, rest := pem.Decode(data)
		if p != nil && p.Type != "CERTIFICATE" {
			return nil, fmt.Errorf("PEM block type is '%s', expected CERTIFICATE", p.Type)
		}
		if p == nil {
			break
		}
		data = rest
		der = append(der, p.Bytes...)
		blocks = append(blocks, p.Bytes)
	}
	if certs, ok := parsedBlocks(blocks); ok {
		return certs, nil
	}
	// A block that does not parse alone (or holds several certificates):
	// OPA's own path, for its exact result and error.
	return x509.ParseCertificates(der)
}

// parsed caches certificates by DER, bounded like certTerms: the
// intermediates and roots of thousands of chains are parsed once.
var parsed = struct {
	sync.Mutex
	young, old map[string]*x509.Certificate
}{young: map[string]*x509.Certificate{}, old: map[string]*x509.Certificate{}}

// parsedBlocks parses each block as one certificate, from the cache when it
// can; false when a block does not parse as exactly one certificate.
func parsedBlocks(blocks [][]byte) ([]*x509.Certificate, bool) {
	if len(blocks) == 0 {
		return nil, false
	}
	out := make([]*x509.Certificate, 0, len(blocks))
	for _, b := range blocks {
		parsed.Lock()
		c, ok := parsed.young[string(b)]
		if !ok {
			if c, ok = parsed.old[string(b)]; ok {
				parsed.young[string(b)] = c
			}
		}
		parsed.Unlock()
		if !ok {
			var err error
			if c, err = x509.ParseCertificate(b); err != nil {
				return nil, false
			}
			parsed.Lock()
			if len(parsed.young) >= certTermsSize/2 {
				parsed.old, parsed.young = parsed.young, make(map[string]*x509.Certificate, certTermsSize/2)
			}
			parsed.young[string(b)] = c
			parsed.Unlock()
		}
		out = append(out, c)
	}
	return out, true
}

func stringOperand(t *ast.Term) (string, error) {
	s, ok := t.Value.(ast.String)
	if !ok {
		return "", fmt.Errorf("operand 1 must be string but got %s", ast.ValueName(t.Value))
	}
	return string(s), nil
}

func builtinParseCertificates(_ topdown.BuiltinContext, operands []*ast.Term, iter func(*ast.Term) error) error {
	s, err := stringOperand(operands[0])
	if err != nil {
		return err
	}
	certs, err := certsFromString(s)
	if err != nil {
		return err
	}
	terms := make([]*ast.Term, 0, len(certs))
	for _, c := range certs {
		v, err := extendedTerms.value(c)
		if err != nil {
			return err
		}
		terms = append(terms, ast.NewTerm(v))
	}
	return iter(ast.ArrayTerm(terms...))
}

var keyUsages = map[string]x509.ExtKeyUsage{
	"KeyUsageAny":                            x509.ExtKeyUsageAny,
	"KeyUsageServerAuth":                     x509.ExtKeyUsageServerAuth,
	"KeyUsageClientAuth":                     x509.ExtKeyUsageClientAuth,
	"KeyUsageCodeSigning":                    x509.ExtKeyUsageCodeSigning,
	"KeyUsageEmailProtection":                x509.ExtKeyUsageEmailProtection,
	"KeyUsageIPSECEndSystem":                 x509.ExtKeyUsageIPSECEndSystem,
	"KeyUsageIPSECTunnel":                    x509.ExtKeyUsageIPSECTunnel,
	"KeyUsageIPSECUser":                      x509.ExtKeyUsageIPSECUser,
	"KeyUsageTimeStamping":                   x509.ExtKeyUsageTimeStamping,
	"KeyUsageOCSPSigning":                    x509.ExtKeyUsageOCSPSigning,
	"KeyUsageMicrosoftServerGatedCrypto":     x509.ExtKeyUsageMicrosoftServerGatedCrypto,
	"KeyUsageNetscapeServerGatedCrypto":      x509.ExtKeyUsageNetscapeServerGatedCrypto,
	"KeyUsageMicrosoftCommercialCodeSigning": x509.ExtKeyUsageMicrosoftCommercialCodeSigning,
	"KeyUsageMicrosoftKernelCodeSigning":     x509.ExtKeyUsageMicrosoftKernelCodeSigning,
}

func verifyOptions(obj ast.Object) (x509.VerifyOptions, error) {
	var vo x509.VerifyOptions
	for _, k := range obj.Keys() {
		ks, ok := k.Value.(ast.String)
		if !ok {
			continue
		}
		v := obj.Get(k).Value
		switch string(ks) {
		case "DNSName":
			s, ok := v.(ast.String)
			if !ok {
				return vo, errors.New("'DNSName' should be a string")
			}
			vo.DNSName = strings.Trim(string(s), "\"")
		case "CurrentTime":
			n, ok := v.(ast.Number)
			if !ok {
				return vo, errors.New("'CurrentTime' should be a number")
			}
			ns, ok := n.Int64()
			if !ok {
				return vo, errors.New("'CurrentTime' should be a valid int64 number")
			}
			vo.CurrentTime = time.Unix(0, ns)
		case "MaxConstraintComparisons":
			n, ok := v.(ast.Number)
			if !ok {
				return vo, errors.New("'MaxConstraintComparisons' should be a number")
			}
			c, ok := n.Int()
			if !ok {
				return vo, errors.New("'MaxConstraintComparisons' should be a valid number")
			}
			vo.MaxConstraintComparisions = c
		case "KeyUsages":
			var invalid []string
			each := func(t *ast.Term) {
				if u, ok := t.Value.(ast.String); ok {
					name := strings.Trim(string(u), "\"")
					if ku, ok := keyUsages[name]; ok {
						vo.KeyUsages = append(vo.KeyUsages, ku)
					} else {
						invalid = append(invalid, name)
					}
				}
			}
			switch t := v.(type) {
			case *ast.Array:
				t.Foreach(each)
			case ast.Set:
				t.Foreach(each)
			default:
				return vo, errors.New("'KeyUsages' should be an Array or Set")
			}
			if len(invalid) > 0 {
				return x509.VerifyOptions{}, fmt.Errorf("invalid entries for 'KeyUsages' found: %s", invalid)
			}
		default:
			return vo, errors.New("invalid key option")
		}
	}
	return vo, nil
}

func notVerified(iter func(*ast.Term) error) error {
	return iter(ast.ArrayTerm(ast.InternedTerm(false), ast.InternedEmptyArray))
}

func builtinParseAndVerifyWithOptions(_ topdown.BuiltinContext, operands []*ast.Term, iter func(*ast.Term) error) error {
	s, err := stringOperand(operands[0])
	if err != nil {
		return err
	}
	obj, ok := operands[1].Value.(ast.Object)
	if !ok {
		return fmt.Errorf("operand 2 must be object but got %s", ast.ValueName(operands[1].Value))
	}
	certs, err := certsFromString(s)
	if err != nil {
		return notVerified(iter)
	}
	vo, err := verifyOptions(obj)
	if err != nil {
		return err
	}
	if len(certs) < 2 {
		return notVerified(iter)
	}
	roots, inter := x509.NewCertPool(), x509.NewCertPool()
	roots.AddCert(certs[0])
	for _, c := range certs[1 : len(certs)-1] {
		inter.AddCert(c)
	}
	vo.Roots, vo.Intermediates = roots, inter
	chains, err := certs[len(certs)-1].Verify(vo)
	if err != nil {
		return notVerified(iter)
	}
	terms := make([]*ast.Term, 0, len(chains[0]))
	for _, c := range chains[0] {
		v, err := plainTerms.value(c)
		if err != nil {
			return err
		}
		terms = append(terms, ast.NewTerm(v))
	}
	return iter(ast.ArrayTerm(ast.InternedTerm(true), ast.ArrayTerm(terms...)))
}
