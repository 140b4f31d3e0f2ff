package policy

import (
	"strconv"
	"strings"
	"sync"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/topdown"
)

// memoized are pure built-ins whose cost is dominated by turning Go's
// x509.Certificate into JSON and then into AST (~150µs and ~130KB for a
// two-certificate chain). Several certificate policies parse the same
// tls.crt of the same object one after the other, so the engine answers
// repeats from a small cache. The results are the built-ins' own, so the
// policies behave exactly as in OPA or Gatekeeper.
var memoized = []string{
	"crypto.x509.parse_certificates",
	"crypto.x509.parse_and_verify_certificates",
	"crypto.x509.parse_and_verify_certificates_with_options",
}

// memoSize bounds the cache: the repeats come within one object's
// evaluation, so a few entries per worker are enough, and certificate ASTs
// are large.
const memoSize = 64

var registerMemo sync.Once

// opaBuiltins keeps OPA's own implementations of the built-ins replaced in
// x509builtins.go, so tests can compare the two.
var opaBuiltins = map[string]topdown.BuiltinFunc{}

// memo is a two-generation cache: when the young generation is full it
// becomes the old one, so memory stays bounded without per-entry bookkeeping.
type memo struct {
	mu         sync.Mutex
	young, old map[string]*ast.Term
}

func (m *memo) get(k string) (*ast.Term, bool) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if t, ok := m.young[k]; ok {
		return t, true
	}
	if t, ok := m.old[k]; ok {
		m.young[k] = t
		return t, true
	}
	return nil, false
}

func (m *memo) put(k string, t *ast.Term) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.young) >= memoSize/2 {
		m.old, m.young = m.young, make(map[string]*ast.Term, memoSize/2)
	}
	m.young[k] = t
}

// installMemo wraps the memoized built-ins once per process, before any
// evaluation (topdown's registry is not safe to change concurrently).
func installMemo() {
	registerMemo.Do(func() {
		for _, name := range []string{"crypto.x509.parse_certificates", "crypto.x509.parse_and_verify_certificates_with_options"} {
			opaBuiltins[name] = topdown.GetBuiltin(name)
		}
		topdown.RegisterBuiltinFunc("crypto.x509.parse_certificates", builtinParseCertificates)
		topdown.RegisterBuiltinFunc("crypto.x509.parse_and_verify_certificates_with_options", builtinParseAndVerifyWithOptions)
		for _, name := range memoized {
			orig := topdown.GetBuiltin(name)
			if orig == nil {
				continue
			}
			arity := 1
			if bi, ok := ast.BuiltinMap[name]; ok {
				arity = bi.Decl.Arity()
			}
			m := &memo{young: map[string]*ast.Term{}, old: map[string]*ast.Term{}}
			topdown.RegisterBuiltinFunc(name, func(bctx topdown.BuiltinContext, operands []*ast.Term, iter func(*ast.Term) error) error {
				key, ok := memoKey(operands, arity)
				if !ok {
					return orig(bctx, operands, iter)
				}
				if t, hit := m.get(key); hit {
					return iter(t)
				}
				// Capture the output before continuing: the continuation may
				// return an error (OPA's early exit does), which must not stop
				// the result from being cached.
				var out *ast.Term
				if err := orig(bctx, operands, func(t *ast.Term) error {
					out = t
					return nil
				}); err != nil {
					return err
				}
				if out == nil {
					return nil // undefined
				}
				m.put(key, out)
				return iter(out)
			})
		}
	})
}

// memoKey is the text of the declared arguments when all are ground (topdown
// passes the output term after them); the options object of the
// _with_options variant (CurrentTime included) is part of the key.
func memoKey(operands []*ast.Term, arity int) (string, bool) {
	if len(operands) < arity || arity == 0 {
		return "", false
	}
	var key strings.Builder
	for _, op := range operands[:arity] {
		if !op.IsGround() {
			return "", false
		}
		// Strings (PEM bundles of several KB) are keyed by their bytes:
		// quoting them, as String() does, costs more than the lookup saves.
		// The tag keeps a string apart from another value printing alike.
		if s, ok := op.Value.(ast.String); ok {
			key.WriteString("s")
			key.WriteString(strconv.Itoa(len(s)))
			key.WriteString(":")
			key.WriteString(string(s))
		} else {
			key.WriteString("v")
			key.WriteString(op.Value.String())
		}
		key.WriteString("\x00")
	}
	return key.String(), true
}
