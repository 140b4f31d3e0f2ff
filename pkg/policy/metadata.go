package policy

import (
	"encoding/json"
	"fmt"
	"slices"

	"github.com/open-policy-agent/opa/v1/ast"

	"github.com/tlsguard/tlsguard/pkg/config"
)

// Actions a policy can be enforced with (Gatekeeper's vocabulary).
const (
	ActionDeny   = "deny"
	ActionWarn   = "warn"
	ActionDryRun = "dryrun"
)

// Actions lists the valid enforcement actions.
var Actions = []string{ActionDeny, ActionWarn, ActionDryRun}

// Severities lists the valid severities, most severe first.
var Severities = []string{"critical", "high", "medium", "low", "info"}

// Metadata is what a policy's METADATA block declares.
type Metadata struct {
	ID          string      `json:"id"`
	Title       string      `json:"title"`
	Description string      `json:"description"`
	Severity    string      `json:"severity"`
	Action      string      `json:"action"`
	Remediation string      `json:"remediation"`
	Docs        string      `json:"docs,omitempty"`
	Match       []KindMatch `json:"match,omitempty"`
	// Operations the policy reviews; CREATE and UPDATE unless it opts into
	// DELETE, so that deleting a bad object is never refused for being bad.
	Operations []string                `json:"operations,omitempty"`
	Parameters map[string]ParameterDef `json:"parameters,omitempty"`
	Exemptions []config.Exemption      `json:"exemptions,omitempty"`
	// Package is the Rego package path, e.g. data.tlsguard.server_url_https.
	Package string `json:"-"`
	// File is where the policy was loaded from.
	File string `json:"-"`
}

// KindMatch selects objects by API group and kind; "*" matches any.
type KindMatch struct {
	Group string `json:"group"`
	Kind  string `json:"kind"`
}

// ParameterDef declares one parameter with its type and default.
type ParameterDef struct {
	Type        string `json:"type"`
	Default     any    `json:"default"`
	Description string `json:"description"`
}

// custom is the shape of METADATA custom: for a tlsguard policy.
type custom struct {
	ID          string                  `json:"id"`
	Severity    string                  `json:"severity"`
	Action      string                  `json:"action"`
	Remediation string                  `json:"remediation"`
	Match       []KindMatch             `json:"match"`
	Operations  []string                `json:"operations"`
	Parameters  map[string]ParameterDef `json:"parameters"`
	Exemptions  []config.Exemption      `json:"exemptions"`
}

// metadataFrom reads the package-scoped METADATA of a policy module.
func metadataFrom(m *ast.Module, file string) (Metadata, error) {
	var ann *ast.Annotations
	for _, a := range m.Annotations {
		if a.Scope == "package" {
			ann = a
		}
	}
	if ann == nil {
		return Metadata{}, fmt.Errorf("%w: %s: no package-scoped # METADATA block", ErrInvalidPolicy, file)
	}
	raw, err := json.Marshal(ann.Custom)
	if err != nil {
		return Metadata{}, fmt.Errorf("%w: %s: METADATA custom: %w", ErrInvalidPolicy, file, err)
	}
	var c custom
	if err := json.Unmarshal(raw, &c); err != nil {
		return Metadata{}, fmt.Errorf("%w: %s: METADATA custom: %w", ErrInvalidPolicy, file, err)
	}
	md := Metadata{
		ID: c.ID, Title: ann.Title, Description: ann.Description, Severity: c.Severity,
		Action: c.Action, Remediation: c.Remediation, Match: c.Match, Operations: c.Operations,
		Parameters: c.Parameters, Exemptions: c.Exemptions,
		Package: m.Package.Path.String(), File: file,
	}
	if len(ann.RelatedResources) > 0 && ann.RelatedResources[0].Ref.String() != "" {
		md.Docs = ann.RelatedResources[0].Ref.String()
	}
	return md, md.validate()
}

func (md Metadata) validate() error {
	fail := func(format string, args ...any) error {
		return fmt.Errorf("%w: %s: %s", ErrInvalidPolicy, md.File, fmt.Sprintf(format, args...))
	}
	switch {
	case md.ID == "":
		return fail("METADATA custom.id is missing")
	case md.Title == "":
		return fail("METADATA title is missing")
	case md.Description == "":
		return fail("METADATA description is missing")
	case md.Remediation == "":
		return fail("METADATA custom.remediation is missing")
	case !slices.Contains(Severities, md.Severity):
		return fail("METADATA custom.severity %q is not one of %v", md.Severity, Severities)
	case !slices.Contains(Actions, md.Action):
		return fail("METADATA custom.action %q is not one of %v", md.Action, Actions)
	}
	for _, op := range md.Operations {
		if !slices.Contains([]string{"CREATE", "UPDATE", "DELETE"}, op) {
			return fail("METADATA custom.operations: unknown operation %q (want CREATE, UPDATE or DELETE)", op)
		}
	}
	for name, p := range md.Parameters {
		if err := checkType(p.Type, p.Default); err != nil {
			return fail("parameter %q default: %v", name, err)
		}
	}
	return nil
}

// checkType reports whether v, as decoded from YAML/JSON, has type t.
func checkType(t string, v any) error {
	ok := false
	switch t {
	case "boolean":
		_, ok = v.(bool)
	case "string":
		_, ok = v.(string)
	case "integer":
		f, isNum := v.(float64)
		ok = isNum && f == float64(int64(f))
	case "number":
		_, ok = v.(float64)
	case "array":
		_, ok = v.([]any)
	case "object":
		_, ok = v.(map[string]any)
	default:
		return fmt.Errorf("unknown type %q (want boolean, integer, number, string, array or object)", t)
	}
	if !ok {
		return fmt.Errorf("%v is not of type %s", v, t)
	}
	return nil
}

// DefaultOperations are reviewed when a policy declares none.
var DefaultOperations = []string{"CREATE", "UPDATE"}

// reviews reports whether the policy reviews operation op.
func (md Metadata) reviews(op string) bool {
	ops := md.Operations
	if len(ops) == 0 {
		ops = DefaultOperations
	}
	return slices.Contains(ops, op)
}

// Matches reports whether the policy's coarse match selects group/kind.
func (md Metadata) Matches(group, kind string) bool {
	if len(md.Match) == 0 {
		return true
	}
	for _, m := range md.Match {
		if (m.Group == "*" || m.Group == group) && (m.Kind == "*" || m.Kind == kind) {
			return true
		}
	}
	return false
}
