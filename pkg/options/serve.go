package options

import (
	"errors"
	"fmt"
	"net"
	"strconv"
	"time"

	"github.com/spf13/pflag"
)

// Serve are the flags of `tlsguard serve`.
type Serve struct {
	Engine *Engine

	Kubeconfig string
	Context    string

	WebhookAddr string // host:port the webhook listens on
	CertDir     string
	MetricsAddr string
	HealthAddr  string
	PprofAddr   string
	EvalTimeout time.Duration
	MaxInFlight int
	QueueWait   time.Duration
	// DecisionCacheSize bounds the remembered admission decisions; 0
	// disables the cache.
	DecisionCacheSize int
	DecisionCacheTTL  time.Duration
	// MemoryLimitRatio sets the Go soft memory limit to this share of the
	// container's memory limit; 0 leaves it alone.
	MemoryLimitRatio float64
	BreakGlassUsers  []string
	BreakGlassGroup  []string
	ReloadInterval   time.Duration

	ScanInterval     time.Duration
	ScanSchedule     string
	ScanPageSize     int64
	ScanWorkers      int
	ReportFormat     string
	EventInterval    time.Duration
	LeaderElect      bool
	LeaderElectionNS string
	LeaderElectionID string
	ProbeInterval    time.Duration

	RegisterWebhook bool
	FailurePolicy   string
	TimeoutSeconds  int32
	WebhookName     string
}

// NewServe returns the defaults.
func NewServe() *Serve {
	return &Serve{
		Engine:            NewEngine(),
		WebhookAddr:       ":9443",
		CertDir:           "/tmp/k8s-webhook-server/serving-certs",
		MetricsAddr:       ":8080",
		HealthAddr:        ":8081",
		EvalTimeout:       2 * time.Second,
		MaxInFlight:       64,
		DecisionCacheSize: 1024,
		DecisionCacheTTL:  30 * time.Second,
		MemoryLimitRatio:  0.9,
		ReloadInterval:    10 * time.Second,
		FailurePolicy:     "Fail",
		TimeoutSeconds:    3,
		WebhookName:       "tlsguard",
		ScanInterval:      time.Hour,
		ScanPageSize:      500,
		ReportFormat:      "policyreport",
		EventInterval:     time.Hour,
		LeaderElect:       true,
		LeaderElectionID:  "tlsguard-scanner",
		ProbeInterval:     5 * time.Minute,
	}
}

// AddFlags registers the flags on fs.
func (o *Serve) AddFlags(fs *pflag.FlagSet) {
	o.Engine.AddFlags(fs)
	fs.StringVar(&o.Kubeconfig, "kubeconfig", o.Kubeconfig, "kubeconfig file (default: in-cluster config, or $KUBECONFIG)")
	fs.StringVar(&o.Context, "context", o.Context, "kubeconfig context")
	fs.StringVar(&o.WebhookAddr, "webhook-addr", o.WebhookAddr, "host:port the admission webhook listens on (HTTPS, TLS 1.2+)")
	fs.StringVar(&o.CertDir, "cert-dir", o.CertDir, "directory with tls.crt and tls.key for the webhook; reloaded when they change")
	fs.StringVar(&o.MetricsAddr, "metrics-addr", o.MetricsAddr, "address of the Prometheus /metrics endpoint (0 disables)")
	fs.StringVar(&o.HealthAddr, "health-addr", o.HealthAddr, "address of /healthz and /readyz")
	fs.StringVar(&o.PprofAddr, "pprof-addr", o.PprofAddr, "address of Go's /debug/pprof endpoints, for diagnosing CPU and memory (empty: off; bind it to localhost)")
	fs.DurationVar(&o.EvalTimeout, "eval-timeout", o.EvalTimeout, "deadline of one evaluation; keep it below --timeout-seconds")
	fs.IntVar(&o.MaxInFlight, "max-in-flight", o.MaxInFlight, "concurrent evaluations; more requests wait for a slot until their deadline")
	fs.DurationVar(&o.QueueWait, "queue-wait", o.QueueWait, "longest wait for an evaluation slot; past it the request is answered 429 (overload) so failurePolicy applies at once")
	fs.IntVar(&o.DecisionCacheSize, "decision-cache-size", o.DecisionCacheSize, "admission requests whose policy results are remembered, so an identical request (a retry, a re-apply) is answered without evaluating again (0 disables)")
	fs.DurationVar(&o.DecisionCacheTTL, "decision-cache-ttl", o.DecisionCacheTTL, "longest time a remembered result is reused; results also expire when policies or the inventory change")
	fs.Float64Var(&o.MemoryLimitRatio, "memory-limit-ratio", o.MemoryLimitRatio, "set the Go soft memory limit to this share of the container's cgroup memory limit, unless GOMEMLIMIT is set (0 leaves it alone); lets GOGC be raised for latency without risking the OOM killer")
	fs.StringSliceVar(&o.BreakGlassUsers, "break-glass-user", o.BreakGlassUsers, "user whose denied requests are allowed (still evaluated, warned, logged, counted); repeatable")
	fs.StringSliceVar(&o.BreakGlassGroup, "break-glass-group", o.BreakGlassGroup, "group whose denied requests are allowed; repeatable")
	fs.DurationVar(&o.ReloadInterval, "reload-interval", o.ReloadInterval, "how often --policies and --config are checked for changes (0 disables reload)")
	fs.DurationVar(&o.ScanInterval, "scan-interval", o.ScanInterval, "interval between full scans (0 disables the scanner)")
	fs.StringVar(&o.ScanSchedule, "scan-schedule", o.ScanSchedule, "cron schedule (5 fields, e.g. \"0 */6 * * *\") for full scans instead of --scan-interval")
	fs.Int64Var(&o.ScanPageSize, "scan-page-size", o.ScanPageSize, "objects per list request")
	fs.IntVar(&o.ScanWorkers, "scan-workers", o.ScanWorkers, "objects evaluated in parallel by the scanner (0: one per CPU)")
	fs.StringVar(&o.ReportFormat, "report-format", o.ReportFormat, "reports the scanner writes: policyreport (wgpolicyk8s.io/v1alpha2), openreports (openreports.io/v1alpha1) or none")
	fs.DurationVar(&o.EventInterval, "event-interval", o.EventInterval, "minimum time before the same violation raises another Event")
	fs.BoolVar(&o.LeaderElect, "leader-elect", o.LeaderElect, "elect one replica to scan and write reports (the webhook runs on all)")
	fs.StringVar(&o.LeaderElectionNS, "leader-election-namespace", o.LeaderElectionNS, "namespace of the leader election Lease (default: the pod's namespace, else kube-system)")
	fs.StringVar(&o.LeaderElectionID, "leader-election-id", o.LeaderElectionID, "name of the leader election Lease")
	fs.DurationVar(&o.ProbeInterval, "probe-interval", o.ProbeInterval, "interval of the live TLS probe of the effective server-url (0 disables)")
	fs.BoolVar(&o.RegisterWebhook, "register-webhook", o.RegisterWebhook, "local mode: create a serving certificate if --cert-dir has none, and register the ValidatingWebhookConfiguration with url https://<webhook-addr>/validate")
	fs.StringVar(&o.FailurePolicy, "failure-policy", o.FailurePolicy, "failurePolicy of the registered webhook: Fail or Ignore (see docs/webhook.md)")
	fs.Int32Var(&o.TimeoutSeconds, "timeout-seconds", o.TimeoutSeconds, "timeoutSeconds of the registered webhook (1-30)")
	fs.StringVar(&o.WebhookName, "webhook-name", o.WebhookName, "name of the registered ValidatingWebhookConfiguration")
}

