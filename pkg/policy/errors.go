package policy

import "errors"

// ErrNoPolicies is returned when a policy source holds no policy.
var ErrNoPolicies = errors.New("no policies found")

// ErrInvalidPolicy is returned for a policy whose layout or METADATA breaks
// the contract in docs/policy-authoring.md.
var ErrInvalidPolicy = errors.New("invalid policy")

// ErrInvalidConfig is returned when a config names an unknown policy,
// parameter or action, or gives a parameter of the wrong type.
var ErrInvalidConfig = errors.New("invalid policy config")
