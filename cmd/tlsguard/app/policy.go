package app

import (
	"fmt"
	"io/fs"
	"os"

	"github.com/spf13/cobra"

	"github.com/tlsguard/tlsguard/pkg/catalog"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/policytest"
	"github.com/tlsguard/tlsguard/policies"
)

// NewPolicyCommand builds `tlsguard policy` and its subcommands.
func NewPolicyCommand(streams IO) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "policy",
		Short: "Test, list and document policies",
	}
	cmd.AddCommand(newPolicyTestCommand(streams), newPolicyListCommand(streams), newPolicyDocsCommand(streams))
	return cmd
}

// loadSource parses the built-in library, or DIR when given.
func loadSource(args []string) (*policy.Source, fs.FS, error) {
	fsys, where, err := policyFS(args)
	if err != nil {
		return nil, nil, err
	}
	src, err := policy.ParseFS(fsys)
	if err != nil {
		return nil, nil, fmt.Errorf("load %s: %w", where, err)
	}
	return src, fsys, nil
}

func policyFS(args []string) (fs.FS, string, error) {
	if len(args) == 0 {
		return policies.FS, "built-in policies", nil
	}
	info, err := os.Stat(args[0])
	if err != nil {
		return nil, "", err
	}
	if !info.IsDir() {
		return nil, "", fmt.Errorf("%s: not a directory", args[0])
	}
	return os.DirFS(args[0]), args[0], nil
}

func newPolicyTestCommand(streams IO) *cobra.Command {
	var run string
	var noFixtures bool
	cmd := &cobra.Command{
		Use:   "test [DIR]",
		Short: "Run the Rego unit tests and fixtures of the built-in library or of DIR",
		Long: `Run every test_ rule in *_test.rego through OPA's tester, with the test
certificates mounted at data.testcerts, then evaluate every fixture under
<policy>/testdata/{allowed,denied} through the engine. Prints PASS/FAIL per
test; exits 1 if any failed, 2 if the policies do not load.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			src, fsys, err := loadSource(args)
			if err != nil {
				return err
			}
			units, err := policytest.Unit(cmd.Context(), src, run)
			if err != nil {
				return err
			}
			failed := 0
			for _, u := range units {
				status := "PASS"
				switch {
				case u.Error != "":
					status, failed = "ERROR", failed+1
				case u.Skip:
					status = "SKIP"
				case !u.Pass:
					status, failed = "FAIL", failed+1
				}
				fmt.Fprintf(streams.Out, "%-5s %s.%s (%s:%d)\n", status, u.Package, u.Name, u.File, u.Line)
				if u.Error != "" {
					fmt.Fprintf(streams.Out, "      %s\n", u.Error)
				}
			}
			total := len(units)
			if !noFixtures {
				fixtures, err := policytest.FindFixtures(fsys)
				if err != nil {
					return err
				}
				results, err := policytest.Fixtures(cmd.Context(), fsys, src, fixtures)
				if err != nil {
					return err
				}
				for _, r := range results {
					status := "PASS"
					if !r.Pass {
						status, failed = "FAIL", failed+1
					}
					fmt.Fprintf(streams.Out, "%-5s fixture %s (%s)\n", status, r.File, r.Expect)
					if !r.Pass {
						fmt.Fprintf(streams.Out, "      %s\n", r.Reason)
					}
				}
				total += len(results)
			}
			fmt.Fprintf(streams.Out, "\n%d passed, %d failed\n", total-failed, failed)
			if failed > 0 {
				return &ExitError{Code: ExitViolations}
			}
			return nil
		},
	}
	cmd.Flags().StringVar(&run, "run", "", "only Rego tests whose name matches this regular expression")
	cmd.Flags().BoolVar(&noFixtures, "no-fixtures", false, "run only the Rego unit tests")
	return cmd
}

func newPolicyListCommand(streams IO) *cobra.Command {
	return &cobra.Command{
		Use:   "list [DIR]",
		Short: "List the policies with their severity and default action",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			src, _, err := loadSource(args)
			if err != nil {
				return err
			}
			for _, md := range src.Policies {
				fmt.Fprintf(streams.Out, "%-28s %-8s %-6s %s\n", md.ID, md.Severity, md.Action, md.Title)
			}
			return nil
		},
	}
}

func newPolicyDocsCommand(streams IO) *cobra.Command {
	return &cobra.Command{
		Use:   "docs [DIR]",
		Short: "Print the policy catalogue (Markdown) generated from the policies' METADATA",
		Args:  cobra.MaximumNArgs(1),
		RunE: func(_ *cobra.Command, args []string) error {
			src, _, err := loadSource(args)
			if err != nil {
				return err
			}
			_, err = streams.Out.Write(catalog.Markdown(src.Policies))
			return err
		},
	}
}
