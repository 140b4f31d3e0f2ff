package probe

import (
	"errors"
	"strconv"
	"sync"

	"github.com/prometheus/client_golang/prometheus"
)

// Metrics are the probe's Prometheus series, one set per probed URL. Observe
// replaces a URL's series, so a rotated certificate leaves no stale one.
//
//   - tlsguard_probe_success{url}: 1 when Result.Success (an agent would
//     connect and start), else 0.
//   - tlsguard_probe_tls_version{url}: the negotiated version as its
//     protocol number: 769 (0x0301) TLS 1.0, 770 TLS 1.1, 771 TLS 1.2, 772
//     (0x0304) TLS 1.3; 0 without a session.
//   - tlsguard_probe_certificate_not_after_timestamp_seconds{url, index,
//     subject_cn, issuer_cn}: notAfter of each presented certificate, index
//     0 the leaf.
//   - tlsguard_probe_duration_seconds{url}: how long the probe took.
type Metrics struct {
	mu       sync.Mutex
	success  *prometheus.GaugeVec
	version  *prometheus.GaugeVec
	notAfter *prometheus.GaugeVec
	duration *prometheus.GaugeVec
}

// NewMetrics creates the series, registered nowhere (see Register).
func NewMetrics() *Metrics {
	return &Metrics{
		success: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tlsguard_probe_success",
			Help: "1 when an agent would connect to the endpoint and start (session, trust as agents verify, hostname, leaf validity, /cacerts checksum), else 0.",
		}, []string{"url"}),
		version: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tlsguard_probe_tls_version",
			Help: "Negotiated TLS version as its protocol number: 769 TLS 1.0, 770 TLS 1.1, 771 TLS 1.2, 772 TLS 1.3; 0 without a session.",
		}, []string{"url"}),
		notAfter: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tlsguard_probe_certificate_not_after_timestamp_seconds",
			Help: "notAfter of each certificate the endpoint presents, as a Unix time; index 0 is the leaf.",
		}, []string{"url", "index", "subject_cn", "issuer_cn"}),
		duration: prometheus.NewGaugeVec(prometheus.GaugeOpts{
			Name: "tlsguard_probe_duration_seconds",
			Help: "Wall time of the last probe of the endpoint.",
		}, []string{"url"}),
	}
}

// Register registers the series on reg.
func (m *Metrics) Register(reg prometheus.Registerer) error {
	var errs []error
	for _, c := range []prometheus.Collector{m.success, m.version, m.notAfter, m.duration} {
		errs = append(errs, reg.Register(c))
	}
	return errors.Join(errs...)
}

// Observe sets the series of r.URL from r; nil is ignored.
func (m *Metrics) Observe(r *Result) {
	if r == nil {
		return
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	url := r.URL
	m.notAfter.DeletePartialMatch(prometheus.Labels{"url": url})
	success, version := 0.0, 0.0
	if r.Success() {
		success = 1
	}
	if r.TLS != nil {
		version = float64(r.TLS.Version)
	}
	m.success.WithLabelValues(url).Set(success)
	m.version.WithLabelValues(url).Set(version)
	m.duration.WithLabelValues(url).Set(r.Duration.Seconds())
	for i, c := range r.Chain {
		m.notAfter.WithLabelValues(url, strconv.Itoa(i), c.SubjectCN, c.IssuerCN).Set(float64(c.NotAfter.Unix()))
	}
}

// Forget deletes the series of url, for an endpoint no longer probed (a
// changed server-url).
func (m *Metrics) Forget(url string) {
	m.mu.Lock()
	defer m.mu.Unlock()
	for _, v := range []*prometheus.GaugeVec{m.success, m.version, m.notAfter, m.duration} {
		v.DeletePartialMatch(prometheus.Labels{"url": url})
	}
}
