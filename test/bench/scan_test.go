package bench

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"slices"
	"strconv"
	"testing"
	"time"
)

// run is one measured process.
type run struct {
	wall   time.Duration
	cpu    time.Duration
	maxRSS int64 // bytes
	stdout string
}

// measure runs name through the rss helper (see rss/main.go: started
// directly from this large test process, a child's ru_maxrss would include
// this process's memory) and returns its wall time, CPU and peak RSS.
func measure(b *testing.B, rssBin, name string, args ...string) run {
	b.Helper()
	report := filepath.Join(b.TempDir(), "rss")
	cmd := exec.Command(rssBin, append([]string{report, name}, args...)...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	start := time.Now()
	err := cmd.Run()
	wall := time.Since(start)
	// tlsguard scan exits 1 when it finds violations; only 2+ is a failure.
	if ee := (*exec.ExitError)(nil); err != nil && (!errors.As(err, &ee) || ee.ExitCode() > 1) {
		b.Fatalf("%s %v: %v\n%s", filepath.Base(name), args, err, errOut.String())
	}
	r, err := readRSS(report)
	if err != nil {
		b.Fatalf("%s: %v\n%s", filepath.Base(name), err, errOut.String())
	}
	r.wall, r.stdout = wall, out.String()
	return r
}

// readRSS reads the rss launcher's report: the child's CPU and peak RSS.
func readRSS(report string) (run, error) {
	raw, err := os.ReadFile(report)
	if err != nil {
		return run{}, fmt.Errorf("no rss report: %w", err)
	}
	var kib, cpuNS int64
	if _, err := fmt.Sscanf(string(raw), "maxrss_kib=%d cpu_ns=%d", &kib, &cpuNS); err != nil {
		return run{}, fmt.Errorf("rss report %q: %w", raw, err)
	}
	return run{cpu: time.Duration(cpuNS), maxRSS: kib * 1024}, nil
}

// buildTools builds tlsguard, the floor and the rss helper into dir.
func buildTools(b *testing.B, dir string) {
	b.Helper()
	for _, pkg := range []string{"../../cmd/tlsguard", "./floor", "./rss"} {
		out, err := exec.Command("go", "build", "-o", dir+"/", pkg).CombinedOutput()
		if err != nil {
			b.Fatalf("build %s: %v\n%s", pkg, err, out)
		}
	}
}

func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}

func median(ds []time.Duration) time.Duration {
	s := slices.Clone(ds)
	slices.Sort(s)
	return s[len(s)/2]
}

// BenchmarkFleetScan generates TLSGUARD_BENCH_SECRETS (10,000) TLS Secrets
// and TLSGUARD_BENCH_DEPLOYMENTS (1,000) agent Deployments, then runs, in
// alternating rounds (TLSGUARD_BENCH_ROUNDS, 3), the floor (read the YAML,
// parse and verify every chain with crypto/x509) and `tlsguard scan` with all
// policies, every Secret guarded. It reports medians and the ratio.
func BenchmarkFleetScan(b *testing.B) {
	secrets := envInt("TLSGUARD_BENCH_SECRETS", 10000)
	deployments := envInt("TLSGUARD_BENCH_DEPLOYMENTS", 1000)
	rounds := envInt("TLSGUARD_BENCH_ROUNDS", 3)
	dir := b.TempDir()
	bin := filepath.Join(dir, "bin")
	buildTools(b, bin)
	genStart := time.Now()
	fleet, err := Generate(dir, FleetOptions{Secrets: secrets, Deployments: deployments})
	if err != nil {
		b.Fatal(err)
	}
	b.Logf("generated %d objects in %s", fleet.Objects, time.Since(genStart).Round(time.Millisecond))
	now := Now.Format(time.RFC3339)
	var floors, scans []run
	b.ResetTimer()
	for range b.N {
		for range rounds {
			floors = append(floors, measure(b, filepath.Join(bin, "rss"), filepath.Join(bin, "floor"), fleet.Dir, fleet.RootPEM, now))
			scans = append(scans, measure(b, filepath.Join(bin, "rss"), filepath.Join(bin, "tlsguard"), "scan", "-o", "json", "--now", now,
				"--trust-bundle", fleet.RootPEM, "--config", fleet.ConfigFile, fleet.Dir))
		}
	}
	b.StopTimer()
	walls := func(rs []run) (w, c []time.Duration, rss int64) {
		for _, r := range rs {
			w, c = append(w, r.wall), append(c, r.cpu)
			rss = max(rss, r.maxRSS)
		}
		return w, c, rss
	}
	fw, fc, frss := walls(floors)
	sw, sc, srss := walls(scans)
	mf, ms := median(fw), median(sw)
	ratio := ms.Seconds() / mf.Seconds()
	b.ReportMetric(float64(fleet.Objects)/ms.Seconds(), "objects/s")
	b.ReportMetric(ratio, "x-floor")
	b.ReportMetric(float64(srss)/(1<<20), "peak-RSS-MiB")
	fmt.Fprintf(os.Stderr, "\nfleet: %d Secrets, %d Deployments, %d objects; %d rounds; GOMAXPROCS=%d\n", secrets, deployments, fleet.Objects, len(floors), runtime.GOMAXPROCS(0))
	fmt.Fprintf(os.Stderr, "%-14s %12s %12s %12s %14s\n", "", "median wall", "median CPU", "peak RSS", "objects/s")
	fmt.Fprintf(os.Stderr, "%-14s %12s %12s %9.1f MiB %14.0f\n", "floor (x509)", mf.Round(time.Millisecond), median(fc).Round(time.Millisecond), float64(frss)/(1<<20), float64(fleet.Objects)/mf.Seconds())
	fmt.Fprintf(os.Stderr, "%-14s %12s %12s %9.1f MiB %14.0f\n", "tlsguard scan", ms.Round(time.Millisecond), median(sc).Round(time.Millisecond), float64(srss)/(1<<20), float64(fleet.Objects)/ms.Seconds())
	fmt.Fprintf(os.Stderr, "ratio scan/floor (median wall): %.2fx; floor's own output: %s\n", ratio, floors[len(floors)-1].stdout)
}
