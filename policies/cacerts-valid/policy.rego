# METADATA
# title: Rancher CA bundle (cacerts, tls-ca) is a valid CA chain
# description: |
#   Rancher publishes the cacerts Setting at /cacerts; agents pin its SHA-256
#   (CATTLE_CA_CHECKSUM) and, with agent-tls-mode strict, trust only the CAs
#   in it. With privateCA=true its content comes from the cattle-system/tls-ca
#   Secret (key cacerts.pem: intermediates, then the root).
#
#   This policy checks both. A non-empty value must be a PEM bundle of CA
#   certificates (basicConstraints CA:TRUE) that are all currently valid
#   (expired or not-yet-valid fails). An empty value fails while
#   agent-tls-mode is effectively strict, because strict agents then have
#   nothing to trust. When trustClusterCA is false, every CA must also chain
#   to the trust bundle (--trust-bundle, --system-roots), so that a
#   swapped-in CA cannot vouch for itself. Data that cannot be decoded or
#   parsed fails with a parse message. The effective cacerts value is the
#   CATTLE_CACERTS env var of the rancher Deployment, else the Setting's
#   value, else its default.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/resources/update-rancher-certificate
#     description: Rancher docs, Updating the Rancher Certificate (tls-ca, cacerts.pem)
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/installation-references/tls-settings
#     description: Rancher docs, TLS settings (Agent TLS Enforcement)
# custom:
#   id: cacerts-valid
#   severity: critical
#   action: deny
#   remediation: |
#     Put the CA chain that issued Rancher's serving certificate, intermediates
#     first then the root, in cattle-system/tls-ca (cacerts.pem) and run
#     Rancher with privateCA=true; Rancher copies it to the cacerts Setting.
#     Never put the server certificate itself there. After a change, redeploy
#     the agents so that CATTLE_CA_CHECKSUM follows.
#   match:
#     - group: management.cattle.io
#       kind: Setting
#     - group: ""
#       kind: Secret
#   parameters:
#     trustClusterCA:
#       type: boolean
#       default: true
#       description: Accept CAs that do not chain to the trust bundle; false requires every CA to chain to it.
package tlsguard.cacerts_valid

import data.lib.tlsguard.certs
import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

defaults := {"trustClusterCA": true}

params := object.union(defaults, object.get(input, "parameters", {}))

default applies := false

applies if {
	not k8s.is_delete
	certs.reviewing_cacerts
}

applies if {
	not k8s.is_delete
	k8s.has_kind("", "Secret")
	certs.is_tls_ca(k8s.obj)
}

# The bundle under review: the Setting's effective value or tls-ca's cacerts.pem.
field := "value" if certs.reviewing_cacerts

field := "data.cacerts.pem" if k8s.has_kind("", "Secret")

entry := certs.object_entries[field]

bundle := entry.certs

items := [{"field": field, "index": i, "count": count(bundle), "cert": c} | some i, c in bundle]

empty if not certs.object_entries[field]

violation contains {"msg": msg, "details": {"field": field, "error": entry.error}} if {
	applies
	msg := sprintf("%s: %s %s; it must be a PEM bundle of the CA certificates (intermediates, then the root) that issued Rancher's certificate", [certs.object_label, field, entry.error])
}

violation contains {"msg": msg, "details": details(item)} if {
	applies
	some item in items
	not certs.is_ca(item.cert)
	msg := sprintf("%s: %s is not a CA certificate (basicConstraints CA:FALSE); %s must hold only the CA chain (intermediates, then the root), not the server certificate", [certs.object_label, certs.cert_label(item), field])
}

violation contains {"msg": msg, "details": details(item)} if {
	applies
	some item in items
	certs.expired(item.cert)
	msg := sprintf("%s: CA %s expired at %s; replace it with the current CA chain and redeploy the agents (CATTLE_CA_CHECKSUM)", [certs.object_label, certs.cert_label(item), item.cert.NotAfter])
}

violation contains {"msg": msg, "details": details(item)} if {
	applies
	some item in items
	certs.not_yet_valid(item.cert)
	msg := sprintf("%s: CA %s is not valid before %s; use a CA that is valid now, or check the issuer's clock", [certs.object_label, certs.cert_label(item), item.cert.NotBefore])
}

violation contains {"msg": msg, "details": {"field": field, "agentTLSMode": "strict"}} if {
	applies
	empty
	rancher.strict_mode
	msg := sprintf("%s: %s is empty while agent-tls-mode is strict, so agents have no CA to verify Rancher with; %s", [certs.object_label, field, empty_fix])
}

empty_fix := "put the CA chain in cattle-system/tls-ca (cacerts.pem) and run Rancher with privateCA=true" if {
	certs.reviewing_cacerts
} else := "put the CA chain (intermediates, then the root) in cacerts.pem"

# With trustClusterCA false, every valid CA must chain to the trust bundle;
# the other certificates of the bundle may serve as intermediates.
violation contains {"msg": msg, "details": object.union(details(item), {"trustClusterCA": false})} if {
	applies
	params.trustClusterCA == false
	some item in items
	certs.is_ca(item.cert)
	not certs.expired(item.cert)
	not certs.not_yet_valid(item.cert)
	presented := array.concat([item.cert], [c | some i, c in bundle; i != item.index])
	count(certs.verifying_anchors(certs.bundle_anchors(presented), presented, certs.ca_opts)) == 0
	msg := sprintf("%s: CA %s does not chain to a root of the trust bundle (issuer %s); with trustClusterCA false a cluster CA cannot vouch for itself: use a CA issued by a trusted root, or add its root to the trust bundle", [certs.object_label, certs.cert_label(item), certs.issuer(item.cert)])
}

details(item) := {"field": item.field, "certificate": certs.facts(item.cert)}
