package policy

import (
	"fmt"
	"maps"
	"slices"
	"sort"

	"github.com/tlsguard/tlsguard/pkg/config"
)

// Settings is how one policy is enforced once defaults and config are merged.
type Settings struct {
	Enabled    bool
	Action     string
	Parameters map[string]any
	Exemptions []config.Exemption
}

// resolve merges cfg over the policies' METADATA defaults. Every unknown
// policy, parameter or action in cfg is an error that names it.
func resolve(policies []Metadata, cfg *config.Config) (map[string]Settings, error) {
	out := make(map[string]Settings, len(policies))
	for _, md := range policies {
		params := map[string]any{}
		for name, def := range md.Parameters {
			params[name] = def.Default
		}
		out[md.ID] = Settings{Enabled: true, Action: md.Action, Parameters: params, Exemptions: slices.Clone(md.Exemptions)}
	}
	if cfg == nil {
		return out, nil
	}
	byID := map[string]Metadata{}
	for _, md := range policies {
		byID[md.ID] = md
	}
	ids := slices.Sorted(maps.Keys(cfg.Policies))
	for _, id := range ids {
		pc := cfg.Policies[id]
		md, ok := byID[id]
		if !ok {
			return nil, fmt.Errorf("%w: unknown policy %q (known: %v)", ErrInvalidConfig, id, slices.Sorted(maps.Keys(byID)))
		}
		s := out[id]
		if pc.Enabled != nil {
			s.Enabled = *pc.Enabled
		}
		if pc.Action != "" {
			if !slices.Contains(Actions, pc.Action) {
				return nil, fmt.Errorf("%w: policy %q: unknown action %q (want one of %v)", ErrInvalidConfig, id, pc.Action, Actions)
			}
			s.Action = pc.Action
		}
		names := slices.Sorted(maps.Keys(pc.Parameters))
		for _, name := range names {
			def, ok := md.Parameters[name]
			if !ok {
				known := slices.Sorted(maps.Keys(md.Parameters))
				sort.Strings(known)
				return nil, fmt.Errorf("%w: policy %q: unknown parameter %q (known: %v)", ErrInvalidConfig, id, name, known)
			}
			v := normalize(pc.Parameters[name])
			if err := checkType(def.Type, v); err != nil {
				return nil, fmt.Errorf("%w: policy %q: parameter %q: %w", ErrInvalidConfig, id, name, err)
			}
			s.Parameters[name] = v
		}
		if pc.Exemptions != nil {
			s.Exemptions = slices.Clone(*pc.Exemptions)
		}
		out[id] = s
	}
	return out, nil
}

// normalize turns integer types that YAML decoders may produce into float64,
// as JSON decoding does, so checkType sees one representation.
func normalize(v any) any {
	switch n := v.(type) {
	case int:
		return float64(n)
	case int64:
		return float64(n)
	}
	return v
}
