package webhook

import (
	"context"
	"fmt"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	toolscache "k8s.io/client-go/tools/cache"
	"sigs.k8s.io/controller-runtime/pkg/cache"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/inventory"
)

// CacheOptions limits the manager's cache to the guarded namespaces and
// strips key material and managedFields before anything is cached: private
// keys never sit in tlsguard's memory beyond the request that carries them.
func CacheOptions() cache.Options {
	by := map[client.Object]cache.ByObject{}
	for _, g := range GuardedResources {
		if len(g.Namespaces) == 0 {
			continue
		}
		ns := map[string]cache.Config{}
		for _, n := range g.Namespaces {
			ns[n] = cache.Config{}
		}
		for _, gvk := range g.GVKs() {
			u := &unstructured.Unstructured{}
			u.SetGroupVersionKind(gvk)
			by[u] = cache.ByObject{Namespaces: ns}
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

// SyncInventory starts informers for every guarded kind on c and mirrors the
// objects into w (data.inventory). Kinds whose CRD is not installed (for
// example cert-manager's) are skipped and logged; it returns the informers
// started so readiness can wait for them to sync.
//
// extra handlers (the scanner's drift detection) are added to every informer.
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
			put := func(obj any) {
				if u, ok := obj.(*unstructured.Unstructured); ok {
					if err := w.Put(ctx, u.Object); err != nil {
						log.Error(err, "inventory update failed", "gvk", gvk.String(), "name", u.GetName())
					}
				}
			}
			_, err = inf.AddEventHandler(toolscache.ResourceEventHandlerFuncs{
				AddFunc:    put,
				UpdateFunc: func(_, obj any) { put(obj) },
				DeleteFunc: func(obj any) {
					if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
						obj = d.Obj
					}
					if u, ok := obj.(*unstructured.Unstructured); ok {
						if err := w.Delete(ctx, u.Object); err != nil {
							log.Error(err, "inventory delete failed", "gvk", gvk.String(), "name", u.GetName())
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
