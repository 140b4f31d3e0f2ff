package probe

import (
	"crypto/x509"
	"errors"
	"fmt"
	"time"
)

// verify checks chain (leaf first, as presented) against roots at now,
// without the hostname (checkHostname reports it). When the leaf itself is
// outside its validity window at now, the chain is verified at a time inside
// that window instead, so that an expired leaf is reported once, as expiry,
// and not also as an untrusted chain; an expired intermediate or root still
// fails verification.
func verify(chain []*x509.Certificate, roots *x509.CertPool, anchor string, now time.Time) Verification {
	v := Verification{Checked: true, Anchor: anchor}
	leaf := chain[0]
	at := now
	switch {
	case now.After(leaf.NotAfter):
		at = leaf.NotAfter
	case now.Before(leaf.NotBefore):
		at = leaf.NotBefore
	}
	inter := x509.NewCertPool()
	for _, c := range chain[1:] {
		inter.AddCert(c)
	}
	chains, err := leaf.Verify(x509.VerifyOptions{
		Roots:         roots,
		Intermediates: inter,
		CurrentTime:   at,
		KeyUsages:     []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	})
	if err != nil {
		v.Error = describeVerifyError(err)
		return v
	}
	v.Trusted = true
	for _, c := range chains[0] {
		v.Chain = append(v.Chain, c.Subject.CommonName)
	}
	return v
}

// describeVerifyError adds the culprit's subject to Go's x509 messages that
// do not name it.
func describeVerifyError(err error) string {
	var inv x509.CertificateInvalidError
	if errors.As(err, &inv) && inv.Cert != nil {
		return fmt.Sprintf("%v (certificate %q)", err, inv.Cert.Subject.CommonName)
	}
	var ua x509.UnknownAuthorityError
	if errors.As(err, &ua) && ua.Cert != nil {
		return fmt.Sprintf("%v (chain ends at %q issued by %q)", err, ua.Cert.Subject.CommonName, ua.Cert.Issuer.CommonName)
	}
	return err.Error()
}

func checkHostname(leaf *x509.Certificate, host string) HostnameCheck {
	h := HostnameCheck{Host: host}
	if err := leaf.VerifyHostname(host); err != nil {
		h.Error = err.Error()
		return h
	}
	h.OK = true
	return h
}
