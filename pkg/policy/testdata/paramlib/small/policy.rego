# METADATA
# title: ConfigMap has at most 1 keys
# description: Test policy whose library reads input.parameters.
# custom:
#   id: small
#   severity: low
#   action: deny
#   remediation: Remove keys.
#   match:
#     - group: ""
#       kind: ConfigMap
#   parameters:
#     limit:
#       type: integer
#       default: 1
#       description: Maximum number of keys.
package tlsguard.small

import data.lib.tlsguard.limit

default applies := true

violation contains {"msg": "too many keys", "details": {}} if limit.too_big
