package app

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	stdlog "log"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
	admissionv1 "k8s.io/api/admission/v1"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	k8sruntime "k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/log/zap"
	crmetrics "sigs.k8s.io/controller-runtime/pkg/metrics"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"
	"sigs.k8s.io/controller-runtime/pkg/webhook/admission"

	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/loadgen"
	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/testcerts"
	"github.com/tlsguard/tlsguard/webhook"
)

// Benchmark targets, and the path of the allow-all handler.
const (
	benchTLSGuard = "tlsguard"
	benchAllowAll = "allow-all"
	benchBoth     = "both"
	allowPath     = "/allow"
)

// The issue's targets for the webhook (issue 3, Performance).
const (
	targetP99   = 2 * time.Millisecond
	targetRatio = 1.5
)

// benchOptions are the flags of `tlsguard bench webhook`.
type benchOptions struct {
	Engine      *options.Engine
	Rate        float64
	Duration    time.Duration
	Warmup      time.Duration
	Concurrency int
	Timeout     time.Duration
	Certs       int
	// DecisionCacheSize is serve's --decision-cache-size; 0 measures
	// every request's evaluation.
	DecisionCacheSize int
	Target            string
	Output            string
	CPUProfile        string
	MemProfile        string
}

// newBenchOptions returns the defaults: the issue's 1,000 requests/s for
// 30 s, evaluated at the fixed test time with system roots on, as served.
func newBenchOptions() *benchOptions {
	e := options.NewEngine()
	e.Now = testcerts.Now.Format(time.RFC3339)
	return &benchOptions{
		Engine: e, Rate: 1000, Duration: 30 * time.Second, Warmup: 3 * time.Second,
		Concurrency: 256, Timeout: 3 * time.Second, Certs: 1, Target: benchBoth, Output: "table",
		DecisionCacheSize: options.NewServe().DecisionCacheSize,
	}
}

// AddFlags registers the flags on fs.
func (o *benchOptions) AddFlags(fs *pflag.FlagSet) {
	o.Engine.AddFlags(fs)
	fs.Float64Var(&o.Rate, "rate", o.Rate, "requests per second sent to each target (open loop)")
	fs.DurationVar(&o.Duration, "duration", o.Duration, "measured time per target")
	fs.DurationVar(&o.Warmup, "warmup", o.Warmup, "unmeasured load at the same rate before each measured segment")
	fs.IntVar(&o.Concurrency, "concurrency", o.Concurrency, "maximum requests in flight (and kept-alive connections)")
	fs.DurationVar(&o.Timeout, "timeout", o.Timeout, "deadline of each request from its scheduled send time, as the webhook's timeoutSeconds (3)")
	fs.IntVar(&o.Certs, "certs", o.Certs, "distinct leaf certificates, one per request in turn; more than the engine's x509 memo holds (64) makes every request parse its leaf")
	fs.IntVar(&o.DecisionCacheSize, "decision-cache-size", o.DecisionCacheSize, "serve's admission decision cache; 0 disables it, so every request is evaluated (identical requests otherwise hit it)")
	fs.StringVar(&o.Target, "target", o.Target, "both, tlsguard or allow (the allow-all handler)")
	fs.StringVarP(&o.Output, "output", "o", o.Output, "table or json")
	fs.StringVar(&o.CPUProfile, "cpuprofile", o.CPUProfile, "write a CPU profile of the measured segments (server and load generator) to this file")
	fs.StringVar(&o.MemProfile, "memprofile", o.MemProfile, "write an allocation profile (allocs, from process start) to this file after the run")
}

// Validate checks the flag values.
func (o *benchOptions) Validate() error {
	cfg := loadgen.Config{Rate: o.Rate, Duration: o.Duration, Warmup: o.Warmup, Concurrency: o.Concurrency, Timeout: o.Timeout}
	if err := cfg.Validate(); err != nil {
		return err
	}
	if o.DecisionCacheSize < 0 {
		return fmt.Errorf("--decision-cache-size %d: must be >= 0", o.DecisionCacheSize)
	}
	if o.Certs < 1 {
		return fmt.Errorf("--certs %d: must be at least 1", o.Certs)
	}
	switch o.Target {
	case benchBoth, benchTLSGuard, "allow":
	default:
		return fmt.Errorf("--target %q: want both, tlsguard or allow", o.Target)
	}
	if o.Output != "table" && o.Output != "json" {
		return fmt.Errorf("--output %q: want table or json", o.Output)
	}
	return o.Engine.Validate()
}

