package probe

import (
	"crypto/tls"
	"fmt"
	"strings"
	"time"

	"github.com/tlsguard/tlsguard/pkg/report"
)

const fixVersion = "set the tls-min-version Setting (or CATTLE_TLS_MIN_VERSION) to 1.2 and raise the minimum on whatever terminates TLS in front of Rancher (ingress, load balancer)"

func (f *judge) version() {
	t := f.r.TLS
	if t.Version < tls.VersionTLS12 {
		f.fail(SeverityHigh, CheckVersion,
			fmt.Sprintf("the server negotiates %s, below TLS 1.2, with a client offering up to TLS 1.3; agents refuse it", t.VersionName),
			fixVersion, map[string]any{"version": t.VersionName, "negotiated": true})
	}
	if t.LegacyVersion != 0 {
		name := tls.VersionName(t.LegacyVersion)
		f.fail(SeverityHigh, CheckVersion,
			fmt.Sprintf("the server accepts %s when a client offers nothing newer (it negotiates %s otherwise)", name, t.VersionName),
			fixVersion, map[string]any{"version": name, "negotiated": false})
	}
}

const fixCipher = "allow only ECDHE suites with AES-GCM or ChaCha20-Poly1305 in the tls-ciphers Setting (or CATTLE_TLS_CIPHERS, or empty it for Rancher's defaults) and on whatever terminates TLS in front of Rancher"

func (f *judge) cipher() {
	t := f.r.TLS
	if p := cipherProblem(t.CipherSuiteName); p != "" {
		f.fail(SeverityHigh, CheckCipher,
			fmt.Sprintf("the server negotiates the weak cipher suite %s (%s)", t.CipherSuiteName, p),
			fixCipher, map[string]any{"cipherSuite": t.CipherSuiteName, "problem": p, "negotiated": true})
	}
	if t.WeakCipherSuite != "" {
		p := cipherProblem(t.WeakCipherSuite)
		f.fail(SeverityHigh, CheckCipher,
			fmt.Sprintf("the server accepts the weak cipher suite %s (%s) when a client offers only weak suites (it negotiates %s otherwise)", t.WeakCipherSuite, p, t.CipherSuiteName),
			fixCipher, map[string]any{"cipherSuite": t.WeakCipherSuite, "problem": p, "negotiated": false})
	}
}

func (f *judge) trust() {
	r := f.r
	v := r.AgentVerification()
	details := map[string]any{"anchor": v.Anchor, "error": v.Error, "systemTrusted": r.System.Trusted}
	switch {
	case !v.Checked:
		f.add(report.StatusWarn, SeverityLow, CheckTrust,
			"the chain's trust was not checked: no cacerts CA is known and the system roots are off",
			"give the cacerts Setting's PEM (--cacerts) or the agents' CATTLE_CA_CHECKSUM (--checksum), or turn the system roots on",
			map[string]any{})
	case v.Trusted:
	case v.Anchor == AnchorSystem:
		f.fail(SeverityCritical, CheckTrust,
			"the presented chain does not verify against the system roots ("+v.Error+") and no cacerts CA is known; agents verifying against the system store refuse to connect",
			"serve a chain (leaf and intermediates) from a publicly trusted CA, or publish the private CA in the cacerts Setting (Helm privateCA=true) so that agents pin it; if the CA is already published, pass it with --cacerts or the agents' --checksum",
			details)
	default:
		f.fail(SeverityCritical, CheckTrust,
			fmt.Sprintf("the presented chain does not verify against %s (%s); agents with STRICT_VERIFY=true (agent-tls-mode strict) refuse to connect", anchorName(v.Anchor), v.Error),
			"serve a chain issued by the CA in the cacerts Setting, intermediates included; if Rancher's CA changed, update cacerts and redeploy the agents (CATTLE_CA_CHECKSUM changes)",
			details)
	}
}

func (f *judge) hostname() {
	h := f.r.Hostname
	if h.OK {
		return
	}
	leaf := f.r.Leaf()
	names := append(append([]string{}, leaf.DNSNames...), leaf.IPs...)
	f.fail(SeverityCritical, CheckHostname,
		fmt.Sprintf("the certificate is not valid for %s (it names %s); agents connecting to this server-url refuse it", h.Host, orNone(strings.Join(names, ", "))),
		"reissue the certificate with "+h.Host+" in its subjectAltName, or set server-url to a name the certificate carries (and redeploy the agents)",
		map[string]any{"host": h.Host, "dnsNames": leaf.DNSNames, "ips": leaf.IPs})
}

