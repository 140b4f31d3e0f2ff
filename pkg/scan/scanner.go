// Package scan is tlsguard's continuous scanner: a leader-elected
// controller-runtime Runnable that evaluates every guarded object on a
// schedule and re-evaluates changed objects between scans, writing
// PolicyReports, metrics and Events.
package scan

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"github.com/go-logr/logr"
	"github.com/robfig/cron/v3"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/types"
	"sigs.k8s.io/controller-runtime/pkg/client"
	"sigs.k8s.io/controller-runtime/pkg/manager"

	"github.com/tlsguard/tlsguard/pkg/logging"
	"github.com/tlsguard/tlsguard/pkg/policy"
	"github.com/tlsguard/tlsguard/pkg/policyreport"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
)

// Evaluator is what the scanner needs of the policy engine.
type Evaluator interface {
	Evaluate(ctx context.Context, req review.Request) ([]report.Result, error)
}

// Options tune the scanner.
type Options struct {
	// Interval between full scans; 0 with no Schedule runs one scan at start.
	Interval time.Duration
	// Schedule is a cron expression (5 fields) for full scans, instead of
	// Interval.
	Schedule string
	PageSize int64
	Workers  int
	// ReportFormat is policyreport, openreports, or "" for no reports.
	ReportFormat policyreport.Format
	// EventInterval is how often the same violation may raise an Event again.
	EventInterval time.Duration
	// DriftDelay batches informer events before re-evaluating.
	DriftDelay time.Duration
}

// Deps are the scanner's dependencies.
type Deps struct {
	Evaluator Evaluator
	// PolicySet identifies the policy set in force (the engine), so cached
	// results are dropped on reload; nil when the set never changes.
	PolicySet func() any
	// Reader lists from the API server (not a cache: pages, and Secrets with
	// their keys for certificate-key-match).
	Reader client.Reader
	// Writer writes reports; nil disables them.
	Writer client.Client
	// InventoryGeneration moves whenever data.inventory changes.
	InventoryGeneration func() uint64
	Policies            []policy.Metadata
	Events              EventSink
	Metrics             *Metrics
	Log                 logr.Logger
	Now                 func() time.Time
}

// Scanner runs scans; see Start.
type Scanner struct {
	opts        Options
	deps        Deps
	cache       *resultCache
	docs        map[string]string
	scans       atomic.Uint64
	mu          sync.Mutex // one scan or drift batch at a time
	drift       chan driftKey
	lastSuccess atomic.Int64
}

var _ manager.LeaderElectionRunnable = (*Scanner)(nil)

// New validates opts and returns a Scanner.
func New(opts Options, deps Deps) (*Scanner, error) {
	if deps.Evaluator == nil || deps.Reader == nil {
		return nil, errors.New("scan: Evaluator and Reader are required")
	}
	if opts.Schedule != "" {
		if _, err := cron.ParseStandard(opts.Schedule); err != nil {
			return nil, fmt.Errorf("scan schedule %q: %w", opts.Schedule, err)
		}
	}
	if opts.Workers <= 0 {
		opts.Workers = runtime.GOMAXPROCS(0)
	}
	if opts.EventInterval <= 0 {
		opts.EventInterval = time.Hour
	}
	if opts.DriftDelay <= 0 {
		opts.DriftDelay = 500 * time.Millisecond
	}
	if deps.Now == nil {
		deps.Now = time.Now
	}
	if deps.Metrics == nil {
		deps.Metrics = NewMetrics(nil)
	}
	if deps.Events == nil {
		deps.Events = nopEvents{}
	}
	if deps.InventoryGeneration == nil {
		deps.InventoryGeneration = func() uint64 { return 0 }
	}
	if deps.PolicySet == nil {
		deps.PolicySet = func() any { return nil }
	}
	s := &Scanner{opts: opts, deps: deps, cache: newResultCache(), docs: map[string]string{}, drift: make(chan driftKey, 4096)}
	for _, md := range deps.Policies {
		s.docs[md.ID] = md.Docs
	}
	return s, nil
}

// NeedLeaderElection is true: only the leader scans and writes reports.
func (s *Scanner) NeedLeaderElection() bool { return true }

// LastSuccess is when the last full scan succeeded (zero before the first).
func (s *Scanner) LastSuccess() time.Time {
	if n := s.lastSuccess.Load(); n != 0 {
		return time.Unix(0, n)
	}
	return time.Time{}
}

// Start runs a full scan at once, then on the interval or schedule, and
// re-evaluates drifted objects in between. It returns when ctx ends. A failed
// scan is logged and counted; the next tick tries again.
func (s *Scanner) Start(ctx context.Context) error {
	next := s.nextFunc()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
			if _, err := s.ScanOnce(ctx); err != nil && ctx.Err() == nil {
				s.deps.Log.Error(err, "scan failed; retrying at the next tick")
			}
			if d, ok := next(); ok {
				timer.Reset(d)
			}
		case k := <-s.drift:
			s.handleDrift(ctx, k)
		}
	}
}

// nextFunc returns the delay to the next full scan.
func (s *Scanner) nextFunc() func() (time.Duration, bool) {
	if s.opts.Schedule != "" {
		sched, _ := cron.ParseStandard(s.opts.Schedule) // validated in New
		return func() (time.Duration, bool) {
			now := time.Now()
			return sched.Next(now).Sub(now), true
		}
	}
	return func() (time.Duration, bool) { return s.opts.Interval, s.opts.Interval > 0 }
}

