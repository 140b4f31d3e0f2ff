//go:build integration

package bench

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/go-logr/logr"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/config"
	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/manifest"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/scan"
	"github.com/tlsguard/tlsguard/pkg/trust"
	"github.com/tlsguard/tlsguard/policies"
	"github.com/tlsguard/tlsguard/test/integration/framework"
	"github.com/tlsguard/tlsguard/webhook"
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
	// The same policy configuration as the subprocesses below (--config):
	// every Secret of the fleet guarded by every certificate policy.
	cfg, err := config.Load(fleet.ConfigFile)
	if err != nil {
		b.Fatal(err)
	}
	store := policy.NewStore()
	engine, err := policy.Load(ctx, policies.FS, policy.Options{Trust: &bundle, Config: cfg, Now: func() time.Time { return Now }, Store: store})
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
		srv := measureServe(b, dir, cp.Kubeconfig, fleet, nil)
		// As the chart runs serve in a container limited to 280Mi: GOGC=800
		// (goRuntime.gogc) and a soft memory limit of 0.9 x 280Mi
		// (--memory-limit-ratio; GOMEMLIMIT stands in for the cgroup
		// limit, which this machine does not set).
		limited := measureServe(b, dir, cp.Kubeconfig, fleet, []string{"GOGC=800", "GOMEMLIMIT=" + chartMemLimit})

		fmt.Fprintf(os.Stderr, "\ncluster: %d objects (%d Secrets, %d Deployments, settings)\n", len(objs), secrets, deployments)
		fmt.Fprintf(os.Stderr, "API list alone (in process):      %8s wall, %d requests\n", listWall.Round(time.Millisecond), listStats.Requests)
		fmt.Fprintf(os.Stderr, "serve scanner, full scan:         %8s wall, %8s CPU, %d evaluated, %d requests\n", fullWall.Round(time.Millisecond), fullCPU.Round(time.Millisecond), full.Evaluated, full.Requests)
		fmt.Fprintf(os.Stderr, "serve scanner, no-change re-scan: %8s wall, %8s CPU, %d evaluated (CPU %.1f%% of the full scan)\n", reWall.Round(time.Millisecond), reCPU.Round(time.Millisecond), again.Evaluated, 100*reCPU.Seconds()/fullCPU.Seconds())
		fmt.Fprintf(os.Stderr, "full scan minus API list time:    %8s\n", (fullWall - listWall).Round(time.Millisecond))
		fmt.Fprintf(os.Stderr, "tlsguard scan --cluster (subprocess): %8s wall, %8s CPU, peak RSS %.1f MiB\n", cliWall.Round(time.Millisecond), cliCPU.Round(time.Millisecond), float64(cli.maxRSS)/(1<<20))
		fmt.Fprintf(os.Stderr, "tlsguard serve (subprocess, reports off): first full scan done %s after start (scan itself %s by its metric), %s CPU until stopped, peak RSS %.1f MiB\n",
			srv.firstScan.Round(time.Millisecond), srv.scan.Round(time.Millisecond), srv.run.cpu.Round(time.Millisecond), float64(srv.run.maxRSS)/(1<<20))
		fmt.Fprintf(os.Stderr, "tlsguard serve, chart runtime for a 280Mi limit (GOGC=800 GOMEMLIMIT=%s): first full scan done %s after start (scan itself %s), %s CPU, peak RSS %.1f MiB\n",
			chartMemLimit, limited.firstScan.Round(time.Millisecond), limited.scan.Round(time.Millisecond), limited.run.cpu.Round(time.Millisecond), float64(limited.run.maxRSS)/(1<<20))
		b.ReportMetric(float64(srv.run.maxRSS)/(1<<20), "serve-peak-RSS-MiB")
		b.ReportMetric(float64(limited.run.maxRSS)/(1<<20), "serve-280Mi-peak-RSS-MiB")
		b.ReportMetric(fullWall.Seconds(), "full-scan-s")
		b.ReportMetric(100*reCPU.Seconds()/fullCPU.Seconds(), "rescan-cpu-%")
		b.ReportMetric(float64(cli.maxRSS)/(1<<20), "cli-peak-RSS-MiB")
	}
}

// chartMemLimit is the soft memory limit serve sets itself in a container
// limited to 280Mi: 0.9 x 280Mi (the chart's goRuntime.memoryLimitRatio).
const chartMemLimit = "258048KiB"

// serveRun is one `tlsguard serve` measured until its first full scan.
type serveRun struct {
	firstScan time.Duration // from start to the last-success metric
	scan      time.Duration // tlsguard_scan_duration_seconds of that scan
	run       run
}

