package policyreport

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Apply makes the report in the cluster equal to want: created when
// missing, updated when its results differ (timestamps aside), left alone
// otherwise; with empty is true the report is deleted instead (no policy
// applies any more). It returns the operation done: "create", "update",
// "delete" or "".
func Apply(ctx context.Context, c client.Client, want *unstructured.Unstructured, empty bool) (string, error) {
	have := &unstructured.Unstructured{}
	have.SetGroupVersionKind(want.GroupVersionKind())
	err := c.Get(ctx, client.ObjectKeyFromObject(want), have)
	switch {
	case apierrors.IsNotFound(err):
		if empty {
			return "", nil
		}
		if err := c.Create(ctx, want); err != nil && !apierrors.IsAlreadyExists(err) {
			return "", fmt.Errorf("create %s %s: %w", want.GetKind(), want.GetName(), err)
		}
		return "create", nil
	case err != nil:
		return "", fmt.Errorf("get %s %s: %w", want.GetKind(), want.GetName(), err)
	case empty:
		if err := c.Delete(ctx, have); client.IgnoreNotFound(err) != nil {
			return "", fmt.Errorf("delete %s %s: %w", have.GetKind(), have.GetName(), err)
		}
		return "delete", nil
	case SameContent(have, want):
		return "", nil
	}
	want.SetResourceVersion(have.GetResourceVersion())
	if err := c.Update(ctx, want); err != nil {
		return "", fmt.Errorf("update %s %s: %w", want.GetKind(), want.GetName(), err)
	}
	return "update", nil
}
