package app

import (
	"github.com/spf13/cobra"

	"github.com/tlsguard/tlsguard/pkg/audit"
	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/report"
)

// NewScanCommand builds `tlsguard scan`.
func NewScanCommand(streams IO) *cobra.Command {
	o := options.NewScan()
	cmd := &cobra.Command{
		Use:   "scan [PATH...]",
		Short: "Scan manifests (files, directories, - for stdin) against the policies",
		Long: `Scan Kubernetes manifests offline: GitOps repositories, helm template output,
kubectl get -o yaml dumps. Files and directories are read recursively (.yaml,
.yml, .json; multi-document; kind: List is expanded); - reads stdin. Every
object scanned is also the inventory the policies consult (for example the
server-url Setting when checking an agent's CATTLE_SERVER).

Exit status: 0 no failing result of a deny policy; 1 at least one, or an
object that could not be evaluated; 2 usage or input error.`,
		Example: `  tlsguard scan examples/rancher/
  helm template rancher rancher-latest/rancher | tlsguard scan -o json -
  kubectl get settings.management.cattle.io -o yaml | tlsguard scan -`,
		PreRunE: func(_ *cobra.Command, args []string) error { return o.Validate(args) },
		RunE: func(cmd *cobra.Command, args []string) error {
			return runScan(cmd, streams, o, args)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func runScan(cmd *cobra.Command, streams IO, o *options.Scan, args []string) error {
	ctx := cmd.Context()
	input, err := scanInput(ctx, streams, o, args)
	if err != nil {
		return err
	}
	engine, err := o.Engine.Build(ctx)
	if err != nil {
		return err
	}
	rep, err := audit.ScanSource(ctx, engine, input, engine.Now(), audit.Options{Workers: o.Workers, ShowPassed: o.ShowPassed, Live: o.Cluster})
	if err != nil {
		return err
	}
	var policies []report.PolicyInfo
	for _, md := range engine.Policies() {
		if _, enabled := engine.Settings(md.ID); enabled {
			policies = append(policies, report.PolicyInfo{
				ID: md.ID, Title: md.Title, Description: md.Description,
				Severity: md.Severity, Remediation: md.Remediation, Docs: md.Docs,
			})
		}
	}
	rep.WithPolicies(policies)
	return writeReport(streams, o.Output, rep)
}

// writeReport prints rep in format (validated in PreRunE) and maps a failed
// report to exit status 1.
func writeReport(streams IO, format string, rep *report.ScanReport) error {
	w, _ := report.Get(format)
	if err := w.Write(streams.Out, rep); err != nil {
		return err
	}
	if rep.Failed() {
		return &ExitError{Code: ExitViolations}
	}
	return nil
}
