# METADATA
# title: ConfigMap has at most 5 keys
# description: Test policy whose library reads input.parameters.
# custom:
#   id: large
#   severity: low
#   action: deny
#   remediation: Remove keys.
#   match:
#     - group: ""
#       kind: ConfigMap
#   parameters:
#     limit:
#       type: integer
#       default: 5
#       description: Maximum number of keys.
package tlsguard.large

import data.lib.tlsguard.limit

default applies := true

violation contains {"msg": "too many keys", "details": {}} if limit.too_big
