package inventory

import (
	"sync"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
)

// Value converts a decoded object (maps, slices, strings and JSON scalars)
// to the AST that data.inventory holds, equal to ast.InterfaceToValue's.
//
// The inventory keeps every guarded object for the life of the process
// (10,000 TLS Secrets are ~26 MB of AST), and many of its terms repeat:
// field names, apiVersion, kind, type, namespaces. Value shares one term for
// each such short string instead of allocating it per object. AST terms are never modified
// once built (OPA shares its own interned terms the same way), so sharing
// them between objects is safe.
func Value(v any) (ast.Value, error) {
	t, err := term(v, false)
	if err != nil {
		return nil, err
	}
	return t.Value, nil
}

func term(v any, shared bool) (*ast.Term, error) {
	switch x := v.(type) {
	case map[string]any:
		items := make([][2]*ast.Term, 0, len(x))
		for k, e := range x {
			et, err := term(e, sharedValues[k])
			if err != nil {
				return nil, err
			}
			items = append(items, [2]*ast.Term{interned(k), et})
		}
		return ast.NewTerm(ast.NewObject(items...)), nil
	case []any:
		terms := make([]*ast.Term, len(x))
		for i, e := range x {
			et, err := term(e, false)
			if err != nil {
				return nil, err
			}
			terms[i] = et
		}
		return ast.NewTerm(ast.NewArray(terms...)), nil
	case string:
		if shared {
			return interned(x), nil
		}
		return ast.StringTerm(x), nil
	}
	// Numbers, booleans, null: OPA's own conversion, so they are exactly
	// what it gives (ints, floats and json.Number each have their rules).
	val, err := ast.InterfaceToValue(v)
	if err != nil {
		return nil, err
	}
	return ast.NewTerm(val), nil
}

// sharedValues are the fields whose values repeat across objects; the
// values of others (names, UIDs, versions, timestamps, data) are mostly
// distinct and get their own terms.
var sharedValues = map[string]bool{"apiVersion": true, "kind": true, "type": true, "namespace": true}

// Strings up to internMaxLen bytes share a term, up to internMaxEntries of
// them: field names and the short values that repeat across objects. The
// bound keeps a cluster with many distinct short strings (names, UIDs) from
// growing the table without limit; past it strings get their own term.
const (
	internMaxLen     = 64
	internMaxEntries = 1 << 14
)

var (
	internTable sync.Map // string -> *ast.Term
	internCount atomic.Int64
)

func interned(s string) *ast.Term {
	if len(s) > internMaxLen {
		return ast.StringTerm(s)
	}
	if t, ok := internTable.Load(s); ok {
		return t.(*ast.Term)
	}
	t := ast.StringTerm(s)
	if internCount.Load() >= internMaxEntries {
		return t
	}
	if prev, loaded := internTable.LoadOrStore(s, t); loaded {
		return prev.(*ast.Term)
	}
	internCount.Add(1)
	return t
}
