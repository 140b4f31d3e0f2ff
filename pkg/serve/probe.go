package serve

import (
	"context"
	"strings"
	"time"

	"github.com/go-logr/logr"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/util/wait"
	"sigs.k8s.io/controller-runtime/pkg/client"

	"github.com/tlsguard/tlsguard/pkg/policyreport"
	"github.com/tlsguard/tlsguard/pkg/probe"
)

var settingGVK = schema.GroupVersionKind{Group: "management.cattle.io", Version: "v3", Kind: "Setting"}

// endpointProber probes the effective server-url the way an agent connects
// to it, every interval, and publishes the endpoint-tls results as a report
// on the server-url Setting and as metrics. Only the leader probes.
type endpointProber struct {
	reader   client.Reader
	writer   client.Client
	format   policyreport.Format
	interval time.Duration
	metrics  *probe.Metrics
	now      func() time.Time
	log      logr.Logger
	lastURL  string
}

func (p *endpointProber) NeedLeaderElection() bool { return true }

// Start probes at once, then interval after each probe ends, until ctx ends.
func (p *endpointProber) Start(ctx context.Context) error {
	wait.UntilWithContext(ctx, p.once, p.interval)
	return nil
}

func (p *endpointProber) setting(ctx context.Context, name string) (*unstructured.Unstructured, string) {
	u := &unstructured.Unstructured{}
	u.SetGroupVersionKind(settingGVK)
	if err := p.reader.Get(ctx, client.ObjectKey{Name: name}, u); err != nil {
		return nil, ""
	}
	v, _, _ := unstructured.NestedString(u.Object, "value")
	if v == "" {
		v, _, _ = unstructured.NestedString(u.Object, "default")
	}
	return u, strings.TrimSpace(v)
}

func (p *endpointProber) once(ctx context.Context) {
	setting, url := p.setting(ctx, "server-url")
	if url == "" {
		return // no server-url yet: nothing agents would dial
	}
	target, err := probe.ParseTarget(url)
	if err != nil {
		p.log.Info("server-url is not a probeable https URL; the server-url-https policy reports it", "url", url)
		return
	}
	_, cacerts := p.setting(ctx, "cacerts")
	opts := probe.Options{CACerts: cacerts, Now: p.now()}
	if cacerts != "" {
		opts.ExpectedChecksum = probe.Checksum([]byte(cacerts))
	}
	res, err := probe.Probe(ctx, target, opts)
	if err != nil {
		if ctx.Err() == nil {
			p.log.Error(err, "probe failed", "url", url)
		}
		return
	}
	if p.lastURL != "" && p.lastURL != target.URL {
		p.metrics.Forget(p.lastURL)
	}
	p.lastURL = target.URL
	p.metrics.Observe(res)
	results := res.Findings(opts)
	p.log.V(1).Info("probe done", "url", url, "success", res.Success(), "findings", len(results))
	if p.writer == nil || p.format == "" || setting == nil {
		return
	}
	want := policyreport.Build(p.format, policyreport.Subject{
		APIVersion: "management.cattle.io/v3", Kind: "Setting", Name: setting.GetName(), UID: string(setting.GetUID()),
	}, results, map[string]string{"endpoint-tls": "https://github.com/tlsguard/tlsguard/blob/main/docs/probe.md"}, p.now())
	want.SetName("tlsguard-endpoint-" + string(setting.GetUID()))
	if _, err := policyreport.Apply(ctx, p.writer, want, len(results) == 0); err != nil {
		p.log.Error(err, "write endpoint report failed")
	}
}
