package app_test

import (
	"strings"
	"testing"

	"github.com/tlsguard/tlsguard/cmd/tlsguard/app"
)

func TestPolicyCommands(t *testing.T) {
	t.Run("list", func(t *testing.T) {
		out, errOut, code := execute(t, "", "policy", "list")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errOut)
		}
		for _, id := range []string{"agent-tls-mode-strict", "server-url-https"} {
			if !strings.Contains(out, id) {
				t.Errorf("list: got %q, want it to contain %s", out, id)
			}
		}
	})
	t.Run("test built-in library", func(t *testing.T) {
		out, errOut, code := execute(t, "", "policy", "test")
		if code != app.ExitOK {
			t.Fatalf("exit %d: %s\n%s", code, errOut, out)
		}
		if !strings.Contains(out, " passed, 0 failed") {
			t.Errorf("got %q, want a passed/failed summary", out)
		}
	})
	t.Run("test on a missing dir", func(t *testing.T) {
		_, errOut, code := execute(t, "", "policy", "test", "/nonexistent")
		if code != app.ExitUsage || !strings.Contains(errOut, "/nonexistent") {
			t.Errorf("got exit %d %q, want 2 naming the dir", code, errOut)
		}
	})
	t.Run("version", func(t *testing.T) {
		out, _, code := execute(t, "", "version")
		if code != 0 || !strings.HasPrefix(out, "tlsguard ") {
			t.Errorf("got %d %q", code, out)
		}
	})
}
