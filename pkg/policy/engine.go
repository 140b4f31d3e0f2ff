// Package policy loads, compiles and evaluates tlsguard's Rego policies. One
// Engine serves the CLI, the webhook and the scanner: policies compile once
// in strict mode, each keeps a prepared query, and Evaluate is safe for
// concurrent use.
package policy

import (
	"context"
	"fmt"
	"io/fs"
	"strings"
	"time"

	"github.com/open-policy-agent/opa/v1/ast"
	"github.com/open-policy-agent/opa/v1/rego"
	"github.com/open-policy-agent/opa/v1/storage"
	"github.com/open-policy-agent/opa/v1/storage/inmem"

	"github.com/tlsguard/tlsguard/pkg/config"
	"github.com/tlsguard/tlsguard/pkg/inventory"
	"github.com/tlsguard/tlsguard/pkg/trust"
)

// Options configure Load.
type Options struct {
	// Config overrides the policies' defaults; nil keeps them.
	Config *config.Config
	// Trust is the trusted roots mounted at data.tlsguard.trust; nil is none.
	Trust *trust.Bundle
	// Now is the evaluation clock (time.now_ns in Rego); nil is time.Now.
	Now func() time.Time
	// Store holds data.inventory; nil creates a private one. Sharing a store
	// lets a reloaded engine see the inventory informers keep up to date.
	Store storage.Store
}

// Engine evaluates a compiled policy set.
type Engine struct {
	source   *Source
	policies []*compiled
	store    storage.Store
	now      func() time.Time
	// shareLibs: library rules may be cached across the policies of one
	// request (no library reads input.parameters).
	shareLibs bool
}

// compiled is one policy ready to evaluate.
type compiled struct {
	Metadata
	settings Settings
	params   ast.Value
	query    rego.PreparedEvalQuery
	hasWarn  bool
}

// Load parses, compiles and prepares every policy under fsys.
func Load(ctx context.Context, fsys fs.FS, opts Options) (*Engine, error) {
	src, err := ParseFS(fsys)
	if err != nil {
		return nil, err
	}
	return New(ctx, src, opts)
}

// New compiles and prepares a parsed Source.
func New(ctx context.Context, src *Source, opts Options) (*Engine, error) {
	installMemo()
	settings, err := resolve(src.Policies, opts.Config)
	if err != nil {
		return nil, err
	}
	compiler, err := src.Compile()
	if err != nil {
		return nil, err
	}
	trustDoc := map[string]any{"roots": map[string]any{}, "count": 0}
	if opts.Trust != nil {
		trustDoc = opts.Trust.Data()
	}
	store := opts.Store
	if store == nil {
		store = NewStore()
	}
	if err := storage.WriteOne(ctx, store, storage.ReplaceOp, storage.Path{"tlsguard"}, map[string]any{"trust": trustDoc}); err != nil {
		return nil, fmt.Errorf("store trust roots: %w", err)
	}
	e := &Engine{source: src, store: store, now: opts.Now, shareLibs: src.librariesIgnoreParameters()}
	if e.now == nil {
		e.now = time.Now
	}
	for _, md := range src.Policies {
		s := settings[md.ID]
		if !s.Enabled {
			continue
		}
		c := &compiled{Metadata: md, settings: s, hasWarn: src.hasRule(md, "warn")}
		if c.params, err = ast.InterfaceToValue(s.Parameters); err != nil {
			return nil, fmt.Errorf("policy %s: parameters: %w", md.ID, err)
		}
		q := fmt.Sprintf("applies := %[1]s.applies; violation := %[1]s.violation", md.Package)
		if c.hasWarn {
			q += fmt.Sprintf("; warn := %s.warn", md.Package)
		}
		c.query, err = rego.New(
			rego.Query(q),
			rego.Compiler(compiler),
			rego.Store(store),
			rego.StoreReadAST(true),
			rego.Strict(true),
		).PrepareForEval(ctx)
		if err != nil {
			return nil, fmt.Errorf("prepare policy %s: %w", md.ID, err)
		}
		e.policies = append(e.policies, c)
	}
	return e, nil
}

// NewStore returns an in-memory store with an empty data.inventory, tuned
// for evaluation: values are kept as AST so reads need no conversion.
func NewStore() storage.Store {
	return inmem.NewFromObjectWithOpts(map[string]any{
		"tlsguard":  map[string]any{"trust": map[string]any{"roots": map[string]any{}, "count": 0}},
		"inventory": map[string]any{"cluster": map[string]any{}, "namespace": map[string]any{}},
	}, inmem.OptRoundTripOnWrite(false), inmem.OptReturnASTValuesOnRead(true))
}

// Store is the engine's data store (data.inventory, data.tlsguard).
func (e *Engine) Store() storage.Store { return e.store }

// Policies returns the metadata of every loaded policy, sorted by ID,
// including disabled ones.
func (e *Engine) Policies() []Metadata { return e.source.Policies }

// Source returns the parsed modules the engine was built from.
func (e *Engine) Source() *Source { return e.source }

// Settings returns the effective settings of an enabled policy.
func (e *Engine) Settings(id string) (Settings, bool) {
	for _, c := range e.policies {
		if c.ID == id {
			return c.settings, true
		}
	}
	return Settings{}, false
}

// SetInventory replaces data.inventory. Evaluations running concurrently see
// either the old or the new inventory, never a mix.
func (e *Engine) SetInventory(ctx context.Context, doc map[string]any) error {
	v, err := inventory.Value(doc)
	if err != nil {
		return fmt.Errorf("inventory: %w", err)
	}
	return storage.WriteOne(ctx, e.store, storage.ReplaceOp, storage.Path{"inventory"}, v)
}

// Now is the engine's evaluation clock.
func (e *Engine) Now() time.Time { return e.now() }

// ID returns the policy ID of a package path such as data.tlsguard.x_y.
func ID(pkg string) string {
	return strings.ReplaceAll(strings.TrimPrefix(pkg, "data.tlsguard."), "_", "-")
}
