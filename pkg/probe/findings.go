package probe

import (
	"fmt"
	"strings"
	"time"

	"github.com/tlsguard/tlsguard/pkg/report"
)

// Policy is the policy ID of the probe's results.
const Policy = "endpoint-tls"

// Checks: details.check of each result, one per fact judged.
const (
	CheckHandshake = "handshake"    // no TLS session
	CheckVersion   = "tls-version"  // TLS below 1.2 negotiated or accepted
	CheckCipher    = "cipher-suite" // weak suite negotiated or accepted
	CheckTrust     = "trust"        // chain does not verify as agents verify it
	CheckHostname  = "hostname"     // leaf not valid for the host
	CheckExpiry    = "expiry"       // leaf expired, not yet valid, or expiring
	CheckAge       = "rotation-age" // leaf older than MaxAgeDays
	CheckCACerts   = "cacerts"      // /cacerts unusable or not the pinned CA
	CheckPlainHTTP = "plain-http"   // http:// served without redirect
	CheckAll       = "all"          // the pass result
)

// Severities of the findings.
const (
	SeverityCritical = "critical"
	SeverityHigh     = "high"
	SeverityMedium   = "medium"
	SeverityLow      = "low"
)

// action is the enforcement action of endpoint-tls: its failures fail the
// scan (exit 1), as a deny policy's do.
const action = "deny"

// Findings judges the probe as policy endpoint-tls: one result per problem,
// or one pass result when there is none. Only opts' thresholds (WarnDays,
// MaxAgeDays) are read; times come from the Result.
func (r *Result) Findings(opts Options) []report.Result {
	f := &judge{r: r, o: opts.withDefaults()}
	f.handshake()
	if r.Error == "" {
		f.version()
		f.cipher()
		f.trust()
		f.hostname()
		f.validity()
		f.cacerts()
	}
	f.plainHTTP()
	if len(f.out) == 0 {
		f.pass()
	}
	return f.out
}

// Resource is the report resource of an endpoint.
func Resource(url string) report.Resource {
	return report.Resource{APIVersion: report.APIVersion, Kind: "Endpoint", Name: url}
}

type judge struct {
	r   *Result
	o   Options
	out []report.Result
}

// add records a finding; msg is "what is wrong; impact" and fix the remedy.
func (f *judge) add(st report.Status, sev, check, msg, fix string, details map[string]any) {
	if details == nil {
		details = map[string]any{}
	}
	details["check"] = check
	f.out = append(f.out, report.Result{
		Policy: Policy, Result: st, Action: action, Severity: sev,
		Message:  fmt.Sprintf("Endpoint %s: %s. Fix: %s", f.r.URL, msg, fix),
		Details:  details,
		Resource: Resource(f.r.URL),
	})
}

func (f *judge) fail(sev, check, msg, fix string, details map[string]any) {
	f.add(report.StatusFail, sev, check, msg, fix, details)
}

func (f *judge) handshake() {
	if f.r.Error == "" {
		return
	}
	f.add(report.StatusError, SeverityCritical, CheckHandshake,
		"no TLS session: "+f.r.Error+"; agents cannot connect either",
		"check that Rancher (or the load balancer in front of it) listens at this address and serves TLS 1.2 or later",
		map[string]any{"error": f.r.Error})
}

func (f *judge) pass() {
	r := f.r
	var parts []string
	if r.TLS != nil {
		parts = append(parts, fmt.Sprintf("%s with %s", r.TLS.VersionName, r.TLS.CipherSuiteName))
	}
	v := r.AgentVerification()
	if v.Checked {
		parts = append(parts, "chain verified against "+anchorName(v.Anchor))
	}
	details := map[string]any{"check": CheckAll}
	if leaf := r.Leaf(); leaf != nil {
		parts = append(parts, fmt.Sprintf("valid for %s until %s (%d days left)", r.Hostname.Host, leaf.NotAfter.Format(time.RFC3339), days(leaf.NotAfter.Sub(r.Time))))
		details["notAfter"] = leaf.NotAfter.Format(time.RFC3339)
		details["subjectCN"] = leaf.SubjectCN
		details["issuerCN"] = leaf.IssuerCN
	}
	if r.CACerts.ExpectedChecksum != "" || r.CACerts.SettingChecksum != "" {
		parts = append(parts, r.CACerts.Path+" serves the pinned CA")
	}
	if r.TLS != nil {
		details["version"] = r.TLS.VersionName
		details["cipherSuite"] = r.TLS.CipherSuiteName
	}
	f.out = append(f.out, report.Result{
		Policy: Policy, Result: report.StatusPass, Action: action, Severity: SeverityCritical,
		Message:  fmt.Sprintf("Endpoint %s: %s", r.URL, strings.Join(parts, "; ")),
		Details:  details,
		Resource: Resource(r.URL),
	})
}

func anchorName(a string) string {
	switch a {
	case AnchorCACertsSetting:
		return "the cacerts CA (strict mode)"
	case AnchorCACertsEndpoint:
		return "the CA served at /cacerts and pinned by CATTLE_CA_CHECKSUM (strict mode)"
	default:
		return "the system roots"
	}
}

// days is d in whole days, rounded down (negative for the past).
func days(d time.Duration) int {
	n := int(d / (24 * time.Hour))
	if d < 0 && d%(24*time.Hour) != 0 {
		n--
	}
	return n
}
