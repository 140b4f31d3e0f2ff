package app_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/cmd/tlsguard/app"
	"github.com/tlsguard/tlsguard/pkg/report"
)

// exampleNow is the --now of `make run` (hack/genexamples.ExampleNow).
const exampleNow = "2026-12-01T00:00:00Z"

var update = flag.Bool("update", os.Getenv("UPDATE_GOLDEN") != "", "rewrite golden files")

// execute runs the root command with args and stdin, returning stdout,
// stderr and the exit code main would use.
func execute(t *testing.T, stdin string, args ...string) (string, string, int) {
	t.Helper()
	var out, errOut bytes.Buffer
	cmd := app.NewRootCommand(app.IO{In: strings.NewReader(stdin), Out: &out, Err: &errOut})
	cmd.SetArgs(args)
	err := cmd.ExecuteContext(t.Context())
	if err != nil && !app.IsSilent(err) {
		errOut.WriteString(err.Error())
	}
	return out.String(), errOut.String(), app.ExitCode(err)
}

func golden(t *testing.T, name, got string) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run with UPDATE_GOLDEN=1 to create it)", err)
	}
	if diff := cmp.Diff(string(want), got); diff != "" {
		t.Errorf("%s mismatch (-want +got):\n%s", path, diff)
	}
}

// TestScanExamples pins what `make run` prints for the bundled examples and
// checks the secure example is clean.
func TestScanExamples(t *testing.T) {
	repo := filepath.Join("..", "..", "..")
	t.Run("insecure example has findings", func(t *testing.T) {
		out, errOut, code := execute(t, "", "scan", "--now", exampleNow, filepath.Join(repo, "examples", "rancher"))
		if code != app.ExitViolations {
			t.Fatalf("exit code: got %d, want %d; stderr: %s", code, app.ExitViolations, errOut)
		}
		golden(t, "examples-rancher.txt", strings.ReplaceAll(out, filepath.ToSlash(repo)+"/", ""))
	})
	t.Run("secure example is clean", func(t *testing.T) {
		out, errOut, code := execute(t, "", "scan", "-o", "json", "--show-passed", "--now", exampleNow, filepath.Join(repo, "examples", "rancher-secure"))
		if code != app.ExitOK {
			t.Fatalf("exit code: got %d, want 0; stderr: %s\n%s", code, errOut, out)
		}
		var rep report.ScanReport
		if err := json.Unmarshal([]byte(out), &rep); err != nil {
			t.Fatal(err)
		}
		if rep.Summary.Fail+rep.Summary.Warn+rep.Summary.Error != 0 {
			t.Errorf("summary: got %+v, want no fail/warn/error", rep.Summary)
		}
		if rep.Summary.Pass < 10 {
			t.Errorf("pass results: got %d, want at least 10 (the policies must apply)", rep.Summary.Pass)
		}
	})
}

