//go:build integration

package integration

import (
	"bytes"
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/cmd/tlsguard/app"
	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
	"github.com/tlsguard/tlsguard/test/fixtures"
	"github.com/tlsguard/tlsguard/test/integration/framework"
)

var (
	polrList  = schema.GroupVersionKind{Group: "wgpolicyk8s.io", Version: "v1alpha2", Kind: "PolicyReportList"}
	cpolrList = schema.GroupVersionKind{Group: "wgpolicyk8s.io", Version: "v1alpha2", Kind: "ClusterPolicyReportList"}
)

// applyFixtures applies the named fixtures with kubectl (before tlsguard
// runs, so the bad objects are admitted).
func applyFixtures(t *testing.T, cp *framework.ControlPlane, names ...string) {
	t.Helper()
	for _, n := range names {
		b, err := fixtures.Render(n)
		if err != nil {
			t.Fatal(err)
		}
		if _, stderr, err := kubectl(t, cp.Kubeconfig, string(b), "apply", "-f", "-"); err != nil {
			t.Fatalf("apply %s: %v\n%s", n, err, stderr)
		}
	}
}

// reports returns every PolicyReport and ClusterPolicyReport by the name of
// the resource they are about.
func reports(t *testing.T, c client.Client) map[string]*unstructured.Unstructured {
	t.Helper()
	out := map[string]*unstructured.Unstructured{}
	for _, gvk := range []schema.GroupVersionKind{polrList, cpolrList} {
		l := &unstructured.UnstructuredList{}
		l.SetGroupVersionKind(gvk)
		if err := c.List(t.Context(), l); err != nil {
			t.Fatal(err)
		}
		for i := range l.Items {
			scope, _, _ := unstructured.NestedStringMap(l.Items[i].Object, "scope")
			key := scope["kind"] + " " + scope["namespace"] + "/" + scope["name"]
			if _, dup := out[key]; dup {
				t.Errorf("two reports for %s", key)
			}
			out[key] = &l.Items[i]
		}
	}
	return out
}

func results(r *unstructured.Unstructured) map[string]string {
	items, _, _ := unstructured.NestedSlice(r.Object, "results")
	out := map[string]string{}
	for _, it := range items {
		m := it.(map[string]any)
		p, res := m["policy"].(string), m["result"].(string)
		if prev := out[p]; prev == "fail" || prev == "warn" {
			continue // keep the worst
		}
		out[p] = res
	}
	return out
}

func eventually(t *testing.T, timeout time.Duration, what string, cond func() (bool, string)) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	last := ""
	for time.Now().Before(deadline) {
		ok, why := cond()
		if ok {
			return
		}
		last = why
		time.Sleep(200 * time.Millisecond)
	}
	t.Fatalf("%s: not within %s: %s", what, timeout, last)
}

