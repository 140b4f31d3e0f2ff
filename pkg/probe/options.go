package probe

import (
	"crypto/x509"
	"fmt"
	"strings"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout     = 10 * time.Second
	DefaultHTTPPort    = 80
	DefaultCACertsPath = "/cacerts"
	DefaultWarnDays    = 30
	DefaultMaxAgeDays  = 90
)

// Options configure a probe and the judgement of its result. The zero value
// of every field but Now is a documented default.
type Options struct {
	// CACerts is the PEM of the cacerts Setting: the CA agents trust in
	// strict mode. Empty means unknown, or Rancher publishes no CA.
	CACerts string
	// ExpectedChecksum is the agents' CATTLE_CA_CHECKSUM (hex sha256 of
	// cacerts with a trailing newline added when missing). Without CACerts, a
	// /cacerts body matching it becomes the strict-mode CA, as on an agent.
	ExpectedChecksum string
	// SystemRoots is the pool of the system-store check; nil loads
	// x509.SystemCertPool().
	SystemRoots *x509.CertPool
	// DisableSystemRoots skips the system-store check.
	DisableSystemRoots bool
	// Now is the time certificates are verified and judged at. Required:
	// the probe never reads the wall clock for its verdicts.
	Now time.Time
	// Timeout bounds the whole probe (the context may end it earlier);
	// default DefaultTimeout.
	Timeout time.Duration
	// HTTPPort is the plain-HTTP port checked for content served without a
	// redirect to https; default 80.
	HTTPPort int
	// SkipHTTP skips the plain-HTTP check.
	SkipHTTP bool
	// SkipLegacyChecks skips the two extra handshakes that offer only TLS
	// 1.0/1.1 and only weak suites; a well-configured server refuses them
	// and may log each refusal. The negotiated version and suite are judged
	// either way.
	SkipLegacyChecks bool
	// CACertsPath is where Rancher serves the CA; default /cacerts.
	CACertsPath string
	// WarnDays: a leaf expiring within this many days is a warning; default
	// 30, negative turns the warning off.
	WarnDays int
	// MaxAgeDays: a leaf issued longer ago than this is a finding; default
	// 90, negative turns the check off.
	MaxAgeDays int
}

// prepared are Options with defaults applied and the PEM parsed.
type prepared struct {
	Options
	caPool      *x509.CertPool // nil without CACerts
	settingSum  string         // CAChecksum(CACerts), "" without
	expectedSum string         // normalised ExpectedChecksum
}

func (o Options) withDefaults() Options {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.HTTPPort == 0 {
		o.HTTPPort = DefaultHTTPPort
	}
	if o.CACertsPath == "" {
		o.CACertsPath = DefaultCACertsPath
	}
	if o.WarnDays == 0 {
		o.WarnDays = DefaultWarnDays
	}
	if o.MaxAgeDays == 0 {
		o.MaxAgeDays = DefaultMaxAgeDays
	}
	return o
}

func (o Options) prepare() (*prepared, error) {
	p := &prepared{Options: o.withDefaults()}
	if p.Now.IsZero() {
		return nil, fmt.Errorf("%w: Now is zero (pass the evaluation time)", ErrInvalidOptions)
	}
	if p.HTTPPort < 0 || p.HTTPPort > 65535 {
		return nil, fmt.Errorf("%w: HTTPPort %d out of range", ErrInvalidOptions, p.HTTPPort)
	}
	if !strings.HasPrefix(p.CACertsPath, "/") {
		return nil, fmt.Errorf("%w: CACertsPath %q must start with /", ErrInvalidOptions, p.CACertsPath)
	}
	if strings.TrimSpace(p.CACerts) != "" {
		certs, err := parsePEMCerts([]byte(p.CACerts))
		if err != nil {
			return nil, fmt.Errorf("%w: %w", ErrInvalidCACerts, err)
		}
		p.caPool = poolOf(certs)
		p.settingSum = Checksum([]byte(p.CACerts))
	}
	p.expectedSum = strings.ToLower(strings.TrimSpace(p.ExpectedChecksum))
	if !p.DisableSystemRoots && p.SystemRoots == nil {
		pool, err := x509.SystemCertPool()
		if err != nil {
			return nil, fmt.Errorf("load system roots: %w", err)
		}
		p.SystemRoots = pool
	}
	return p, nil
}
