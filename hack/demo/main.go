// Command demo starts a real kube-apiserver and etcd, installs the Rancher
// CRDs and a secure Rancher state, runs `tlsguard serve` in local mode, and
// walks through TLS-weakening edits with kubectl, printing each command and
// the API server's answer. Run it with `make demo`.
package main

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"

	"sigs.k8s.io/controller-runtime/pkg/envtest"

	"github.com/tlsguard/tlsguard/pkg/testcerts"
	"github.com/tlsguard/tlsguard/test/fixtures"
)

func main() {
	if err := run(); err != nil {
		fmt.Fprintln(os.Stderr, "demo:", err)
		os.Exit(1)
	}
}

func run() error {
	if len(os.Args) != 2 {
		return fmt.Errorf("usage: demo PATH-TO-TLSGUARD-BINARY (KUBEBUILDER_ASSETS must point at kube-apiserver and etcd)")
	}
	bin := os.Args[1]
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	dir, err := os.MkdirTemp("", "tlsguard-demo-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)

	step("Starting etcd and kube-apiserver (envtest) with the Rancher CRDs")
	env := &envtest.Environment{CRDDirectoryPaths: []string{"test/crds"}, ErrorIfCRDPathMissing: true}
	if _, err := env.Start(); err != nil {
		return fmt.Errorf("control plane: %w (is KUBEBUILDER_ASSETS set? make demo does it)", err)
	}
	defer func() { _ = env.Stop() }()
	user, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		return err
	}
	kc, err := user.KubeConfig()
	if err != nil {
		return err
	}
	kubeconfig := filepath.Join(dir, "kubeconfig")
	if err := os.WriteFile(kubeconfig, kc, 0o600); err != nil {
		return err
	}
	certs, err := testcerts.Default()
	if err != nil {
		return err
	}
	state, err := fixtures.Render("rancher-state.yaml")
	if err != nil {
		return err
	}
	step("Installing a secure Rancher state (agent-tls-mode strict, private CA, pinned agents)")
	if out, err := kubectlRun(kubeconfig, string(state), "apply", "-f", "-"); err != nil {
		return fmt.Errorf("apply state: %w\n%s", err, out)
	}
	root := filepath.Join(dir, "root.pem")
	if err := os.WriteFile(root, []byte(certs.Get("root").CertPEM()), 0o600); err != nil {
		return err
	}
	port, health := freePort(), freePort()
	step(fmt.Sprintf("Starting tlsguard serve in local mode on 127.0.0.1:%d (evaluating at %s, the time the demo certificates are valid at)", port, testcerts.Now.Format(time.DateOnly)))
	serve := exec.CommandContext(ctx, bin, "serve", "--kubeconfig", kubeconfig,
		"--webhook-addr", fmt.Sprintf("127.0.0.1:%d", port), "--health-addr", fmt.Sprintf("127.0.0.1:%d", health), "--metrics-addr", "0", "--probe-interval", "0",
		"--cert-dir", filepath.Join(dir, "certs"), "--register-webhook",
		"--now", testcerts.Now.Format(time.RFC3339), "--system-roots=false", "--trust-bundle", root)
	var logs bytes.Buffer
	serve.Stdout, serve.Stderr = &logs, &logs
	serve.Cancel = func() error { return serve.Process.Signal(os.Interrupt) }
	serve.WaitDelay = 10 * time.Second
	if err := serve.Start(); err != nil {
		return err
	}
	defer func() {
		_ = serve.Process.Signal(os.Interrupt)
		_ = serve.Wait()
	}()
	if err := waitCalled(ctx, kubeconfig, health); err != nil {
		return fmt.Errorf("%w\ntlsguard logs:\n%s", err, logs.String())
	}

	selfSigned := writeTLS(dir, "selfsigned", certs.Get("leaf_selfsigned"))
	expiring := writeTLS(dir, "expiring", certs.Get("leaf_expiring"))
	rotated := writeTLS(dir, "rotated", certs.Get("leaf_rotated"))
	secretTLS := func(files [2]string) string {
		return fmt.Sprintf("kubectl -n cattle-system create secret tls tls-rancher-ingress --cert=%s --key=%s --dry-run=client -o yaml | kubectl apply -f -", files[0], files[1])
	}
	demos := []struct{ title, cmd string }{
		{"Downgrade agent-tls-mode to system-store", `kubectl patch setting agent-tls-mode --type merge -p '{"value":"system-store"}'`},
		{"Swap in a self-signed certificate for the Rancher ingress", secretTLS(selfSigned)},
		{"Remove CATTLE_CA_CHECKSUM from cattle-cluster-agent", "kubectl -n cattle-system set env deployment/cattle-cluster-agent CATTLE_CA_CHECKSUM-"},
		{"Add STRICT_VERIFY=false to a cluster's agentEnvVars", `kubectl -n fleet-default patch clusters.provisioning.cattle.io prod-east --type json -p '[{"op":"add","path":"/spec/agentEnvVars/-","value":{"name":"STRICT_VERIFY","value":"false"}}]'`},
		{"Delete the agent-tls-mode Setting", "kubectl delete setting agent-tls-mode"},
		{"Delete the private CA agents pin", "kubectl -n cattle-system delete secret tls-ca"},
		{"A certificate that expires in 10 days is allowed, with a warning", secretTLS(expiring)},
		{"Rotation to a fresh CA-issued certificate is allowed", secretTLS(rotated)},
	}
	for _, d := range demos {
		step(d.title)
		fmt.Printf("$ %s\n", d.cmd)
		out, _ := kubectlShell(kubeconfig, d.cmd)
		fmt.Println(indent(out))
	}
	step("Shutting down (tlsguard removes its webhook configuration on exit)")
	return nil
}

