package loadgen

import (
	"crypto/tls"
	"crypto/x509"
	"errors"
	"net/http"
	"time"
)

// NewClient returns an HTTPS client that trusts only the CA certificates in
// caPEM, speaks TLS 1.2 or later (HTTP/1.1), and keeps up to conns
// connections alive to one host, so a run at steady state opens no new
// connections. Requests are bounded by their context, not by the client.
func NewClient(caPEM []byte, conns int) (*http.Client, error) {
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(caPEM) {
		return nil, errors.New("loadgen: no CA certificate in PEM")
	}
	tr := &http.Transport{
		TLSClientConfig:     &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12},
		MaxIdleConns:        conns,
		MaxIdleConnsPerHost: conns,
		IdleConnTimeout:     90 * time.Second,
		TLSHandshakeTimeout: 10 * time.Second,
		// Responses are a few hundred bytes; compression only costs CPU.
		DisableCompression: true,
	}
	return &http.Client{Transport: tr}, nil
}
