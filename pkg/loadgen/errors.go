package loadgen

import "errors"

// ErrInvalidConfig is returned for a Config that cannot run.
var ErrInvalidConfig = errors.New("invalid load configuration")

// ErrUnexpected is returned by Do for an answer that is well-formed but not
// what the target's Expect says.
var ErrUnexpected = errors.New("unexpected admission response")
