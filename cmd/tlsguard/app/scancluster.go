package app

import (
	"context"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/tlsguard/tlsguard/pkg/audit"
	"github.com/tlsguard/tlsguard/pkg/manifest"
	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/scan"
	"github.com/tlsguard/tlsguard/pkg/serve"
)

// scanInput opens the scan input: files and stdin, decoded on each pass of
// the scan so that no pass holds them all, or with --cluster the guarded
// objects of a live cluster, listed on each pass for the same reason
// (progress on stderr when it is a terminal).
func scanInput(ctx context.Context, streams IO, o *options.Scan, args []string) (audit.Source, error) {
	if !o.Cluster {
		set, err := manifest.Open(args, streams.In)
		if err != nil {
			return nil, err
		}
		return set.Each, nil
	}
	cfg, err := serve.RESTConfig(o.Kubeconfig, o.Context)
	if err != nil {
		return nil, err
	}
	var progress io.Writer
	if f, ok := streams.Err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		progress = f
	}
	cs, err := scan.NewClusterSource(cfg, o.PageSize, progress)
	if err != nil {
		return nil, err
	}
	return func(fn func(manifest.Object) error) error { return cs.Each(ctx, fn) }, nil
}
