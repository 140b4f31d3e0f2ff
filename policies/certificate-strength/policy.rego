# METADATA
# title: Certificates use strong keys and signatures
# description: |
#   Every certificate in the guarded Secrets and in the cacerts Setting must
#   have an RSA key of at least minRSABits (2048) bits or an ECDSA key of at
#   least minECDSABits (256) bits (DSA keys always fail), and must not be
#   signed with MD2, MD5 or SHA-1. The signature of a self-signed CA is not
#   checked: clients trust a root for its key, not its signature. Ed25519 is
#   accepted.
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
#   id: certificate-strength
#   severity: high
#   action: deny
#   remediation: |
#     Reissue the certificate with an RSA key of 2048 bits or more, or an
#     ECDSA P-256/P-384 key, signed with SHA-256 or better, and replace it in
#     the Secret (and in tls-ca/cacerts for a CA; agents then need the new
#     CATTLE_CA_CHECKSUM).
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
#     minRSABits:
#       type: integer
#       default: 2048
#       description: Smallest accepted RSA modulus, in bits.
#     minECDSABits:
#       type: integer
#       default: 256
#       description: Smallest accepted ECDSA curve size, in bits.
package tlsguard.certificate_strength

import data.lib.tlsguard.certs
import data.lib.tlsguard.k8s

defaults := {
	"namespaces": ["cattle-system"],
	"secrets": ["cattle-system/tls-rancher-ingress"],
	"secretSelector": {},
	"minRSABits": 2048,
	"minECDSABits": 256,
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

violation contains {"msg": msg, "details": {"field": e.field, "error": e.error}} if {
	applies
	some e in certs.object_errors
	msg := sprintf("%s: %s %s, so its strength cannot be checked; store PEM certificates in it", [certs.object_label, e.field, e.error])
}

violation contains {"msg": msg, "details": details(item, {"keyAlgorithm": "RSA", "keyBits": bits})} if {
	applies
	some item in certs.object_certs
	bits := certs.rsa_bits(item.cert)
	bits < params.minRSABits
	msg := sprintf("%s: %s has a %d-bit RSA key, below the minimum of %d bits; reissue it with an RSA key of at least %d bits or an ECDSA P-256 key", [certs.object_label, certs.cert_label(item), bits, params.minRSABits, params.minRSABits])
}

violation contains {"msg": msg, "details": details(item, {"keyAlgorithm": "ECDSA", "keyBits": bits})} if {
	applies
	some item in certs.object_certs
	bits := certs.ec_bits(item.cert)
	bits < params.minECDSABits
	msg := sprintf("%s: %s has a %d-bit ECDSA key, below the minimum of %d bits; reissue it with an ECDSA P-256 (or larger) key", [certs.object_label, certs.cert_label(item), bits, params.minECDSABits])
}

violation contains {"msg": msg, "details": details(item, {"keyAlgorithm": "DSA"})} if {
	applies
	some item in certs.object_certs
	certs.key_algorithm(item.cert) == "DSA"
	msg := sprintf("%s: %s has a DSA key, which TLS no longer supports; reissue it with an ECDSA P-256 or RSA-2048 key", [certs.object_label, certs.cert_label(item)])
}

violation contains {"msg": msg, "details": details(item, {"signatureAlgorithm": alg})} if {
	applies
	some item in certs.object_certs
	alg := certs.weak_signature(item.cert)
	not self_signed_ca(item.cert)
	msg := sprintf("%s: %s is signed with %s, which is broken; have it reissued with a SHA-256 (or stronger) signature", [certs.object_label, certs.cert_label(item), alg])
}

self_signed_ca(c) if {
	certs.is_ca(c)
	certs.self_signed(c)
}

details(item, extra) := object.union({"field": item.field, "certificate": certs.facts(item.cert)}, extra)