// Validate checks the flag values.
func (o *Serve) Validate() error {
	host, port, err := net.SplitHostPort(o.WebhookAddr)
	if err != nil {
		return fmt.Errorf("--webhook-addr %q: %w", o.WebhookAddr, err)
	}
	if p, err := strconv.Atoi(port); err != nil || p < 1 || p > 65535 {
		return fmt.Errorf("--webhook-addr %q: bad port", o.WebhookAddr)
	}
	if o.RegisterWebhook && host == "" {
		return errors.New("--register-webhook needs a host in --webhook-addr, e.g. 127.0.0.1:9443")
	}
	if o.FailurePolicy != "Fail" && o.FailurePolicy != "Ignore" {
		return fmt.Errorf("--failure-policy %q: want Fail or Ignore", o.FailurePolicy)
	}
	if o.TimeoutSeconds < 1 || o.TimeoutSeconds > 30 {
		return fmt.Errorf("--timeout-seconds %d: want 1 to 30", o.TimeoutSeconds)
	}
	if o.EvalTimeout <= 0 || o.EvalTimeout >= time.Duration(o.TimeoutSeconds)*time.Second {
		return fmt.Errorf("--eval-timeout %s: must be positive and below --timeout-seconds (%ds)", o.EvalTimeout, o.TimeoutSeconds)
	}
	if o.ScanInterval < 0 {
		return fmt.Errorf("--scan-interval %s: must be >= 0", o.ScanInterval)
	}
	switch o.ReportFormat {
	case "policyreport", "openreports", "none":
	default:
		return fmt.Errorf("--report-format %q: want policyreport, openreports or none", o.ReportFormat)
	}
	if o.DecisionCacheSize < 0 {
		return fmt.Errorf("--decision-cache-size %d: must be >= 0 (0 disables the cache)", o.DecisionCacheSize)
	}
	if o.DecisionCacheSize > 0 && o.DecisionCacheTTL <= 0 {
		return fmt.Errorf("--decision-cache-ttl %s: must be positive", o.DecisionCacheTTL)
	}
	if o.MemoryLimitRatio < 0 || o.MemoryLimitRatio > 1 {
		return fmt.Errorf("--memory-limit-ratio %g: want 0 (off) to 1", o.MemoryLimitRatio)
	}
	if o.MaxInFlight < 1 {
		return fmt.Errorf("--max-in-flight %d: must be >= 1", o.MaxInFlight)
	}
	return o.Engine.Validate()
}

// WebhookHostPort splits --webhook-addr.
func (o *Serve) WebhookHostPort() (string, int) {
	host, port, _ := net.SplitHostPort(o.WebhookAddr)
	p, _ := strconv.Atoi(port)
	return host, p
}
