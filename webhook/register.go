package webhook

import (
	"context"
	"fmt"

	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"sigs.k8s.io/controller-runtime/pkg/client"
)

// Register creates or updates the ValidatingWebhookConfiguration built from
// o, as local mode (--register-webhook) does.
func Register(ctx context.Context, c client.Client, o ConfigOptions) error {
	want := Configuration(o)
	var have admissionregistrationv1.ValidatingWebhookConfiguration
	err := c.Get(ctx, client.ObjectKey{Name: want.Name}, &have)
	switch {
	case apierrors.IsNotFound(err):
		if err := c.Create(ctx, want); err != nil {
			return fmt.Errorf("create ValidatingWebhookConfiguration %s: %w", want.Name, err)
		}
		return nil
	case err != nil:
		return fmt.Errorf("get ValidatingWebhookConfiguration %s: %w", want.Name, err)
	}
	have.Webhooks = want.Webhooks
	have.Labels = want.Labels
	if err := c.Update(ctx, &have); err != nil {
		return fmt.Errorf("update ValidatingWebhookConfiguration %s: %w", want.Name, err)
	}
	return nil
}