const fixRenew = "renew the certificate Rancher serves (cert-manager: cmctl renew; a Secret tls-rancher-ingress: replace tls.crt and tls.key; Rancher's own dynamiclistener certificate: delete the Secret and restart Rancher)"

func (f *judge) validity() {
	r, leaf := f.r, f.r.Leaf()
	details := map[string]any{
		"subjectCN": leaf.SubjectCN,
		"notBefore": leaf.NotBefore.Format(time.RFC3339),
		"notAfter":  leaf.NotAfter.Format(time.RFC3339),
	}
	left := leaf.NotAfter.Sub(r.Time)
	switch {
	case r.Time.After(leaf.NotAfter):
		details["daysLeft"] = days(left)
		f.fail(SeverityCritical, CheckExpiry,
			fmt.Sprintf("the certificate %q expired at %s; agents refuse it", leaf.SubjectCN, details["notAfter"]),
			fixRenew, details)
	case r.Time.Before(leaf.NotBefore):
		f.fail(SeverityCritical, CheckExpiry,
			fmt.Sprintf("the certificate %q is not valid before %s; agents refuse it", leaf.SubjectCN, details["notBefore"]),
			"check the clocks of the issuer and of the nodes, or serve a certificate valid now", details)
	case f.o.WarnDays > 0 && left < time.Duration(f.o.WarnDays)*24*time.Hour:
		details["daysLeft"] = days(left)
		f.add(report.StatusWarn, SeverityHigh, CheckExpiry,
			fmt.Sprintf("the certificate %q expires in %d days (%s), within %d days; agents will refuse it then", leaf.SubjectCN, days(left), details["notAfter"], f.o.WarnDays),
			fixRenew, details)
	}
	age := r.Time.Sub(leaf.NotBefore)
	if f.o.MaxAgeDays > 0 && age > time.Duration(f.o.MaxAgeDays)*24*time.Hour {
		d := map[string]any{"subjectCN": leaf.SubjectCN, "notBefore": details["notBefore"], "ageDays": days(age), "maxAgeDays": f.o.MaxAgeDays}
		f.fail(SeverityMedium, CheckAge,
			fmt.Sprintf("the certificate %q was issued %d days ago (%s), more than %d days", leaf.SubjectCN, days(age), details["notBefore"], f.o.MaxAgeDays),
			"rotate it: reissue with a new key and replace it where Rancher's TLS terminates", d)
	}
}

func (f *judge) cacerts() {
	c := f.r.CACerts
	for _, p := range c.problems() {
		details := map[string]any{
			"path": c.Path, "problem": p.Kind, "checksum": c.Checksum,
			"expectedChecksum": c.ExpectedChecksum, "settingChecksum": c.SettingChecksum,
			"verifiedSession": c.Verified,
		}
		var impact, fix string
		switch p.Kind {
		case "fetch", "parse":
			impact = "agents with a CATTLE_CA_CHECKSUM cannot install the CA and exit"
			fix = "make Rancher serve the cacerts Setting at " + c.Path + " (check that the ingress routes it to Rancher)"
		case "checksum":
			impact = "agents pinning this checksum exit at start (run.sh compares it)"
			fix = "redeploy the agents with the checksum of the CA Rancher serves (they get it when re-registered), or restore the CA they pin"
		default: // setting
			impact = "something other than the cacerts Setting answers there"
			fix = "check what serves " + c.Path + " (an ingress default backend or a proxy) and that the cacerts Setting is the CA Rancher uses"
		}
		f.fail(SeverityCritical, CheckCACerts, p.Detail+"; "+impact, fix, details)
	}
}

func (f *judge) plainHTTP() {
	h := f.r.PlainHTTP
	if h.Outcome != HTTPServed {
		return
	}
	what := fmt.Sprintf("plain %s answers HTTP %d without redirecting to https", h.URL, h.StatusCode)
	if h.Location != "" {
		what = fmt.Sprintf("plain %s answers HTTP %d redirecting to %s, not to https", h.URL, h.StatusCode, h.Location)
	}
	f.fail(SeverityMedium, CheckPlainHTTP, what+"; a client that starts on http:// can be served content an attacker controls",
		fmt.Sprintf("redirect port %d to https (ingress-nginx: ssl-redirect; a load balancer: an HTTP-to-HTTPS rule) or close it", h.Port),
		map[string]any{"url": h.URL, "statusCode": h.StatusCode, "location": h.Location})
}