// measureServe runs `tlsguard serve` (webhook not registered, reports and
// probe off, no leader election) through the rss launcher, waits for its
// first full scan to succeed (tlsguard_scan_last_success_timestamp_seconds),
// then stops it with SIGTERM and returns its timings and peak RSS: the
// continuous scanner's memory with its informers, inventory and caches.
// env is added to its environment (Go runtime settings).
func measureServe(b *testing.B, dir, kubeconfig string, fleet *Fleet, env []string) serveRun {
	b.Helper()
	certDir := filepath.Join(dir, "serving")
	if _, err := webhook.EnsureServingCert(certDir, "127.0.0.1", time.Now()); err != nil {
		b.Fatal(err)
	}
	metrics, health, hook, pprofAddr := framework.FreeAddr(b), framework.FreeAddr(b), framework.FreeAddr(b), framework.FreeAddr(b)
	report := filepath.Join(dir, "serve.rss")
	cmd := exec.Command(filepath.Join(dir, "rss"), report, filepath.Join(dir, "tlsguard"), "serve",
		"--kubeconfig", kubeconfig, "--webhook-addr", hook, "--cert-dir", certDir,
		"--metrics-addr", metrics, "--health-addr", health, "--pprof-addr", pprofAddr, "--leader-elect=false",
		"--report-format", "none", "--probe-interval", "0", "--scan-interval", "1h",
		"--now", Now.Format(time.RFC3339), "--trust-bundle", fleet.RootPEM, "--config", fleet.ConfigFile)
	// e.g. TLSGUARD_BENCH_SERVE_ARGS="--profile-cpu /tmp/serve-cpu.out"
	cmd.Args = append(cmd.Args, strings.Fields(os.Getenv("TLSGUARD_BENCH_SERVE_ARGS"))...)
	// e.g. TLSGUARD_BENCH_SERVE_ENV="GOMEMLIMIT=280MiB": the Go runtime
	// settings of serve alone, as a container's limit would give it.
	cmd.Env = append(append(os.Environ(), env...), strings.Fields(os.Getenv("TLSGUARD_BENCH_SERVE_ENV"))...)
	logs := &lockedBuffer{}
	cmd.Stdout, cmd.Stderr = logs, logs
	start := time.Now()
	if err := cmd.Start(); err != nil {
		b.Fatal(err)
	}
	// The scanner logs "scan finished" with its duration; watching the log
	// costs nothing, where scraping /metrics (40,000 certificate series
	// here) would load the process being measured.
	var out serveRun
	deadline := time.Now().Add(5 * time.Minute)
	for {
		if d, ok := scanFinished(logs.String()); ok {
			out.firstScan, out.scan = time.Since(start), d
			if f := os.Getenv("TLSGUARD_BENCH_SERVE_HEAP"); f != "" {
				// The heap right after the first scan, with the scanner's
				// caches alive (--profile-heap writes it after shutdown),
				// collected first so that it shows what stays live.
				saveURL(b, "http://"+pprofAddr+"/debug/pprof/heap?gc=1", f)
			}
			break
		}
		if time.Now().After(deadline) {
			_ = cmd.Process.Kill()
			b.Fatalf("serve: no successful scan within 5m\n%s", tail(logs.String(), 3000))
		}
		time.Sleep(50 * time.Millisecond)
	}
	_ = cmd.Process.Signal(syscall.SIGTERM)
	err := cmd.Wait()
	if f := os.Getenv("TLSGUARD_BENCH_SERVE_LOG"); f != "" {
		_ = os.WriteFile(f, []byte(logs.String()), 0o600)
	}
	if err != nil {
		b.Fatalf("serve: %v\n%s", err, tail(logs.String(), 3000))
	}
	if out.run, err = readRSS(report); err != nil {
		b.Fatalf("serve: %v", err)
	}
	out.run.wall = time.Since(start)
	return out
}

// scanFinished finds the scanner's "scan finished" log line and returns
// the duration it logs.
func scanFinished(logs string) (time.Duration, bool) {
	for _, line := range strings.Split(logs, "\n") {
		if !strings.Contains(line, `"msg":"scan finished"`) {
			continue
		}
		var entry struct {
			Duration string `json:"duration"`
		}
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			return 0, false
		}
		d, err := time.ParseDuration(entry.Duration)
		return d, err == nil
	}
	return 0, false
}

// lockedBuffer collects a process's output while the benchmark reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

func saveURL(b *testing.B, url, file string) {
	b.Helper()
	resp, err := http.Get(url) //nolint:gosec // a local benchmark endpoint
	if err != nil {
		b.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		b.Fatal(err)
	}
	if err := os.WriteFile(file, body, 0o600); err != nil {
		b.Fatal(err)
	}
}

func tail(s string, n int) string {
	if len(s) > n {
		return s[len(s)-n:]
	}
	return s
}
