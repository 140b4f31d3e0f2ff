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
}

// NewScan returns the defaults: table output, one worker per CPU.
func NewScan() *Scan {
	return &Scan{Engine: NewEngine(), Output: "table"}
}

// AddFlags registers the flags on fs.
func (o *Scan) AddFlags(fs *pflag.FlagSet) {
	o.Engine.AddFlags(fs)
	fs.StringVarP(&o.Output, "output", "o", o.Output, "output format: "+strings.Join(report.Formats(), "|"))
	fs.BoolVar(&o.ShowPassed, "show-passed", o.ShowPassed, "list pass results too (they are always counted in the summary)")
	fs.IntVar(&o.Workers, "workers", o.Workers, "objects evaluated in parallel (0: one per CPU)")
}

// Validate checks the flag values.
func (o *Scan) Validate(args []string) error {
	if len(args) == 0 {
		return errors.New("no input: give files, directories or - for stdin")
	}
	if _, err := report.Get(o.Output); err != nil {
		return fmt.Errorf("--output: %w", err)
	}
	if o.Workers < 0 {
		return fmt.Errorf("--workers %d: must be >= 0", o.Workers)
	}
	return o.Engine.Validate()
}
