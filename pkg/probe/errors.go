package probe

import (
	"errors"
	"fmt"
)

// ErrInvalidTarget is returned by ParseTarget for a URL that is not
// https://host[:port] (the form of Rancher's server-url).
var ErrInvalidTarget = errors.New("invalid probe target")

// ErrInvalidOptions is returned by Probe for options it cannot use: no
// clock, a cacerts PEM without certificates, a bad port.
var ErrInvalidOptions = errors.New("invalid probe options")

// ErrInvalidCACerts is the ErrInvalidOptions of a CACerts PEM that holds no
// parseable certificate.
var ErrInvalidCACerts = fmt.Errorf("%w: CACerts", ErrInvalidOptions)
