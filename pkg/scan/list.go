package scan

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/api/meta"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/guarded"
)

// DefaultPageSize is how many objects one list request returns.
const DefaultPageSize = 500

// ListStats counts what a list pass did.
type ListStats struct {
	Requests int
	Objects  int
	Skipped  []schema.GroupVersionKind // kinds the cluster does not serve
}

// ListGuarded lists every guarded object through r in pages of pageSize,
// calling fn for each. Kinds whose CRD is not installed are skipped (and
// reported in the stats); any other error stops the list.
func ListGuarded(ctx context.Context, r client.Reader, pageSize int64, fn func(obj *unstructured.Unstructured) error) (ListStats, error) {
	return walk(ctx, r, pageSize, func(gvk schema.GroupVersionKind) client.ObjectList {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(listGVK(gvk))
		return l
	}, func(gvk schema.GroupVersionKind, l client.ObjectList, st *ListStats) error {
		list := l.(*unstructured.UnstructuredList)
		for i := range list.Items {
			obj := &list.Items[i]
			// List items carry no apiVersion/kind in some clients; the
			// review needs them.
			obj.SetGroupVersionKind(gvk)
			st.Objects++
			if err := fn(obj); err != nil {
				return err
			}
		}
		return nil
	})
}

// ListGuardedMetadata lists only the metadata of every guarded object
// (PartialObjectMetadata: no data is sent or decoded), in pages. A re-scan
// uses it to find the objects whose resourceVersion changed.
func ListGuardedMetadata(ctx context.Context, r client.Reader, pageSize int64, fn func(gvk schema.GroupVersionKind, m *metav1.PartialObjectMetadata) error) (ListStats, error) {
	return walk(ctx, r, pageSize, func(gvk schema.GroupVersionKind) client.ObjectList {
		l := &metav1.PartialObjectMetadataList{}
		l.SetGroupVersionKind(listGVK(gvk))
		return l
	}, func(gvk schema.GroupVersionKind, l client.ObjectList, st *ListStats) error {
		list := l.(*metav1.PartialObjectMetadataList)
		for i := range list.Items {
			st.Objects++
			if err := fn(gvk, &list.Items[i]); err != nil {
				return err
			}
		}
		return nil
	})
}

func listGVK(gvk schema.GroupVersionKind) schema.GroupVersionKind {
	return gvk.GroupVersion().WithKind(gvk.Kind + "List")
}

// walk lists every guarded kind in each of its namespaces (all namespaces
// when it names none), page by page, handing each page to each. A kind the
// cluster does not serve is recorded in the stats and skipped.
func walk(ctx context.Context, r client.Reader, pageSize int64,
	newList func(schema.GroupVersionKind) client.ObjectList,
	each func(schema.GroupVersionKind, client.ObjectList, *ListStats) error,
) (ListStats, error) {
	if pageSize <= 0 {
		pageSize = DefaultPageSize
	}
	var st ListStats
	for _, set := range guarded.Resources {
		namespaces := set.Namespaces
		if len(namespaces) == 0 {
			namespaces = []string{""}
		}
		for _, gvk := range set.GVKs() {
			for _, ns := range namespaces {
				err := pages(ctx, r, ns, pageSize, &st, func() client.ObjectList { return newList(gvk) },
					func(l client.ObjectList) error { return each(gvk, l, &st) })
				if meta.IsNoMatchError(err) {
					st.Skipped = append(st.Skipped, gvk)
					break
				}
				if err != nil {
					return st, fmt.Errorf("list %s in %q: %w", gvk.Kind, ns, err)
				}
			}
		}
	}
	return st, nil
}

// pages lists newList() in namespace ns page by page, handing each page to
// each.
func pages(ctx context.Context, r client.Reader, ns string, pageSize int64, st *ListStats, newList func() client.ObjectList, each func(client.ObjectList) error) error {
	cont := ""
	for {
		list := newList()
		opts := []client.ListOption{client.Limit(pageSize)}
		if ns != "" {
			opts = append(opts, client.InNamespace(ns))
		}
		if cont != "" {
			opts = append(opts, client.Continue(cont))
		}
		st.Requests++
		if err := r.List(ctx, list, opts...); err != nil {
			return err
		}
		if err := each(list); err != nil {
			return err
		}
		if cont = list.GetContinue(); cont == "" {
			return nil
		}
	}
}
