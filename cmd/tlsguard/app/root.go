// Package app holds tlsguard's cobra commands: flags, help text and exit
// codes. The work is done by packages under pkg/.
package app

import (
	"errors"
	"fmt"
	"io"

	"github.com/spf13/cobra"
)

// Exit codes, documented in the README.
const (
	ExitOK         = 0 // nothing failed
	ExitViolations = 1 // a deny policy failed, or a guarded object could not be evaluated
	ExitUsage      = 2 // usage, input or runtime error
)

// IO are the streams a command reads and writes, injectable for tests.
type IO struct {
	In  io.Reader
	Out io.Writer
	Err io.Writer
}

// ExitError carries a process exit code out of RunE; only main exits.
type ExitError struct {
	Code int
	Err  error // nil when the command already printed what it had to say
}

func (e *ExitError) Error() string {
	if e.Err == nil {
		return fmt.Sprintf("exit status %d", e.Code)
	}
	return e.Err.Error()
}

func (e *ExitError) Unwrap() error { return e.Err }

// ExitCode maps a command error to the process exit status: nil is 0, an
// ExitError its code, anything else (usage, input, runtime) 2.
func ExitCode(err error) int {
	if err == nil {
		return ExitOK
	}
	var ee *ExitError
	if errors.As(err, &ee) {
		return ee.Code
	}
	return ExitUsage
}

// IsSilent reports whether main should print nothing for err.
func IsSilent(err error) bool {
	var ee *ExitError
	return errors.As(err, &ee) && ee.Err == nil
}

// NewRootCommand builds the tlsguard command tree.
func NewRootCommand(streams IO) *cobra.Command {
	root := &cobra.Command{
		Use:   "tlsguard",
		Short: "Policy-as-code guard for the TLS link between Rancher and its agents",
		Long: `tlsguard evaluates Rego policies against the Kubernetes objects Rancher's agents
trust the Rancher server through: the agent-tls-mode, cacerts and server-url
Settings, the TLS Secrets in cattle-system, the agents' env, fleet's
agentTLSMode and clusters' agentEnvVars.`,
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetIn(streams.In)
	root.SetOut(streams.Out)
	root.SetErr(streams.Err)
	root.AddCommand(
		NewScanCommand(streams),
		NewProbeCommand(streams),
		NewPolicyCommand(streams),
		NewServeCommand(streams),
		NewWebhookCommand(streams),
		NewBenchCommand(streams),
		NewVersionCommand(streams),
	)
	withProfiles(root, &profiles{})
	return root
}
