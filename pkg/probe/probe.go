// Package probe checks a live Rancher endpoint the way an agent connects to
// it: TLS handshake, verification of the presented chain against the
// cacerts CA (strict mode) and the system roots, hostname, the leaf's
// validity and age, GET /cacerts against CATTLE_CA_CHECKSUM, and whether
// plain http:// is served without a redirect. Result.Findings turns a probe
// into results of policy endpoint-tls; Metrics exports it to Prometheus.
//
// Verdicts depend only on Options.Now, never on the wall clock. The probe
// sends no credentials, no cookies and no client certificate.
package probe

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"time"
)

// Probe connects to target and records what an agent would see. Failures of
// the endpoint (refused, timeout, handshake failure) are recorded in the
// Result, not returned; the error is for unusable options and for ctx ending
// (a probe cut short by Options.Timeout is an endpoint failure, not an error).
func Probe(ctx context.Context, target Target, opts Options) (*Result, error) {
	p, err := opts.prepare()
	if err != nil {
		return nil, err
	}
	if target.Address == "" || target.Host == "" {
		return nil, fmt.Errorf("%w: %+v: use ParseTarget", ErrInvalidTarget, target)
	}
	start := time.Now() // Duration only; verdicts use p.Now
	pctx, cancel := context.WithTimeout(ctx, p.Timeout)
	defer cancel()

	r := &Result{URL: target.URL, Time: p.Now.UTC()}
	probeTLS(pctx, target, p, r)
	if !p.SkipHTTP {
		r.PlainHTTP = checkPlainHTTP(pctx, target, p)
	}
	r.Duration = time.Since(start)
	if err := ctx.Err(); err != nil {
		return nil, fmt.Errorf("probe %s: %w", target.URL, err)
	}
	return r, nil
}

// probeTLS fills the session facts, the verifications and /cacerts.
func probeTLS(ctx context.Context, t Target, p *prepared, r *Result) {
	r.CACerts = CACertsCheck{Path: p.CACertsPath, ExpectedChecksum: p.expectedSum, SettingChecksum: p.settingSum}
	conn, err := handshake(ctx, t.Address, clientConfig(t.Host))
	if err != nil {
		r.Error = fmt.Sprintf("%s: %v", t.Address, err)
		return
	}
	stop := context.AfterFunc(ctx, func() { _ = conn.Close() })
	st := conn.ConnectionState()
	r.TLS = tlsInfo(st)
	chain := st.PeerCertificates
	if len(chain) == 0 {
		stop()
		_ = conn.Close()
		r.Error = fmt.Sprintf("%s: the server presented no certificate", t.Address)
		return
	}
	r.Chain = certInfos(chain)
	r.Hostname = checkHostname(chain[0], t.Host)
	if !p.DisableSystemRoots {
		r.System = verify(chain, p.SystemRoots, AnchorSystem, p.Now)
	}
	if p.caPool != nil {
		r.Strict = verify(chain, p.caPool, AnchorCACertsSetting, p.Now)
	}
	var served []*x509.Certificate
	r.CACerts, served = fetchCACerts(ctx, conn, t, p)
	stop()
	_ = conn.Close()
	if p.caPool == nil && p.expectedSum != "" && r.CACerts.Checksum == p.expectedSum && len(served) > 0 {
		// As on an agent: the downloaded CA, pinned by the checksum, becomes
		// the only root of strict mode.
		r.Strict = verify(chain, poolOf(served), AnchorCACertsEndpoint, p.Now)
	}
	r.CACerts.Verified = r.AgentVerification().Trusted && r.Hostname.OK && r.leafInWindow()

	if p.SkipLegacyChecks {
		return
	}
	if r.TLS.Version >= tls.VersionTLS12 {
		r.TLS.LegacyVersion = acceptsLegacy(ctx, t)
	}
	if cipherProblem(r.TLS.CipherSuiteName) == "" {
		r.TLS.WeakCipherSuite = acceptsWeakSuite(ctx, t)
	}
}
