package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"hash"
	"sync"
	"time"

	admissionv1 "k8s.io/api/admission/v1"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// Decisions remembers the policy results of recent requests so that an
// identical request is answered without evaluating again. Identical
// requests are common exactly when it matters: the API server and clients
// retry a request that timed out or was shed (429) under load, and GitOps
// controllers and Rancher re-apply the same objects. One evaluation of a
// certificate Secret costs milliseconds of CPU; a lookup costs a SHA-256 of
// the request.
//
// A result is reused only when everything it was computed from is the same:
// the request (operation, kind, name, namespace, user, and the object and
// old object byte for byte), the policy set in force and data.inventory
// (Stamp), and the evaluation time within TTL (policies compare certificate
// dates with the time of evaluation, so a reused result is at most TTL
// old). Concurrent identical requests wait for one evaluation. Results with
// an evaluation error are never kept.
//
// The cache holds SHA-256 digests of requests and report.Results (policy
// messages and certificate facts), never object data or key material.
type Decisions struct {
	opts DecisionOptions

	mu       sync.Mutex
	young    map[digest]*decision
	old      map[digest]*decision
	inflight map[digest]*flight
}

// DecisionOptions configure Decisions.
type DecisionOptions struct {
	// Size bounds the number of remembered requests (default 1024).
	Size int
	// TTL bounds the age of a reused result (default 30s).
	TTL time.Duration
	// Now is the clock results are dated by: the engine's evaluation clock.
	Now func() time.Time
	// Stamp returns a comparable value that changes whenever the policy set
	// or data.inventory changes; a result is reused only under the stamp it
	// was computed under.
	Stamp func() any
}

type digest [sha256.Size]byte

type decision struct {
	stamp   any
	at      time.Time
	results []report.Result
}

type flight struct {
	done    chan struct{}
	results []report.Result
	ok      bool
}

// NewDecisions returns an empty cache.
func NewDecisions(o DecisionOptions) *Decisions {
	if o.Size <= 0 {
		o.Size = 1024
	}
	if o.TTL <= 0 {
		o.TTL = 30 * time.Second
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Stamp == nil {
		o.Stamp = func() any { return nil }
	}
	return &Decisions{
		opts: o, young: map[digest]*decision{}, old: map[digest]*decision{},
		inflight: map[digest]*flight{},
	}
}

// Outcome says how a request was answered: from the cache, by waiting for
// an identical request's evaluation, or by evaluating.
type Outcome string

// Outcomes, as the metric labels them.
const (
	Hit    Outcome = "hit"
	Shared Outcome = "shared"
	Miss   Outcome = "miss"
)

// Do returns the results for req: remembered ones when valid, else those of
// evaluate, which runs at most once at a time per distinct request.
func (d *Decisions) Do(ctx context.Context, req *admissionv1.AdmissionRequest, evaluate func() ([]report.Result, error)) ([]report.Result, Outcome, error) {
	key := digestOf(req)
	for {
		stamp, now := d.opts.Stamp(), d.opts.Now()
		d.mu.Lock()
		if res, ok := d.lookup(key, stamp, now); ok {
			d.mu.Unlock()
			return res, Hit, nil
		}
		f, waiting := d.inflight[key]
		if !waiting {
			f = &flight{done: make(chan struct{})}
			d.inflight[key] = f
			d.mu.Unlock()
			return d.lead(key, f, stamp, now, evaluate)
		}
		d.mu.Unlock()
		select {
		case <-f.done:
		case <-ctx.Done():
			return nil, Shared, ctx.Err()
		}
		if f.ok {
			return f.results, Shared, nil
		}
		// The evaluation failed (its own deadline, most likely); try again,
		// evaluating ourselves if nobody else is.
	}
}

func (d *Decisions) lead(key digest, f *flight, stamp any, now time.Time, evaluate func() ([]report.Result, error)) ([]report.Result, Outcome, error) {
	defer func() {
		d.mu.Lock()
		delete(d.inflight, key)
		if f.ok {
			d.store(key, &decision{stamp: stamp, at: now, results: f.results})
		}
		d.mu.Unlock()
		close(f.done)
	}()
	res, err := evaluate()
	if err != nil {
		return nil, Miss, err
	}
	f.results, f.ok = res, cacheable(res)
	return res, Miss, nil
}

// lookup must be called with d.mu held.
func (d *Decisions) lookup(key digest, stamp any, now time.Time) ([]report.Result, bool) {
	e, ok := d.young[key]
	if !ok {
		if e, ok = d.old[key]; !ok {
			return nil, false
		}
		d.store(key, e)
	}
	if e.stamp != stamp || now.Before(e.at) || now.Sub(e.at) >= d.opts.TTL {
		return nil, false
	}
	return e.results, true
}

// store must be called with d.mu held. Two generations bound the size
// without per-entry bookkeeping: when the young one is full it becomes the
// old one, and entries read from the old one move back.
func (d *Decisions) store(key digest, e *decision) {
	if len(d.young) >= d.opts.Size/2 {
		d.old, d.young = d.young, make(map[digest]*decision, d.opts.Size/2)
	}
	d.young[key] = e
}

// cacheable is false when a policy could not be evaluated: that may be
// transient and must be tried again.
func cacheable(res []report.Result) bool {
	for _, r := range res {
		if r.Result == report.StatusError {
			return false
		}
	}
	return true
}

// digestOf hashes every field of the request that review.FromAdmission
// reads, each length-prefixed so that no two requests share an encoding.
func digestOf(req *admissionv1.AdmissionRequest) digest {
	h := sha256.New()
	for _, s := range []string{
		string(req.Operation), req.Kind.Group, req.Kind.Version, req.Kind.Kind,
		req.Namespace, req.Name, req.UserInfo.Username, req.UserInfo.UID,
	} {
		field(h, []byte(s))
	}
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(req.UserInfo.Groups)))
	h.Write(n[:])
	for _, g := range req.UserInfo.Groups {
		field(h, []byte(g))
	}
	field(h, req.Object.Raw)
	field(h, req.OldObject.Raw)
	var out digest
	h.Sum(out[:0])
	return out
}

func field(h hash.Hash, b []byte) {
	var n [8]byte
	binary.BigEndian.PutUint64(n[:], uint64(len(b)))
	h.Write(n[:])
	h.Write(b)
}
