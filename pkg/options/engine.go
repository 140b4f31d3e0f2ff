// Package options holds the flag structs of tlsguard's commands, each with
// defaults, AddFlags and Validate, and no package-level flag state.
package options

import (
	"context"
	"fmt"
	"io/fs"
	"os"
	"time"

	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/spf13/pflag"

	"github.com/tlsguard/tlsguard/pkg/config"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/trust"
	"github.com/tlsguard/tlsguard/policies"
)

// Engine are the flags that build a policy engine; scan, serve and bench
// share them.
type Engine struct {
	PolicyDir    string
	ConfigFile   string
	TrustBundles []string
	SystemRoots  bool
	Now          string

	now time.Time
}

// NewEngine returns the defaults: built-in policies, system roots on, the
// wall clock.
func NewEngine() *Engine {
	return &Engine{SystemRoots: true}
}

// AddFlags registers the flags on fs.
func (o *Engine) AddFlags(fs *pflag.FlagSet) {
	fs.StringVar(&o.PolicyDir, "policies", o.PolicyDir, "directory of Rego policies that replaces the built-in library")
	fs.StringVar(&o.ConfigFile, "config", o.ConfigFile, "YAML file overriding policies' action, parameters and exemptions (see docs/configuration.md)")
	fs.StringArrayVar(&o.TrustBundles, "trust-bundle", o.TrustBundles, "PEM file of trusted root CAs; repeatable")
	fs.BoolVar(&o.SystemRoots, "system-roots", o.SystemRoots, "also trust the operating system's root CAs")
	fs.StringVar(&o.Now, "now", o.Now, "evaluate at this RFC 3339 time instead of the current time (for reproducible results)")
}

// Validate checks the flag values.
func (o *Engine) Validate() error {
	if o.Now != "" {
		t, err := time.Parse(time.RFC3339, o.Now)
		if err != nil {
			return fmt.Errorf("--now %q: want RFC 3339, e.g. 2026-12-01T00:00:00Z", o.Now)
		}
		o.now = t
	}
	if o.PolicyDir != "" {
		info, err := os.Stat(o.PolicyDir)
		if err != nil {
			return fmt.Errorf("--policies: %w", err)
		}
		if !info.IsDir() {
			return fmt.Errorf("--policies %s: not a directory", o.PolicyDir)
		}
	}
	return nil
}

// Clock returns the evaluation clock: the fixed --now, or time.Now.
func (o *Engine) Clock() func() time.Time {
	if !o.now.IsZero() {
		t := o.now
		return func() time.Time { return t }
	}
	return time.Now
}

// PolicyFS is the policy library to load.
func (o *Engine) PolicyFS() fs.FS {
	if o.PolicyDir != "" {
		return os.DirFS(o.PolicyDir)
	}
	return policies.FS
}

// Build loads the trust bundle and config and compiles the engine.
func (o *Engine) Build(ctx context.Context) (*policy.Engine, error) {
	return o.BuildWithStore(ctx, nil)
}

// BuildWithStore is Build on a shared data store (nil: a private one), so a
// reloaded engine keeps the inventory informers maintain.
func (o *Engine) BuildWithStore(ctx context.Context, store storage.Store) (*policy.Engine, error) {
	var b trust.Bundle
	for _, f := range o.TrustBundles {
		if err := b.AddFile(f); err != nil {
			return nil, fmt.Errorf("--trust-bundle: %w", err)
		}
	}
	if o.SystemRoots {
		if err := b.AddSystemRoots(); err != nil {
			return nil, fmt.Errorf("--system-roots: %w (pass --system-roots=false to use only --trust-bundle)", err)
		}
	}
	var cfg *config.Config
	if o.ConfigFile != "" {
		var err error
		if cfg, err = config.Load(o.ConfigFile); err != nil {
			return nil, fmt.Errorf("--config: %w", err)
		}
	}
	e, err := policy.Load(ctx, o.PolicyFS(), policy.Options{Config: cfg, Trust: &b, Now: o.Clock(), Store: store})
	if err != nil {
		where := "built-in policies"
		if o.PolicyDir != "" {
			where = o.PolicyDir
		}
		if o.ConfigFile != "" {
			where += " with " + o.ConfigFile
		}
		return nil, fmt.Errorf("load %s: %w", where, err)
	}
	return e, nil
}
