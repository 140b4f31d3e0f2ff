// Package policies embeds tlsguard's built-in Rego policy library: the
// policies under <id>/ and the helpers under lib/. Tests and fixtures are
// embedded too so that `tlsguard policy test` runs without a checkout.
package policies

import "embed"

// FS holds every policy, library, test and fixture file.
//
//go:embed *
var FS embed.FS
