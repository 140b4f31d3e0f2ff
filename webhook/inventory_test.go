package webhook

import (
	"context"
	"testing"

	"github.com/go-logr/logr/testr"
	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/policy"
)

func secret(uid, crt string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
		"metadata": map[string]any{"name": "tls-ca", "namespace": "cattle-system", "uid": uid, "resourceVersion": "7",
			"creationTimestamp": "2026-01-01T00:00:00Z"},
		"data": map[string]any{"cacerts.pem": crt, "tls.key": "c2VjcmV0"},
	}}
}

// stored reads the inventory's tls-ca, or nil.
func stored(t *testing.T, s storage.Store) ast.Object {
	t.Helper()
	v, err := storage.ReadOne(context.Background(), s, storage.Path{"inventory", "namespace", "cattle-system", "v1", "Secret", "tls-ca"})
	if storage.IsNotFound(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return v.(ast.Object)
}

func TestInventoryTransform(t *testing.T) {
	store := policy.NewStore()
	w := &inventory.StoreWriter{Store: store}
	tr := inventoryTransform(w, testr.New(t))

	out, err := tr(secret("uid-1", "Y2E="))
	if err != nil {
		t.Fatal(err)
	}
	// The informer keeps the identity only (typed metadata, nothing
	// else); the inventory the object, without its key.
	id, ok := out.(*metav1.PartialObjectMetadata)
	if !ok {
		t.Fatalf("informer copy is a %T, want the identity", out)
	}
	if id.Name != "tls-ca" || id.Namespace != "cattle-system" || id.UID != "uid-1" || id.ResourceVersion != "7" || id.Kind != "Secret" || id.APIVersion != "v1" ||
		id.Labels != nil || id.Annotations != nil || id.ManagedFields != nil {
		t.Fatalf("informer copy: %+v", id)
	}
	obj := stored(t, store)
	if obj == nil || obj.Get(ast.StringTerm("data")).Value.(ast.Object).Get(ast.StringTerm("cacerts.pem")) == nil {
		t.Fatalf("inventory: %v", obj)
	}
	if obj.Get(ast.StringTerm("data")).Value.(ast.Object).Get(ast.StringTerm("tls.key")) != nil {
		t.Fatal("inventory holds tls.key")
	}
	gen := w.Generation()

	// Idempotent: an identity passed again writes nothing.
	if again, err := tr(id); err != nil || again != any(id) {
		t.Fatalf("identity transformed again: %v, %v", again, err)
	}
	if w.Generation() != gen || stored(t, store).Get(ast.StringTerm("data")) == nil {
		t.Fatal("the identity overwrote the stored object")
	}

	// Recreated under the same name: the old object's deletion, delivered
	// late (the informer hands over its cached identity), leaves the new
	// one; the new one's deletion removes it.
	if _, err := tr(secret("uid-2", "bmV3")); err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	ref, ok := reference(id)
	if !ok {
		t.Fatal("no reference for an identity")
	}
	if err := w.Delete(ctx, ref); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, store); got == nil {
		t.Fatal("deleting the old object removed the recreated one")
	}
	if err := w.Delete(ctx, secret("uid-2", "").Object); err != nil {
		t.Fatal(err)
	}
	if got := stored(t, store); got != nil {
		t.Fatalf("still stored after its deletion: %v", got)
	}
	// Deleting what is not there is not an error.
	if err := w.Delete(ctx, secret("uid-3", "").Object); err != nil {
		t.Fatal(err)
	}
}
