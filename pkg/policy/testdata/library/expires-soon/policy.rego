# METADATA
# title: Expiry annotation
# description: Warns when the expires annotation is within a day of now.
# custom:
#   id: expires-soon
#   severity: low
#   action: warn
#   remediation: Renew it.
#   match:
#     - group: ""
#       kind: ConfigMap
package tlsguard.expires_soon

default applies := false

applies if input.review.object.metadata.annotations.expires

violation contains {"msg": "already expired", "details": {}} if {
	time.parse_rfc3339_ns(input.review.object.metadata.annotations.expires) < time.now_ns()
}

warn contains {"msg": "expires within a day", "details": {}} if {
	t := time.parse_rfc3339_ns(input.review.object.metadata.annotations.expires)
	t >= time.now_ns()
	t - time.now_ns() < 86400000000000
}
