package serve

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"io/fs"
	"os"
	"time"

	"github.com/go-logr/logr"
	"github.com/open-policy-agent/opa/v1/storage"
	"k8s.io/apimachinery/pkg/util/wait"

	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/policy"
)

// Reloader rebuilds the engine when --policies or --config change and swaps
// it in atomically; a broken change is logged and the old policies stay.
type Reloader struct {
	Options *options.Engine
	Store   storage.Store
	Holder  *policy.Holder
	Log     logr.Logger

	last string
}

// Baseline records the policy and config files as they are now; call it
// before building the engine in force, so that a change made meanwhile is
// reloaded rather than missed.
func (r *Reloader) Baseline() { r.last = r.fingerprint() }

// Run checks every interval until ctx ends, against the Baseline.
func (r *Reloader) Run(ctx context.Context, interval time.Duration) error {
	wait.UntilWithContext(ctx, func(ctx context.Context) {
		if fp := r.fingerprint(); fp != r.last {
			if err := r.Reload(ctx); err != nil {
				r.Log.Error(err, "policy reload failed; keeping the policies in force")
			}
			r.last = fp
		}
	}, interval)
	return nil
}

// Reload builds a new engine and swaps it in.
func (r *Reloader) Reload(ctx context.Context) error {
	e, err := r.Options.BuildWithStore(ctx, r.Store)
	if err != nil {
		return err
	}
	r.Holder.Swap(e)
	r.Log.Info("policies reloaded", "count", len(e.Policies()))
	return nil
}

// fingerprint hashes the policy files and config file contents.
func (r *Reloader) fingerprint() string {
	h := sha256.New()
	if r.Options.PolicyDir != "" {
		_ = fs.WalkDir(os.DirFS(r.Options.PolicyDir), ".", func(p string, d fs.DirEntry, err error) error {
			if err != nil || d.IsDir() {
				return nil
			}
			b, _ := fs.ReadFile(os.DirFS(r.Options.PolicyDir), p)
			h.Write([]byte(p))
			h.Write(b)
			return nil
		})
	}
	if r.Options.ConfigFile != "" {
		b, _ := os.ReadFile(r.Options.ConfigFile)
		h.Write(b)
	}
	return hex.EncodeToString(h.Sum(nil))
}
