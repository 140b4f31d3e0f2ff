package scan

import (
	"context"
	"fmt"
	"io"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/manifest"
)

// ClusterSource reads the guarded objects of the cluster at cfg for a
// one-shot `tlsguard scan --cluster`. Each call lists them again, page by
// page, and hands every object to fn without keeping it, so a scan that
// reads it twice (audit.ScanSource: inventory, then evaluation) holds one
// page of full objects at a time instead of the whole cluster. The cluster
// may change between two calls; scan it with audit.Options.Live.
//
// When progress is non-nil (a terminal) a one-line counter is redrawn on it,
// labelled with the pass (1: inventory, 2: evaluation).
type ClusterSource struct {
	c        client.Reader
	pageSize int64
	progress io.Writer
	pass     int
}

// NewClusterSource connects to the cluster at cfg.
func NewClusterSource(cfg *rest.Config, pageSize int64, progress io.Writer) (*ClusterSource, error) {
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, fmt.Errorf("cluster client: %w", err)
	}
	return &ClusterSource{c: c, pageSize: pageSize, progress: progress}, nil
}

// Each lists the guarded objects and calls fn with each; it is an
// audit.Source.
func (s *ClusterSource) Each(ctx context.Context, fn func(manifest.Object) error) error {
	s.pass++
	label := "reading the inventory"
	if s.pass > 1 {
		label = "evaluating"
	}
	n := 0
	last := time.Time{}
	st, err := ListGuarded(ctx, s.c, s.pageSize, func(u *unstructured.Unstructured) error {
		u.SetManagedFields(nil)
		n++
		if s.progress != nil && time.Since(last) > 100*time.Millisecond {
			fmt.Fprintf(s.progress, "\r%s: %d guarded objects (%s)   ", label, n, u.GetKind())
			last = time.Now()
		}
		return fn(manifest.Object{Object: u.Object})
	})
	if s.progress != nil {
		fmt.Fprintf(s.progress, "\r%s: %d guarded objects, %d requests            \n", label, n, st.Requests)
	}
	return err
}
