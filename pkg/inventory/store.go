package inventory

import (
	"context"
	"fmt"
	"sync/atomic"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/storage"

	"github.com/tlsguard/tlsguard/pkg/review"
)

// StoreWriter mirrors single objects into data.inventory of an OPA store,
// as informers report them. Secrets are stripped of key material first.
type StoreWriter struct {
	Store storage.Store
	gen   atomic.Uint64
}

// Generation counts the changes written; results computed at one
// generation stay valid while it does not move.
func (w *StoreWriter) Generation() uint64 { return w.gen.Load() }

// Path is where obj lives in data.inventory.
func Path(obj map[string]any) (storage.Path, error) {
	k, name, ns, err := review.Identify(obj)
	if err != nil {
		return nil, err
	}
	if ns == "" {
		return storage.Path{"inventory", "cluster", k.GroupVersion(), k.Kind, name}, nil
	}
	return storage.Path{"inventory", "namespace", ns, k.GroupVersion(), k.Kind, name}, nil
}

// Put adds or replaces obj.
func (w *StoreWriter) Put(ctx context.Context, obj map[string]any) error {
	p, err := Path(obj)
	if err != nil {
		return err
	}
	v, err := Value(Strip(obj))
	if err != nil {
		return fmt.Errorf("inventory %s: %w", p, err)
	}
	defer w.gen.Add(1)
	return storage.Txn(ctx, w.Store, storage.WriteParams, func(txn storage.Transaction) error {
		if err := storage.MakeDir(ctx, w.Store, txn, p[:len(p)-1]); err != nil {
			return fmt.Errorf("inventory %s: %w", p, err)
		}
		return w.Store.Write(ctx, txn, storage.AddOp, p, v)
	})
}

// Delete removes obj; removing an absent object is not an error. When obj
// has a metadata.uid, a stored object with another UID (the same name,
// recreated since) is left in place: informers may deliver the deletion of
// the old object after the new one was stored.
func (w *StoreWriter) Delete(ctx context.Context, obj map[string]any) error {
	p, err := Path(obj)
	if err != nil {
		return err
	}
	uid := uidOf(obj)
	defer w.gen.Add(1)
	err = storage.Txn(ctx, w.Store, storage.WriteParams, func(txn storage.Transaction) error {
		if uid != "" {
			stored, err := w.Store.Read(ctx, txn, p)
			if err != nil {
				return err
			}
			if s := storedUID(stored); s != "" && s != uid {
				return nil
			}
		}
		return w.Store.Write(ctx, txn, storage.RemoveOp, p, nil)
	})
	if storage.IsNotFound(err) {
		return nil
	}
	return err
}

func uidOf(obj map[string]any) string {
	meta, _ := obj["metadata"].(map[string]any)
	uid, _ := meta["uid"].(string)
	return uid
}

// storedUID is metadata.uid of a value read from the store (AST or Go).
func storedUID(v any) string {
	switch t := v.(type) {
	case map[string]any:
		return uidOf(t)
	case ast.Object:
		meta := t.Get(ast.StringTerm("metadata"))
		if meta == nil {
			return ""
		}
		if m, ok := meta.Value.(ast.Object); ok {
			if uid := m.Get(ast.StringTerm("uid")); uid != nil {
				if s, ok := uid.Value.(ast.String); ok {
					return string(s)
				}
			}
		}
	}
	return ""
}
