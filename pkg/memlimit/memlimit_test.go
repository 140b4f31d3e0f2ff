package memlimit

import (
	"math"
	"path/filepath"
	"runtime/debug"
	"testing"
)

func TestLimit(t *testing.T) {
	for _, tc := range []struct {
		dir     string
		want    int64
		ok, err bool
	}{
		{dir: "v2", want: 536870912, ok: true},
		{dir: "v2-max"},
		{dir: "v1", want: 268435456, ok: true},
		{dir: "v1-unlimited"},
		{dir: "none"},
		{dir: "garbage", err: true},
	} {
		t.Run(tc.dir, func(t *testing.T) {
			n, ok, err := Limit(filepath.Join("testdata", tc.dir))
			if (err != nil) != tc.err || ok != tc.ok || n != tc.want {
				t.Fatalf("Limit = %d, %v, %v; want %d, %v, error %v", n, ok, err, tc.want, tc.ok, tc.err)
			}
		})
	}
}

func TestApply(t *testing.T) {
	prev := debug.SetMemoryLimit(-1)
	t.Cleanup(func() { debug.SetMemoryLimit(prev) })
	noEnv := func(string) string { return "" }

	r, err := Apply(filepath.Join("testdata", "v2"), 0.9, noEnv)
	if err != nil || !r.Set || r.Container != 536870912 || r.Limit != 483183820 || debug.SetMemoryLimit(-1) != 483183820 {
		t.Fatalf("Apply = %+v, %v; runtime limit %d; want 90%% of 512MiB set", r, err, debug.SetMemoryLimit(-1))
	}

	debug.SetMemoryLimit(math.MaxInt64)
	r, err = Apply(filepath.Join("testdata", "v2"), 0.9, func(k string) string {
		if k == "GOMEMLIMIT" {
			return "100MiB"
		}
		return ""
	})
	if err != nil || r.Set || r.Reason != "GOMEMLIMIT is set" || debug.SetMemoryLimit(-1) != math.MaxInt64 {
		t.Fatalf("Apply with GOMEMLIMIT = %+v, %v; want the limit left alone", r, err)
	}

	r, err = Apply(filepath.Join("testdata", "none"), 0.9, noEnv)
	if err != nil || r.Set || r.Reason != "no container memory limit" {
		t.Fatalf("Apply without cgroup = %+v, %v", r, err)
	}

	if _, err := Apply(filepath.Join("testdata", "garbage"), 0.9, noEnv); err == nil {
		t.Fatal("unreadable limit: no error")
	}
	for _, ratio := range []float64{0, -1, 1.5} {
		if _, err := Apply(filepath.Join("testdata", "v2"), ratio, noEnv); err == nil {
			t.Fatalf("ratio %g: no error", ratio)
		}
	}
}