// TestScanner runs the scanner in serve against seeded findings: reports,
// metrics and events; a fix turns the report to pass and a deletion removes
// it within seconds; an API server restart is survived without duplicates.
func TestScanner(t *testing.T) {
	cp := framework.RunControlPlane(t)
	applyFixtures(t, cp, "rancher-state.yaml", "findings.yaml")
	proxy, viaProxy := cp.StartProxy(t)
	g := startWithConfig(t, cp, viaProxy, true, func(o *options.Serve) {
		o.ScanInterval = 2 * time.Second
		o.EventInterval = time.Hour
	})
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fleet, legacy, ingress := "ConfigMap cattle-fleet-local-system/fleet-agent", "Secret cattle-system/tls-legacy", "Secret cattle-system/tls-rancher-ingress"
	eventually(t, 30*time.Second, "reports of the first scan", func() (bool, string) {
		rs := reports(t, c)
		return rs[fleet] != nil && rs[legacy] != nil && rs[ingress] != nil && rs["Setting /server-url"] != nil, fmt.Sprint(len(rs), " reports")
	})
	rs := reports(t, c)
	t.Run("reports", func(t *testing.T) {
		if got := results(rs[fleet])["agent-strict-verify"]; got != "fail" {
			t.Errorf("%s agent-strict-verify: got %q, want fail", fleet, got)
		}
		if got := results(rs[legacy])["certificate-rotation-age"]; got != "fail" {
			t.Errorf("%s certificate-rotation-age: got %q, want fail", legacy, got)
		}
		if got := results(rs[ingress]); got["certificate-trusted-ca"] != "pass" || got["certificate-expiry"] != "pass" {
			t.Errorf("%s: got %v, want pass results listed", ingress, got)
		}
		if rs["Setting /server-url"].GetKind() != "ClusterPolicyReport" {
			t.Errorf("Setting report kind: got %s, want ClusterPolicyReport", rs["Setting /server-url"].GetKind())
		}
		var cm corev1.ConfigMap
		if err := c.Get(t.Context(), client.ObjectKey{Namespace: "cattle-fleet-local-system", Name: "fleet-agent"}, &cm); err != nil {
			t.Fatal(err)
		}
		owners := rs[fleet].GetOwnerReferences()
		if len(owners) != 1 || owners[0].UID != cm.UID || owners[0].Kind != "ConfigMap" {
			t.Errorf("owner: got %+v, want the ConfigMap %s", owners, cm.UID)
		}
		fail, _, _ := unstructured.NestedInt64(rs[fleet].Object, "summary", "fail")
		if fail < 1 {
			t.Errorf("summary.fail: got %d, want >= 1", fail)
		}
		items, _, _ := unstructured.NestedSlice(rs[fleet].Object, "results")
		props, _ := items[0].(map[string]any)["properties"].(map[string]any)
		if !strings.HasPrefix(fmt.Sprint(props["docs"]), "https://") {
			t.Errorf("properties.docs: got %v, want the policy's docs link", props)
		}
	})
	t.Run("one-shot cluster scan prints the same findings", func(t *testing.T) {
		var out, errOut bytes.Buffer
		cmd := app.NewRootCommand(app.IO{In: strings.NewReader(""), Out: &out, Err: &errOut})
		cmd.SetArgs([]string{"scan", "--cluster", "--kubeconfig", cp.Kubeconfig, "-o", "json", "--now", testcerts.Now.Format(time.RFC3339),
			"--system-roots=false", "--trust-bundle", writeFile(t, "root.pem", rootPEM(t)), "--page-size", "2"})
		err := cmd.ExecuteContext(t.Context())
		if code := app.ExitCode(err); code != app.ExitViolations {
			t.Fatalf("exit code: got %d (%v), want 1\n%s", code, err, errOut.String())
		}
		var rep report.ScanReport
		if err := json.Unmarshal(out.Bytes(), &rep); err != nil {
			t.Fatal(err)
		}
		found := false
		for _, r := range rep.Results {
			if r.Policy == "agent-strict-verify" && r.Resource.Name == "fleet-agent" && r.Resource.Namespace == "cattle-fleet-local-system" && r.Result == report.StatusFail {
				found = true
			}
			if r.Source != nil {
				t.Errorf("cluster result has a file source: %+v", r.Source)
			}
		}
		if !found || rep.Summary.Resources < 10 {
			t.Errorf("got %d resources and results %+v, want the fleet-agent failure", rep.Summary.Resources, rep.Results)
		}
	})
	t.Run("metrics", func(t *testing.T) {
		body := scrape(t, g.metricsAddr)
		for _, want := range []string{
			`tlsguard_certificate_not_after_timestamp_seconds{index="0",issuer_cn="tlsguard Test Intermediate CA",key="tls.crt",namespace="cattle-system",secret="tls-legacy",subject_cn="rancher.example.com"}`,
			`tlsguard_violations{action="deny",kind="ConfigMap",policy="agent-strict-verify",severity="critical"} 1`,
			"tlsguard_scan_last_success_timestamp_seconds",
			"tlsguard_scan_duration_seconds_count",
		} {
			if !strings.Contains(body, want) {
				t.Errorf("metrics: want %q in\n%s", want, grepTLSGuard(body))
			}
		}
		if strings.Contains(body, "tls.key") || strings.Contains(body, "PRIVATE KEY") {
			t.Error("metrics mention key material")
		}
	})
	t.Run("events", func(t *testing.T) {
		eventually(t, 10*time.Second, "PolicyViolation event on fleet-agent", func() (bool, string) {
			var evs corev1.EventList
			if err := c.List(t.Context(), &evs, client.InNamespace("cattle-fleet-local-system")); err != nil {
				return false, err.Error()
			}
			for _, e := range evs.Items {
				if e.Reason == "PolicyViolation" && e.InvolvedObject.Name == "fleet-agent" && e.Type == corev1.EventTypeWarning &&
					strings.Contains(e.Message, "[agent-strict-verify]") {
					if e.Count > 1 {
						return false, fmt.Sprintf("event repeated %d times, want deduplicated", e.Count)
					}
					return true, ""
				}
			}
			return false, fmt.Sprint(len(evs.Items), " events")
		})
	})
	t.Run("fix turns the report to pass within seconds", func(t *testing.T) {
		if _, stderr, err := kubectl(t, cp.Kubeconfig, "", "-n", "cattle-fleet-local-system", "patch", "configmap", "fleet-agent", "--type", "merge",
			"-p", `{"data":{"config":"{\"clientID\":\"local\",\"agentTLSMode\":\"strict\"}"}}`); err != nil {
			t.Fatalf("fix: %v %s", err, stderr)
		}
		eventually(t, 10*time.Second, "report turns to pass", func() (bool, string) {
			r := reports(t, c)[fleet]
			return r != nil && results(r)["agent-strict-verify"] == "pass", fmt.Sprint(results(r))
		})
	})
	t.Run("delete removes the report within seconds", func(t *testing.T) {
		if _, stderr, err := kubectl(t, cp.Kubeconfig, "", "-n", "cattle-system", "delete", "secret", "tls-legacy"); err != nil {
			t.Fatalf("delete: %v %s", err, stderr)
		}
		eventually(t, 10*time.Second, "report removed", func() (bool, string) {
			return reports(t, c)[legacy] == nil, "still there"
		})
	})
	t.Run("API server restart is survived without duplicate reports", func(t *testing.T) {
		before := reports(t, c)
		successes := scanCount(scrape(t, g.metricsAddr))
		proxy.Down()
		eventually(t, 30*time.Second, "a scan fails while the API server is away", func() (bool, string) {
			body := scrape(t, g.metricsAddr)
			return !strings.Contains(body, "tlsguard_scan_failures_total 0"), grepTLSGuard(body)
		})
		if err := proxy.Up(); err != nil {
			t.Fatal(err)
		}
		eventually(t, 60*time.Second, "a successful scan after the API server is back", func() (bool, string) {
			n := scanCount(scrape(t, g.metricsAddr))
			return n > successes, fmt.Sprint("successful scans: ", n)
		})
		after := reports(t, c)
		if len(after) != len(before) {
			t.Errorf("reports: got %d after restart, want %d", len(after), len(before))
		}
	})
}

