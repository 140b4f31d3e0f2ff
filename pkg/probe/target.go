package probe

import (
	"fmt"
	"net"
	"net/url"
	"strings"
)

// Target is the endpoint to probe: Rancher's server-url.
type Target struct {
	// URL names the endpoint in results and metrics: https://host[:port],
	// without a trailing slash.
	URL string
	// Host is the name the certificate must be valid for (a DNS name or an
	// IP address, without brackets); it is also sent as SNI.
	Host string
	// Port is the TLS port, "443" unless the URL gives one.
	Port string
	// Address is where to connect, host:port. ParseTarget sets it to
	// Host:Port; set it to probe one replica or a load balancer address
	// while checking the certificate against Host.
	Address string
}

// ParseTarget turns a server-url such as https://rancher.example.com or
// https://10.0.0.5:8443 into a Target. It accepts only https URLs without
// user info, path (other than "/"), query or fragment: the probe never sends
// credentials, and Rancher's server-url has none of these.
func ParseTarget(raw string) (Target, error) {
	u, err := url.Parse(strings.TrimSpace(raw))
	if err != nil {
		return Target{}, fmt.Errorf("%w: %q: %w", ErrInvalidTarget, raw, err)
	}
	switch {
	case u.Scheme != "https":
		return Target{}, fmt.Errorf("%w: %q: want an https:// URL (agents only connect over https)", ErrInvalidTarget, raw)
	case u.User != nil:
		return Target{}, fmt.Errorf("%w: %q: user info is not allowed (the probe never sends credentials)", ErrInvalidTarget, raw)
	case u.Hostname() == "":
		return Target{}, fmt.Errorf("%w: %q: no host", ErrInvalidTarget, raw)
	case (u.Path != "" && u.Path != "/") || u.RawQuery != "" || u.Fragment != "" || u.Opaque != "":
		return Target{}, fmt.Errorf("%w: %q: want https://host[:port] without path or query", ErrInvalidTarget, raw)
	}
	port := u.Port()
	if port == "" {
		port = "443"
	}
	host := strings.ToLower(u.Hostname())
	return Target{
		URL:     "https://" + strings.ToLower(u.Host),
		Host:    host,
		Port:    port,
		Address: net.JoinHostPort(host, port),
	}, nil
}
