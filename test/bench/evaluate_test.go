package bench

import (
	"context"
	"testing"
	"time"

	"github.com/tlsguard/tlsguard/pkg/config"
	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/manifest"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/review"
	"github.com/tlsguard/tlsguard/pkg/trust"
	"github.com/tlsguard/tlsguard/policies"
)

// BenchmarkEvaluateSecret measures one engine evaluation of a guarded TLS
// Secret (leaf + intermediate) with every policy, for profiling:
//
//	go test -run '^$' -bench EvaluateSecret -cpuprofile cpu.out ./test/bench/
func BenchmarkEvaluateSecret(b *testing.B) {
	dir := b.TempDir()
	fleet, err := Generate(dir, FleetOptions{Secrets: 64, Deployments: 1})
	if err != nil {
		b.Fatal(err)
	}
	objs, err := manifest.Read([]string{fleet.Dir}, nil)
	if err != nil {
		b.Fatal(err)
	}
	var bundle trust.Bundle
	if err := bundle.AddFile(fleet.RootPEM); err != nil {
		b.Fatal(err)
	}
	cfg, err := config.Load(fleet.ConfigFile)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	e, err := policy.Load(ctx, policies.FS, policy.Options{Trust: &bundle, Config: cfg, Now: func() time.Time { return Now }})
	if err != nil {
		b.Fatal(err)
	}
	b.Run("all", func(b *testing.B) { benchEvaluate(b, e, objs) })
	// One sub-benchmark per policy that applies to Secrets, the others
	// disabled, to show where an evaluation's time goes.
	for _, md := range e.Policies() {
		if !md.Matches("", "Secret") {
			continue
		}
		only := onlyPolicy(cfg, e.Policies(), md.ID)
		pe, err := policy.Load(ctx, policies.FS, policy.Options{Trust: &bundle, Config: only, Now: func() time.Time { return Now }})
		if err != nil {
			b.Fatal(err)
		}
		b.Run("policy="+md.ID, func(b *testing.B) { benchEvaluate(b, pe, objs) })
	}
}

// onlyPolicy is cfg with every policy but id disabled.
func onlyPolicy(cfg *config.Config, all []policy.Metadata, id string) *config.Config {
	out := &config.Config{Policies: map[string]config.PolicyConfig{}}
	for _, md := range all {
		pc := cfg.Policies[md.ID]
		on := md.ID == id
		pc.Enabled = &on
		out.Policies[md.ID] = pc
	}
	return out
}

func benchEvaluate(b *testing.B, e *policy.Engine, objs []manifest.Object) {
	ctx := context.Background()
	inv := inventory.New()
	var reqs []review.Request
	for _, o := range objs {
		inv.Add(o.Object)
		if o.Object["kind"] == "Secret" {
			r, err := review.FromObject(o.Object)
			if err != nil {
				b.Fatal(err)
			}
			reqs = append(reqs, r)
		}
	}
	if err := e.SetInventory(ctx, inv.Document()); err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for i := range b.N {
		if _, err := e.Evaluate(ctx, reqs[i%len(reqs)]); err != nil {
			b.Fatal(err)
		}
	}
}
