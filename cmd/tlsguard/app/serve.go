package app

import (
	"github.com/spf13/cobra"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"

	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/serve"
)

// NewServeCommand builds `tlsguard serve`.
func NewServeCommand(streams IO) *cobra.Command {
	o := options.NewServe()
	var debug bool
	cmd := &cobra.Command{
		Use:   "serve",
		Short: "Run the admission webhook (and health, readiness and metrics endpoints)",
		Long: `Run tlsguard in a cluster: a validating admission webhook at /validate that
refuses TLS-weakening edits of the guarded Rancher objects, with /healthz,
/readyz (ready once policies compiled and the inventory informers synced) and
Prometheus /metrics.

Local mode, for demos and tests: --register-webhook with --webhook-addr
127.0.0.1:PORT creates a self-signed serving certificate when --cert-dir has
none, registers the ValidatingWebhookConfiguration with url
https://127.0.0.1:PORT/validate and the matching caBundle, serves until
interrupted, and removes the configuration on exit.`,
		Example: `  tlsguard serve --kubeconfig kubeconfig --webhook-addr 127.0.0.1:9443 \
    --cert-dir /tmp/tlsguard-certs --register-webhook`,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return o.Validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			log := zap.New(zap.WriteTo(streams.Err), zap.UseDevMode(debug))
			ctrl.SetLogger(log)
			return serve.Run(cmd.Context(), o, log)
		},
	}
	o.AddFlags(cmd.Flags())
	cmd.Flags().BoolVar(&debug, "debug", false, "human-readable debug logs instead of JSON")
	return cmd
}
