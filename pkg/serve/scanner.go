package serve

import (
	"os"
	"strings"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/policyreport"
	"github.com/tlsguard/tlsguard/pkg/scan"
)

// newScanner builds the scanner from the flags; nil when --scan-interval=0
// and no --scan-schedule.
func newScanner(o *options.Serve, mgr manager.Manager, holder *policy.Holder, writer *inventory.StoreWriter, reg prometheus.Registerer, log logr.Logger) (*scan.Scanner, error) {
	if o.ScanInterval == 0 && o.ScanSchedule == "" {
		return nil, nil
	}
	format := policyreport.Format(o.ReportFormat)
	if o.ReportFormat == "none" {
		format = ""
	}
	clock := o.Engine.Clock()
	return scan.New(scan.Options{
		Interval: o.ScanInterval, Schedule: o.ScanSchedule, PageSize: o.ScanPageSize,
		Workers: o.ScanWorkers, ReportFormat: format, EventInterval: o.EventInterval,
	}, scan.Deps{
		Evaluator:           holder,
		PolicySet:           func() any { return holder.Load() },
		Reader:              mgr.GetAPIReader(),
		Writer:              mgr.GetClient(),
		InventoryGeneration: writer.Generation,
		Policies:            holder.Load().Policies(),
		//nolint:staticcheck // core/v1 Events are what kubectl describe shows
		Events:  &scan.Events{Recorder: mgr.GetEventRecorderFor("tlsguard"), Interval: o.EventInterval, Now: clock},
		Metrics: scan.NewMetrics(reg),
		Log:     log.WithName("scan"),
		Now:     clock,
	})
}

// leaderElectionNamespace is the flag, else the pod's namespace, else
// kube-system (local mode).
func leaderElectionNamespace(flag string) string {
	if flag != "" {
		return flag
	}
	if b, err := os.ReadFile("/var/run/secrets/kubernetes.io/serviceaccount/namespace"); err == nil {
		if ns := strings.TrimSpace(string(b)); ns != "" {
			return ns
		}
	}
	return "kube-system"
}
