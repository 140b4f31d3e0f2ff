package app

import (
	"context"
	"io"
	"os"

	"golang.org/x/term"

	"github.com/tlsguard/tlsguard/pkg/manifest"
	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/scan"
	"github.com/tlsguard/tlsguard/pkg/serve"
)

// readObjects reads the scan input: files and stdin, or with --cluster the
// guarded objects of a live cluster (progress on stderr when it is a
// terminal).
func readObjects(ctx context.Context, streams IO, o *options.Scan, args []string) ([]manifest.Object, error) {
	if !o.Cluster {
		return manifest.Read(args, streams.In)
	}
	cfg, err := serve.RESTConfig(o.Kubeconfig, o.Context)
	if err != nil {
		return nil, err
	}
	var progress io.Writer
	if f, ok := streams.Err.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		progress = f
	}
	objs, _, err := scan.Collect(ctx, cfg, o.PageSize, progress)
	return objs, err
}