// NewBenchCommand builds `tlsguard bench`.
func NewBenchCommand(streams IO) *cobra.Command {
	cmd := &cobra.Command{Use: "bench", Short: "Benchmarks of tlsguard on this machine"}
	cmd.AddCommand(newBenchWebhookCommand(streams))
	return cmd
}

func newBenchWebhookCommand(streams IO) *cobra.Command {
	o := newBenchOptions()
	cmd := &cobra.Command{
		Use:   "webhook",
		Short: "Measure admission latency of the webhook against an allow-all handler on the same server",
		Long: `Start one HTTPS server on 127.0.0.1 (controller-runtime's webhook server,
TLS 1.2+, a fresh self-signed serving certificate) that serves the tlsguard
handler at /validate, built from the policies as tlsguard serve builds it,
and an allow-all handler at /allow; both are wrapped the same way, so
decoding and encoding cost the same. Then send, over kept-alive connections
at a fixed rate (open loop), an UPDATE of Secret cattle-system/
tls-rancher-ingress whose tls.crt is a fresh leaf + intermediate + root
chain, with the inventory holding the server-url, agent-tls-mode (strict)
and cacerts Settings. Latency counts from each request's scheduled send
time. Before measuring, it checks that tlsguard allows this request and
denies the same Secret with a self-signed leaf ([certificate-trusted-ca]).

With --target both, the order is allow-all for half the duration, tlsguard
for the whole duration, allow-all for the other half (each segment after
its own warmup): both targets sit at the same mean time in the run, so a
drift of the machine (heap growth, other load) does not favour either.

Exit status: 0 no request failed; 1 a request failed (no answer within
--timeout, transport error, non-200, or an answer other than the expected
admission); 2 usage or setup error.`,
		Example: `  tlsguard bench webhook --rate 1000 --duration 30s
  tlsguard bench webhook --target tlsguard --cpuprofile cpu.out && go tool pprof -top cpu.out`,
		Args:    cobra.NoArgs,
		PreRunE: func(*cobra.Command, []string) error { return o.Validate() },
		RunE: func(cmd *cobra.Command, _ []string) error {
			return runBenchWebhook(cmd.Context(), streams, o)
		},
	}
	o.AddFlags(cmd.Flags())
	return cmd
}

// benchReport is what the command prints; -o json prints it as is.
type benchReport struct {
	Machine           loadgen.Machine `json:"machine"`
	Rate              float64         `json:"rate"`
	Duration          time.Duration   `json:"durationNs"`
	Warmup            time.Duration   `json:"warmupNs"`
	Concurrency       int             `json:"concurrency"`
	BodyBytes         int             `json:"bodyBytes"`
	Certs             int             `json:"certs"`
	DecisionCacheSize int             `json:"decisionCacheSize"`
	// GOGC is the process's GOGC setting: server and load generator
	// share the collector, whose pacing decides the latency tail.
	GOGC    string           `json:"gogc"`
	Order   []string         `json:"order"`
	Results []loadgen.Result `json:"results"`
	// RatioP99 is tlsguard's p99 over allow-all's; 0 unless both ran.
	RatioP99 float64 `json:"ratioP99,omitempty"`
	// ServerLogLines counts what net/http logged, mostly TLS handshakes
	// that failed because the client gave up on a new connection.
	ServerLogLines int          `json:"serverLogLines"`
	Checks         []benchCheck `json:"checks"`
}

// benchCheck is one of the issue's targets and whether the run met it.
type benchCheck struct {
	Name string `json:"name"`
	Met  bool   `json:"met"`
	Got  string `json:"got"`
}

