// Package audit evaluates a whole set of objects with one engine, in
// parallel, and builds the scan report. The CLI scans manifests through it;
// the cluster scanner scans listed objects through it.
package audit

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"time"

	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/manifest"
	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
)

// Evaluator is what audit needs of the policy engine.
type Evaluator interface {
	Evaluate(ctx context.Context, req review.Request) ([]report.Result, error)
	SetInventory(ctx context.Context, doc map[string]any) error
}

// Options tune a scan.
type Options struct {
	// Workers evaluating objects in parallel; 0 is GOMAXPROCS. OPA evaluates
	// one query on one goroutine, so parallelism comes from here.
	Workers int
	// ShowPassed lists pass results in the report (they are always counted).
	ShowPassed bool
	// Live marks a Source whose objects may change between its two passes,
	// a live cluster: the second pass evaluates what it yields, against the
	// inventory of the first, and the report counts what was evaluated.
	// Without it, other objects the second time are ErrInputChanged.
	Live bool
}

// Source yields a scan's objects to fn, in the same order every time it is
// called; manifest.Set.Each is one.
type Source func(fn func(manifest.Object) error) error

// ErrInputChanged is returned when a Source yields other objects the second
// time (a file edited during the scan).
var ErrInputChanged = errors.New("scan input changed while it was scanned")

// ScanSource evaluates the objects of src, every one of them also serving as
// inventory for the others, and returns the report at the engine's time now.
// It reads src twice: first to build the inventory, then to evaluate each
// object, which is dropped once evaluated; pass results are only counted
// unless ShowPassed. Only the inventory (without key material) is held for
// the whole scan, not every decoded object and every pass result.
func ScanSource(ctx context.Context, e Evaluator, src Source, now time.Time, opts Options) (*report.ScanReport, error) {
	inv := inventory.New()
	n := 0
	if err := src(func(o manifest.Object) error {
		inv.Add(o.Object)
		n++
		return nil
	}); err != nil {
		return nil, err
	}
	if err := e.SetInventory(ctx, inv.Document()); err != nil {
		return nil, fmt.Errorf("load inventory: %w", err)
	}
	workers := opts.Workers
	if workers <= 0 {
		workers = runtime.GOMAXPROCS(0)
	}
	// Each object's outcome has a slot, appended by the sender (this
	// goroutine) and filled by one worker; read after all workers are done.
	type slot struct {
		results []report.Result
		passed  int
	}
	type job struct {
		s *slot
		o manifest.Object
	}
	var slots []*slot
	jobs := make(chan job)
	errs := make(chan error, workers)
	var wg sync.WaitGroup
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for j := range jobs {
				rs, err := evaluateOne(ctx, e, j.o)
				if err != nil {
					errs <- err
					return
				}
				if !opts.ShowPassed {
					rs, j.s.passed = dropPasses(rs)
				}
				j.s.results = rs
			}
		}()
	}
	sendErr := src(func(o manifest.Object) error {
		if !opts.Live && len(slots) >= n {
			return ErrInputChanged
		}
		s := &slot{}
		select {
		case jobs <- job{s, o}:
			slots = append(slots, s)
			return nil
		case err := <-errs:
			return err
		case <-ctx.Done():
			return ctx.Err()
		}
	})
	if sendErr == nil && !opts.Live && len(slots) != n {
		sendErr = ErrInputChanged
	}
	close(jobs)
	wg.Wait()
	close(errs)
	if sendErr == nil {
		sendErr = <-errs
	}
	if sendErr != nil {
		return nil, sendErr
	}
	var all []report.Result
	dropped := 0
	for _, s := range slots {
		all = append(all, s.results...)
		dropped += s.passed
	}
	rep := report.New(now, len(slots), all, opts.ShowPassed)
	rep.Summary.Pass += dropped
	return rep, nil
}

// dropPasses removes pass results from rs, in place, and counts them.
func dropPasses(rs []report.Result) ([]report.Result, int) {
	kept := rs[:0]
	for _, r := range rs {
		if r.Result != report.StatusPass {
			kept = append(kept, r)
		}
	}
	n := len(rs) - len(kept)
	if len(kept) == 0 {
		return nil, n
	}
	return kept, n
}

// evaluateOne reviews one object as a CREATE. An object that cannot be
// reviewed becomes an error result naming where it came from.
func evaluateOne(ctx context.Context, e Evaluator, o manifest.Object) ([]report.Result, error) {
	var src *report.Source
	if o.File != "" {
		src = &report.Source{File: o.File, Line: o.Line}
	}
	req, err := review.FromObject(o.Object)
	if err != nil {
		apiVersion, _ := o.Object["apiVersion"].(string)
		kind, _ := o.Object["kind"].(string)
		return []report.Result{{
			Policy: "input", Result: report.StatusError, Action: "deny", Severity: "high",
			Message:  fmt.Sprintf("%s: %v", where(o), err),
			Resource: report.Resource{APIVersion: apiVersion, Kind: kind}, Source: src,
		}}, nil
	}
	rs, err := e.Evaluate(ctx, req)
	if err != nil {
		return nil, fmt.Errorf("evaluate %s %s (%s): %w", req.Kind.Kind, req.Name, where(o), err)
	}
	for i := range rs {
		rs[i].Source = src
	}
	return rs, nil
}

func where(o manifest.Object) string {
	if o.File == "" {
		return "cluster"
	}
	return fmt.Sprintf("%s:%d", o.File, o.Line)
}
