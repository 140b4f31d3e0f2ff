//go:build integration

package bench

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/manifest"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/scan"
	"github.com/tlsguard/tlsguard/pkg/trust"
	"github.com/tlsguard/tlsguard/policies"
	"github.com/tlsguard/tlsguard/test/integration/framework"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	_ = syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

// BenchmarkClusterScan seeds the envtest control plane with the generated
// fleet (TLSGUARD_BENCH_SECRETS Secrets, TLSGUARD_BENCH_DEPLOYMENTS
// Deployments), then measures: the API list alone; a full scan by the
// serve scanner (in process); a re-scan with nothing changed; and the
// one-shot `tlsguard scan --cluster` as a subprocess (wall, CPU, peak RSS).
// Run with `make bench-cluster`.
func BenchmarkClusterScan(b *testing.B) {
	secrets := envInt("TLSGUARD_BENCH_SECRETS", 10000)
	deployments := envInt("TLSGUARD_BENCH_DEPLOYMENTS", 1000)
	cp := framework.RunControlPlane(b)
	dir := b.TempDir()
	fleet, err := Generate(dir, FleetOptions{Secrets: secrets, Deployments: deployments})
	if err != nil {
		b.Fatal(err)
	}
	objs, err := manifest.Read([]string{fleet.Dir}, nil)
	if err != nil {
		b.Fatal(err)
	}
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	for _, ns := range []string{"cattle-system"} {
		_ = c.Create(ctx, &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: ns}})
	}
	seedStart := time.Now()
	jobs := make(chan map[string]any)
	var wg sync.WaitGroup
	var mu sync.Mutex
	var seedErr error
	n := 0
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for o := range jobs {
				u := &unstructured.Unstructured{Object: o}
				mu.Lock()
				n++
				if u.GetKind() == "Deployment" {
					u.SetName(fmt.Sprintf("cattle-cluster-agent-%04d", n))
				}
				mu.Unlock()
				if err := c.Create(ctx, u); err != nil {
					mu.Lock()
					seedErr = err
					mu.Unlock()
				}
			}
		}()
	}
	for _, o := range objs {
		jobs <- o.Object
	}
	close(jobs)
	wg.Wait()
	if seedErr != nil {
		b.Fatal(seedErr)
	}
	b.Logf("seeded %d objects in %s", len(objs), time.Since(seedStart).Round(time.Millisecond))

	var bundle trust.Bundle
	if err := bundle.AddFile(fleet.RootPEM); err != nil {
		b.Fatal(err)
	}
	store := policy.NewStore()
	engine, err := policy.Load(ctx, policies.FS, policy.Options{Trust: &bundle, Now: func() time.Time { return Now }, Store: store})
	if err != nil {
		b.Fatal(err)
	}
	// The inventory the informers would hold: every listed object, keys
	// stripped.
	w := &inventory.StoreWriter{Store: store}

	b.ResetTimer()
	for range b.N {
		listStart := time.Now()
		listStats, err := scan.ListGuarded(ctx, c, scan.DefaultPageSize, func(u *unstructured.Unstructured) error { return w.Put(ctx, u.Object) })
		if err != nil {
			b.Fatal(err)
		}
		listWall := time.Since(listStart)
		s, err := scan.New(scan.Options{Workers: 2}, scan.Deps{
			Evaluator: engine, Reader: c, InventoryGeneration: w.Generation, Log: logr.Discard(),
			Now: func() time.Time { return Now },
		})
		if err != nil {
			b.Fatal(err)
		}
		cpu0, t0 := cpuTime(), time.Now()
		full, err := s.ScanOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		fullCPU, fullWall := cpuTime()-cpu0, time.Since(t0)
		cpu1, t1 := cpuTime(), time.Now()
		again, err := s.ScanOnce(ctx)
		if err != nil {
			b.Fatal(err)
		}
		reCPU, reWall := cpuTime()-cpu1, time.Since(t1)

		buildTools(b, dir)
		cli := measure(b, filepath.Join(dir, "rss"), filepath.Join(dir, "tlsguard"), "scan", "--cluster", "--kubeconfig", cp.Kubeconfig, "-o", "json",
			"--now", Now.Format(time.RFC3339), "--trust-bundle", fleet.RootPEM, "--config", fleet.ConfigFile)
		cliWall, cliCPU := cli.wall, cli.cpu

		fmt.Fprintf(os.Stderr, "\ncluster: %d objects (%d Secrets, %d Deployments, settings)\n", len(objs), secrets, deployments)
		fmt.Fprintf(os.Stderr, "API list alone (in process):      %8s wall, %d requests\n", listWall.Round(time.Millisecond), listStats.Requests)
		fmt.Fprintf(os.Stderr, "serve scanner, full scan:         %8s wall, %8s CPU, %d evaluated, %d requests\n", fullWall.Round(time.Millisecond), fullCPU.Round(time.Millisecond), full.Evaluated, full.Requests)
		fmt.Fprintf(os.Stderr, "serve scanner, no-change re-scan: %8s wall, %8s CPU, %d evaluated (CPU %.1f%% of the full scan)\n", reWall.Round(time.Millisecond), reCPU.Round(time.Millisecond), again.Evaluated, 100*reCPU.Seconds()/fullCPU.Seconds())
		fmt.Fprintf(os.Stderr, "full scan minus API list time:    %8s\n", (fullWall - listWall).Round(time.Millisecond))
		fmt.Fprintf(os.Stderr, "tlsguard scan --cluster (subprocess): %8s wall, %8s CPU, peak RSS %.1f MiB\n", cliWall.Round(time.Millisecond), cliCPU.Round(time.Millisecond), float64(cli.maxRSS)/(1<<20))
		b.ReportMetric(fullWall.Seconds(), "full-scan-s")
		b.ReportMetric(100*reCPU.Seconds()/fullCPU.Seconds(), "rescan-cpu-%")
		b.ReportMetric(float64(cli.maxRSS)/(1<<20), "cli-peak-RSS-MiB")
	}
}
