package scan

import (
	"fmt"
	"strings"
	"testing"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"
	dto "github.com/prometheus/client_model/go"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
)

func tlsSecret(t *testing.T, name, rv, cert string) *unstructured.Unstructured {
	t.Helper()
	certs, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	u := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
		"metadata": map[string]any{"name": name, "namespace": "cattle-system", "uid": "uid-" + name, "resourceVersion": rv},
		"data":     map[string]any{"tls.crt": testcerts.B64(certs.Get(cert).ChainPEM()), "tls.key": testcerts.B64(certs.Get(cert).KeyPEM())},
	}}
	return u
}

func TestCertificateMetrics(t *testing.T) {
	reg := prometheus.NewRegistry()
	m := NewMetrics(reg)
	m.observeObject(tlsSecret(t, "tls-rancher-ingress", "1", "leaf"))
	if got := testutil.CollectAndCount(m.certs, "tlsguard_certificate_not_after_timestamp_seconds"); got != 2 {
		t.Errorf("series: got %d, want 2 (leaf and intermediate)", got)
	}
	// Rotated: the old series go, the new ones come.
	m.observeObject(tlsSecret(t, "tls-rancher-ingress", "2", "leaf_selfsigned"))
	if got := testutil.CollectAndCount(m.certs, "tlsguard_certificate_not_after_timestamp_seconds"); got != 1 {
		t.Errorf("series after rotation: got %d, want 1", got)
	}
	m.forgetObject("uid-tls-rancher-ingress")
	if got := testutil.CollectAndCount(m.certs, "tlsguard_certificate_not_before_timestamp_seconds"); got != 0 {
		t.Errorf("series after delete: got %d, want 0", got)
	}
	// The samples carry the certificate's facts.
	m.observeObject(tlsSecret(t, "tls-rancher-ingress", "3", "leaf"))
	certs, err := testcerts.Default()
	if err != nil {
		t.Fatal(err)
	}
	leaf := certs.Get("leaf").Cert
	want := fmt.Sprintf(`
# HELP tlsguard_certificate_not_after_timestamp_seconds NotAfter of each certificate in guarded Secrets (index: position in the chain, 0 = leaf).
# TYPE tlsguard_certificate_not_after_timestamp_seconds gauge
tlsguard_certificate_not_after_timestamp_seconds{index="0",issuer_cn=%q,key="tls.crt",namespace="cattle-system",secret="tls-rancher-ingress",subject_cn=%q} %g
`, leaf.Issuer.CommonName, leaf.Subject.CommonName, float64(leaf.NotAfter.Unix()))
	if err := testutil.GatherAndCompare(onlyLeaf{reg}, strings.NewReader(want), "tlsguard_certificate_not_after_timestamp_seconds"); err != nil {
		t.Error(err)
	}
	mfs, err := reg.Gather()
	if err != nil {
		t.Fatal(err)
	}
	for _, mf := range mfs {
		if strings.Contains(mf.String(), "PRIVATE KEY") {
			t.Errorf("metric %s carries key material", mf.GetName())
		}
	}
}

// onlyLeaf gathers from g and keeps the index="0" samples.
type onlyLeaf struct{ g prometheus.Gatherer }

func (o onlyLeaf) Gather() ([]*dto.MetricFamily, error) {
	mfs, err := o.g.Gather()
	for _, mf := range mfs {
		var kept []*dto.Metric
		for _, m := range mf.Metric {
			for _, l := range m.GetLabel() {
				if l.GetName() == "index" && l.GetValue() == "0" {
					kept = append(kept, m)
				}
			}
		}
		if strings.HasPrefix(mf.GetName(), "tlsguard_certificate_") {
			mf.Metric = kept
		}
	}
	return mfs, err
}

func TestViolationsGauge(t *testing.T) {
	m := NewMetrics(nil)
	m.setViolations([]report.Result{
		{Policy: "p", Severity: "high", Action: "deny", Result: report.StatusFail, Resource: report.Resource{Kind: "Secret"}},
		{Policy: "p", Severity: "high", Action: "deny", Result: report.StatusFail, Resource: report.Resource{Kind: "Secret"}},
		{Policy: "p", Severity: "high", Action: "deny", Result: report.StatusPass, Resource: report.Resource{Kind: "Secret"}},
	})
	if got := testutil.ToFloat64(m.violations.WithLabelValues("p", "high", "deny", "Secret")); got != 2 {
		t.Errorf("tlsguard_violations: got %v, want 2", got)
	}
}

func TestResultCache(t *testing.T) {
	c := newResultCache()
	set := new(int)
	c.put("u1", cacheEntry{resourceVersion: "1", inventoryGen: 5, policySet: set, seen: 1})
	if !c.fresh("u1", "1", 5, set) {
		t.Error("got miss, want hit for the same version, generation and policy set")
	}
	for name, args := range map[string]struct {
		rv  string
		gen uint64
		set any
	}{"new resourceVersion": {"2", 5, set}, "inventory changed": {"1", 6, set}, "policies reloaded": {"1", 5, new(int)}} {
		if c.fresh("u1", args.rv, args.gen, args.set) {
			t.Errorf("%s: got hit, want miss", name)
		}
	}
	c.put("u2", newCacheEntry("1", 5, set, []report.Result{
		{Policy: "a", Result: report.StatusPass}, {Policy: "b", Result: report.StatusFail}, {Policy: "c", Result: report.StatusPass},
	}, 1))
	if findings, passed := c.findings(); passed != 2 || len(findings) != 1 || findings[0].Policy != "b" {
		t.Errorf("findings: got %v and %d passes, want [b] and 2", findings, passed)
	}
	c.touch("u1", 2)
	if gone := c.prune(2); len(gone) != 1 || gone[0] != "u2" {
		t.Errorf("prune: got %v, want [u2]", gone)
	}
}
