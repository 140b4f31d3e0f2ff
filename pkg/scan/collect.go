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

// Collect lists every guarded object of the cluster at cfg, for a one-shot
// `tlsguard scan --cluster`. When progress is non-nil (a terminal) a
// one-line counter is redrawn on it.
func Collect(ctx context.Context, cfg *rest.Config, pageSize int64, progress io.Writer) ([]manifest.Object, ListStats, error) {
	c, err := client.New(cfg, client.Options{})
	if err != nil {
		return nil, ListStats{}, fmt.Errorf("cluster client: %w", err)
	}
	var objs []manifest.Object
	last := time.Time{}
	st, err := ListGuarded(ctx, c, pageSize, func(u *unstructured.Unstructured) error {
		u.SetManagedFields(nil)
		objs = append(objs, manifest.Object{Object: u.Object})
		if progress != nil && time.Since(last) > 100*time.Millisecond {
			fmt.Fprintf(progress, "\rlisting guarded objects: %d (%s)   ", len(objs), u.GetKind())
			last = time.Now()
		}
		return nil
	})
	if progress != nil {
		fmt.Fprintf(progress, "\rlisted %d guarded objects in %d requests            \n", len(objs), st.Requests)
	}
	if err != nil {
		return nil, st, err
	}
	return objs, st, nil
}
