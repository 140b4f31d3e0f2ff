// Package framework starts a real kube-apiserver and etcd (envtest) for
// integration tests, with the Rancher and cert-manager test CRDs installed,
// and writes a kubeconfig for kubectl.
package framework

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"

	"k8s.io/client-go/rest"
	"sigs.k8s.io/controller-runtime/pkg/envtest"
)

// ControlPlane is a running envtest API server.
type ControlPlane struct {
	Config     *rest.Config
	Kubeconfig string // path of an admin kubeconfig for kubectl
	env        *envtest.Environment
}

// Option changes the envtest environment before it starts.
type Option func(*envtest.Environment)

// RepoRoot is the repository root, found from this file's location.
func RepoRoot() string {
	_, file, _, _ := runtime.Caller(0)
	return filepath.Join(filepath.Dir(file), "..", "..", "..")
}

// RunControlPlane starts etcd and kube-apiserver from KUBEBUILDER_ASSETS
// (make test builds them with hack/envtest.sh), installs test/crds, and stops
// them when the test ends.
func RunControlPlane(t testing.TB, opts ...Option) *ControlPlane {
	t.Helper()
	assets := os.Getenv("KUBEBUILDER_ASSETS")
	if assets == "" {
		t.Fatal("KUBEBUILDER_ASSETS is not set: run `make test-integration`, or export KUBEBUILDER_ASSETS=\"$(hack/envtest.sh)\"")
	}
	for _, bin := range []string{"kube-apiserver", "etcd"} {
		if _, err := os.Stat(filepath.Join(assets, bin)); err != nil {
			t.Fatalf("KUBEBUILDER_ASSETS=%s has no %s (%v): run hack/envtest.sh", assets, bin, err)
		}
	}
	env := &envtest.Environment{
		BinaryAssetsDirectory: assets,
		CRDDirectoryPaths:     []string{filepath.Join(RepoRoot(), "test", "crds")},
		ErrorIfCRDPathMissing: true,
	}
	for _, o := range opts {
		o(env)
	}
	cfg, err := env.Start()
	if err != nil {
		t.Fatalf("start control plane: %v", err)
	}
	cp := &ControlPlane{Config: cfg, env: env}
	t.Cleanup(func() {
		if err := env.Stop(); err != nil {
			t.Errorf("stop control plane: %v", err)
		}
	})
	user, err := env.AddUser(envtest.User{Name: "admin", Groups: []string{"system:masters"}}, nil)
	if err != nil {
		t.Fatalf("add admin user: %v", err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatalf("admin kubeconfig: %v", err)
	}
	cp.Kubeconfig = filepath.Join(t.TempDir(), "kubeconfig")
	if err := os.WriteFile(cp.Kubeconfig, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	return cp
}

// AddUser returns a rest.Config and kubeconfig path for a user with groups
// (for break-glass tests).
func (cp *ControlPlane) AddUser(t testing.TB, name string, groups ...string) (*rest.Config, string) {
	t.Helper()
	user, err := cp.env.AddUser(envtest.User{Name: name, Groups: groups}, nil)
	if err != nil {
		t.Fatal(err)
	}
	kc, err := user.KubeConfig()
	if err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "kubeconfig-"+name)
	if err := os.WriteFile(p, kc, 0o600); err != nil {
		t.Fatal(err)
	}
	return user.Config(), p
}

// Stop stops the control plane early (for restart tests).
func (cp *ControlPlane) Stop() error { return cp.env.Stop() }
