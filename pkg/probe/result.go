package probe

import (
	"crypto/tls"
	"time"
)

// Result is what one probe saw. Findings judges it.
type Result struct {
	URL      string        `json:"url"`
	Time     time.Time     `json:"time"`     // Options.Now: verification and judgement time
	Duration time.Duration `json:"duration"` // wall time the probe took (metrics only)
	// Error is set when no TLS session could be established (connect or
	// handshake failure, timeout); then TLS, Chain and the checks that need
	// a session are empty.
	Error     string        `json:"error,omitempty"`
	TLS       *TLSInfo      `json:"tls,omitempty"`
	Chain     []CertInfo    `json:"chain,omitempty"` // as presented, leaf first
	Hostname  HostnameCheck `json:"hostname"`
	Strict    Verification  `json:"strict"` // against the cacerts CA only
	System    Verification  `json:"system"` // against the system roots
	CACerts   CACertsCheck  `json:"cacerts"`
	PlainHTTP PlainHTTP     `json:"plainHTTP"`
}

// TLSInfo are the negotiated session parameters, and what the server also
// accepts when offered only legacy versions or weak suites.
type TLSInfo struct {
	Version         uint16 `json:"version"` // e.g. 0x0304 for TLS 1.3
	VersionName     string `json:"versionName"`
	CipherSuite     uint16 `json:"cipherSuite"`
	CipherSuiteName string `json:"cipherSuiteName"`
	// LegacyVersion is the version below TLS 1.2 the server accepted when
	// offered only TLS 1.0 and 1.1; 0 when refused (or not tried because the
	// negotiated version is already legacy).
	LegacyVersion uint16 `json:"legacyVersion,omitempty"`
	// WeakCipherSuite is the suite the server picked when offered only weak
	// TLS 1.0–1.2 suites; "" when refused (or not tried because the
	// negotiated suite is already weak).
	WeakCipherSuite string `json:"weakCipherSuite,omitempty"`
}

func tlsInfo(st tls.ConnectionState) *TLSInfo {
	return &TLSInfo{
		Version:         st.Version,
		VersionName:     tls.VersionName(st.Version),
		CipherSuite:     st.CipherSuite,
		CipherSuiteName: tls.CipherSuiteName(st.CipherSuite),
	}
}

// HostnameCheck is the presented leaf checked against the target host.
type HostnameCheck struct {
	Host  string `json:"host"`
	OK    bool   `json:"ok"`
	Error string `json:"error,omitempty"`
}

// Anchors a Verification can use.
const (
	AnchorCACertsSetting  = "cacerts-setting"  // Options.CACerts
	AnchorCACertsEndpoint = "cacerts-endpoint" // /cacerts body matching Options.ExpectedChecksum
	AnchorSystem          = "system"           // the system roots
)

// Verification is the presented chain verified against one set of roots.
type Verification struct {
	// Checked is false when there was nothing to verify against.
	Checked bool   `json:"checked"`
	Anchor  string `json:"anchor,omitempty"`
	// Trusted: the chain leads to the anchor. The leaf's own validity
	// window is judged separately (Findings' expiry check): when only the
	// leaf is out of its window, the chain is verified at a time inside it.
	Trusted bool   `json:"trusted"`
	Error   string `json:"error,omitempty"`
	// Chain is the verified chain, subject CNs from leaf to root.
	Chain []string `json:"chain,omitempty"`
}

// CACertsCheck is GET CACertsPath over the probe's TLS session.
type CACertsCheck struct {
	Path       string `json:"path"`
	Fetched    bool   `json:"fetched"` // a response with status 200 was read
	StatusCode int    `json:"statusCode,omitempty"`
	Error      string `json:"error,omitempty"`
	// Verified: the session it came over verified as an agent verifies
	// (strictly when a CA is known). Like an agent, the probe fetches it
	// either way and trusts the body only through the checksum.
	Verified     bool       `json:"verified"`
	Checksum     string     `json:"checksum,omitempty"` // of the body
	Certificates []CertInfo `json:"certificates,omitempty"`
	ParseError   string     `json:"parseError,omitempty"`
	// ExpectedChecksum is Options.ExpectedChecksum, normalised.
	ExpectedChecksum string `json:"expectedChecksum,omitempty"`
	// SettingChecksum is the checksum of Options.CACerts.
	SettingChecksum string `json:"settingChecksum,omitempty"`
}

// Plain-HTTP outcomes.
const (
	HTTPNotChecked = ""           // SkipHTTP
	HTTPNotServed  = "not-served" // nothing answered HTTP (refused, timeout, not HTTP)
	HTTPRedirect   = "redirect"   // a redirect to https://
	HTTPServed     = "served"     // any other HTTP answer
)

// PlainHTTP is GET http://host:HTTPPort/ without following redirects.
type PlainHTTP struct {
	URL        string `json:"url,omitempty"`
	Port       int    `json:"port,omitempty"`
	Outcome    string `json:"outcome,omitempty"`
	StatusCode int    `json:"statusCode,omitempty"`
	Location   string `json:"location,omitempty"`
	Error      string `json:"error,omitempty"`
}

// Leaf is the presented leaf, or nil without a session.
func (r *Result) Leaf() *CertInfo {
	if len(r.Chain) == 0 {
		return nil
	}
	return &r.Chain[0]
}

// AgentVerification is the verification an agent relies on: strict against
// the cacerts CA when one is known, else the system roots.
func (r *Result) AgentVerification() Verification {
	if r.Strict.Checked {
		return r.Strict
	}
	return r.System
}

// Success reports whether an agent configured with the probe's options would
// connect and start: a session was established, the chain verifies as the
// agent verifies it, the leaf is valid for the host and at Time, and
// /cacerts matches the checksums given. It is tlsguard_probe_success.
func (r *Result) Success() bool {
	if r.Error != "" {
		return false
	}
	v := r.AgentVerification()
	if !v.Checked || !v.Trusted || !r.Hostname.OK || !r.leafInWindow() {
		return false
	}
	return len(r.CACerts.problems()) == 0
}

// leafInWindow reports whether the leaf is valid at Time.
func (r *Result) leafInWindow() bool {
	leaf := r.Leaf()
	return leaf != nil && !r.Time.Before(leaf.NotBefore) && !r.Time.After(leaf.NotAfter)
}
