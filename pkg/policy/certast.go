package policy

import (
	"encoding"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/open-policy-agent/opa/v1/ast"
)

// OPA's x509 built-ins return a certificate as ast.InterfaceToValue of the
// Go struct: a JSON round trip (encoding/json, then decoding with
// json.Number) turned into AST. That costs ~85 µs and ~57 KB per
// certificate, more than parsing it, and every Secret of a scan brings a new
// leaf. certAST builds the same value directly from the struct, following
// encoding/json's rules for the types a certificate holds; anything it does
// not know (a float, a map, a json tag) is an error, and the caller falls
// back to OPA's path. TestCertASTMatchesJSON compares both on certificates
// that use every field.

var errUnsupported = errors.New("type not handled by the direct AST encoder")

var (
	jsonMarshaler = reflect.TypeFor[json.Marshaler]()
	textMarshaler = reflect.TypeFor[encoding.TextMarshaler]()
	bigIntPtr     = reflect.TypeFor[*big.Int]()
	timeType      = reflect.TypeFor[time.Time]()
)

// certAST returns the AST of v as ast.InterfaceToValue would give it.
func certAST(v any) (ast.Value, error) {
	return encodeAST(reflect.ValueOf(v))
}

func encodeAST(v reflect.Value) (ast.Value, error) {
	if !v.IsValid() {
		return ast.Null{}, nil
	}
	t := v.Type()
	// encoding/json checks the marshaler interfaces before the kind; a nil
	// pointer is null whatever it implements.
	switch {
	case t == bigIntPtr:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		return ast.Number(v.Interface().(*big.Int).String()), nil
	case t == timeType:
		b, err := v.Interface().(time.Time).MarshalJSON()
		if err != nil {
			return nil, err
		}
		s, err := strconv.Unquote(string(b)) // RFC 3339: nothing to unescape
		if err != nil {
			return nil, err
		}
		return ast.String(s), nil
	case t.Implements(jsonMarshaler), v.CanAddr() && reflect.PointerTo(t).Implements(jsonMarshaler):
		if t.Kind() == reflect.Pointer && v.IsNil() {
			return ast.Null{}, nil
		}
		return nil, fmt.Errorf("%s: %w", t, errUnsupported)
	case t.Implements(textMarshaler):
		if t.Kind() == reflect.Pointer && v.IsNil() {
			return ast.Null{}, nil
		}
		return textAST(v.Interface().(encoding.TextMarshaler))
	case v.CanAddr() && reflect.PointerTo(t).Implements(textMarshaler):
		return textAST(v.Addr().Interface().(encoding.TextMarshaler))
	}
	switch t.Kind() {
	case reflect.Bool:
		return ast.Boolean(v.Bool()), nil
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return ast.Number(strconv.FormatInt(v.Int(), 10)), nil
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return ast.Number(strconv.FormatUint(v.Uint(), 10)), nil
	case reflect.String:
		return ast.String(validUTF8(v.String())), nil
	case reflect.Interface, reflect.Pointer:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		return encodeAST(v.Elem())
	case reflect.Slice:
		if v.IsNil() {
			return ast.Null{}, nil
		}
		if t.Elem().Kind() == reflect.Uint8 && !reflect.PointerTo(t.Elem()).Implements(jsonMarshaler) && !reflect.PointerTo(t.Elem()).Implements(textMarshaler) {
			return ast.String(base64.StdEncoding.EncodeToString(v.Bytes())), nil
		}
		return arrayAST(v)
	case reflect.Array:
		return arrayAST(v)
	case reflect.Struct:
		return structAST(v)
	}
	return nil, fmt.Errorf("%s: %w", t, errUnsupported)
}

func textAST(m encoding.TextMarshaler) (ast.Value, error) {
	b, err := m.MarshalText()
	if err != nil {
		return nil, err
	}
	return ast.String(validUTF8(string(b))), nil
}

func arrayAST(v reflect.Value) (ast.Value, error) {
	terms := make([]*ast.Term, v.Len())
	for i := range terms {
		e, err := encodeAST(v.Index(i))
		if err != nil {
			return nil, err
		}
		terms[i] = ast.NewTerm(e)
	}
	return ast.NewArray(terms...), nil
}

func structAST(v reflect.Value) (ast.Value, error) {
	fields, err := jsonFields(v.Type())
	if err != nil {
		return nil, err
	}
	items := make([][2]*ast.Term, 0, len(fields))
	for _, f := range fields {
		fv, err := v.FieldByIndexErr(f.index)
		if err != nil {
			// A nil embedded pointer: encoding/json leaves its fields out.
			continue
		}
		e, err := encodeAST(fv)
		if err != nil {
			return nil, err
		}
		items = append(items, [2]*ast.Term{f.key, ast.NewTerm(e)})
	}
	return ast.NewObject(items...), nil
}

type jsonField struct {
	key   *ast.Term // the field's name, shared by every object of the type (terms are immutable)
	index []int
}

var fieldCache sync.Map // reflect.Type -> []jsonField

// jsonFields lists the fields encoding/json writes for struct type t:
// exported fields, those of embedded structs promoted as Go promotes them
// (reflect.VisibleFields applies the same shadowing), by their Go names. A
// json tag is not handled.
func jsonFields(t reflect.Type) ([]jsonField, error) {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]jsonField), nil
	}
	var out []jsonField
	for _, f := range reflect.VisibleFields(t) {
		if f.Tag.Get("json") != "" {
			return nil, fmt.Errorf("%s.%s has a json tag: %w", t, f.Name, errUnsupported)
		}
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if f.Anonymous && ft.Kind() == reflect.Struct {
			continue // its fields are listed (promoted) on their own
		}
		if !f.IsExported() {
			continue
		}
		out = append(out, jsonField{key: ast.StringTerm(f.Name), index: f.Index})
	}
	fieldCache.Store(t, out)
	return out, nil
}

// validUTF8 is s as encoding/json writes it: each byte that is not part of a
// valid UTF-8 sequence becomes U+FFFD.
func validUTF8(s string) string {
	if utf8.ValidString(s) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && size == 1 {
			b.WriteRune(utf8.RuneError)
		} else {
			b.WriteString(s[i : i+size])
		}
		i += size
	}
	return b.String()
}
