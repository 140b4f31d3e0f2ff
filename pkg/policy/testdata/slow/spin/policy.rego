# METADATA
# title: A policy that takes seconds
# description: Test policy for cancellation; counts to 50 million.
# custom:
#   id: spin
#   severity: low
#   action: deny
#   remediation: None.
#   match:
#     - group: ""
#       kind: ConfigMap
package tlsguard.spin

default applies := true

violation contains {"msg": "counted", "details": {}} if {
	count([x | some x in numbers.range(1, 50000000); x % 7 == 0]) > 0
}
