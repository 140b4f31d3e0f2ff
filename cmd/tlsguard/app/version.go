package app

import (
	"fmt"
	"runtime/debug"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X .../app.version=v1.2.3".
var version = "dev"

// NewVersionCommand builds `tlsguard version`.
func NewVersionCommand(streams IO) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version and the OPA version it embeds",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			opa := "unknown"
			if bi, ok := debug.ReadBuildInfo(); ok {
				for _, d := range bi.Deps {
					if d.Path == "github.com/open-policy-agent/opa" {
						opa = d.Version
					}
				}
			}
			_, err := fmt.Fprintf(streams.Out, "tlsguard %s (opa %s)\n", version, opa)
			return err
		},
	}
}
