package webhook

import (
	"strconv"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// Metrics are the webhook's Prometheus series.
type Metrics struct {
	requests   *prometheus.CounterVec
	duration   *prometheus.HistogramVec
	findings   *prometheus.CounterVec
	breakGlass prometheus.Counter
	decisions  *prometheus.CounterVec
}

// NewMetrics creates the series and registers them on reg.
func NewMetrics(reg prometheus.Registerer) *Metrics {
	m := NopMetrics()
	reg.MustRegister(m.requests, m.duration, m.findings, m.breakGlass, m.decisions)
	return m
}

// NopMetrics returns series registered nowhere.
func NopMetrics() *Metrics {
	return &Metrics{
		requests: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tlsguard_admission_requests_total",
			Help: "Admission requests answered, by operation, kind, decision (allowed, denied, errored) and HTTP code.",
		}, []string{"operation", "kind", "decision", "code"}),
		duration: prometheus.NewHistogramVec(prometheus.HistogramOpts{
			Name:    "tlsguard_admission_duration_seconds",
			Help:    "Time to answer an admission request, evaluation included.",
			Buckets: []float64{0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5},
		}, []string{"operation", "kind"}),
		findings: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tlsguard_admission_findings_total",
			Help: "Policy findings at admission, by policy, action and result (fail, warn, error); dryrun findings are counted here.",
		}, []string{"policy", "action", "result"}),
		breakGlass: prometheus.NewCounter(prometheus.CounterOpts{
			Name: "tlsguard_admission_breakglass_total",
			Help: "Requests a deny policy failed that were allowed because the user or group is break-glass.",
		}),
		decisions: prometheus.NewCounterVec(prometheus.CounterOpts{
			Name: "tlsguard_admission_decision_cache_total",
			Help: "Requests by how their policy results were obtained: hit (an identical recent request's), shared (waited for an identical request's evaluation) or miss (evaluated).",
		}, []string{"result"}),
	}
}

func (m *Metrics) observe(req admission.Request, resp admission.Response, d time.Duration) {
	decision, code := "allowed", 200
	if !resp.Allowed {
		decision = "denied"
	}
	if resp.Result != nil && resp.Result.Code != 0 {
		code = int(resp.Result.Code)
		if code >= 400 && code != 403 {
			decision = "errored"
		}
	}
	op, kind := string(req.Operation), req.Kind.Kind
	m.requests.WithLabelValues(op, kind, decision, strconv.Itoa(code)).Inc()
	m.duration.WithLabelValues(op, kind).Observe(d.Seconds())
}

func (m *Metrics) finding(r report.Result) {
	switch r.Result {
	case report.StatusFail, report.StatusWarn, report.StatusError:
		m.findings.WithLabelValues(r.Policy, r.Action, string(r.Result)).Inc()
	}
}
