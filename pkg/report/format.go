package report

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// Reporter writes a scan report in one format.
type Reporter interface {
	Write(w io.Writer, r *ScanReport) error
}

var reporters = map[string]Reporter{
	"table":  Table{},
	"json":   JSON{},
	"yaml":   YAML{},
	"sarif":  SARIF{},
	"junit":  JUnit{},
	"github": GitHub{},
	"html":   HTML{},
}

// Formats lists the output formats, for --output help.
func Formats() []string {
	var out []string
	for k := range reporters {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// Get returns the reporter for format.
func Get(format string) (Reporter, error) {
	r, ok := reporters[format]
	if !ok {
		return nil, fmt.Errorf("unknown output format %q (want one of %s)", format, strings.Join(Formats(), ", "))
	}
	return r, nil
}
