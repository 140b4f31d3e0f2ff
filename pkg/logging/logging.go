// Package logging holds the key names of tlsguard's structured logs, so
// every component logs the same fact under the same key.
package logging

// Log keys.
const (
	Policy       = "policy"
	Action       = "action"
	Result       = "result"
	ResourceKind = "kind"
	Namespace    = "namespace"
	Name         = "name"
	Operation    = "operation"
	User         = "user"
	UID          = "uid"
	Decision     = "decision"
	Duration     = "duration"
	ScanID       = "scan_id"
	Count        = "count"
)
