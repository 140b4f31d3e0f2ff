package policy

import (
	"context"
	"sync/atomic"

	"github.com/tlsguard/tlsguard/pkg/report"
	"github.com/tlsguard/tlsguard/pkg/review"
)

// Holder keeps the engine in force and swaps in a reloaded one atomically:
// a request is evaluated wholly by the old or the new policy set.
type Holder struct {
	p atomic.Pointer[Engine]
}

// NewHolder returns a Holder serving e.
func NewHolder(e *Engine) *Holder {
	h := &Holder{}
	h.p.Store(e)
	return h
}

// Load returns the engine in force.
func (h *Holder) Load() *Engine { return h.p.Load() }

// Swap puts e in force and returns the previous engine.
func (h *Holder) Swap(e *Engine) *Engine { return h.p.Swap(e) }

// Evaluate evaluates with the engine in force at the call.
func (h *Holder) Evaluate(ctx context.Context, req review.Request) ([]report.Result, error) {
	return h.p.Load().Evaluate(ctx, req)
}
