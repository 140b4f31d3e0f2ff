package app_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"

	"github.com/tlsguard/tlsguard/cmd/tlsguard/app"
	"github.com/tlsguard/tlsguard/pkg/loadgen"
)

// benchJSON is the part of `bench webhook -o json` the tests read.
type benchJSON struct {
	Order   []string         `json:"order"`
	Certs   int              `json:"certs"`
	Results []loadgen.Result `json:"results"`
	Checks  []struct {
		Name string `json:"name"`
		Met  bool   `json:"met"`
	} `json:"checks"`
}

// TestBenchWebhook runs a short benchmark against the real handler and the
// allow-all one. Its preflight fails the command unless tlsguard allows the
// benchmark request and denies a self-signed leaf with
// [certificate-trusted-ca]. Counts and order are checked, never timings.
func TestBenchWebhook(t *testing.T) {
	if testing.Short() {
		t.Skip("starts an HTTPS server and sends 40 requests")
	}
	out, errOut, code := execute(t, "", "bench", "webhook", "--rate", "20", "--duration", "1s", "--warmup", "0s", "--certs", "3", "-o", "json")
	if code != app.ExitOK {
		t.Fatalf("exit code: got %d, want 0\nstdout: %s\nstderr: %s", code, out, errOut)
	}
	if !strings.Contains(errOut, "preflight: tlsguard denies a self-signed leaf: [certificate-trusted-ca]") {
		t.Errorf("stderr: got %q, want the preflight's denial", errOut)
	}
	var got benchJSON
	if err := json.Unmarshal([]byte(out), &got); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if diff := cmp.Diff([]string{"allow-all 500ms", "tlsguard 1s", "allow-all 500ms"}, got.Order); diff != "" {
		t.Errorf("order (-want +got):\n%s", diff)
	}
	counts := map[string][2]int{}
	for _, r := range got.Results {
		counts[r.Target] = [2]int{r.Requests, r.Errors}
	}
	if diff := cmp.Diff(map[string][2]int{"allow-all": {20, 0}, "tlsguard": {20, 0}}, counts); diff != "" {
		t.Errorf("requests and errors per target (-want +got):\n%s", diff)
	}
	var names []string
	for _, c := range got.Checks {
		names = append(names, c.Name)
		if c.Name == "zero errors" && !c.Met {
			t.Error("check zero errors: got missed, want met")
		}
	}
	want := []string{"zero errors", "tlsguard p99 <= 2.000ms", "tlsguard p99 <= 1.5x allow-all p99"}
	if diff := cmp.Diff(want, names); diff != "" {
		t.Errorf("checks (-want +got):\n%s", diff)
	}
}

// TestBenchWebhookExitCodes checks that failed requests exit 1 and bad flags 2.
func TestBenchWebhookExitCodes(t *testing.T) {
	tests := []struct {
		name      string
		args      []string
		wantCode  int
		wantInOut string
		wantInErr string
	}{
		{
			// A deadline of 1ns has passed before any request can leave.
			name: "every request times out", wantCode: app.ExitViolations,
			args:      []string{"--target", "allow", "--rate", "10", "--duration", "1s", "--warmup", "0s", "--timeout", "1ns"},
			wantInOut: "allow-all: 10 timeout errors",
		},
		{name: "bad target", args: []string{"--target", "nginx"}, wantCode: app.ExitUsage, wantInErr: `--target "nginx"`},
		{name: "bad output", args: []string{"-o", "xml"}, wantCode: app.ExitUsage, wantInErr: `--output "xml"`},
		{name: "zero rate", args: []string{"--rate", "0"}, wantCode: app.ExitUsage, wantInErr: "rate 0"},
		{name: "no certs", args: []string{"--certs", "0"}, wantCode: app.ExitUsage, wantInErr: "--certs 0"},
		{name: "bad now", args: []string{"--now", "yesterday"}, wantCode: app.ExitUsage, wantInErr: "--now"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if testing.Short() && tc.wantCode != app.ExitUsage {
				t.Skip("starts an HTTPS server")
			}
			out, errOut, code := execute(t, "", append([]string{"bench", "webhook"}, tc.args...)...)
			if code != tc.wantCode {
				t.Errorf("exit code: got %d, want %d\nstdout: %s\nstderr: %s", code, tc.wantCode, out, errOut)
			}
			if !strings.Contains(out, tc.wantInOut) {
				t.Errorf("stdout: got %q, want it to contain %q", out, tc.wantInOut)
			}
			if !strings.Contains(errOut, tc.wantInErr) {
				t.Errorf("stderr: got %q, want it to contain %q", errOut, tc.wantInErr)
			}
		})
	}
}
