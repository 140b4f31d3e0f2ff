package probe

import (
	"context"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
)

// userAgent identifies the probe in the server's access logs.
const userAgent = "tlsguard-probe"

// checkPlainHTTP sends GET http://host[:port]/ to the target's address on
// port p.HTTPPort, without following redirects, proxies or credentials.
func checkPlainHTTP(ctx context.Context, t Target, p *prepared) PlainHTTP {
	host, _, err := net.SplitHostPort(t.Address)
	if err != nil {
		host = t.Host
	}
	addr := net.JoinHostPort(host, strconv.Itoa(p.HTTPPort))
	hostHeader := net.JoinHostPort(t.Host, strconv.Itoa(p.HTTPPort))
	if p.HTTPPort == 80 {
		hostHeader = strings.TrimSuffix(hostHeader, ":80") // keeps IPv6 brackets
	}
	u := (&url.URL{Scheme: "http", Host: hostHeader, Path: "/"}).String()
	res := PlainHTTP{URL: u, Port: p.HTTPPort, Outcome: HTTPNotServed}

	var d net.Dialer
	client := &http.Client{
		Transport: &http.Transport{
			Proxy:             nil,
			DisableKeepAlives: true,
			DialContext: func(ctx context.Context, network, _ string) (net.Conn, error) {
				return d.DialContext(ctx, network, addr)
			},
		},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	req.Header.Set("User-Agent", userAgent)
	resp, err := client.Do(req)
	if err != nil {
		res.Error = err.Error()
		return res
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
	res.StatusCode = resp.StatusCode
	res.Location = resp.Header.Get("Location")
	res.Outcome = HTTPServed
	if resp.StatusCode >= 300 && resp.StatusCode < 400 {
		if loc, err := resp.Location(); err == nil && loc.Scheme == "https" {
			res.Outcome = HTTPRedirect
		}
	}
	return res
}
