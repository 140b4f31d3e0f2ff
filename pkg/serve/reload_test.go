package serve

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"

	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/policy"
)

// The reloader swaps in the policies of a changed --config, and keeps the
// policies in force when the change does not load.
func TestReloader(t *testing.T) {
	cfg := filepath.Join(t.TempDir(), "config.yaml")
	write := func(action string) {
		t.Helper()
		body := "apiVersion: tlsguard.io/v1alpha1\nkind: Config\npolicies:\n  agent-tls-mode-strict: {action: " + action + "}\n"
		if err := os.WriteFile(cfg, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	write("deny")
	o := options.NewEngine()
	o.SystemRoots = false
	o.ConfigFile = cfg
	o.Now = "2026-06-01T00:00:00Z"
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	store := policy.NewStore()
	r := &Reloader{Options: o, Store: store, Log: testr.New(t)}
	r.Baseline()
	e, err := o.BuildWithStore(t.Context(), store)
	if err != nil {
		t.Fatal(err)
	}
	holder := policy.NewHolder(e)
	r.Holder = holder
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan error, 1)
	go func() { done <- r.Run(ctx, 10*time.Millisecond) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Error(err)
		}
	}()
	action := func() string {
		s, _ := holder.Load().Settings("agent-tls-mode-strict")
		return s.Action
	}

	write("warn")
	waitFor(t, func() bool { return action() == "warn" }, "the changed config in force")

	before := holder.Load()
	write("sometimes") // not an action: the reload fails
	time.Sleep(100 * time.Millisecond)
	if holder.Load() != before || action() != "warn" {
		t.Fatalf("a config that does not load replaced the policies (action %q)", action())
	}

	write("dryrun")
	waitFor(t, func() bool { return action() == "dryrun" }, "the next good config in force")
}

func waitFor(t *testing.T, cond func() bool, what string) {
	t.Helper()
	deadline := time.Now().Add(10 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("%s: not within 10s", what)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
