//go:build integration

package integration

import (
	"context"
	"crypto/tls"
	"fmt"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
	"github.com/tlsguard/tlsguard/test/fixtures"
	"github.com/tlsguard/tlsguard/test/integration/framework"
)

var settingGVK = schema.GroupVersionKind{Group: "management.cattle.io", Version: "v3", Kind: "Setting"}

func writeFile(t *testing.T, name, content string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(content), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// tlsSecretYAML renders `kubectl create secret tls` for a named test cert,
// the way an operator replaces the Rancher certificate.
func tlsSecretYAML(t *testing.T, kubeconfig, cert string) string {
	t.Helper()
	certs, _ := testcerts.Default()
	c := certs.Get(cert)
	crt := writeFile(t, "tls.crt", c.ChainPEM())
	key := writeFile(t, "tls.key", c.KeyPEM())
	out, stderr, err := kubectl(t, kubeconfig, "", "-n", "cattle-system", "create", "secret", "tls", "tls-rancher-ingress",
		"--cert="+crt, "--key="+key, "--dry-run=client", "-o", "yaml")
	if err != nil {
		t.Fatalf("kubectl create secret tls: %v %s", err, stderr)
	}
	return out
}

// TestAdmission drives the webhook through a real kube-apiserver with kubectl
// and client-go: the secure state passes, each TLS-weakening edit is refused
// naming its policy, correct edits pass, warnings reach kubectl.
func TestAdmission(t *testing.T) {
	cp := framework.RunControlPlane(t)
	state, err := fixtures.Render("rancher-state.yaml")
	if err != nil {
		t.Fatal(err)
	}
	if _, stderr, err := kubectl(t, cp.Kubeconfig, string(state), "apply", "-f", "-"); err != nil {
		t.Fatalf("apply state: %v\n%s", err, stderr)
	}
	g := startTLSGuard(t, cp, func(o *options.Serve) { o.BreakGlassUsers = []string{"breakglass-admin"} })

	t.Run("secure state is accepted", func(t *testing.T) {
		if _, stderr, err := kubectl(t, cp.Kubeconfig, string(state), "apply", "--dry-run=server", "-f", "-"); err != nil {
			t.Fatalf("got %v %s, want the secure state accepted", err, stderr)
		}
	})

	refused := []struct {
		name, policy, stdin string
		args                []string
	}{
		{name: "downgrade agent-tls-mode", policy: "agent-tls-mode-strict",
			args: []string{"patch", "settings.management.cattle.io", "agent-tls-mode", "--type", "merge", "-p", `{"value":"system-store"}`}},
		{name: "self-signed ingress certificate", policy: "certificate-trusted-ca",
			stdin: tlsSecretYAML(t, cp.Kubeconfig, "leaf_selfsigned"), args: []string{"apply", "-f", "-"}},
		{name: "remove CATTLE_CA_CHECKSUM", policy: "agent-ca-checksum",
			args: []string{"-n", "cattle-system", "set", "env", "deployment/cattle-cluster-agent", "CATTLE_CA_CHECKSUM-"}},
		{name: "STRICT_VERIFY=false in agentEnvVars", policy: "agent-strict-verify",
			args: []string{"-n", "fleet-default", "patch", "clusters.provisioning.cattle.io", "prod-east", "--type", "json",
				"-p", `[{"op":"add","path":"/spec/agentEnvVars/-","value":{"name":"STRICT_VERIFY","value":"false"}}]`}},
		{name: "delete agent-tls-mode", policy: "agent-tls-mode-strict",
			args: []string{"delete", "settings.management.cattle.io", "agent-tls-mode"}},
		{name: "delete tls-ca while agents pin it", policy: "guarded-delete",
			args: []string{"-n", "cattle-system", "delete", "secret", "tls-ca"}},
		{name: "delete tls-rancher-ingress", policy: "guarded-delete",
			args: []string{"-n", "cattle-system", "delete", "secret", "tls-rancher-ingress"}},
		{name: "delete the cacerts Setting", policy: "guarded-delete",
			args: []string{"delete", "settings.management.cattle.io", "cacerts"}},
	}
	for _, tc := range refused {
		t.Run("refused: "+tc.name, func(t *testing.T) {
			_, stderr, err := kubectl(t, cp.Kubeconfig, tc.stdin, tc.args...)
			if err == nil {
				t.Fatalf("kubectl %v: got success, want refusal by %s", tc.args, tc.policy)
			}
			if !strings.Contains(stderr, "denied the request") || !strings.Contains(stderr, "["+tc.policy+"]") {
				t.Errorf("kubectl stderr: got %q, want a denial naming [%s]", stderr, tc.policy)
			}
		})
	}

	t.Run("accepted: Rancher re-renders the agent with correct values", func(t *testing.T) {
		if _, stderr, err := kubectl(t, cp.Kubeconfig, "", "-n", "cattle-system", "annotate", "deployment/cattle-cluster-agent",
			"--overwrite", "management.cattle.io/scale-available=2"); err != nil {
			t.Fatalf("got %v %s, want accepted", err, stderr)
		}
	})
	t.Run("accepted: rotation to a fresh CA-issued certificate", func(t *testing.T) {
		if _, stderr, err := kubectl(t, cp.Kubeconfig, tlsSecretYAML(t, cp.Kubeconfig, "leaf_rotated"), "apply", "-f", "-"); err != nil {
			t.Fatalf("got %v %s, want accepted", err, stderr)
		}
	})
	t.Run("warning: certificate expiring soon is allowed with a kubectl warning", func(t *testing.T) {
		_, stderr, err := kubectl(t, cp.Kubeconfig, tlsSecretYAML(t, cp.Kubeconfig, "leaf_expiring"), "apply", "--dry-run=server", "-f", "-")
		if err != nil {
			t.Fatalf("got %v %s, want accepted with a warning", err, stderr)
		}
		if !strings.Contains(stderr, "Warning: [certificate-expiry]") {
			t.Errorf("kubectl stderr: got %q, want a [certificate-expiry] warning", stderr)
		}
	})
	t.Run("break-glass user is allowed with a warning", func(t *testing.T) {
		_, kc := cp.AddUser(t, "breakglass-admin", "system:masters")
		_, stderr, err := kubectl(t, kc, "", "patch", "settings.management.cattle.io", "agent-tls-mode", "--type", "merge",
			"-p", `{"value":"system-store"}`, "--dry-run=server")
		if err != nil {
			t.Fatalf("got %v %s, want allowed for break-glass", err, stderr)
		}
		if !strings.Contains(stderr, "break-glass: [agent-tls-mode-strict]") {
			t.Errorf("kubectl stderr: got %q, want a break-glass warning", stderr)
		}
	})

	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	setting := func(value string) *unstructured.Unstructured {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(settingGVK)
		if err := c.Get(t.Context(), client.ObjectKey{Name: "agent-tls-mode"}, u); err != nil {
			t.Fatal(err)
		}
		u.Object["value"] = value
		return u
	}
	t.Run("client-go: downgrade is Forbidden", func(t *testing.T) {
		err := c.Update(t.Context(), setting("system-store"))
		if got := apierrors.ReasonForError(err); got != metav1.StatusReasonForbidden {
			t.Fatalf("reason: got %q (%v), want Forbidden", got, err)
		}
		if !strings.Contains(err.Error(), "[agent-tls-mode-strict]") {
			t.Errorf("got %v, want the policy named", err)
		}
	})
	t.Run("client-go: 100 concurrent requests all answered correctly", func(t *testing.T) {
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for i := range 100 {
			wg.Add(1)
			go func() {
				defer wg.Done()
				good := i%2 == 0
				value := "strict"
				if !good {
					value = "system-store"
				}
				u := setting(value)
				u.SetAnnotations(map[string]string{"tlsguard.io/test": fmt.Sprint(i)})
				err := c.Update(t.Context(), u, client.DryRunAll)
				switch {
				case good && err != nil:
					errs <- fmt.Errorf("request %d (good): got %w, want accepted", i, err)
				case !good && !apierrors.IsForbidden(err):
					errs <- fmt.Errorf("request %d (bad): got %w, want Forbidden", i, err)
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
	})
	t.Run("webhook listener refuses TLS below 1.2", func(t *testing.T) {
		for _, v := range []uint16{tls.VersionTLS10, tls.VersionTLS11} {
			conn, err := tls.Dial("tcp", g.webhookAddr, &tls.Config{MinVersion: v, MaxVersion: v, InsecureSkipVerify: true}) //nolint:gosec // probing the listener
			if err == nil {
				conn.Close()
				t.Errorf("TLS version %x: handshake succeeded, want refused", v)
			}
		}
		conn, err := tls.Dial("tcp", g.webhookAddr, &tls.Config{MinVersion: tls.VersionTLS12, InsecureSkipVerify: true}) //nolint:gosec // probing the listener
		if err != nil {
			t.Fatalf("TLS 1.2+: %v", err)
		}
		conn.Close()
	})
	t.Run("metrics count admission requests", func(t *testing.T) {
		body := scrape(t, g.metricsAddr)
		for _, want := range []string{`tlsguard_admission_requests_total{code="403",decision="denied"`, "tlsguard_admission_duration_seconds_bucket", `tlsguard_admission_breakglass_total 1`, `tlsguard_admission_decision_cache_total{result="miss"}`} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics: want %q in\n%s", want, grepTLSGuard(body))
			}
		}
	})
}

func scrape(t *testing.T, addr string) string {
	t.Helper()
	req, _ := http.NewRequestWithContext(context.WithoutCancel(t.Context()), http.MethodGet, "http://"+addr+"/metrics", nil)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return string(b)
}

func grepTLSGuard(s string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.HasPrefix(l, "tlsguard_") {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
