//go:build integration

package integration

import (
	"bytes"
	"context"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/go-logr/logr/testr"
	"k8s.io/client-go/rest"

	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/serve"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
	"github.com/tlsguard/tlsguard/test/integration/framework"
	"github.com/tlsguard/tlsguard/webhook"
)

// kubectl runs the real kubectl against the control plane. stdin may be "".
func kubectl(t *testing.T, kubeconfig, stdin string, args ...string) (string, string, error) {
	t.Helper()
	cmd := exec.CommandContext(t.Context(), "kubectl", args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdin = strings.NewReader(stdin)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	return out.String(), errOut.String(), err
}

// tlsguard is a running `tlsguard serve` in local mode.
type tlsguard struct {
	healthAddr, metricsAddr, webhookAddr, certDir string
	done                                          chan error
}

// startTLSGuard runs serve in local mode against cp, trusting the test root
// and evaluating at testcerts.Now, and waits until it is ready and its
// webhook registered. It stops when the test ends.
func startTLSGuard(t *testing.T, cp *framework.ControlPlane, mutate func(*options.Serve)) *tlsguard {
	t.Helper()
	return start(t, cp, true, mutate)
}

// startTLSGuardNoRegister starts a second replica: same lease, no webhook
// registration (the first replica owns the configuration).
func startTLSGuardNoRegister(t *testing.T, cp *framework.ControlPlane, mutate func(*options.Serve)) *tlsguard {
	t.Helper()
	return start(t, cp, false, mutate)
}

func start(t *testing.T, cp *framework.ControlPlane, register bool, mutate func(*options.Serve)) *tlsguard {
	t.Helper()
	return startWithConfig(t, cp, cp.Config, register, mutate)
}

// startWithConfig runs tlsguard against cfg (e.g. through a Proxy).
func startWithConfig(t *testing.T, cp *framework.ControlPlane, cfg *rest.Config, register bool, mutate func(*options.Serve)) *tlsguard {
	t.Helper()
	certs, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(root, []byte(certs.Get("root").CertPEM()), 0o600); err != nil {
		t.Fatal(err)
	}
	o := options.NewServe()
	o.Kubeconfig = cp.Kubeconfig
	o.WebhookAddr = framework.FreeAddr(t)
	o.HealthAddr = framework.FreeAddr(t)
	o.MetricsAddr = framework.FreeAddr(t)
	o.CertDir = filepath.Join(dir, "certs")
	o.RegisterWebhook = register
	o.ReloadInterval = 0
	o.ScanInterval = 0  // tests that scan turn it on
	o.ProbeInterval = 0 // the state's server-url is not on this machine
	o.Engine.SystemRoots = false
	o.Engine.TrustBundles = []string{root}
	o.Engine.Now = testcerts.Now.Format(time.RFC3339)
	if mutate != nil {
		mutate(o)
	}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if !register {
		// Local mode makes the serving certificate; a plain replica needs one.
		if _, err := webhook.EnsureServingCert(o.CertDir, "127.0.0.1", time.Now()); err != nil {
			t.Fatal(err)
		}
	}
	ctx, cancel := context.WithCancel(context.WithoutCancel(t.Context()))
	g := &tlsguard{healthAddr: o.HealthAddr, metricsAddr: o.MetricsAddr, webhookAddr: o.WebhookAddr, certDir: o.CertDir, done: make(chan error, 1)}
	go func() { g.done <- serve.RunWithConfig(ctx, cfg, o, testr.New(t)) }()
	t.Cleanup(func() {
		cancel()
		select {
		case err := <-g.done:
			if err != nil {
				t.Errorf("serve: %v", err)
			}
		case <-time.After(15 * time.Second):
			t.Error("serve did not stop")
		}
	})
	deadline := time.Now().Add(60 * time.Second)
	for {
		resp, err := http.Get("http://" + o.HealthAddr + "/readyz")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				break
			}
		}
		select {
		case err := <-g.done:
			t.Fatalf("serve exited before ready: %v", err)
		default:
		}
		if time.Now().After(deadline) {
			t.Fatal("tlsguard not ready after 60s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	if !register {
		return g
	}
	// The API server learns of the new configuration through an informer;
	// wait until it calls the webhook.
	for {
		_, stderr, err := kubectl(t, cp.Kubeconfig, "", "patch", "settings.management.cattle.io", "agent-tls-mode",
			"--type", "merge", "-p", `{"value":"Strict"}`, "--dry-run=server")
		if err != nil && strings.Contains(stderr, "agent-tls-mode-strict") {
			break
		}
		if err != nil && !strings.Contains(stderr, "NotFound") && !strings.Contains(stderr, "not found") {
			t.Logf("waiting for webhook: %s", stderr)
		}
		if time.Now().After(deadline) {
			t.Fatalf("webhook not called after 60s; last: %v %s", err, stderr)
		}
		time.Sleep(200 * time.Millisecond)
	}
	return g
}
