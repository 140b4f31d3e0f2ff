// Package serve runs tlsguard in a cluster: a controller-runtime manager
// with the admission webhook, health and readiness probes, Prometheus
// metrics, the inventory informers and policy reload.
package serve

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"net/http"
	"os"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/prometheus/client_golang/prometheus"
	admissionregistrationv1 "k8s.io/api/admissionregistration/v1"
	"k8s.io/apimachinery/pkg/runtime"
	clientgoscheme "k8s.io/client-go/kubernetes/scheme"
	"k8s.io/client-go/rest"
	toolscache "k8s.io/client-go/tools/cache"
	"k8s.io/client-go/tools/clientcmd"
	"k8s.io/utils/ptr"
	ctrl "sigs.k8s.io/controller-runtime"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"
	"sigs.k8s.io/controller-runtime/pkg/metrics"
	metricsserver "sigs.k8s.io/controller-runtime/pkg/metrics/server"
	crwebhook "sigs.k8s.io/controller-runtime/pkg/webhook"

	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/memlimit"
	"github.com/tlsguard/tlsguard/pkg/options"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/policyreport"
	"github.com/tlsguard/tlsguard/pkg/probe"
	"github.com/tlsguard/tlsguard/webhook"
)

// RESTConfig loads the client config from --kubeconfig/--context, else
// $KUBECONFIG, else in-cluster.
func RESTConfig(kubeconfig, context string) (*rest.Config, error) {
	rules := clientcmd.NewDefaultClientConfigLoadingRules()
	if kubeconfig != "" {
		rules.ExplicitPath = kubeconfig
	}
	cfg, err := clientcmd.NewNonInteractiveDeferredLoadingClientConfig(rules, &clientcmd.ConfigOverrides{CurrentContext: context}).ClientConfig()
	if err != nil {
		return nil, fmt.Errorf("kubeconfig: %w", err)
	}
	return cfg, nil
}

// Run serves until ctx ends.
func Run(ctx context.Context, o *options.Serve, log logr.Logger) error {
	if o.MemoryLimitRatio > 0 {
		// Process-wide, so here and not in RunWithConfig, which tests run
		// several times in one process.
		r, err := memlimit.Apply("/sys/fs/cgroup", o.MemoryLimitRatio, os.Getenv)
		switch {
		case err != nil:
			log.Error(err, "memory limit not set from the container")
		case r.Set:
			log.Info("Go memory limit set from the container", "containerBytes", r.Container, "limitBytes", r.Limit, "ratio", o.MemoryLimitRatio)
		default:
			log.V(1).Info("Go memory limit left alone", "reason", r.Reason)
		}
	}
	cfg, err := RESTConfig(o.Kubeconfig, o.Context)
	if err != nil {
		return err
	}
	return RunWithConfig(ctx, cfg, o, log)
}

