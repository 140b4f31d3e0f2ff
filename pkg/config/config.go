// Package config reads the --config file that overrides, per policy, the
// built-in enforcement action, parameters and exemptions.
package config

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"time"

	"sigs.k8s.io/yaml"
)

// ErrInvalidConfig wraps every problem found in a config file.
var ErrInvalidConfig = errors.New("invalid config")

// Kind and APIVersion of a config file.
const (
	Kind       = "Config"
	APIVersion = "tlsguard.io/v1alpha1"
)

// Config is the file format:
//
//	apiVersion: tlsguard.io/v1alpha1
//	kind: Config
//	policies:
//	  certificate-rotation-age:
//	    action: warn
//	    parameters: {maxAgeDays: 60}
//	    exemptions:
//	    - namespaces: [cattle-system]
//	      names: [tls-legacy]
//	      expires: "2027-01-31"
//	      reason: vendor appliance, ticket OPS-123
type Config struct {
	APIVersion string                  `json:"apiVersion"`
	Kind       string                  `json:"kind"`
	Policies   map[string]PolicyConfig `json:"policies"`
}

// PolicyConfig overrides one policy's defaults. Nil fields keep the default.
type PolicyConfig struct {
	// Enabled false turns the policy off entirely.
	Enabled *bool `json:"enabled,omitempty"`
	// Action is deny, warn or dryrun.
	Action string `json:"action,omitempty"`
	// Parameters are merged over the defaults, key by key.
	Parameters map[string]any `json:"parameters,omitempty"`
	// Exemptions, when set, replace the policy's default exemptions, so the
	// file shows the whole list in force.
	Exemptions *[]Exemption `json:"exemptions,omitempty"`
}

// Exemption excludes objects from one policy. An object matches when its
// namespace is in Namespaces (if any are given) and its name is in Names (if
// any are given). After Expires it no longer applies and is reported.
type Exemption struct {
	Namespaces []string `json:"namespaces,omitempty"`
	Names      []string `json:"names,omitempty"`
	Expires    Date     `json:"expires,omitempty"`
	Reason     string   `json:"reason,omitempty"`
}

// Date is an instant written as YYYY-MM-DD (start of that day, UTC) or
// RFC 3339. The zero Date means "never expires".
type Date struct{ time.Time }

// UnmarshalJSON accepts a date or an RFC 3339 timestamp.
func (d *Date) UnmarshalJSON(b []byte) error {
	var s string
	if err := json.Unmarshal(b, &s); err != nil {
		return fmt.Errorf("expires must be a string date: %w", err)
	}
	t, err := ParseDate(s)
	if err != nil {
		return err
	}
	d.Time = t
	return nil
}

// MarshalJSON writes RFC 3339, or null for the zero Date.
func (d Date) MarshalJSON() ([]byte, error) {
	if d.IsZero() {
		return []byte("null"), nil
	}
	return json.Marshal(d.Format(time.RFC3339))
}

// ParseDate parses YYYY-MM-DD or RFC 3339; "" is the zero Date.
func ParseDate(s string) (time.Time, error) {
	if s == "" {
		return time.Time{}, nil
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t, nil
	}
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return time.Time{}, fmt.Errorf("expires %q: want YYYY-MM-DD or RFC 3339", s)
	}
	return t, nil
}

// Load reads and parses the config file at path.
func Load(path string) (*Config, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read config: %w", err)
	}
	c, err := Parse(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return c, nil
}

// Parse decodes a config document. Unknown fields are errors, so that a typo
// such as "paramters" does not silently keep the defaults.
func Parse(data []byte) (*Config, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	var c Config
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&c); err != nil {
		return nil, fmt.Errorf("%w: %w", ErrInvalidConfig, err)
	}
	if c.Kind != "" && c.Kind != Kind {
		return nil, fmt.Errorf("%w: kind %q, want %q", ErrInvalidConfig, c.Kind, Kind)
	}
	if c.APIVersion != "" && c.APIVersion != APIVersion {
		return nil, fmt.Errorf("%w: apiVersion %q, want %q", ErrInvalidConfig, c.APIVersion, APIVersion)
	}
	return &c, nil
}