func TestScanExitCodesAndErrors(t *testing.T) {
	dir := t.TempDir()
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	strict := write("strict.yaml", "apiVersion: management.cattle.io/v3\nkind: Setting\nmetadata:\n  name: agent-tls-mode\nvalue: strict\ndefault: strict\n")
	loose := write("loose.yaml", "apiVersion: management.cattle.io/v3\nkind: Setting\nmetadata:\n  name: agent-tls-mode\nvalue: system-store\n")
	broken := write("broken.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n   namespace: bad\n")
	noKind := write("nokind.yaml", "apiVersion: v1\nmetadata:\n  name: a\n")
	cm := write("cm.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n  namespace: apps\n  labels: {url: \"true\"}\ndata:\n  url: http://x\n")
	custom := filepath.Join("..", "..", "..", "pkg", "policy", "testdata", "library")
	warnCfg := write("warn.yaml", "policies:\n  agent-tls-mode-strict:\n    action: warn\n")
	badCfg := write("bad.yaml", "policies:\n  agent-tls-mode-strict:\n    parameters:\n      nope: 1\n")
	tests := []struct {
		name      string
		args      []string
		stdin     string
		wantCode  int
		wantInErr string
		wantInOut string
	}{
		{name: "clean", args: []string{"scan", strict}, wantCode: 0, wantInOut: "0 fail"},
		{name: "deny violation", args: []string{"scan", loose}, wantCode: 1, wantInOut: "agent-tls-mode-strict"},
		{name: "warn action does not fail", args: []string{"scan", "--config", warnCfg, loose}, wantCode: 0, wantInOut: "WARN"},
		{name: "stdin", args: []string{"scan", "-"}, stdin: "apiVersion: management.cattle.io/v3\nkind: Setting\nmetadata:\n  name: agent-tls-mode\nvalue: nope\n", wantCode: 1, wantInOut: "<stdin>:1"},
		{name: "bad yaml names file and line", args: []string{"scan", broken}, wantCode: 2, wantInErr: "broken.yaml:10"},
		{name: "missing kind", args: []string{"scan", noKind}, wantCode: 2, wantInErr: "nokind.yaml:1: object has no kind"},
		{name: "missing path", args: []string{"scan", filepath.Join(dir, "nope")}, wantCode: 2, wantInErr: "no such file"},
		{name: "no args", args: []string{"scan"}, wantCode: 2, wantInErr: "no input"},
		{name: "bad output", args: []string{"scan", "-o", "xml", strict}, wantCode: 2, wantInErr: `unknown output format "xml"`},
		{name: "bad now", args: []string{"scan", "--now", "yesterday", strict}, wantCode: 2, wantInErr: "--now"},
		{name: "unknown parameter in config", args: []string{"scan", "--config", badCfg, strict}, wantCode: 2, wantInErr: `unknown parameter "nope"`},
		{name: "--policies replaces the library", args: []string{"scan", "--policies", custom, cm}, wantCode: 1, wantInOut: "url-https"},
		{name: "--policies must be a directory", args: []string{"scan", "--policies", cm, cm}, wantCode: 2, wantInErr: "not a directory"},
		{name: "unknown flag", args: []string{"scan", "--nope", strict}, wantCode: 2, wantInErr: "unknown flag"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			out, errOut, code := execute(t, tc.stdin, tc.args...)
			if code != tc.wantCode {
				t.Errorf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, out, errOut)
			}
			if !strings.Contains(errOut, tc.wantInErr) {
				t.Errorf("stderr: got %q, want it to contain %q", errOut, tc.wantInErr)
			}
			if !strings.Contains(out, tc.wantInOut) {
				t.Errorf("stdout: got %q, want it to contain %q", out, tc.wantInOut)
			}
			if strings.Contains(out+errOut, "goroutine ") {
				t.Errorf("output has a stack trace:\n%s%s", out, errOut)
			}
		})
	}
}

// TestScanJSONContract checks the documented fields of -o json.
func TestScanJSONContract(t *testing.T) {
	in := "apiVersion: management.cattle.io/v3\nkind: Setting\nmetadata:\n  name: agent-tls-mode\nvalue: system-store\ndefault: strict\n"
	out, _, code := execute(t, in, "scan", "-o", "json", "--now", exampleNow, "-")
	if code != 1 {
		t.Fatalf("exit code: got %d, want 1", code)
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if doc["apiVersion"] != "tlsguard.io/v1alpha1" || doc["kind"] != "ScanReport" || doc["time"] != exampleNow {
		t.Errorf("header: got %v %v %v", doc["apiVersion"], doc["kind"], doc["time"])
	}
	results := doc["results"].([]any)
	if len(results) != 1 {
		t.Fatalf("results: got %d, want 1: %s", len(results), out)
	}
	r := results[0].(map[string]any)
	for _, k := range []string{"policy", "result", "action", "severity", "message", "resource", "source"} {
		if _, ok := r[k]; !ok {
			t.Errorf("result has no %q: %v", k, r)
		}
	}
	want := map[string]any{"file": "<stdin>", "line": float64(1)}
	if diff := cmp.Diff(want, r["source"]); diff != "" {
		t.Errorf("source (-want +got):\n%s", diff)
	}
}
