package options

import (
	"errors"
	"fmt"
	"strings"

	"github.com/spf13/pflag"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// Scan are the flags of `tlsguard scan`.
type Scan struct {
	Engine     *Engine
	Output     string
	ShowPassed bool
	Workers    int
	// Cluster scans the guarded objects of a live cluster instead of files.
	Cluster    bool
	Kubeconfig string
	Context    string
	PageSize   int64
}

// NewScan returns the defaults: table output, one worker per CPU.
func NewScan() *Scan {
	return &Scan{Engine: NewEngine(), Output: "table", PageSize: 500}
}

// AddFlags registers the flags on fs.
func (o *Scan) AddFlags(fs *pflag.FlagSet) {
	o.Engine.AddFlags(fs)
	fs.StringVarP(&o.Output, "output", "o", o.Output, "output format: "+strings.Join(report.Formats(), "|"))
	fs.BoolVar(&o.ShowPassed, "show-passed", o.ShowPassed, "list pass results too (they are always counted in the summary)")
	fs.IntVar(&o.Workers, "workers", o.Workers, "objects evaluated in parallel (0: one per CPU)")
	fs.BoolVar(&o.Cluster, "cluster", o.Cluster, "scan the guarded objects of a live cluster instead of files")
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "kubeconfig for --cluster (default: $KUBECONFIG, ~/.kube/config or in-cluster)")
	fs.StringVar(&o.Context, "context", o.Context, "kubeconfig context for --cluster")
	fs.Int64Var(&o.PageSize, "page-size", o.PageSize, "objects per list request for --cluster")
}

// Validate checks the flag values.
func (o *Scan) Validate(args []string) error {
	switch {
	case o.Cluster && len(args) > 0:
		return errors.New("--cluster scans a live cluster: give no paths")
	case !o.Cluster && len(args) == 0:
		return errors.New("no input: give files, directories, - for stdin, or --cluster")
	case !o.Cluster && (o.Kubeconfig != "" || o.Context != ""):
		return errors.New("--kubeconfig and --context need --cluster")
	}
	if _, err := report.Get(o.Output); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if o.Workers < 0 {
		return fmt.Errorf("--workers %d: must be >= 0", o.Workers)
	}
	return o.Engine.Validate()
}