func runBenchWebhook(ctx context.Context, streams IO, o *benchOptions) error {
	// Same logger as serve, discarded: the handler pays for its log values
	// as in production, and controller-runtime does not warn about a
	// missing logger.
	log := zap.New(zap.WriteTo(io.Discard))
	ctrl.SetLogger(log)
	dir, err := os.MkdirTemp("", "tlsguard-bench-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// net/http logs every failed TLS handshake through the standard logger;
	// count them instead (clients that time out reconnect, and an
	// overloaded server then fails handshakes by the hundred).
	var serverLog lineCounter
	stdlog.SetOutput(&serverLog)
	defer stdlog.SetOutput(os.Stderr)
	srvCtx, stop := context.WithCancel(ctx)
	defer stop()
	rig, err := newBenchRig(srvCtx, o, dir, log)
	if err != nil {
		return err
	}
	defer rig.client.CloseIdleConnections()
	pctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	if err := rig.preflight(pctx, streams.Err); err != nil {
		return err
	}

	if o.CPUProfile != "" {
		f, err := os.Create(o.CPUProfile)
		if err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer f.Close()
		if err := pprof.StartCPUProfile(f); err != nil {
			return fmt.Errorf("--cpuprofile: %w", err)
		}
		defer pprof.StopCPUProfile()
	}
	if o.MemProfile != "" {
		defer func() {
			if err := writeAllocs(o.MemProfile); err != nil {
				fmt.Fprintf(streams.Err, "--memprofile: %v\n", err)
			}
		}()
	}
	rep := benchReport{
		Machine: loadgen.ThisMachine(), Rate: o.Rate, Duration: o.Duration, Warmup: o.Warmup,
		Concurrency: o.Concurrency, BodyBytes: len(rig.targets[benchTLSGuard].Bodies[0]), Certs: o.Certs,
		DecisionCacheSize: o.DecisionCacheSize, GOGC: gogc(),
	}
	segments := plan(o.Target, rig.targets, o.Duration)
	for _, s := range segments {
		rep.Order = append(rep.Order, s.String())
	}
	cfg := loadgen.Config{Rate: o.Rate, Warmup: o.Warmup, Concurrency: o.Concurrency, Timeout: o.Timeout}
	rep.Results, err = loadgen.RunSegments(ctx, rig.client, segments, cfg, func(s loadgen.Segment) error {
		// An overloaded target leaves the server busy with abandoned
		// requests; the next segment starts on an idle server.
		if err := settle(ctx, 30*time.Second); err != nil {
			return err
		}
		fmt.Fprintf(streams.Err, "%s: %s warmup, then %s at %g requests/s\n", s.Target.Name, o.Warmup, s.Duration, o.Rate)
		return nil
	})
	if err != nil {
		return err
	}
	rep.ServerLogLines = serverLog.count()
	rep.check()
	if err := rep.write(streams.Out, o.Output); err != nil {
		return err
	}
	for _, r := range rep.Results {
		if r.Errors > 0 {
			return &ExitError{Code: ExitViolations} // 1: a request failed
		}
	}
	return nil
}

// benchRig is the server under test, the client that loads it, and what it
// sends: the benchmark targets and the request tlsguard must deny.
type benchRig struct {
	client  *http.Client
	targets map[string]loadgen.Target
	denied  loadgen.Target
}

// newBenchRig builds the engine and handler as serve does and starts the
// server, which stops with ctx.
func newBenchRig(ctx context.Context, o *benchOptions, dir string, log logr.Logger) (*benchRig, error) {
	sc, err := newBenchScenario(o.Engine.Clock()(), o.Certs)
	if err != nil {
		return nil, err
	}
	eng, err := benchEngine(ctx, o.Engine, sc, dir)
	if err != nil {
		return nil, err
	}
	defaults := options.NewServe()
	holder := policy.NewHolder(eng)
	var decisions *webhook.Decisions
	if o.DecisionCacheSize > 0 {
		// As serve builds it; the inventory does not change during a run.
		decisions = webhook.NewDecisions(webhook.DecisionOptions{
			Size: o.DecisionCacheSize, TTL: defaults.DecisionCacheTTL, Now: o.Engine.Clock(),
			Stamp: func() any { return holder.Load() },
		})
	}
	handler, err := webhook.New(webhook.Deps{
		Evaluator:   holder,
		Decisions:   decisions,
		Log:         log.WithName("admission"),
		Timeout:     defaults.EvalTimeout,
		MaxInFlight: defaults.MaxInFlight,
		Metrics:     webhook.NewMetrics(prometheus.NewRegistry()),
	})
	if err != nil {
		return nil, err
	}
	allowAll := admission.HandlerFunc(func(context.Context, admission.Request) admission.Response {
		return admission.Allowed("")
	})
	base, caPEM, err := startBenchServer(ctx, filepath.Join(dir, "serving"), map[string]admission.Handler{
		webhook.Path: handler, allowPath: allowAll,
	})
	if err != nil {
		return nil, err
	}
	client, err := loadgen.NewClient(caPEM, o.Concurrency)
	if err != nil {
		return nil, err
	}
	expect := loadgen.Expect{Allowed: true, UID: benchUID}
	return &benchRig{
		client: client,
		targets: map[string]loadgen.Target{
			benchTLSGuard: {Name: benchTLSGuard, URL: base + webhook.Path, Bodies: sc.good, Expect: expect},
			benchAllowAll: {Name: benchAllowAll, URL: base + allowPath, Bodies: sc.good, Expect: expect},
		},
		denied: loadgen.Target{Name: "self-signed", URL: base + webhook.Path, Bodies: [][]byte{sc.selfSigned},
			Expect: loadgen.Expect{Allowed: false, Code: 403, UID: benchUID, MessageContains: "[certificate-trusted-ca]"}},
	}, nil
}

// plan orders the segments: for both, allow-all's time is split around
// tlsguard's (loadgen.ABA).
func plan(target string, targets map[string]loadgen.Target, d time.Duration) []loadgen.Segment {
	switch target {
	case benchTLSGuard:
		return []loadgen.Segment{{Target: targets[benchTLSGuard], Duration: d}}
	case "allow":
		return []loadgen.Segment{{Target: targets[benchAllowAll], Duration: d}}
	}
	return loadgen.ABA(targets[benchAllowAll], targets[benchTLSGuard], d)
}

// preflight checks that the benchmark measures the decision path: tlsguard
// allows the benchmark request, denies a self-signed leaf for the right
// reason, and the allow-all handler answers.
func (r *benchRig) preflight(ctx context.Context, w io.Writer) error {
	a, err := loadgen.Do(ctx, r.client, r.targets[benchTLSGuard])
	if err != nil {
		return fmt.Errorf("preflight: tlsguard must allow the benchmark request: %w", err)
	}
	fmt.Fprintf(w, "preflight: tlsguard allows the UPDATE with a CA-issued chain (%d warnings)\n", len(a.Warnings))
	for _, wn := range a.Warnings {
		fmt.Fprintf(w, "  warning: %s\n", wn)
	}
	d, err := loadgen.Do(ctx, r.client, r.denied)
	if err != nil {
		return fmt.Errorf("preflight: tlsguard must deny a self-signed leaf with [certificate-trusted-ca]: %w", err)
	}
	fmt.Fprintf(w, "preflight: tlsguard denies a self-signed leaf: %s\n", firstLine(d.Message, 160))
	if _, err := loadgen.Do(ctx, r.client, r.targets[benchAllowAll]); err != nil {
		return fmt.Errorf("preflight: allow-all handler: %w", err)
	}
	return nil
}

func firstLine(s string, n int) string {
	if i := strings.IndexByte(s, '\n'); i >= 0 {
		s = s[:i]
	}
	if len(s) > n {
		s = s[:n] + "..."
	}
	return s
}

// check evaluates the issue's targets against the results.
func (r *benchReport) check() {
	var tg, allow *loadgen.Result
	errs := 0
	for i := range r.Results {
		errs += r.Results[i].Errors
		switch r.Results[i].Target {
		case benchTLSGuard:
			tg = &r.Results[i]
		case benchAllowAll:
			allow = &r.Results[i]
		}
	}
	r.Checks = append(r.Checks, benchCheck{Name: "zero errors", Met: errs == 0, Got: fmt.Sprint(errs)})
	if tg == nil {
		return
	}
	r.Checks = append(r.Checks, benchCheck{Name: "tlsguard p99 <= " + loadgen.Millis(targetP99), Met: tg.Latency.P99 <= targetP99, Got: loadgen.Millis(tg.Latency.P99)})
	if allow != nil && allow.Latency.P99 > 0 {
		r.RatioP99 = float64(tg.Latency.P99) / float64(allow.Latency.P99)
		r.Checks = append(r.Checks, benchCheck{Name: fmt.Sprintf("tlsguard p99 <= %gx allow-all p99", targetRatio), Met: r.RatioP99 <= targetRatio, Got: fmt.Sprintf("%.2fx", r.RatioP99)})
	}
}

func (r *benchReport) write(w io.Writer, format string) error {
	if format == "json" {
		enc := json.NewEncoder(w)
		enc.SetIndent("", "  ")
		return enc.Encode(r)
	}
	fmt.Fprintf(w, "machine: %d CPUs (GOMAXPROCS %d), %s, %s, GOGC %s\n", r.Machine.CPUs, r.Machine.GOMAXPROCS, r.Machine.Model, r.Machine.Go, r.GOGC)
	fmt.Fprintf(w, "load: %g requests/s per target, %d in flight at most, %d-byte AdmissionReview, %d distinct leaf certificates, decision cache %s, order: %s\n\n",
		r.Rate, r.Concurrency, r.BodyBytes, r.Certs, cacheSize(r.DecisionCacheSize), strings.Join(r.Order, ", "))
	if err := loadgen.WriteTable(w, r.Results); err != nil {
		return err
	}
	fmt.Fprintln(w)
	if err := loadgen.WriteDetails(w, r.Results); err != nil {
		return err
	}
	if r.ServerLogLines > 0 {
		fmt.Fprintf(w, "server: %d net/http errors (failed TLS handshakes of reconnecting clients)\n", r.ServerLogLines)
	}
	if r.RatioP99 > 0 {
		fmt.Fprintf(w, "tlsguard p99 / allow-all p99: %.2fx\n", r.RatioP99)
	}
	for _, c := range r.Checks {
		verdict := "met"
		if !c.Met {
			verdict = "MISSED"
		}
		fmt.Fprintf(w, "target %s: %s (%s)\n", c.Name, verdict, c.Got)
	}
	return nil
}

func writeAllocs(path string) error {
	f, err := os.Create(path)
	if err != nil {
		return err
	}
	return errors.Join(pprof.Lookup("allocs").WriteTo(f, 0), f.Close())
}

func gogc() string {
	if v := os.Getenv("GOGC"); v != "" {
		return v
	}
	return "100 (default)"
}

func cacheSize(n int) string {
	if n == 0 {
		return "off"
	}
	return fmt.Sprintf("%d entries", n)
}

// benchUID is the request UID; every answer must echo it.
const benchUID = "0b5a3f8e-6c1d-4e2f-9a7b-3c4d5e6f7a8b"

// benchScenario is the request the benchmark sends and the cluster state it
// is judged against, generated fresh around the evaluation time. With n
// leaves, the requests differ only in the leaf (all share one key).
type benchScenario struct {
	root       *testcerts.Cert
	good       [][]byte // AdmissionReviews: rotation to a fresh CA-issued leaf, one per leaf
	selfSigned []byte   // AdmissionReview: the same Secret with a self-signed leaf
	inventory  map[string]any
}

func newBenchScenario(now time.Time, n int) (*benchScenario, error) {
	c, err := newBenchCerts(now, n)
	if err != nil {
		return nil, fmt.Errorf("bench certificates: %w", err)
	}
	created := now.Add(-200 * 24 * time.Hour)
	oldSecret := tlsSecret(c.old.ChainPEM()+c.root.CertPEM(), c.old.KeyPEM(), "41877", created)
	sc := &benchScenario{root: c.root}
	for _, f := range c.fresh {
		body, err := secretUpdate(tlsSecret(f.ChainPEM()+c.root.CertPEM(), f.KeyPEM(), "41878", created), oldSecret)
		if err != nil {
			return nil, err
		}
		sc.good = append(sc.good, body)
	}
	if sc.selfSigned, err = secretUpdate(tlsSecret(c.self.ChainPEM(), c.self.KeyPEM(), "41878", created), oldSecret); err != nil {
		return nil, err
	}
	inv := inventory.New()
	inv.Add(setting("server-url", "https://"+testcerts.Host, ""))
	inv.Add(setting("agent-tls-mode", "strict", "strict"))
	inv.Add(setting("cacerts", c.root.CertPEM(), ""))
	oldObj, err := k8sruntime.DefaultUnstructuredConverter.ToUnstructured(oldSecret)
	if err != nil {
		return nil, err
	}
	inv.Add(oldObj) // stored without tls.key, as the informers keep it
	sc.inventory = inv.Document()
	return sc, nil
}

// benchCerts are a root (RSA 2048) and an intermediate (P-256) CA, n fresh
// leaves for rancher.example.com under them, the older leaf they replace,
// and a self-signed leaf.
type benchCerts struct {
	root, inter, old, self *testcerts.Cert
	fresh                  []*testcerts.Cert
}

func newBenchCerts(now time.Time, n int) (*benchCerts, error) {
	const day = 24 * time.Hour
	leaf := func(age, left time.Duration) testcerts.Spec {
		h := testcerts.Host
		return testcerts.Spec{CommonName: h, DNSNames: []string{h}, NotBefore: now.Add(-age), NotAfter: now.Add(left)}
	}
	org := []string{"tlsguard bench"}
	var c benchCerts
	var err error
	if c.root, err = testcerts.Issue(testcerts.Spec{CommonName: "tlsguard Bench Root CA", Organization: org, IsCA: true,
		Key: testcerts.RSA2048, NotBefore: now.Add(-730 * day), NotAfter: now.Add(2920 * day)}, nil); err != nil {
		return nil, err
	}
	if c.inter, err = testcerts.Issue(testcerts.Spec{CommonName: "tlsguard Bench Intermediate CA", Organization: org, IsCA: true,
		NotBefore: now.Add(-365 * day), NotAfter: now.Add(1460 * day)}, c.root); err != nil {
		return nil, err
	}
	if c.old, err = testcerts.Issue(leaf(200*day, 165*day), c.inter); err != nil {
		return nil, err
	}
	if c.self, err = testcerts.Issue(leaf(day, 89*day), nil); err != nil {
		return nil, err
	}
	for i := range n {
		spec := leaf(day, 89*day)
		if i > 0 {
			spec.Signer = c.fresh[0].Key // key generation would dominate the setup
		}
		f, err := testcerts.Issue(spec, c.inter)
		if err != nil {
			return nil, err
		}
		c.fresh = append(c.fresh, f)
	}
	return &c, nil
}

func setting(name, value, def string) map[string]any {
	return map[string]any{
		"apiVersion": "management.cattle.io/v3", "kind": "Setting",
		"metadata": map[string]any{"name": name},
		"value":    value, "default": def, "source": "",
	}
}

// tlsSecret is cattle-system/tls-rancher-ingress holding chain and key.
func tlsSecret(chain, key, resourceVersion string, created time.Time) *corev1.Secret {
	return &corev1.Secret{
		TypeMeta: metav1.TypeMeta{APIVersion: "v1", Kind: "Secret"},
		ObjectMeta: metav1.ObjectMeta{
			Name: "tls-rancher-ingress", Namespace: "cattle-system",
			UID: "5d3c1a2b-7e8f-4a9b-8c7d-6e5f4a3b2c1d", ResourceVersion: resourceVersion,
			CreationTimestamp: metav1.NewTime(created),
		},
		Type: corev1.SecretTypeTLS,
		Data: map[string][]byte{corev1.TLSCertKey: []byte(chain), corev1.TLSPrivateKeyKey: []byte(key)},
	}
}

// secretUpdate is the AdmissionReview the API server sends for an UPDATE
// of old to obj by a cluster admin.
func secretUpdate(obj, old *corev1.Secret) ([]byte, error) {
	raw, err := json.Marshal(obj)
	if err != nil {
		return nil, err
	}
	oldRaw, err := json.Marshal(old)
	if err != nil {
		return nil, err
	}
	gvk := metav1.GroupVersionKind{Version: "v1", Kind: "Secret"}
	gvr := metav1.GroupVersionResource{Version: "v1", Resource: "secrets"}
	return loadgen.ReviewBody(&admissionv1.AdmissionRequest{
		UID: types.UID(benchUID), Kind: gvk, Resource: gvr, RequestKind: &gvk, RequestResource: &gvr,
		Name: obj.Name, Namespace: obj.Namespace, Operation: admissionv1.Update,
		UserInfo:  authenticationv1.UserInfo{Username: "kubernetes-admin", Groups: []string{"kubeadm:cluster-admins", "system:authenticated"}},
		Object:    k8sruntime.RawExtension{Raw: raw},
		OldObject: k8sruntime.RawExtension{Raw: oldRaw},
		DryRun:    ptr.To(false),
		Options:   k8sruntime.RawExtension{Raw: []byte(`{"kind":"UpdateOptions","apiVersion":"meta.k8s.io/v1","fieldManager":"kubectl-client-side-apply","fieldValidation":"Strict"}`)},
	})
}

// benchEngine builds the engine as serve does from eo, with the scenario's
// root added to the trust bundle and its inventory loaded.
func benchEngine(ctx context.Context, eo *options.Engine, sc *benchScenario, dir string) (*policy.Engine, error) {
	rootFile := filepath.Join(dir, "bench-root.pem")
	if err := os.WriteFile(rootFile, []byte(sc.root.CertPEM()), 0o600); err != nil {
		return nil, err
	}
	o := *eo
	o.TrustBundles = append(slices.Clone(eo.TrustBundles), rootFile)
	eng, err := o.Build(ctx)
	if err != nil {
		return nil, err
	}
	if err := eng.SetInventory(ctx, sc.inventory); err != nil {
		return nil, err
	}
	return eng, nil
}

// startBenchServer serves handlers, each wrapped in controller-runtime's
// webhook.Admission, on one controller-runtime webhook server on a free
// port of 127.0.0.1 with TLS 1.2+, as serve does, and a fresh self-signed
// serving certificate in dir. It returns the base URL and the CA to trust;
// the server stops with ctx.
func startBenchServer(ctx context.Context, dir string, handlers map[string]admission.Handler) (string, []byte, error) {
	caPEM, err := webhook.EnsureServingCert(dir, "127.0.0.1", time.Now())
	if err != nil {
		return "", nil, fmt.Errorf("serving certificate: %w", err)
	}
	port, err := freePort()
	if err != nil {
		return "", nil, err
	}
	srv := crwebhook.NewServer(crwebhook.Options{
		Host: "127.0.0.1", Port: port, CertDir: dir,
		TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.MinVersion = tls.VersionTLS12 }},
	})
	for path, h := range handlers {
		srv.Register(path, webhook.Admission(h))
	}
	errc := make(chan error, 1)
	go func() { errc <- srv.Start(ctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for srv.StartedChecker()(nil) != nil {
		select {
		case err := <-errc:
			return "", nil, fmt.Errorf("webhook server: %w", err)
		case <-time.After(20 * time.Millisecond):
		}
		if time.Now().After(deadline) {
			return "", nil, errors.New("webhook server did not start within 10s")
		}
	}
	return fmt.Sprintf("https://127.0.0.1:%d", port), caPEM, nil
}

// settle waits until the webhook server has no request in flight (the
// controller_runtime_webhook_requests_in_flight gauges of every path are
// zero), or for at most limit.
func settle(ctx context.Context, limit time.Duration) error {
	deadline := time.Now().Add(limit)
	for time.Now().Before(deadline) {
		busy, err := webhookInFlight()
		if err != nil || busy == 0 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(20 * time.Millisecond):
		}
	}
	return nil
}

func webhookInFlight() (float64, error) {
	families, err := crmetrics.Registry.Gather()
	if err != nil {
		return 0, fmt.Errorf("read webhook metrics: %w", err)
	}
	var n float64
	for _, f := range families {
		if f.GetName() != "controller_runtime_webhook_requests_in_flight" {
			continue
		}
		for _, m := range f.GetMetric() {
			n += m.GetGauge().GetValue()
		}
	}
	return n, nil
}

// lineCounter is an io.Writer that counts the lines written to it.
type lineCounter struct {
	mu sync.Mutex
	n  int
}

func (c *lineCounter) Write(p []byte) (int, error) {
	c.mu.Lock()
	c.n += bytes.Count(p, []byte("\n"))
	c.mu.Unlock()
	return len(p), nil
}

func (c *lineCounter) count() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.n
}

func freePort() (int, error) {
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return 0, fmt.Errorf("find a free port: %w", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port, nil
}
