package inventory_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/open-policy-agent/opa/v1/ast"
	k8sjson "sigs.k8s.io/json"

	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/manifest"
)

// TestValueMatchesInterfaceToValue: the inventory's compact AST is equal to
// OPA's conversion, for objects as the CLI decodes them (YAML: float64
// numbers) and as informers decode them (JSON: int64 and float64), and for
// the bundled example Rancher state.
func TestValueMatchesInterfaceToValue(t *testing.T) {
	raw := `{"apiVersion":"apps/v1","kind":"Deployment","metadata":{"name":"a","namespace":"cattle-system","labels":{"app":"x"},"generation":3},
		"spec":{"replicas":2,"ratio":0.5,"big":12345678901234567890,"paused":false,"nothing":null,"list":[1,"two",{"three":3.25},[],{}],
		"template":{"spec":{"containers":[{"name":"c","env":[{"name":"STRICT_VERIFY","value":"true"},{"name":"N","valueFrom":{"secretKeyRef":{"name":"s","key":"k"}}}]}]}}},
		"type":"kubernetes.io/tls","data":{"tls.crt":"` + strings.Repeat("QUJD", 300) + `"}}`
	var informer map[string]any
	if err := k8sjson.UnmarshalCaseSensitivePreserveInts([]byte(raw), &informer); err != nil {
		t.Fatal(err)
	}
	var plain map[string]any
	if err := json.Unmarshal([]byte(raw), &plain); err != nil {
		t.Fatal(err)
	}
	var number map[string]any
	d := json.NewDecoder(strings.NewReader(raw))
	d.UseNumber()
	if err := d.Decode(&number); err != nil {
		t.Fatal(err)
	}
	objects := map[string]any{"informer (int64)": informer, "encoding/json (float64)": plain, "json.Number": number}
	examples, err := manifest.Read([]string{"../../examples"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, o := range examples {
		objects[o.File+":"+o.Object["kind"].(string)+"/"+o.Object["metadata"].(map[string]any)["name"].(string)] = o.Object
	}
	objects["whole inventory document"] = func() map[string]any {
		inv := inventory.New()
		for _, o := range examples {
			inv.Add(o.Object)
		}
		return inv.Document()
	}()
	for name, o := range objects {
		want, err := ast.InterfaceToValue(o)
		if err != nil {
			t.Fatal(err)
		}
		got, err := inventory.Value(o)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if ast.Compare(want, got) != 0 {
			t.Errorf("%s: Value differs from ast.InterfaceToValue:\n got %v\nwant %v", name, got, want)
		}
	}
	if len(objects) < 10 {
		t.Fatalf("only %d objects compared; examples not found?", len(objects))
	}
}
