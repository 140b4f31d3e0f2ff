package app

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"runtime/pprof"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// profiles are the hidden developer flags --profile-cpu and --profile-heap
// (see DEVELOPMENT.md): profile any command, e.g. a scan of a large fleet.
type profiles struct {
	CPU, Heap string
	cpuFile   *os.File
}

// AddFlags registers the flags on fs, hidden from help.
func (p *profiles) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&p.CPU, "profile-cpu", "", "write a CPU profile of the command to this file")
	fs.StringVar(&p.Heap, "profile-heap", "", "write a heap profile (after a final GC) to this file when the command ends")
	_ = fs.MarkHidden("profile-cpu")
	_ = fs.MarkHidden("profile-heap")
}

func (p *profiles) start() error {
	if p.CPU == "" {
		return nil
	}
	f, err := os.Create(p.CPU)
	if err != nil {
		return fmt.Errorf("--profile-cpu: %w", err)
	}
	if err := pprof.StartCPUProfile(f); err != nil {
		return fmt.Errorf("--profile-cpu: %w", errors.Join(err, f.Close()))
	}
	p.cpuFile = f
	return nil
}

func (p *profiles) stop() error {
	var errs []error
	if p.cpuFile != nil {
		pprof.StopCPUProfile()
		errs = append(errs, p.cpuFile.Close())
		p.cpuFile = nil
	}
	if p.Heap != "" {
		f, err := os.Create(p.Heap)
		if err != nil {
			return fmt.Errorf("--profile-heap: %w", err)
		}
		runtime.GC()
		errs = append(errs, pprof.Lookup("heap").WriteTo(f, 0), f.Close())
	}
	return errors.Join(errs...)
}

// withProfiles starts the profiles before every command of the tree and
// stops them after its RunE, whatever it returned (cobra skips
// PersistentPostRunE after an error, and scan returns one for exit status 1).
func withProfiles(root *cobra.Command, p *profiles) {
	p.AddFlags(root.PersistentFlags())
	root.PersistentPreRunE = func(*cobra.Command, []string) error { return p.start() }
	var wrap func(c *cobra.Command)
	wrap = func(c *cobra.Command) {
		for _, sub := range c.Commands() {
			wrap(sub)
		}
		if c.RunE == nil {
			return
		}
		run := c.RunE
		c.RunE = func(cmd *cobra.Command, args []string) error {
			err := run(cmd, args)
			if serr := p.stop(); serr != nil && err == nil {
				err = serr
			}
			return err
		}
	}
	wrap(root)
}
