package report

import (
	"encoding/json"
	"fmt"
	"io"

	"sigs.k8s.io/yaml"
)

// JSON writes the ScanReport document, indented. Its shape is a documented
// contract (docs/output.md).
type JSON struct{}

// Write implements Reporter.
func (JSON) Write(w io.Writer, r *ScanReport) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	if err := enc.Encode(r); err != nil {
		return fmt.Errorf("write json report: %w", err)
	}
	return nil
}

// YAML writes the same document as JSON, in YAML.
type YAML struct{}

// Write implements Reporter.
func (YAML) Write(w io.Writer, r *ScanReport) error {
	b, err := yaml.Marshal(r)
	if err != nil {
		return fmt.Errorf("write yaml report: %w", err)
	}
	_, err = w.Write(b)
	return err
}
