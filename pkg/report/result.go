// Package report owns the result model of a scan and its output formats.
// The CLI, and later the scanner, write through it.
package report

import (
	"cmp"
	"path/filepath"
	"slices"
	"strings"
	"time"
)

// Status is the outcome of one policy for one resource.
type Status string

// Statuses, in the order summaries print them.
const (
	StatusFail  Status = "fail"  // a violation of a deny policy
	StatusWarn  Status = "warn"  // a violation of a warn/dryrun policy, or a warn-only finding
	StatusError Status = "error" // the policy could not be evaluated for this resource
	StatusSkip  Status = "skip"  // the resource is exempted
	StatusPass  Status = "pass"  // the policy applies and found nothing
)

// Resource identifies the object a result is about.
type Resource struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Namespace  string `json:"namespace,omitempty"`
	Name       string `json:"name"`
}

// Source is where the object was read from; empty for objects from a cluster.
type Source struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
}

// Result is one finding: the contract of the json output's results[].
type Result struct {
	Policy   string         `json:"policy"`
	Result   Status         `json:"result"`
	Action   string         `json:"action"`
	Severity string         `json:"severity"`
	Message  string         `json:"message"`
	Details  map[string]any `json:"details,omitempty"`
	Resource Resource       `json:"resource"`
	Source   *Source        `json:"source,omitempty"`
}

// Summary counts results by status and the resources scanned.
type Summary struct {
	Resources int `json:"resources"`
	Pass      int `json:"pass"`
	Fail      int `json:"fail"`
	Warn      int `json:"warn"`
	Error     int `json:"error"`
	Skip      int `json:"skip"`
}

// Add counts one result.
func (s *Summary) Add(st Status) {
	switch st {
	case StatusPass:
		s.Pass++
	case StatusFail:
		s.Fail++
	case StatusWarn:
		s.Warn++
	case StatusError:
		s.Error++
	case StatusSkip:
		s.Skip++
	}
}

// ScanReport is the whole output of a scan (kind ScanReport).
type ScanReport struct {
	APIVersion string    `json:"apiVersion"`
	Kind       string    `json:"kind"`
	Time       time.Time `json:"time"`
	Summary    Summary   `json:"summary"`
	Results    []Result  `json:"results"`
	// Policies describes the policies of the scan, for the formats that show
	// rule metadata (sarif, junit, github, html). It is set by the caller
	// with WithPolicies and is not part of the json/yaml document.
	Policies []PolicyInfo `json:"-"`
}

// PolicyInfo is what a report says about a policy: its METADATA.
type PolicyInfo struct {
	ID          string
	Title       string
	Description string
	Severity    string
	Remediation string
	Docs        string // link to further reading; may be empty
}

// WithPolicies sets the metadata of the scan's policies, sorted by ID, and
// returns r. Results of a policy not in ps are still written; the formats
// then fall back to the result's own policy ID and severity.
func (r *ScanReport) WithPolicies(ps []PolicyInfo) *ScanReport {
	r.Policies = slices.Clone(ps)
	slices.SortFunc(r.Policies, func(a, b PolicyInfo) int { return cmp.Compare(a.ID, b.ID) })
	return r
}

// PolicyInput is the policy ID of the error result for an object that could
// not be reviewed at all (for example one without metadata.name).
const PolicyInput = "input"

// inputPolicy describes PolicyInput, which has no METADATA of its own.
var inputPolicy = PolicyInfo{
	ID:          PolicyInput,
	Title:       "Objects can be reviewed",
	Description: "An object that cannot be turned into an admission review (for example one without metadata.name) is checked by no policy.",
	Severity:    "high",
	Remediation: "Fix the object at the file and line the message names, so that it is a valid Kubernetes object.",
}

// policy returns the metadata of policy id: from Policies, the built-in
// description of PolicyInput, or a stand-in that carries only the ID and
// the given severity.
func (r *ScanReport) policy(id, severity string) PolicyInfo {
	if i := slices.IndexFunc(r.Policies, func(p PolicyInfo) bool { return p.ID == id }); i >= 0 {
		return r.Policies[i]
	}
	if id == PolicyInput {
		return inputPolicy
	}
	return PolicyInfo{ID: id, Severity: severity}
}

// APIVersion of ScanReport documents.
const APIVersion = "tlsguard.io/v1alpha1"

// New builds a report at time now from results, counting every result in the
// summary; resources is the number of objects scanned. Results are sorted in a
// stable order (file, line, resource, policy, message) so that output diffs
// well. With showPassed false, pass results are counted but not listed.
func New(now time.Time, resources int, results []Result, showPassed bool) *ScanReport {
	r := &ScanReport{APIVersion: APIVersion, Kind: "ScanReport", Time: now.UTC(), Results: []Result{}}
	r.Summary.Resources = resources
	for _, res := range results {
		r.Summary.Add(res.Result)
		if res.Result == StatusPass && !showPassed {
			continue
		}
		r.Results = append(r.Results, res)
	}
	slices.SortStableFunc(r.Results, compare)
	return r
}

func compare(a, b Result) int {
	var af, bf string
	var al, bl int
	if a.Source != nil {
		af, al = a.Source.File, a.Source.Line
	}
	if b.Source != nil {
		bf, bl = b.Source.File, b.Source.Line
	}
	return cmp.Or(
		cmp.Compare(af, bf), cmp.Compare(al, bl),
		cmp.Compare(a.Resource.Namespace, b.Resource.Namespace),
		cmp.Compare(a.Resource.Kind, b.Resource.Kind),
		cmp.Compare(a.Resource.Name, b.Resource.Name),
		cmp.Compare(a.Policy, b.Policy),
		cmp.Compare(a.Message, b.Message),
	)
}

// Failed reports whether the scan must exit non-zero: a failing result of a
// deny policy or an error result.
func (r *ScanReport) Failed() bool { return r.Summary.Fail > 0 || r.Summary.Error > 0 }

// severityRank orders severities, most severe first; unknown ones sort last.
func severityRank(s string) int {
	switch s {
	case "critical":
		return 0
	case "high":
		return 1
	case "medium":
		return 2
	case "low":
		return 3
	case "info":
		return 4
	}
	return 5
}

// stdinFile is the Source.File of objects read from standard input.
const stdinFile = "<stdin>"

// sourceFile returns the file of s with forward slashes and without a
// leading "./", as code hosts expect it, or "" when there is no file to point
// at (objects from a cluster or from stdin).
func sourceFile(s *Source) string {
	if s == nil || s.File == "" || s.File == stdinFile {
		return ""
	}
	f := filepath.ToSlash(s.File)
	for strings.HasPrefix(f, "./") {
		f = f[2:]
	}
	return f
}

// resourcePath names a resource as kind/namespace/name (kind/name when it
// is cluster-scoped).
func resourcePath(r Resource) string {
	if r.Namespace == "" {
		return r.Kind + "/" + r.Name
	}
	return r.Kind + "/" + r.Namespace + "/" + r.Name
}

// resourceLabel names a resource for people, also one without a name (the
// object of a PolicyInput result).
func resourceLabel(r Resource) string {
	if r.Name == "" {
		return strings.TrimSpace(r.Kind + " (no name)")
	}
	return resourceString(r)
}
