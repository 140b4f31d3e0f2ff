package app_test

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/tlsguard/tlsguard/cmd/tlsguard/app"
)

// The hidden profile flags write both profiles, also when the command fails
// (a scan with violations exits 1 through RunE's error).
func TestProfiles(t *testing.T) {
	dir := t.TempDir()
	cpu, heap := filepath.Join(dir, "cpu.out"), filepath.Join(dir, "heap.out")
	_, stderr, code := execute(t, "", "scan", "--now", "2026-12-01T00:00:00Z", "--profile-cpu", cpu, "--profile-heap", heap, "../../../examples/rancher")
	if code != app.ExitViolations {
		t.Fatalf("exit %d, want %d (violations)\n%s", code, app.ExitViolations, stderr)
	}
	for _, f := range []string{cpu, heap} {
		st, err := os.Stat(f)
		if err != nil || st.Size() == 0 {
			t.Errorf("%s: %v, size %d; want a profile", filepath.Base(f), err, sizeOf(st))
		}
	}
	if _, stderr, code := execute(t, "", "version", "--profile-cpu", filepath.Join(dir, "missing", "cpu.out")); code != app.ExitUsage {
		t.Errorf("unwritable --profile-cpu: exit %d, want %d\n%s", code, app.ExitUsage, stderr)
	}
}

func sizeOf(st os.FileInfo) int64 {
	if st == nil {
		return 0
	}
	return st.Size()
}
