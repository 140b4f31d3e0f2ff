package scan

import (
	"context"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	toolscache "k8s.io/client-go/tools/cache"

	"github.com/tlsguard/tlsguard/pkg/logging"
)

// driftKey names an object that changed between full scans.
type driftKey struct {
	gvk     schema.GroupVersionKind
	key     types.NamespacedName
	uid     string
	deleted bool
}

// Handler returns informer event handlers that queue changed objects for
// re-evaluation within seconds (drift detection between full scans).
func (s *Scanner) Handler() toolscache.ResourceEventHandler {
	enqueue := func(obj any, deleted bool) {
		if d, ok := obj.(toolscache.DeletedFinalStateUnknown); ok {
			obj = d.Obj
		}
		// The informers cache identities (metav1.PartialObjectMetadata,
		// see webhook.CacheOptions); full objects work too.
		m, ok := obj.(metav1.Object)
		if !ok {
			return
		}
		r, ok := obj.(runtime.Object)
		if !ok {
			return
		}
		k := driftKey{gvk: r.GetObjectKind().GroupVersionKind(), key: types.NamespacedName{Namespace: m.GetNamespace(), Name: m.GetName()}, uid: string(m.GetUID()), deleted: deleted}
		select {
		case s.drift <- k:
		default:
			// Queue full: the next full scan catches up.
			s.deps.Metrics.driftDropped.Inc()
		}
	}
	return toolscache.ResourceEventHandlerFuncs{
		UpdateFunc: func(_, obj any) { enqueue(obj, false) },
		DeleteFunc: func(obj any) { enqueue(obj, true) },
	}
}

// handleDrift waits DriftDelay to batch bursts, then re-evaluates each
// changed object from the API server, or removes the report of a deleted
// one. Objects other policies read (Settings, the rancher Deployment,
// tls-ca) change the results of others: those trigger a full scan.
func (s *Scanner) handleDrift(ctx context.Context, first driftKey) {
	batch := map[driftKey]bool{first: true}
	timer := time.NewTimer(s.opts.DriftDelay)
	defer timer.Stop()
collect:
	for {
		select {
		case k := <-s.drift:
			batch[k] = true
		case <-timer.C:
			break collect
		case <-ctx.Done():
			return
		}
	}
	full := false
	for k := range batch {
		if affectsOthers(k) {
			full = true
		}
	}
	if full {
		if _, err := s.ScanOnce(ctx); err != nil && ctx.Err() == nil {
			s.deps.Log.Error(err, "drift scan failed")
		}
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.scans.Load()
	log := s.deps.Log.WithValues(logging.ScanID, id, "drift", true)
	for k := range batch {
		if k.deleted {
			s.cache.delete(k.uid)
			s.deleteReport(ctx, k.uid, log)
			s.deps.Metrics.forgetObject(k.uid)
			continue
		}
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(k.gvk)
		if err := s.deps.Reader.Get(ctx, k.key, u); err != nil {
			log.Error(err, "drift get failed", logging.ResourceKind, k.gvk.Kind, logging.Name, k.key.String())
			continue
		}
		if _, err := s.evaluate(ctx, u, id); err != nil {
			log.Error(err, "drift evaluation failed", logging.ResourceKind, k.gvk.Kind, logging.Name, k.key.String())
		}
	}
	findings, _ := s.cache.findings()
	s.deps.Metrics.setViolations(findings)
}

// affectsOthers is true for objects that other objects' policies consult.
func affectsOthers(k driftKey) bool {
	switch {
	case k.gvk.Group == "management.cattle.io" && k.gvk.Kind == "Setting":
		return true
	case k.gvk.Kind == "Deployment" && k.key.Namespace == "cattle-system" && k.key.Name == "rancher":
		return true
	case k.gvk.Kind == "Secret" && k.key.Namespace == "cattle-system" && k.key.Name == "tls-ca":
		return true
	case k.gvk.Group == "cert-manager.io":
		return true
	}
	return false
}
