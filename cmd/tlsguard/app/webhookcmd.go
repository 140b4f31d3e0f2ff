package app

import (
	"os"

	"github.com/spf13/cobra"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"

	"github.com/tlsguard/tlsguard/webhook"
)

// NewWebhookCommand builds `tlsguard webhook`.
func NewWebhookCommand(streams IO) *cobra.Command {
	cmd := &cobra.Command{Use: "webhook", Short: "Webhook configuration helpers"}
	var o webhook.ConfigOptions
	var failurePolicy, caFile string
	manifest := &cobra.Command{
		Use:   "manifest",
		Short: "Print the ValidatingWebhookConfiguration (the guarded kinds, names and namespaces)",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			o.FailurePolicy = admissionregistrationv1.FailurePolicyType(failurePolicy)
			if caFile != "" {
				b, err := os.ReadFile(caFile)
				if err != nil {
					return err
				}
				o.CABundle = b
			}
			out, err := webhook.Manifest(o)
			if err != nil {
				return err
			}
			_, err = streams.Out.Write(out)
			return err
		},
	}
	f := manifest.Flags()
	f.StringVar(&o.Name, "name", "tlsguard", "configuration name")
	f.StringVar(&o.ServiceNamespace, "service-namespace", "tlsguard-system", "namespace of the webhook Service")
	f.StringVar(&o.ServiceName, "service-name", "tlsguard-webhook", "name of the webhook Service")
	f.StringVar(&o.URL, "url", "", "webhook URL instead of a Service (e.g. https://127.0.0.1:9443/validate)")
	f.StringVar(&caFile, "ca-bundle", "", "PEM file for clientConfig.caBundle")
	f.StringVar(&failurePolicy, "failure-policy", "Fail", "Fail or Ignore")
	f.Int32Var(&o.TimeoutSeconds, "timeout-seconds", 3, "timeoutSeconds")
	cmd.AddCommand(manifest)
	return cmd
}