// Stats describe one full scan.
type Stats struct {
	ID        uint64
	Objects   int
	Evaluated int // objects evaluated (cache misses)
	Requests  int // list requests
	Results   report.Summary
	Duration  time.Duration
}

// ScanOnce runs one full scan: list every guarded object, evaluate the
// changed ones, write reports, metrics and events, and remove the reports
// of objects that are gone.
func (s *Scanner) ScanOnce(ctx context.Context) (Stats, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	id := s.scans.Add(1)
	log := s.deps.Log.WithValues(logging.ScanID, id)
	start := time.Now()
	st := Stats{ID: id}
	log.Info("scan started")
	jobs := make(chan *unstructured.Unstructured, s.opts.Workers*2)
	var wg sync.WaitGroup
	var evaluated atomic.Int64
	errs := make(chan error, s.opts.Workers)
	for range s.opts.Workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for obj := range jobs {
				hit, err := s.evaluate(ctx, obj, id)
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				if !hit {
					evaluated.Add(1)
				}
			}
		}()
	}
	ls, listErr := s.list(ctx, id, func(obj *unstructured.Unstructured) error {
		select {
		case jobs <- obj:
			return nil
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	close(jobs)
	wg.Wait()
	close(errs)
	st.Objects, st.Requests, st.Evaluated, st.Duration = ls.Objects, ls.Requests, int(evaluated.Load()), time.Since(start)
	err := listErr
	if err == nil {
		err = <-errs
	}
	if err != nil {
		s.deps.Metrics.scanFailed()
		return st, fmt.Errorf("scan %d: %w", id, err)
	}
	for _, uid := range s.cache.prune(id) {
		s.deleteReport(ctx, uid, log)
		s.deps.Metrics.forgetObject(uid)
	}
	all, passed := s.cache.findings()
	for _, r := range all {
		st.Results.Add(r.Result)
	}
	st.Results.Pass += passed
	st.Results.Resources = st.Objects
	s.deps.Metrics.scanSucceeded(st, all, s.deps.Now())
	s.lastSuccess.Store(time.Now().UnixNano())
	log.Info("scan finished", "objects", st.Objects, "evaluated", st.Evaluated, "requests", st.Requests,
		"fail", st.Results.Fail, "warn", st.Results.Warn, "pass", st.Results.Pass, logging.Duration, st.Duration.String())
	return st, nil
}

// list feeds fn the objects to evaluate. After the first scan it lists
// metadata only, marks unchanged objects as seen from the cache, and fetches
// in full just the changed ones (or lists a kind in full when many changed):
// an unchanged cluster costs a metadata list and no evaluation.
func (s *Scanner) list(ctx context.Context, id uint64, fn func(*unstructured.Unstructured) error) (ListStats, error) {
	gen, set := s.deps.InventoryGeneration(), s.deps.PolicySet()
	if !s.cache.valid(gen, set) {
		return ListGuarded(ctx, s.deps.Reader, s.opts.PageSize, fn)
	}
	type changed struct {
		gvk schema.GroupVersionKind
		key types.NamespacedName
	}
	var misses []changed
	st, err := ListGuardedMetadata(ctx, s.deps.Reader, s.opts.PageSize, func(gvk schema.GroupVersionKind, m *metav1.PartialObjectMetadata) error {
		if s.cache.fresh(string(m.UID), m.ResourceVersion, gen, set) {
			s.cache.touch(string(m.UID), id)
			return nil
		}
		misses = append(misses, changed{gvk, types.NamespacedName{Namespace: m.Namespace, Name: m.Name}})
		return nil
	})
	if err != nil {
		return st, err
	}
	if len(misses) > st.Objects/5 {
		// Many changes: one full list is cheaper than many gets.
		full, err := ListGuarded(ctx, s.deps.Reader, s.opts.PageSize, fn)
		full.Requests += st.Requests
		return full, err
	}
	for _, m := range misses {
		u := &unstructured.Unstructured{}
		u.SetGroupVersionKind(m.gvk)
		st.Requests++
		if err := s.deps.Reader.Get(ctx, m.key, u); err != nil {
			if apierrors.IsNotFound(err) {
				continue // deleted since the list; pruned below
			}
			return st, fmt.Errorf("get %s %s: %w", m.gvk.Kind, m.key, err)
		}
		if err := fn(u); err != nil {
			return st, err
		}
	}
	return st, nil
}

// evaluate reviews one object unless its cached results are still valid,
// then writes its report, events and certificate metrics. It reports
// whether the cache answered.
func (s *Scanner) evaluate(ctx context.Context, obj *unstructured.Unstructured, scanID uint64) (bool, error) {
	uid, rv := string(obj.GetUID()), obj.GetResourceVersion()
	gen, set := s.deps.InventoryGeneration(), s.deps.PolicySet()
	if s.cache.fresh(uid, rv, gen, set) {
		s.cache.touch(uid, scanID)
		return true, nil
	}
	req, err := review.FromObject(obj.Object)
	if err != nil {
		return false, nil // unnamed objects cannot exist in a cluster
	}
	results, err := s.deps.Evaluator.Evaluate(ctx, req)
	if err != nil {
		return false, fmt.Errorf("evaluate %s %s/%s: %w", obj.GetKind(), obj.GetNamespace(), obj.GetName(), err)
	}
	s.deps.Metrics.observeObject(obj)
	if err := s.writeReport(ctx, obj, results); err != nil {
		// Not cached: the next scan writes the report again.
		return false, err
	}
	s.cache.put(uid, newCacheEntry(rv, gen, set, results, scanID))
	s.deps.Events.Violations(obj, results)
	return false, nil
}
