# METADATA
# title: Rancher serving certificate covers the server-url host
# description: |
#   Agents dial the server-url Setting (CATTLE_SERVER) and verify the host name
#   against the certificate Rancher serves. This policy checks that the leaf
#   certificate in tls.crt of the guarded serving-certificate Secrets
#   (cattle-system/tls-rancher-ingress by default, plus those matching
#   secretSelector) covers the host of the effective server-url: a DNS
#   subjectAltName equal to it or a wildcard (*.example.com covers exactly
#   one label, as in crypto/x509 and browsers), or an IP subjectAltName when
#   the host is an address. The Subject CN is ignored, as Go ignores it.
#
#   The effective server-url is the CATTLE_SERVER_URL env var of the
#   cattle-system/rancher Deployment, else the Setting's value, else its
#   default. When it is unknown (not in the scanned objects) or has no host,
#   nothing is reported: server-url-https covers a missing or malformed URL.
#   Certificate data that cannot be decoded or parsed is reported.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/resources/add-tls-secrets
#     description: Rancher docs, Adding TLS Secrets
# custom:
#   id: certificate-hostname
#   severity: high
#   action: deny
#   remediation: |
#     Issue the serving certificate with the server-url host in its
#     subjectAltName DNS names (or IP addresses), then replace tls.crt and
#     tls.key of the Secret; or set server-url to a host the certificate covers.
#   match:
#     - group: ""
#       kind: Secret
#   parameters:
#     secrets:
#       type: array
#       default: [cattle-system/tls-rancher-ingress]
#       description: Serving-certificate Secrets to check, as namespace/name.
#     secretSelector:
#       type: object
#       default: {}
#       description: Also check Secrets carrying all of these labels; {} selects none.
package tlsguard.certificate_hostname

import data.lib.tlsguard.certs
import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

defaults := {
	"secrets": ["cattle-system/tls-rancher-ingress"],
	"secretSelector": {},
}

params := object.union(defaults, object.get(input, "parameters", {}))

default applies := false

applies if {
	k8s.has_kind("", "Secret")
	not k8s.is_delete
	guarded
}

guarded if certs.listed(k8s.obj, params.secrets)

guarded if certs.selected(k8s.obj, params.secretSelector)

server_url := rancher.setting("server-url")

host := certs.url_host(server_url)

entry := certs.secret_leaf_entry

leaf := entry.certs[0]

violation contains {"msg": msg, "details": details} if {
	applies
	not certs.covers(leaf, host)
	msg := sprintf("Secret %s: the certificate in data.tls.crt (%s) does not cover %q, the host of server-url %q; it is valid for %s. Issue a certificate with %s in its subjectAltName, or set server-url to a host it covers", [k8s.ref, certs.subject(leaf), host, server_url, names_text, host])
	details := {
		"field": "data.tls.crt",
		"host": host,
		"serverURL": server_url,
		"dnsNames": certs.dns_names(leaf),
		"ipAddresses": certs.ip_addresses(leaf),
		"certificate": certs.facts(leaf),
	}
}

violation contains {"msg": msg, "details": {"field": "data.tls.crt", "error": entry.error}} if {
	applies
	msg := sprintf("Secret %s: data.tls.crt %s, so its host names cannot be checked; store PEM certificates (leaf first) in it", [k8s.ref, entry.error])
}

names := array.concat(certs.dns_names(leaf), certs.ip_addresses(leaf))

names_text := "no subjectAltName" if {
	count(names) == 0
} else := concat(", ", names)