// RunWithConfig serves against the API server of cfg until ctx ends.
func RunWithConfig(ctx context.Context, cfg *rest.Config, o *options.Serve, log logr.Logger) error {
	store := policy.NewStore()
	// The policy files as read for this engine: a change from here on,
	// even during the build, is reloaded at the first check.
	reloader := &Reloader{Options: o.Engine, Store: store, Log: log.WithName("reload")}
	reloader.Baseline()
	engine, err := o.Engine.BuildWithStore(ctx, store)
	if err != nil {
		return err
	}
	holder := policy.NewHolder(engine)
	reloader.Holder = holder
	writer := &inventory.StoreWriter{Store: store}
	log.Info("policies loaded", "count", len(engine.Policies()))

	host, port := o.WebhookHostPort()
	var caBundle []byte
	if o.RegisterWebhook {
		if caBundle, err = webhook.EnsureServingCert(o.CertDir, host, time.Now()); err != nil {
			return fmt.Errorf("local serving certificate: %w", err)
		}
	}
	scheme := runtime.NewScheme()
	if err := clientgoscheme.AddToScheme(scheme); err != nil {
		return err
	}
	mgr, err := ctrl.NewManager(cfg, manager.Options{
		Scheme: scheme,
		// The scanner and the probe write reports: only the leader may.
		LeaderElection:          o.LeaderElect && (o.ScanInterval > 0 || o.ScanSchedule != "" || o.ProbeInterval > 0),
		LeaderElectionID:        o.LeaderElectionID,
		LeaderElectionNamespace: leaderElectionNamespace(o.LeaderElectionNS),
		// Stepping down promptly lets another replica take over scanning.
		LeaderElectionReleaseOnCancel: true,
		// Longer than controller-runtime's 15s/10s so that a leader rides
		// through a short API server restart instead of exiting.
		LeaseDuration: ptr.To(30 * time.Second),
		RenewDeadline: ptr.To(20 * time.Second),
		Logger:        log,
		// One copy of each guarded object: in data.inventory, written by
		// the informers' transforms (see webhook.CacheOptions).
		Cache: webhook.CacheOptions(writer, log.WithName("inventory")),
		// tlsguard serves /metrics itself (see metricsServer).
		Metrics:                metricsserver.Options{BindAddress: "0"},
		HealthProbeBindAddress: o.HealthAddr,
		PprofBindAddress:       o.PprofAddr,
		WebhookServer: crwebhook.NewServer(crwebhook.Options{
			Host: host, Port: port, CertDir: o.CertDir,
			TLSOpts: []func(*tls.Config){func(c *tls.Config) { c.MinVersion = tls.VersionTLS12 }},
		}),
	})
	if err != nil {
		return fmt.Errorf("manager: %w", err)
	}
	// A registry per run, served together with controller-runtime's global
	// one: two servers in one process (tests) must not collide.
	reg := prometheus.NewRegistry()
	if o.MetricsAddr != "0" && o.MetricsAddr != "" {
		if err := mgr.Add(metricsServer(o.MetricsAddr, prometheus.Gatherers{metrics.Registry, reg})); err != nil {
			return err
		}
	}
	var decisions *webhook.Decisions
	if o.DecisionCacheSize > 0 {
		// A remembered result is valid for the policy set and inventory
		// it was computed with: reload swaps the engine, and every write
		// to data.inventory moves the generation.
		decisions = webhook.NewDecisions(webhook.DecisionOptions{
			Size: o.DecisionCacheSize, TTL: o.DecisionCacheTTL, Now: o.Engine.Clock(),
			Stamp: func() any { return decisionStamp{holder.Load(), writer.Generation()} },
		})
	}
	handler, err := webhook.New(webhook.Deps{
		Evaluator:   holder,
		Decisions:   decisions,
		Log:         log.WithName("admission"),
		BreakGlass:  webhook.BreakGlass{Users: o.BreakGlassUsers, Groups: o.BreakGlassGroup},
		Timeout:     o.EvalTimeout,
		MaxInFlight: o.MaxInFlight,
		QueueWait:   o.QueueWait,
		Metrics:     webhook.NewMetrics(reg),
	})
	if err != nil {
		return err
	}
	mgr.GetWebhookServer().Register(webhook.Path, webhook.Admission(handler))

	scanner, err := newScanner(o, mgr, holder, writer, reg, log)
	if err != nil {
		return err
	}
	if o.ProbeInterval > 0 {
		pm := probe.NewMetrics()
		if err := pm.Register(reg); err != nil {
			return err
		}
		format := policyreport.Format(o.ReportFormat)
		if o.ReportFormat == "none" {
			format = ""
		}
		if err := mgr.Add(&endpointProber{reader: mgr.GetAPIReader(), writer: mgr.GetClient(), format: format, interval: o.ProbeInterval,
			metrics: pm, now: o.Engine.Clock(), log: log.WithName("probe")}); err != nil {
			return err
		}
	}
	var handlers []toolscache.ResourceEventHandler
	if scanner != nil {
		handlers = append(handlers, scanner.Handler())
		if err := mgr.Add(scanner); err != nil {
			return err
		}
	}
	informers, err := webhook.SyncInventory(ctx, mgr.GetCache(), writer, log.WithName("inventory"), handlers...)
	if err != nil {
		return err
	}
	var ready atomic.Bool
	if err := mgr.AddHealthzCheck("healthz", func(*http.Request) error { return nil }); err != nil {
		return err
	}
	if err := mgr.AddReadyzCheck("readyz", func(*http.Request) error {
		if !ready.Load() {
			return errors.New("caches not synced")
		}
		return mgr.GetWebhookServer().StartedChecker()(nil)
	}); err != nil {
		return err
	}
	if err := mgr.Add(everyReplica(func(ctx context.Context) error {
		return waitReady(ctx, mgr, informers, &ready, o, caBundle, log)
	})); err != nil {
		return err
	}
	if o.ReloadInterval > 0 {
		if err := mgr.Add(everyReplica(func(ctx context.Context) error { return reloader.Run(ctx, o.ReloadInterval) })); err != nil {
			return err
		}
	}
	log.Info("starting", "webhook", o.WebhookAddr, "metrics", o.MetricsAddr, "health", o.HealthAddr)
	return mgr.Start(ctx)
}