// scanCount is tlsguard_scan_duration_seconds_count: successful full scans.
func scanCount(body string) int {
	for _, l := range strings.Split(body, "\n") {
		if strings.HasPrefix(l, "tlsguard_scan_duration_seconds_count ") {
			var n int
			fmt.Sscanf(strings.TrimPrefix(l, "tlsguard_scan_duration_seconds_count "), "%d", &n)
			return n
		}
	}
	return 0
}

// TestScannerLeaderElection runs two replicas: one set of reports, and only
// the leader scans.
func TestScannerLeaderElection(t *testing.T) {
	cp := framework.RunControlPlane(t)
	applyFixtures(t, cp, "rancher-state.yaml", "findings.yaml")
	a := startTLSGuard(t, cp, func(o *options.Serve) { o.ScanInterval = time.Second })
	b := startTLSGuardNoRegister(t, cp, func(o *options.Serve) { o.ScanInterval = time.Second })
	c, err := client.New(cp.Config, client.Options{})
	if err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "reports", func() (bool, string) { return len(reports(t, c)) > 5, "" })
	time.Sleep(3 * time.Second) // several scan ticks
	scanning := 0
	for _, g := range []*tlsguard{a, b} {
		body := scrape(t, g.metricsAddr)
		if strings.Contains(body, "tlsguard_scan_duration_seconds_count") && !strings.Contains(body, "tlsguard_scan_duration_seconds_count 0") {
			scanning++
		}
	}
	if scanning != 1 {
		t.Errorf("replicas scanning: got %d, want exactly 1 (the leader)", scanning)
	}
}

func rootPEM(t *testing.T) string {
	t.Helper()
	certs, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	return certs.Get("root").CertPEM()
}
