# METADATA
# title: URL is HTTPS
# description: ConfigMaps labelled url=true must hold an https URL in data.url.
# related_resources:
#   - ref: https://example.com/docs/url-https
# custom:
#   id: url-https
#   severity: high
#   action: deny
#   remediation: Use https.
#   match:
#     - group: ""
#       kind: ConfigMap
#   parameters:
#     allowHTTP:
#       type: boolean
#       default: false
#       description: Accept http too.
#   exemptions:
#     - namespaces: [legacy]
#       reason: legacy apps
package tlsguard.url_https

import data.lib.tlsguard.helpers

default applies := false

applies if input.review.object.metadata.labels.url == "true"

violation contains {"msg": msg, "details": {"url": u}} if {
	applies
	u := input.review.object.data.url
	not helpers.is_https(u)
	not input.parameters.allowHTTP
	msg := sprintf("ConfigMap %s: data.url %q is not https", [input.review.name, u])
}
