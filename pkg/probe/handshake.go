package probe

import (
	"context"
	"crypto/tls"
	"fmt"
	"net"
)

// clientConfig is the probe's TLS client: it accepts every version from
// TLS 1.0 and every suite Go implements, so that it can see and report what
// a stricter client (an agent) would refuse, and it verifies nothing itself:
// verify does, against each anchor, after the handshake. It never presents a
// client certificate.
func clientConfig(host string) *tls.Config {
	return &tls.Config{
		ServerName:         host, // Go sends no SNI for an IP address
		MinVersion:         tls.VersionTLS10,
		MaxVersion:         tls.VersionTLS13,
		CipherSuites:       allSuites(),
		InsecureSkipVerify: true, //nolint:gosec // verified by verify() against each anchor
	}
}

// handshake connects to addr and completes a TLS handshake within ctx.
func handshake(ctx context.Context, addr string, cfg *tls.Config) (*tls.Conn, error) {
	var d net.Dialer
	raw, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("connect: %w", err)
	}
	conn := tls.Client(raw, cfg)
	if dl, ok := ctx.Deadline(); ok {
		_ = conn.SetDeadline(dl)
	}
	if err := conn.HandshakeContext(ctx); err != nil {
		_ = raw.Close()
		return nil, fmt.Errorf("tls handshake: %w", err)
	}
	return conn, nil
}

// acceptsLegacy is the version below TLS 1.2 the server negotiates when
// offered only TLS 1.0 and 1.1, or 0.
func acceptsLegacy(ctx context.Context, t Target) uint16 {
	cfg := clientConfig(t.Host)
	cfg.MaxVersion = tls.VersionTLS11
	return tryHandshake(ctx, t.Address, cfg).Version
}

// acceptsWeakSuite is the suite the server picks when offered only weak
// TLS 1.0–1.2 suites, or "".
func acceptsWeakSuite(ctx context.Context, t Target) string {
	cfg := clientConfig(t.Host)
	cfg.MaxVersion = tls.VersionTLS12
	cfg.CipherSuites = weakSuites()
	if len(cfg.CipherSuites) == 0 { // an empty list would mean Go's defaults
		return ""
	}
	st := tryHandshake(ctx, t.Address, cfg)
	name := tls.CipherSuiteName(st.CipherSuite)
	if st.Version == 0 || cipherProblem(name) == "" {
		return ""
	}
	return name
}

// tryHandshake returns the state of a successful handshake, or the zero
// state: refusal is the expected answer of a well-configured server.
func tryHandshake(ctx context.Context, addr string, cfg *tls.Config) tls.ConnectionState {
	conn, err := handshake(ctx, addr, cfg)
	if err != nil {
		return tls.ConnectionState{}
	}
	defer conn.Close()
	return conn.ConnectionState()
}
