// Command tlsguard keeps the TLS link between Rancher and its agents secure:
// it scans manifests offline, and (later) serves an admission webhook and a
// cluster scanner, all through one Rego policy engine.
package main

import (
	"context"
	"fmt"
	"os"
	"os/signal"
	"syscall"

	"github.com/tlsguard/tlsguard/cmd/tlsguard/app"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	cmd := app.NewRootCommand(app.IO{In: os.Stdin, Out: os.Stdout, Err: os.Stderr})
	err := cmd.ExecuteContext(ctx)
	stop()
	code := app.ExitCode(err)
	if err != nil && !app.IsSilent(err) {
		fmt.Fprintln(os.Stderr, "tlsguard:", err)
	}
	os.Exit(code)
}
