package policy

import (
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
	young, old map[memoKey]*ast.Term
}

func (m *memo) get(k memoKey) (*ast.Term, bool) {
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

func (m *memo) put(k memoKey, t *ast.Term) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if len(m.young) >= memoSize/2 {
		m.old, m.young = m.young, make(map[memoKey]*ast.Term, memoSize/2)
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
			m := &memo{young: map[memoKey]*ast.Term{}, old: map[memoKey]*ast.Term{}}
			topdown.RegisterBuiltinFunc(name, func(bctx topdown.BuiltinContext, operands []*ast.Term, iter func(*ast.Term) error) error {
				key, ok := newMemoKey(operands, arity)
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

// memoKey identifies a call by its declared arguments, when all are ground
// (topdown passes the output term after them); the options object of the
// _with_options variant (CurrentTime included) is part of the key. A
// string argument (a PEM bundle of several KB) is the string itself,
// shared, not copied: building a key text per call cost more than the
// lookup saved. Other arguments are their Rego text; str tells the two
// apart.
type memoKey struct {
	n    int
	args [maxMemoArity]string
	str  [maxMemoArity]bool
}

// maxMemoArity is the largest arity among the memoized built-ins.
const maxMemoArity = 2

func newMemoKey(operands []*ast.Term, arity int) (memoKey, bool) {
	if len(operands) < arity || arity == 0 || arity > maxMemoArity {
		return memoKey{}, false
	}
	k := memoKey{n: arity}
	for i, op := range operands[:arity] {
		if !op.IsGround() {
			return memoKey{}, false
		}
		if s, ok := op.Value.(ast.String); ok {
			k.args[i], k.str[i] = string(s), true
		} else {
			k.args[i] = op.Value.String()
		}
	}
	return k, true
}
