package report

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io"
	"net/url"
	"path"
	"slices"
	"strings"
	"time"
)

// SARIF writes a SARIF 2.1.0 log with one run: the policies as rules and
// the fail, warn and error results as results, for GitHub code scanning and
// other SARIF viewers. Pass and skip results are left out: SARIF results
// are problems to look at.
type SARIF struct{}

var _ Reporter = SARIF{}

// sarifSchema is the OASIS schema of SARIF 2.1.0 (errata 01).
const sarifSchema = "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json"

// informationURI is tlsguard's home page, named by the SARIF tool driver.
const informationURI = "https://github.com/tlsguard/tlsguard"

type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool        sarifTool         `json:"tool"`
	Invocations []sarifInvocation `json:"invocations"`
	Results     []sarifResult     `json:"results"`
	Properties  map[string]any    `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string            `json:"id"`
	Name                 string            `json:"name,omitempty"`
	ShortDescription     sarifText         `json:"shortDescription"`
	FullDescription      sarifText         `json:"fullDescription"`
	Help                 sarifText         `json:"help"`
	HelpURI              string            `json:"helpUri,omitempty"`
	DefaultConfiguration sarifRuleConfig   `json:"defaultConfiguration"`
	Properties           sarifRuleProperty `json:"properties"`
}

type sarifText struct {
	Text     string `json:"text"`
	Markdown string `json:"markdown,omitempty"`
}

type sarifRuleConfig struct {
	Level string `json:"level"`
}

type sarifRuleProperty struct {
	Tags []string `json:"tags"`
	// SecuritySeverity is GitHub's 0.0–10.0 score, as a string.
	SecuritySeverity string `json:"security-severity"`
	Severity         string `json:"severity,omitempty"`
}

type sarifInvocation struct {
	ExecutionSuccessful bool   `json:"executionSuccessful"`
	EndTimeUTC          string `json:"endTimeUtc"`
}

type sarifResult struct {
	RuleID     string         `json:"ruleId"`
	RuleIndex  int            `json:"ruleIndex"`
	Level      string         `json:"level"`
	Message    sarifText      `json:"message"`
	Locations  []sarifLoc     `json:"locations"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifLoc struct {
	PhysicalLocation *sarifPhysical `json:"physicalLocation,omitempty"`
	LogicalLocations []sarifLogical `json:"logicalLocations"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           *sarifRegion  `json:"region,omitempty"`
}

type sarifArtifact struct {
	URI       string `json:"uri"`
	URIBaseID string `json:"uriBaseId,omitempty"`
}

type sarifRegion struct {
	StartLine int `json:"startLine"`
}

type sarifLogical struct {
	Name               string `json:"name"`
	FullyQualifiedName string `json:"fullyQualifiedName"`
	Kind               string `json:"kind"`
}

// Write implements Reporter.
func (SARIF) Write(w io.Writer, r *ScanReport) error {
	rules, index := sarifRules(r)
	run := sarifRun{
		Tool: sarifTool{Driver: sarifDriver{Name: "tlsguard", InformationURI: informationURI, Rules: rules}},
		// The scan ran to the end: results that could not be evaluated are
		// results (level error), not a failed execution.
		Invocations: []sarifInvocation{{ExecutionSuccessful: true, EndTimeUTC: r.Time.UTC().Format(time.RFC3339)}},
		Results:     []sarifResult{},
		Properties:  map[string]any{"summary": r.Summary},
	}
	for _, res := range r.Results {
		level, ok := sarifResultLevel(res.Result)
		if !ok {
			continue
		}
		sr := sarifResult{
			RuleID: res.Policy, RuleIndex: index[res.Policy], Level: level,
			Message:   sarifText{Text: res.Message},
			Locations: []sarifLoc{sarifLocation(res)},
			Properties: map[string]any{
				"result": res.Result, "action": res.Action, "severity": res.Severity,
			},
		}
		if len(res.Details) > 0 {
			sr.Properties["details"] = res.Details
		}
		run.Results = append(run.Results, sr)
	}
	log := sarifLog{Schema: sarifSchema, Version: "2.1.0", Runs: []sarifRun{run}}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	if err := enc.Encode(log); err != nil {
		return fmt.Errorf("write sarif report: %w", err)
	}
	return nil
}

// sarifRules returns one rule per known policy, sorted by ID, plus a
// stand-in rule for each policy that has results but no metadata (such as
// input, for objects that could not be reviewed), and the index of each
// rule by ID.
func sarifRules(r *ScanReport) ([]sarifRule, map[string]int) {
	ps := slices.Clone(r.Policies)
	known := map[string]bool{}
	for _, p := range ps {
		known[p.ID] = true
	}
	for _, res := range r.Results {
		if _, ok := sarifResultLevel(res.Result); ok && !known[res.Policy] {
			known[res.Policy] = true
			ps = append(ps, r.policy(res.Policy, res.Severity))
		}
	}
	slices.SortFunc(ps, func(a, b PolicyInfo) int { return strings.Compare(a.ID, b.ID) })
	rules := make([]sarifRule, 0, len(ps))
	index := make(map[string]int, len(ps))
	for i, p := range ps {
		index[p.ID] = i
		// Code scanning requires a full description and help on every rule.
		rule := sarifRule{
			ID:                   p.ID,
			Name:                 ruleName(p.ID),
			ShortDescription:     sarifText{Text: cmp.Or(p.Title, p.ID)},
			FullDescription:      sarifText{Text: cmp.Or(strings.TrimSpace(p.Description), p.Title, p.ID)},
			Help:                 sarifHelp(p),
			HelpURI:              p.Docs,
			DefaultConfiguration: sarifRuleConfig{Level: sarifSeverityLevel(p.Severity)},
			Properties: sarifRuleProperty{
				Tags:             []string{"security", "tls"},
				SecuritySeverity: securitySeverity(p.Severity),
				Severity:         p.Severity,
			},
		}
		rules = append(rules, rule)
	}
	return rules, index
}

func sarifHelp(p PolicyInfo) sarifText {
	rem := cmp.Or(strings.TrimSpace(p.Remediation), "Each result's message names the fix.")
	text, md := rem, "**Remediation**\n\n"+rem
	if p.Docs != "" {
		text += "\n\nDocumentation: " + p.Docs
		md += "\n\n[Documentation](" + p.Docs + ")"
	}
	return sarifText{Text: text, Markdown: md}
}

// sarifLocation points at the object's first line in its file, when it has
// one, and always names the resource.
func sarifLocation(res Result) sarifLoc {
	loc := sarifLoc{LogicalLocations: []sarifLogical{{
		Name: res.Resource.Name, FullyQualifiedName: resourcePath(res.Resource), Kind: "resource",
	}}}
	if f := sourceFile(res.Source); f != "" {
		loc.PhysicalLocation = &sarifPhysical{ArtifactLocation: artifactLocation(f)}
		if res.Source.Line > 0 {
			loc.PhysicalLocation.Region = &sarifRegion{StartLine: res.Source.Line}
		}
	}
	return loc
}

// artifactLocation turns a slash-separated file into a URI reference: a
// relative one against %SRCROOT% (the directory the scan ran in, which code
// scanning maps to the repository root), or a file URI for an absolute path.
func artifactLocation(f string) sarifArtifact {
	if path.IsAbs(f) {
		return sarifArtifact{URI: (&url.URL{Scheme: "file", Path: f}).String()}
	}
	return sarifArtifact{URI: (&url.URL{Path: f}).EscapedPath(), URIBaseID: "%SRCROOT%"}
}

// sarifResultLevel maps a status to a result level; false for statuses that
// are not SARIF results (pass, skip).
func sarifResultLevel(s Status) (string, bool) {
	switch s {
	case StatusFail, StatusError:
		return "error", true
	case StatusWarn:
		return "warning", true
	}
	return "", false
}

// sarifSeverityLevel maps a policy severity to a rule's default level.
func sarifSeverityLevel(severity string) string {
	switch severity {
	case "critical", "high":
		return "error"
	case "medium":
		return "warning"
	}
	return "note"
}

// securitySeverity maps a policy severity into GitHub's bands (critical
// > 9.0, high 7.0–8.9, medium 4.0–6.9, low 0.1–3.9).
func securitySeverity(severity string) string {
	switch severity {
	case "critical":
		return "9.5"
	case "high":
		return "8.0"
	case "medium":
		return "5.5"
	case "low":
		return "3.0"
	}
	return "1.0"
}

// ruleName is the PascalCase form of a policy ID, e.g. CertificateExpiry,
// or "" when that differs from the ID only in case: SARIF wants a name
// that is not the ID, or none.
func ruleName(id string) string {
	var b strings.Builder
	for part := range strings.FieldsFuncSeq(id, func(r rune) bool { return r == '-' || r == '_' }) {
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	if strings.EqualFold(b.String(), id) {
		return ""
	}
	return b.String()
}
