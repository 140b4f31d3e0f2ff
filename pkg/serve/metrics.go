package serve

import (
	"context"
	"errors"
	"net/http"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/promhttp"
	"sigs.k8s.io/controller-runtime/pkg/manager"
)

// metricsServer serves /metrics from g on addr until the manager stops. It
// runs on every replica (the webhook's series matter on all of them).
func metricsServer(addr string, g prometheus.Gatherer) manager.Runnable {
	return &metricsRunnable{addr: addr, g: g}
}

type metricsRunnable struct {
	addr string
	g    prometheus.Gatherer
}

func (m *metricsRunnable) NeedLeaderElection() bool { return false }

func (m *metricsRunnable) Start(ctx context.Context) error {
	mux := http.NewServeMux()
	mux.Handle("/metrics", promhttp.HandlerFor(m.g, promhttp.HandlerOpts{}))
	srv := &http.Server{Addr: m.addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
		defer cancel()
		if err := srv.Shutdown(shutdown); err != nil && !errors.Is(err, http.ErrServerClosed) {
			return err
		}
		return nil
	}
}
