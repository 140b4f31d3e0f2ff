# METADATA
# title: Certificates are within their validity period
# description: |
#   An expired (or not yet valid) certificate in Rancher's serving chain or
#   CA bundle breaks every agent connection: cattle-cluster-agent, fleet-agent
#   and rancher-system-agent refuse it. This policy checks every certificate
#   in the guarded Secrets and in the cacerts Setting at the evaluation time
#   (--now): expired or not yet valid fails; expiring within warnDays (30)
#   days is reported as a warning, whatever the policy's action.
#
#   Guarded Secrets: every kubernetes.io/tls Secret in the namespaces
#   parameter (cattle-system by default), the Secrets listed in secrets,
#   those matching secretSelector, and cattle-system/tls-ca. The keys read
#   are tls.crt, ca.crt and cacerts.pem. Certificate data that cannot be
#   decoded or parsed is reported.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/resources/update-rancher-certificate
#     description: Rancher docs, Updating the Rancher Certificate
# custom:
#   id: certificate-expiry
#   severity: critical
#   action: deny
#   remediation: |
#     Renew the certificate and replace it in the Secret (cert-manager:
#     cmctl renew; Rancher's own dynamiclistener certificates: delete the
#     Secret and restart Rancher). A renewed CA in tls-ca/cacerts changes
#     CATTLE_CA_CHECKSUM: redeploy the agents. For a certificate that is not
#     yet valid, check the issuer's and the nodes' clocks.
#   match:
#     - group: ""
#       kind: Secret
#     - group: management.cattle.io
#       kind: Setting
#   parameters:
#     namespaces:
#       type: array
#       default: [cattle-system]
#       description: Check every kubernetes.io/tls Secret in these namespaces.
#     secrets:
#       type: array
#       default: [cattle-system/tls-rancher-ingress]
#       description: Also check these Secrets (namespace/name), whatever their type.
#     secretSelector:
#       type: object
#       default: {}
#       description: Also check Secrets carrying all of these labels; {} selects none.
#     warnDays:
#       type: integer
#       default: 30
#       description: Warn when a certificate expires within this many days (0 turns warnings off).
package tlsguard.certificate_expiry

import data.lib.tlsguard.certs
import data.lib.tlsguard.k8s

defaults := {
	"namespaces": ["cattle-system"],
	"secrets": ["cattle-system/tls-rancher-ingress"],
	"secretSelector": {},
	"warnDays": 30,
}

params := object.union(defaults, object.get(input, "parameters", {}))

default applies := false

applies if {
	not k8s.is_delete
	guarded
}

guarded if certs.reviewing_cacerts

guarded if {
	k8s.has_kind("", "Secret")
	guarded_secret
}

guarded_secret if certs.tls_in(k8s.obj, params.namespaces)

guarded_secret if certs.listed(k8s.obj, params.secrets)

guarded_secret if certs.selected(k8s.obj, params.secretSelector)

guarded_secret if certs.is_tls_ca(k8s.obj)

now := time.format(time.now_ns())

violation contains {"msg": msg, "details": {"field": e.field, "error": e.error}} if {
	applies
	some e in certs.object_errors
	msg := sprintf("%s: %s %s, so its validity cannot be checked; store PEM certificates in it", [certs.object_label, e.field, e.error])
}

violation contains {"msg": msg, "details": details(item)} if {
	applies
	some item in certs.object_certs
	certs.expired(item.cert)
	msg := sprintf("%s: %s expired at %s (%d days before %s); renew it and replace it in %s", [certs.object_label, certs.cert_label(item), item.cert.NotAfter, floor(0 - certs.days_left(item.cert)), now, field_text(item.field)])
}

violation contains {"msg": msg, "details": details(item)} if {
	applies
	some item in certs.object_certs
	certs.not_yet_valid(item.cert)
	msg := sprintf("%s: %s is not valid before %s (%d days after %s); check the issuer's clock, or use a certificate that is valid now", [certs.object_label, certs.cert_label(item), item.cert.NotBefore, ceil(certs.days_until_valid(item.cert)), now])
}

warn contains {"msg": msg, "details": object.union(details(item), {"daysLeft": days})} if {
	applies
	some item in certs.object_certs
	not certs.expired(item.cert)
	left := certs.days_left(item.cert)
	left < params.warnDays
	days := floor(left)
	msg := sprintf("%s: %s expires at %s, in %d days (warnDays %d); renew it before then", [certs.object_label, certs.cert_label(item), item.cert.NotAfter, days, params.warnDays])
}

details(item) := {"field": item.field, "certificate": certs.facts(item.cert)}

field_text("value") := "the Setting's value"

field_text(f) := f if f != "value"
