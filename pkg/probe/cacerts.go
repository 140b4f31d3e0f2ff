package probe

import (
	"bufio"
	"context"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"net/http"
)

// maxCACertsBody bounds the /cacerts body read; a CA bundle is a few KiB.
const maxCACertsBody = 1 << 20

// fetchCACerts sends GET path on conn, the probe's TLS session, as an
// agent's run.sh does (it uses curl --insecure and trusts the body only
// through CATTLE_CA_CHECKSUM). No credentials, no cookies. It also returns
// the certificates parsed from the body.
func fetchCACerts(ctx context.Context, conn net.Conn, t Target, p *prepared) (CACertsCheck, []*x509.Certificate) {
	c := CACertsCheck{Path: p.CACertsPath, ExpectedChecksum: p.expectedSum, SettingChecksum: p.settingSum}
	body, code, err := get(ctx, conn, t.URL+p.CACertsPath)
	c.StatusCode = code
	switch {
	case err != nil:
		c.Error = err.Error()
		return c, nil
	case code != http.StatusOK:
		c.Error = fmt.Sprintf("HTTP status %d", code)
		return c, nil
	}
	c.Fetched = true
	c.Checksum = Checksum(body)
	if len(body) == 0 {
		return c, nil
	}
	certs, err := parsePEMCerts(body)
	if err != nil {
		c.ParseError = err.Error()
		return c, nil
	}
	c.Certificates = certInfos(certs)
	return c, certs
}

func get(ctx context.Context, conn net.Conn, url string) ([]byte, int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return nil, 0, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("User-Agent", userAgent)
	req.Close = true
	if err := req.Write(conn); err != nil {
		return nil, 0, fmt.Errorf("send request: %w", err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), req)
	if err != nil {
		return nil, 0, fmt.Errorf("read response: %w", err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, maxCACertsBody+1))
	if err != nil {
		return nil, resp.StatusCode, fmt.Errorf("read body: %w", err)
	}
	if len(body) > maxCACertsBody {
		return nil, resp.StatusCode, fmt.Errorf("body larger than %d bytes", maxCACertsBody)
	}
	return body, resp.StatusCode, nil
}

// cacertsProblem is one reason an agent would refuse /cacerts.
type cacertsProblem struct {
	Kind   string // fetch, parse, checksum, setting
	Detail string
}

// problems are what makes an agent refuse /cacerts, given the checksums the
// probe was told about; none when it was told none.
func (c CACertsCheck) problems() []cacertsProblem {
	if c.ExpectedChecksum == "" && c.SettingChecksum == "" {
		return nil
	}
	if !c.Fetched {
		return []cacertsProblem{{"fetch", fmt.Sprintf("GET %s failed: %s", c.Path, c.Error)}}
	}
	var out []cacertsProblem
	if c.ParseError != "" || len(c.Certificates) == 0 {
		reason := c.ParseError
		if reason == "" {
			reason = "empty body"
		}
		out = append(out, cacertsProblem{"parse", fmt.Sprintf("%s does not hold a PEM certificate (%s)", c.Path, reason)})
	}
	if c.ExpectedChecksum != "" && c.Checksum != c.ExpectedChecksum {
		out = append(out, cacertsProblem{"checksum", fmt.Sprintf("%s serves a CA with checksum %s, not CATTLE_CA_CHECKSUM %s", c.Path, orNone(c.Checksum), c.ExpectedChecksum)})
	}
	if c.SettingChecksum != "" && c.Checksum != c.SettingChecksum {
		out = append(out, cacertsProblem{"setting", fmt.Sprintf("%s serves a CA with checksum %s, not that of the cacerts Setting (%s)", c.Path, orNone(c.Checksum), c.SettingChecksum)})
	}
	return out
}

func orNone(s string) string {
	if s == "" {
		return "(empty)"
	}
	return s
}
