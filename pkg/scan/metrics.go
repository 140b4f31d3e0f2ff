package scan

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strconv"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// Metrics are the scanner's Prometheus series.
type Metrics struct {
	notAfter, notBefore *prometheus.GaugeVec
	violations          *prometheus.GaugeVec
	duration            prometheus.Histogram
	lastSuccess         prometheus.Gauge
	failures            prometheus.Counter
	objects             prometheus.Gauge
	reports             *prometheus.CounterVec
	driftDropped        prometheus.Counter

	mu sync.Mutex
	// certLabels remembers each Secret's series so they can be removed when
	// it changes or goes.
	certLabels map[string][]prometheus.Labels
	// certSeen caches parsed certificate facts by UID and resourceVersion:
	// an unchanged Secret is not parsed again.
	certSeen map[string]string
}

// NewMetrics creates the series and registers them on reg (nil: nowhere).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	certLabels := []string{"namespace", "secret", "key", "index", "subject_cn", "issuer_cn"}
	m := &Metrics{
		notAfter: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tlsguard_certificate_not_after_timestamp_seconds",
			Help: "NotAfter of each certificate in guarded Secrets (index: position in the chain, 0 = leaf).",
		}, certLabels),
		notBefore: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tlsguard_certificate_not_before_timestamp_seconds",
			Help: "NotBefore of each certificate in guarded Secrets (its issue time; age = now - this).",
		}, certLabels),
		violations: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tlsguard_violations",
			Help: "Current violations (fail and warn results) by policy, severity, action and kind, as of the last scan.",
		}, []string{"policy", "severity", "action", "kind"}),
		duration: prometheus.NewHistogram(prometheus.HistogramOpts{
			Name:    "tlsguard_scan_duration_seconds",
			Help:    "Duration of full scans.",
			Buckets: []float64{0.1, 0.5, 1, 2, 5, 10, 30, 60, 120, 300},
		}),
		lastSuccess: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tlsguard_scan_last_success_timestamp_seconds",
			Help: "When the last full scan succeeded.",
		}),
		failures: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tlsguard_scan_failures_total",
			Help: "Full scans that failed (retried at the next tick).",
		}),
		objects: prometheus.NewGauge(prometheus.GaugeOpts{
			Name: "tlsguard_scan_objects",
			Help: "Guarded objects listed by the last full scan.",
		}),
		reports: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tlsguard_reports_written_total",
			Help: "Report writes by operation (create, update, delete).",
		}, []string{"operation"}),
		driftDropped: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tlsguard_drift_events_dropped_total",
			Help: "Informer events dropped because the drift queue was full (the next full scan catches up).",
		}),
		certLabels: map[string][]prometheus.Labels{},
		certSeen:   map[string]string{},
	}
	if reg != nil {
		reg.MustRegister(m.notAfter, m.notBefore, m.violations, m.duration, m.lastSuccess, m.failures, m.objects, m.reports, m.driftDropped)
	}
	return m
}

func (m *Metrics) scanFailed() { m.failures.Inc() }

func (m *Metrics) reportWritten(op string) { m.reports.WithLabelValues(op).Inc() }

func (m *Metrics) scanSucceeded(st Stats, results []report.Result, now time.Time) {
	m.duration.Observe(st.Duration.Seconds())
	m.lastSuccess.Set(float64(now.Unix()))
	m.objects.Set(float64(st.Objects))
	m.setViolations(results)
}

func (m *Metrics) setViolations(results []report.Result) {
	counts := map[[4]string]int{}
	for _, r := range results {
		if r.Result == report.StatusFail || r.Result == report.StatusWarn {
			counts[[4]string{r.Policy, r.Severity, r.Action, r.Resource.Kind}]++
		}
	}
	m.violations.Reset()
	for k, n := range counts {
		m.violations.WithLabelValues(k[0], k[1], k[2], k[3]).Set(float64(n))
	}
}

// certKeys are the Secret keys holding certificates (never tls.key).
var certKeys = []string{"tls.crt", "ca.crt", "cacerts.pem"}

// observeObject records the certificates of a Secret. Only certificate facts
// are kept; the Secret's data is not.
func (m *Metrics) observeObject(obj *unstructured.Unstructured) {
	if obj.GetKind() != "Secret" || obj.GroupVersionKind().Group != "" {
		return
	}
	uid, rv := string(obj.GetUID()), obj.GetResourceVersion()
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.certSeen[uid] == rv {
		return
	}
	m.forgetLocked(uid)
	m.certSeen[uid] = rv
	data, _, _ := unstructured.NestedStringMap(obj.Object, "data")
	for _, key := range certKeys {
		raw, err := base64.StdEncoding.DecodeString(data[key])
		if err != nil || len(raw) == 0 {
			continue
		}
		i := 0
		for block, rest := pem.Decode(raw); block != nil; block, rest = pem.Decode(rest) {
			if block.Type != "CERTIFICATE" {
				continue
			}
			c, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				continue // the certificate policies report unparseable data
			}
			l := prometheus.Labels{"namespace": obj.GetNamespace(), "secret": obj.GetName(), "key": key,
				"index": strconv.Itoa(i), "subject_cn": c.Subject.CommonName, "issuer_cn": c.Issuer.CommonName}
			m.notAfter.With(l).Set(float64(c.NotAfter.Unix()))
			m.notBefore.With(l).Set(float64(c.NotBefore.Unix()))
			m.certLabels[uid] = append(m.certLabels[uid], l)
			i++
		}
	}
}

// forgetObject removes the series of a deleted object.
func (m *Metrics) forgetObject(uid string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.forgetLocked(uid)
	delete(m.certSeen, uid)
}

func (m *Metrics) forgetLocked(uid string) {
	for _, l := range m.certLabels[uid] {
		m.notAfter.Delete(l)
		m.notBefore.Delete(l)
	}
	delete(m.certLabels, uid)
}
