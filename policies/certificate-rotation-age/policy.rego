# METADATA
# title: Certificates are rotated in time
# description: |
#   A certificate that stays in place long after issuance widens the window in
#   which a leaked key can be abused. This policy checks the certificate of
#   each guarded Secret (the first certificate of tls.crt): its age (now -
#   notBefore) must not exceed maxAgeDays (90) and its validity period must
#   not exceed maxValidityDays (398, the CA/Browser Forum limit). 0 turns a
#   check off.
#
#   CA certificates (basicConstraints CA:TRUE, e.g. the tls-rancher and
#   cattle-webhook-ca Secrets) are exempt unless maxCAAgeDays is set above 0;
#   then their age must not exceed it. Intermediates and roots that merely
#   accompany a leaf are never checked: they are rotated by their issuer.
#
#   Guarded Secrets: every kubernetes.io/tls Secret in the namespaces
#   parameter (cattle-system by default), the Secrets listed in secrets and
#   those matching secretSelector. Rancher's own dynamiclistener leaves
#   (serving-cert, tls-rancher-internal) are renewed only shortly before
#   they expire, so they exceed a 90-day age; exempt them or raise maxAgeDays
#   if that is accepted. cattle-system/cattle-webhook-tls and
#   cattle-webhook-ca are exempt by default: rancher-webhook issues 10-year
#   certificates by design. Certificate data that cannot be decoded or parsed
#   is reported.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/how-to-guides/new-user-guides/manage-clusters/rotate-certificates
#     description: Rancher docs, Certificate Rotation
# custom:
#   id: certificate-rotation-age
#   severity: medium
#   action: deny
#   remediation: |
#     Rotate the certificate: renew it with a new key (cert-manager: cmctl
#     renew, or lower spec.duration/renewBefore; a manual certificate:
#     reissue it and replace tls.crt and tls.key). Issue leaves for at most
#     398 days.
#   match:
#     - group: ""
#       kind: Secret
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
#     maxAgeDays:
#       type: integer
#       default: 90
#       description: Largest accepted age of a leaf certificate, in days (0 turns the check off).
#     maxValidityDays:
#       type: integer
#       default: 398
#       description: Largest accepted validity period of a leaf certificate, in days (0 turns the check off).
#     maxCAAgeDays:
#       type: integer
#       default: 0
#       description: Largest accepted age of a CA certificate, in days; 0 exempts CA certificates.
#   exemptions:
#     - namespaces: [cattle-system]
#       names: [cattle-webhook-tls, cattle-webhook-ca]
#       reason: rancher-webhook issues 10-year certificates by design (CATTLE_NEW_SIGNED_CERT_EXPIRATION_DAYS=3650) and renews them itself
package tlsguard.certificate_rotation_age

import data.lib.tlsguard.certs
import data.lib.tlsguard.k8s

defaults := {
	"namespaces": ["cattle-system"],
	"secrets": ["cattle-system/tls-rancher-ingress"],
	"secretSelector": {},
	"maxAgeDays": 90,
	"maxValidityDays": 398,
	"maxCAAgeDays": 0,
}

params := object.union(defaults, object.get(input, "parameters", {}))

default applies := false

applies if {
	k8s.has_kind("", "Secret")
	not k8s.is_delete
	guarded
}

guarded if certs.tls_in(k8s.obj, params.namespaces)

guarded if certs.listed(k8s.obj, params.secrets)

guarded if certs.selected(k8s.obj, params.secretSelector)

entry := certs.secret_leaf_entry

cert := entry.certs[0]

age := certs.age_days(cert)

validity := certs.validity_days(cert)

details := {
	"field": "data.tls.crt",
	"ageDays": age,
	"validityDays": validity,
	"certificate": certs.facts(cert),
}

violation contains {"msg": msg, "details": {"field": "data.tls.crt", "error": entry.error}} if {
	applies
	msg := sprintf("Secret %s: data.tls.crt %s, so its age cannot be checked; store PEM certificates (leaf first) in it", [k8s.ref, entry.error])
}

violation contains {"msg": msg, "details": object.union(details, {"maxAgeDays": params.maxAgeDays})} if {
	applies
	not certs.is_ca(cert)
	params.maxAgeDays > 0
	age > params.maxAgeDays
	msg := sprintf("Secret %s: the certificate in data.tls.crt (%s) was issued %d days ago (notBefore %s), more than maxAgeDays %d; rotate it (renew with a new key) and replace tls.crt and tls.key", [k8s.ref, certs.subject(cert), age, cert.NotBefore, params.maxAgeDays])
}

violation contains {"msg": msg, "details": object.union(details, {"maxValidityDays": params.maxValidityDays})} if {
	applies
	not certs.is_ca(cert)
	params.maxValidityDays > 0
	validity > params.maxValidityDays
	msg := sprintf("Secret %s: the certificate in data.tls.crt (%s) is valid for %d days (%s to %s), more than maxValidityDays %d; reissue it with a validity of at most %d days", [k8s.ref, certs.subject(cert), floor(validity), cert.NotBefore, cert.NotAfter, params.maxValidityDays, params.maxValidityDays])
}

violation contains {"msg": msg, "details": object.union(details, {"maxCAAgeDays": params.maxCAAgeDays})} if {
	applies
	certs.is_ca(cert)
	params.maxCAAgeDays > 0
	age > params.maxCAAgeDays
	msg := sprintf("Secret %s: the CA certificate in data.tls.crt (%s) was issued %d days ago (notBefore %s), more than maxCAAgeDays %d; rotate the CA and re-issue the certificates it signed (agents need the new CATTLE_CA_CHECKSUM)", [k8s.ref, certs.subject(cert), age, cert.NotBefore, params.maxCAAgeDays])
}
