package app

import (
	"encoding/hex"
	"errors"
	"fmt"
	"os"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"

	"github.com/tlsguard/tlsguard/pkg/probe"
	"github.com/tlsguard/tlsguard/pkg/report"
)

// probeFlags are the flags of `tlsguard probe`.
type probeFlags struct {
	CACertsFile string
	Checksum    string
	Now         string
	Timeout     time.Duration
	HTTPPort    int
	SystemRoots bool
	Output      string

	now    time.Time
	target probe.Target
}

func newProbeFlags() *probeFlags {
	return &probeFlags{Timeout: probe.DefaultTimeout, HTTPPort: probe.DefaultHTTPPort, SystemRoots: true, Output: "table"}
}

func (o *probeFlags) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.CACertsFile, "cacerts", o.CACertsFile, "PEM file of the cacerts Setting: the CA agents trust in strict mode")
	fs.StringVar(&o.Checksum, "checksum", o.Checksum, "the agents' CATTLE_CA_CHECKSUM (hex sha256) that /cacerts must match")
	fs.StringVar(&o.Now, "now", o.Now, "judge certificates at this RFC 3339 time instead of the current time")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "time limit of the whole probe")
	fs.IntVar(&o.HTTPPort, "http-port", o.HTTPPort, "plain-HTTP port checked for content served without a redirect to https (0: skip the check)")
	fs.BoolVar(&o.SystemRoots, "system-roots", o.SystemRoots, "also verify the chain against the operating system's root CAs")
	fs.StringVarP(&o.Output, "output", "o", o.Output, "output format: "+strings.Join(report.Formats(), "|"))
}

func (o *probeFlags) Validate(args []string) error {
	if len(args) != 1 {
		return errors.New("want exactly one URL, e.g. https://rancher.example.com")
	}
	t, err := probe.ParseTarget(args[0])
	if err != nil {
		return err
	}
	o.target = t
	if _, err := report.Get(o.Output); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if o.Now != "" {
		if o.now, err = time.Parse(time.RFC3339, o.Now); err != nil {
			return fmt.Errorf("--now %q: want RFC 3339, e.g. 2026-12-01T00:00:00Z", o.Now)
		}
	}
	if o.Checksum != "" {
		if b, err := hex.DecodeString(o.Checksum); err != nil || len(b) != 32 {
			return fmt.Errorf("--checksum %q: want 64 hex digits (sha256)", o.Checksum)
		}
	}
	if o.Timeout <= 0 {
		return fmt.Errorf("--timeout %s: must be positive", o.Timeout)
	}
	if o.HTTPPort < 0 || o.HTTPPort > 65535 {
		return fmt.Errorf("--http-port %d: want 0 to 65535", o.HTTPPort)
	}
	return nil
}

// options builds the probe options; now is the wall clock unless --now.
func (o *probeFlags) options(now time.Time) (probe.Options, error) {
	opts := probe.Options{
		ExpectedChecksum:   o.Checksum,
		DisableSystemRoots: !o.SystemRoots,
		Now:                now,
		Timeout:            o.Timeout,
		HTTPPort:           o.HTTPPort,
		SkipHTTP:           o.HTTPPort == 0,
	}
	if !o.now.IsZero() {
		opts.Now = o.now
	}
	if o.CACertsFile != "" {
		b, err := os.ReadFile(o.CACertsFile)
		if err != nil {
			return opts, fmt.Errorf("--cacerts: %w", err)
		}
		opts.CACerts = string(b)
	}
	return opts, nil
}

// NewProbeCommand builds `tlsguard probe`.
func NewProbeCommand(streams IO) *cobra.Command {
	o := newProbeFlags()
	cmd := &cobra.Command{
		Use:   "probe URL",
		Short: "Probe a live Rancher endpoint the way an agent connects to it",
		Long: `Connect to Rancher's server-url as cattle-cluster-agent does and report, as
policy endpoint-tls: the TLS version and cipher suite (and whether TLS below
1.2 or weak suites are also accepted), the presented chain verified against
the cacerts CA only (strict mode; --cacerts, or the /cacerts body when it
matches --checksum) and against the system roots, the hostname, the leaf's
expiry and age, whether GET /cacerts returns the CA whose checksum agents pin,
and whether plain http:// serves content without redirecting to https.
No credentials are sent. See docs/probe.md.

Exit status: 0 no fail or error result; 1 at least one; 2 usage or runtime
error.`,
		Example: `  tlsguard probe https://rancher.example.com
  kubectl get setting cacerts -o jsonpath='{.value}' > cacerts.pem
  tlsguard probe --cacerts cacerts.pem --checksum "$CATTLE_CA_CHECKSUM" -o json https://rancher.example.com`,
		PreRunE: func(_ *cobra.Command, args []string) error { return o.Validate(args) },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runProbe(cmd, streams, o)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

func runProbe(cmd *cobra.Command, streams IO, o *probeFlags) error {
	opts, err := o.options(time.Now())
	if err != nil {
		return err
	}
	res, err := probe.Probe(cmd.Context(), o.target, opts)
	if errors.Is(err, probe.ErrInvalidCACerts) {
		return fmt.Errorf("--cacerts %s: %w", o.CACertsFile, err)
	}
	if err != nil {
		return err
	}
	rep := report.New(opts.Now, 1, res.Findings(opts), true)
	return writeReport(streams, o.Output, rep)
}
