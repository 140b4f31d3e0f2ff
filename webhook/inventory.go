package webhook

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/inventory"
)

// CacheOptions limits the manager's cache to the guarded namespaces and
// strips key material and managedFields before anything is cached: private
// keys never sit in tlsguard's memory beyond the request that carries them.
//
// The guarded kinds' informers keep one copy of each object, in
// data.inventory: their transform writes the stripped object to w and
// leaves only its identity (apiVersion, kind, name, namespace, uid,
// resourceVersion) in the informer's own cache, which nothing reads
// objects from (the scanner reads the API server, drift detection needs
// the identity only). Transforms run in the order the informer receives
// events, before its handlers; deletions reach w through the handlers
// SyncInventory adds. Errors writing w are logged on log.
func CacheOptions(w *inventory.StoreWriter, log logr.Logger) cache.Options {
	by := map[client.Object]cache.ByObject{}
	feed := inventoryTransform(w, log)
	for _, g := range GuardedResources {
		var ns map[string]cache.Config
		if len(g.Namespaces) > 0 {
			ns = map[string]cache.Config{}
			for _, n := range g.Namespaces {
				ns[n] = cache.Config{}
			}
		}
		for _, gvk := range g.GVKs() {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			by[u] = cache.ByObject{Namespaces: ns, Transform: feed}
		}
	}
	return cache.Options{ByObject: by, DefaultTransform: stripTransform}
}

func stripTransform(obj any) (any, error) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return obj, nil
	}
	u.Object = inventory.Strip(u.Object)
	return u, nil
}

// inventoryTransform writes each object the informer receives to w and
// returns its identity for the informer's cache. Informers may pass an
// object through the transform again (client-go requires transforms to be
// idempotent): an identity is returned as it is. An informer also passes
// the final state of a deleted object through its transform; writing it
// again is harmless, as the deletion handler removes it right after.
func inventoryTransform(w *inventory.StoreWriter, log logr.Logger) toolscache.TransformFunc {
	return func(obj any) (any, error) {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return obj, nil
		}
		if err := w.Put(context.Background(), u.Object); err != nil {
			log.Error(err, "inventory update failed", "gvk", u.GroupVersionKind().String(), "name", u.GetName())
		}
		return identity(u), nil
	}
}

// identity is u reduced to what names it, as the typed metadata-only object
// (a few hundred bytes, where the same fields in unstructured maps cost
// twice that per cached object).
func identity(u *unstructured.Unstructured) *metav1.PartialObjectMetadata {
	return &metav1.PartialObjectMetadata{
		TypeMeta: metav1.TypeMeta{APIVersion: u.GetAPIVersion(), Kind: u.GetKind()},
		ObjectMeta: metav1.ObjectMeta{
			Name: u.GetName(), Namespace: u.GetNamespace(), UID: u.GetUID(), ResourceVersion: u.GetResourceVersion(),
		},
	}
}

// reference is what StoreWriter.Delete needs of a deleted object: its
// apiVersion, kind, name, namespace and UID.
func reference(obj any) (map[string]any, bool) {
	switch o := obj.(type) {
	case *unstructured.Unstructured:
		return o.Object, true
	case *metav1.PartialObjectMetadata:
		meta := map[string]any{"name": o.Name}
		if o.Namespace != "" {
			meta["namespace"] = o.Namespace
		}
		if o.UID != "" {
			meta["uid"] = string(o.UID)
		}
		return map[string]any{"apiVersion": o.APIVersion, "kind": o.Kind, "metadata": meta}, true
	}
	return nil, false
}

// SyncInventory starts informers for every guarded kind on c and mirrors the
// objects into w (data.inventory). Kinds whose CRD is not installed (for
// example cert-manager's) are skipped and logged; it returns the informers
// started so readiness can wait for them to sync.
//
// extra handlers (the scanner's drift detection) are added to every informer.
//
// c must be built with CacheOptions(w, ...): its transforms write added and
// updated objects to w; the handlers added here remove deleted ones.
func SyncInventory(ctx context.Context, c cache.Cache, w *inventory.StoreWriter, log logr.Logger, extra ...toolscache.ResourceEventHandler) ([]toolscache.SharedIndexInformer, error) {
	var started []toolscache.SharedIndexInformer
	for _, g := range GuardedResources {
		for _, gvk := range g.GVKs() {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			inf, err := c.GetInformer(ctx, u, cache.BlockUntilSynced(false))
			if err != nil {
				if meta.IsNoMatchError(err) {
					log.Info("guarded kind not served by this cluster; not watched", "gvk", gvk.String())
					continue
				}
				return nil, fmt.Errorf("informer for %s: %w", gvk, err)
			}
			// Adds and updates reached w through the transform.
			_, err = inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
				DeleteFunc: func(obj any) {
					if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
						obj = d.Obj
					}
					if ref, ok := reference(obj); ok {
						if err := w.Delete(ctx, ref); err != nil {
							m, _ := obj.(metav1.Object)
							log.Error(err, "inventory delete failed", "gvk", gvk.String(), "namespace", m.GetNamespace(), "name", m.GetName())
						}
					}
				},
			})
			if err != nil {
				return nil, fmt.Errorf("watch %s: %w", gvk, err)
			}
			for _, h := range extra {
				if _, err := inf.AddEventHandler(h); err != nil {
					return nil, fmt.Errorf("watch %s: %w", gvk, err)
				}
			}
			if si, ok := inf.(toolscache.SharedIndexInformer); ok {
				started = append(started, si)
			}
		}
	}
	return started, nil
}
