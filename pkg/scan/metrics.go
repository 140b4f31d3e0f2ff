package scan

import (
	"crypto/x509"
	"encoding/base64"
	"encoding/pem"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// Metrics are the scanner's Prometheus series.
type Metrics struct {
	certs        *certCollector
	violations   *prometheus.GaugeVec
	duration     prometheus.Histogram
	lastSuccess  prometheus.Gauge
	failures     prometheus.Counter
	objects      prometheus.Gauge
	reports      *prometheus.CounterVec
	driftDropped prometheus.Counter
}

// certCollector serves the two certificate series of every certificate in
// guarded Secrets. It keeps compact facts per Secret (labels and two times,
// ~150 bytes a certificate) and builds the samples at scrape time: a
// GaugeVec would keep two label maps and metric objects per certificate,
// ~2 KB, which for a fleet of 10,000 two-certificate Secrets is 40 MB held
// for the life of the process.
type certCollector struct {
	notAfter, notBefore *prometheus.Desc

	mu sync.Mutex
	// bySecret holds each Secret's certificates by UID, with the
	// resourceVersion they were read from: an unchanged Secret is not parsed
	// again, and a changed or deleted one drops its old series.
	bySecret map[string]secretCerts
	// labels shares the label values that repeat across Secrets
	// (namespaces, issuer names, intermediates' subjects) instead of
	// keeping a copy per certificate; bounded by maxSharedLabels.
	labels map[string]string
}

const maxSharedLabels = 4096

// share returns the shared copy of a label value. c.mu must be held.
func (c *certCollector) share(v string) string {
	if s, ok := c.labels[v]; ok {
		return s
	}
	v = strings.Clone(v) // not a view into a larger string kept alive
	if len(c.labels) < maxSharedLabels {
		c.labels[v] = v
	}
	return v
}

type secretCerts struct {
	resourceVersion string
	certs           []certFacts
}

// certFacts are one certificate's labels (certLabelNames order) and times.
type certFacts struct {
	labels              [6]string
	notBefore, notAfter float64
}

var certLabelNames = []string{"namespace", "secret", "key", "index", "subject_cn", "issuer_cn"}

func newCertCollector() *certCollector {
	return &certCollector{
		notAfter: prometheus.NewDesc("tlsguard_certificate_not_after_timestamp_seconds",
			"NotAfter of each certificate in guarded Secrets (index: position in the chain, 0 = leaf).", certLabelNames, nil),
		notBefore: prometheus.NewDesc("tlsguard_certificate_not_before_timestamp_seconds",
			"NotBefore of each certificate in guarded Secrets (its issue time; age = now - this).", certLabelNames, nil),
		bySecret: map[string]secretCerts{},
		labels:   map[string]string{},
	}
}

// Describe implements prometheus.Collector.
func (c *certCollector) Describe(ch chan<- *prometheus.Desc) {
	ch <- c.notAfter
	ch <- c.notBefore
}

// Collect implements prometheus.Collector.
func (c *certCollector) Collect(ch chan<- prometheus.Metric) {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, s := range c.bySecret {
		for _, f := range s.certs {
			l := f.labels[:]
			ch <- prometheus.MustNewConstMetric(c.notAfter, prometheus.GaugeValue, f.notAfter, l...)
			ch <- prometheus.MustNewConstMetric(c.notBefore, prometheus.GaugeValue, f.notBefore, l...)
		}
	}
}

// NewMetrics creates the series and registers them on reg (nil: nowhere).
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := &Metrics{
		certs: newCertCollector(),
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
	}
	if reg != nil {
		reg.MustRegister(m.certs, m.violations, m.duration, m.lastSuccess, m.failures, m.objects, m.reports, m.driftDropped)
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
	c := m.certs
	// Held while parsing (tens of microseconds) so that two observations
	// of one Secret cannot store out of order.
	c.mu.Lock()
	defer c.mu.Unlock()
	if seen, ok := c.bySecret[uid]; ok && seen.resourceVersion == rv {
		return
	}
	entry := secretCerts{resourceVersion: rv}
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
			cert, err := x509.ParseCertificate(block.Bytes)
			if err != nil {
				continue // the certificate policies report unparseable data
			}
			// A leaf's subject is its own; the CAs above it repeat.
			subject := strings.Clone(cert.Subject.CommonName)
			if i > 0 {
				subject = c.share(cert.Subject.CommonName)
			}
			entry.certs = append(entry.certs, certFacts{
				labels: [6]string{c.share(obj.GetNamespace()), obj.GetName(), key, strconv.Itoa(i),
					subject, c.share(cert.Issuer.CommonName)},
				notBefore: float64(cert.NotBefore.Unix()), notAfter: float64(cert.NotAfter.Unix()),
			})
			i++
		}
	}
	c.bySecret[uid] = entry
}

// forgetObject removes the series of a deleted object.
func (m *Metrics) forgetObject(uid string) {
	m.certs.mu.Lock()
	defer m.certs.mu.Unlock()
	delete(m.certs.bySecret, uid)
}
