//go:build integration

package integration

import (
	"crypto/tls"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
	"github.com/tlsguard/tlsguard/test/integration/framework"
)

// TestEndpointProbe points server-url at a TLS server on 127.0.0.1 that
// serves a CA-issued certificate and /cacerts, and checks serve's periodic
// probe publishes an endpoint-tls report and metrics.
func TestEndpointProbe(t *testing.T) {
	certs, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	root, inter := certs.Get("root"), certs.Get("intermediate")
	leaf, err := testcerts.Issue(testcerts.Spec{CommonName: "127.0.0.1", IPs: []net.IP{net.ParseIP("127.0.0.1")},
		NotBefore: testcerts.Now.Add(-24 * time.Hour), NotAfter: testcerts.Now.Add(60 * 24 * time.Hour)}, inter)
	if err != nil {
		t.Fatal(err)
	}
	pair, err := tls.X509KeyPair([]byte(leaf.ChainPEM()), []byte(leaf.KeyPEM()))
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/cacerts" {
			fmt.Fprint(w, root.CertPEM())
			return
		}
		fmt.Fprint(w, "rancher")
	}))
	// Go's default TLS 1.2 suites still include CBC ones, which the probe
	// rightly reports; serve what a hardened Rancher serves.
	srv.TLS = &tls.Config{Certificates: []tls.Certificate{pair}, MinVersion: tls.VersionTLS12, CipherSuites: []uint16{
		tls.TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256, tls.TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384, tls.TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256,
	}}
	srv.StartTLS()
	t.Cleanup(srv.Close)

	cp := framework.RunControlPlane(t)
	applyFixtures(t, cp, "rancher-state.yaml")
	if _, stderr, err := kubectl(t, cp.Kubeconfig, "", "patch", "settings.management.cattle.io", "server-url", "--type", "merge",
		"-p", fmt.Sprintf(`{"value":%q}`, srv.URL)); err != nil {
		t.Fatalf("set server-url: %v %s", err, stderr)
	}
	g := startTLSGuard(t, cp, func(o *options.Serve) { o.ProbeInterval = time.Second })
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	var setting unstructured.Unstructured
	setting.SetGroupVersionKind(settingGVK)
	if err := c.Get(t.Context(), client.ObjectKey{Name: "server-url"}, &setting); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "endpoint report", func() (bool, string) {
		var rep unstructured.Unstructured
		rep.SetAPIVersion("wgpolicyk8s.io/v1alpha2")
		rep.SetKind("ClusterPolicyReport")
		if err := c.Get(t.Context(), client.ObjectKey{Name: "tlsguard-endpoint-" + string(setting.GetUID())}, &rep); err != nil {
			return false, err.Error()
		}
		got := results(&rep)
		return got["endpoint-tls"] == "pass", fmt.Sprint(got, rep.Object["results"])
	})
	body := scrape(t, g.metricsAddr)
	if !strings.Contains(body, fmt.Sprintf(`tlsguard_probe_success{url="%s"} 1`, srv.URL)) {
		t.Errorf("metrics: want probe success for %s in\n%s", srv.URL, grepTLSGuard(body))
	}
}