func step(s string) { fmt.Printf("\n== %s\n", s) }

func indent(s string) string {
	s = strings.TrimRight(s, "\n")
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, "version difference") || strings.Contains(l, "WARNING: version") {
			continue // kubectl's version-skew notice against the test API server
		}
		if strings.HasPrefix(strings.TrimSpace(l), "{") {
			// kubectl echoes the whole patch, Secret data included, when an
			// apply is refused; show what matters.
			l = "(" + fmt.Sprint(len(l)) + " characters of patch body elided)"
		}
		out = append(out, "  "+l)
	}
	return strings.Join(out, "\n")
}

func writeTLS(dir, name string, c *testcerts.Cert) [2]string {
	crt, key := filepath.Join(dir, name+".crt"), filepath.Join(dir, name+".key")
	_ = os.WriteFile(crt, []byte(c.ChainPEM()), 0o600)
	_ = os.WriteFile(key, []byte(c.KeyPEM()), 0o600)
	return [2]string{crt, key}
}

func kubectlRun(kubeconfig, stdin string, args ...string) (string, error) {
	cmd := exec.Command("kubectl", args...)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	cmd.Stdin = strings.NewReader(stdin)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func kubectlShell(kubeconfig, line string) (string, error) {
	cmd := exec.Command("bash", "-o", "pipefail", "-c", line)
	cmd.Env = append(os.Environ(), "KUBECONFIG="+kubeconfig)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func freePort() int {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// waitCalled waits until tlsguard is ready and the API server calls it.
func waitCalled(ctx context.Context, kubeconfig string, health int) error {
	deadline := time.Now().Add(90 * time.Second)
	for time.Now().Before(deadline) {
		if ctx.Err() != nil {
			return ctx.Err()
		}
		resp, err := http.Get(fmt.Sprintf("http://127.0.0.1:%d/readyz", health))
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				out, err := kubectlRun(kubeconfig, "", "patch", "settings.management.cattle.io", "agent-tls-mode", "--type", "merge", "-p", `{"value":"Strict"}`, "--dry-run=server")
				if err != nil && strings.Contains(out, "agent-tls-mode-strict") {
					return nil
				}
			}
		}
		time.Sleep(200 * time.Millisecond)
	}
	return fmt.Errorf("tlsguard not ready and called within 90s")
}