// waitReady marks tlsguard ready once the inventory informers have synced
// and the webhook server listens, then (local mode) registers the webhook
// configuration, and removes it again on shutdown.
func waitReady(ctx context.Context, mgr manager.Manager, informers []toolscache.SharedIndexInformer, ready *atomic.Bool, o *options.Serve, caBundle []byte, log logr.Logger) error {
	synced := make([]toolscache.InformerSynced, 0, len(informers))
	for _, inf := range informers {
		synced = append(synced, inf.HasSynced)
	}
	if !toolscache.WaitForCacheSync(ctx.Done(), synced...) {
		return nil // shutting down
	}
	for mgr.GetWebhookServer().StartedChecker()(nil) != nil {
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(50 * time.Millisecond):
		}
	}
	ready.Store(true)
	log.Info("ready: policies compiled, inventory synced, webhook listening")
	if !o.RegisterWebhook {
		return nil
	}
	c, err := client.New(mgr.GetConfig(), client.Options{Scheme: mgr.GetScheme()})
	if err != nil {
		return err
	}
	co := webhook.ConfigOptions{
		Name: o.WebhookName, URL: fmt.Sprintf("https://%s%s", o.WebhookAddr, webhook.Path), CABundle: caBundle,
		FailurePolicy: admissionregistrationv1.FailurePolicyType(o.FailurePolicy), TimeoutSeconds: o.TimeoutSeconds,
	}
	if err := webhook.Register(ctx, c, co); err != nil {
		return err
	}
	log.Info("webhook registered", "name", o.WebhookName, "url", co.URL)
	<-ctx.Done()
	// Unregister so a stopped local tlsguard does not block the guarded kinds
	// under failurePolicy Fail.
	cleanup, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer cancel()
	vwc := &admissionregistrationv1.ValidatingWebhookConfiguration{}
	vwc.Name = o.WebhookName
	if err := c.Delete(cleanup, vwc); client.IgnoreNotFound(err) != nil {
		log.Error(err, "unregister webhook failed")
	} else {
		log.Info("webhook unregistered", "name", o.WebhookName)
	}
	return nil
}

// everyReplica is a Runnable that runs on every replica, leader or not
// (a plain RunnableFunc would wait for leadership).
type everyReplica func(context.Context) error

func (f everyReplica) Start(ctx context.Context) error { return f(ctx) }

func (everyReplica) NeedLeaderElection() bool { return false }

// decisionStamp is what an admission decision depends on besides the
// request: the engine in force and data.inventory's generation.
type decisionStamp struct {
	engine    *policy.Engine
	inventory uint64
}
