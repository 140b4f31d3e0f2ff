package app

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/tlsguard/tlsguard/pkg/config"
	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/review"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

func TestZZPerPolicy(t *testing.T) {
	ctx := t.Context()
	sc, err := newBenchScenario(testcerts.Now)
	if err != nil {
		t.Fatal(err)
	}
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(sc.good, &ar); err != nil {
		t.Fatal(err)
	}
	req, err := review.FromAdmission(ar.Request)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	base := options.NewEngine()
	base.Now = testcerts.Now.Format(time.RFC3339)
	if err := base.Validate(); err != nil {
		t.Fatal(err)
	}
	all, err := benchEngine(ctx, base, sc, dir)
	if err != nil {
		t.Fatal(err)
	}
	ids := []string{}
	for _, md := range all.Policies() {
		ids = append(ids, md.ID)
	}
	measure := func(name string, ev func() error) {
		n := 0
		start := time.Now()
		for time.Since(start) < 2*time.Second {
			if err := ev(); err != nil {
				t.Fatal(err)
			}
			n++
		}
		fmt.Printf("%-30s %8.3fms/op\n", name, float64(time.Since(start))/float64(n)/1e6)
	}
	measure("ALL", func() error { _, err := all.Evaluate(ctx, req); return err })
	for _, only := range ids {
		f := false
		cfg := config.Config{APIVersion: "tlsguard.io/v1alpha1", Kind: "Config", Policies: map[string]config.PolicyConfig{}}
		for _, id := range ids {
			if id != only {
				cfg.Policies[id] = config.PolicyConfig{Enabled: &f}
			}
		}
		b, _ := json.Marshal(cfg)
		p := filepath.Join(dir, only+".yaml")
		os.WriteFile(p, b, 0o600)
		o := *base
		o.ConfigFile = p
		e, err := benchEngine(ctx, &o, sc, dir)
		if err != nil {
			t.Fatal(err)
		}
		measure(only, func() error { _, err := e.Evaluate(ctx, req); return err })
	}
}

func BenchmarkZZEvaluate(b *testing.B) {
	ctx := b.Context()
	sc, err := newBenchScenario(testcerts.Now)
	if err != nil {
		b.Fatal(err)
	}
	var ar admissionv1.AdmissionReview
	if err := json.Unmarshal(sc.good, &ar); err != nil {
		b.Fatal(err)
	}
	req, err := review.FromAdmission(ar.Request)
	if err != nil {
		b.Fatal(err)
	}
	base := options.NewEngine()
	base.Now = testcerts.Now.Format(time.RFC3339)
	if err := base.Validate(); err != nil {
		b.Fatal(err)
	}
	all, err := benchEngine(ctx, base, sc, b.TempDir())
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := all.Evaluate(ctx, req); err != nil {
			b.Fatal(err)
		}
	}
}
