# METADATA
# title: TLS Secret private key matches its certificate
# description: |
#   A TLS Secret whose tls.key does not belong to the leaf certificate in
#   tls.crt cannot be served: the ingress controller falls back to its default
#   (self-signed) certificate and agents see an unknown certificate. This
#   policy checks every guarded Secret that has a tls.key: all
#   kubernetes.io/tls Secrets in the namespaces parameter (cattle-system by
#   default), the Secrets listed in secrets, and those matching
#   secretSelector. tls.key must hold a PEM private key (PKCS#1, PKCS#8 or
#   SEC 1; encrypted keys are not usable by Kubernetes) whose public key is
#   the one of the first certificate in tls.crt. A key without a certificate
#   and data that cannot be decoded are reported too. Nothing about the key
#   is ever put in the report.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/resources/add-tls-secrets
#     description: Rancher docs, Adding TLS Secrets
# custom:
#   id: certificate-key-match
#   severity: high
#   action: deny
#   remediation: |
#     Recreate the Secret from the matching pair, e.g. kubectl -n
#     cattle-system create secret tls tls-rancher-ingress --cert=tls.crt
#     --key=tls.key --dry-run=client -o yaml | kubectl apply -f - (kubectl
#     refuses a pair that does not match). The leaf must come first in tls.crt.
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
package tlsguard.certificate_key_match

import data.lib.tlsguard.certs
import data.lib.tlsguard.k8s

defaults := {
	"namespaces": ["cattle-system"],
	"secrets": ["cattle-system/tls-rancher-ingress"],
	"secretSelector": {},
}

params := object.union(defaults, object.get(input, "parameters", {}))

default applies := false

applies if {
	k8s.has_kind("", "Secret")
	not k8s.is_delete
	guarded
	k8s.secret_has_key(k8s.obj, "tls.key")
}

guarded if certs.tls_in(k8s.obj, params.namespaces)

guarded if certs.listed(k8s.obj, params.secrets)

guarded if certs.selected(k8s.obj, params.secretSelector)

entry := certs.secret_leaf_entry

key_text := k8s.secret_value(k8s.obj, "tls.key")

# key_pem is tls.key from its first PEM block on; undefined without one.
key_pem := substring(key_text, i, -1) if {
	i := indexof(key_text, "-----BEGIN")
	i >= 0
}

leaf := entry.certs[0]

# Fast path: the leaf's public key (RSA modulus, or the EC point) stands
# verbatim in the DER of its private key (PKCS#1, PKCS#8 and SEC 1 keys all
# carry it), so finding it there proves the pair without parsing the private
# key. Parsing an RSA key costs milliseconds (Go validates it with modular
# exponentiations), which would dominate a scan of thousands of Secrets. Any
# other case falls back to a full parse below.
#
# The body is the first block after its BEGIN line; base64.decode skips
# line breaks (CRLF too). A block with PEM headers (an encrypted key) or
# stray spaces is not valid base64, and the full parse below decides.
key_der_hex := hex.encode(base64.decode(body)) if {
	first := substring(key_pem, 0, indexof(key_pem, "-----END"))
	body := substring(first, indexof(first, "\n") + 1, -1)
	base64.is_valid(body)
}

leaf_public_hex := format_int(leaf.PublicKey.N, 16) if leaf.PublicKeyAlgorithm == 1

# An EC SubjectPublicKeyInfo ends with the uncompressed point; its length
# gives the curve's point size (P-256, P-384, P-521).
ec_point_bytes := {91: 65, 120: 97, 158: 133}

leaf_public_hex := substring(spki, count(spki) - (2 * n), -1) if {
	leaf.PublicKeyAlgorithm == 3
	spki := hex.encode(base64.decode(leaf.RawSubjectPublicKeyInfo))
	n := ec_point_bytes[count(spki) / 2]
}

fast_match if {
	count(leaf_public_hex) >= 64
	contains(key_der_hex, leaf_public_hex)
}

# The private keys of tls.key, parsed once; a parse error yields [].
private_keys := [k | some k in crypto.parse_private_keys(key_pem)]

# The key tls.X509KeyPair would use: the first private-key block.
key := private_keys[0]

matches if fast_match

# The public half of an RSA or ECDSA private key is compared with the leaf's
# public key directly: exact (big) numbers, and no second parse of the chain.
matches if {
	leaf.PublicKeyAlgorithm == 1
	key.N == leaf.PublicKey.N
	key.E == leaf.PublicKey.E
}

matches if {
	leaf.PublicKeyAlgorithm == 3
	key.X == leaf.PublicKey.X
	key.Y == leaf.PublicKey.Y
}

key_kind := "an RSA key" if {
	key.N
} else := "an ECDSA key" if {
	key.X
} else := "a private key"

# Other algorithms (Ed25519): let crypto/tls match the pair.
matches if {
	not leaf.PublicKeyAlgorithm in {1, 3}
	crypto.x509.parse_keypair(certs.to_pem(leaf), key_pem)
}

violation contains {"msg": msg, "details": {"field": "data.tls.key", "error": "is not valid base64"}} if {
	applies
	k8s.secret_key_invalid(k8s.obj, "tls.key")
	msg := sprintf("Secret %s: data.tls.key is not valid base64; store the PEM private key of the certificate in it", [k8s.ref])
}

violation contains {"msg": msg, "details": {"field": "data.tls.key", "error": "holds no PEM private key"}} if {
	applies
	key_text
	not key_pem
	msg := sprintf("Secret %s: data.tls.key holds no PEM private key; store the PEM private key of the certificate in it", [k8s.ref])
}

violation contains {"msg": msg, "details": {"field": "data.tls.crt"}} if {
	applies
	not certs.secret_leaf_entry
	msg := sprintf("Secret %s: has a private key in data.tls.key but no certificate in data.tls.crt; store the certificate (leaf first) in tls.crt", [k8s.ref])
}

violation contains {"msg": msg, "details": {"field": "data.tls.crt", "error": entry.error}} if {
	applies
	msg := sprintf("Secret %s: data.tls.crt %s, so data.tls.key cannot be matched against it; store PEM certificates (leaf first) in tls.crt", [k8s.ref, entry.error])
}

violation contains {"msg": msg, "details": {"field": "data.tls.key", "certificate": certs.facts(leaf)}} if {
	applies
	key_pem
	leaf
	not fast_match
	count(private_keys) == 0
	msg := sprintf("Secret %s: data.tls.key cannot be parsed as an unencrypted PEM private key (PKCS#1, PKCS#8 or EC); store the unencrypted private key of %s", [k8s.ref, certs.subject(leaf)])
}

violation contains {"msg": msg, "details": {"field": "data.tls.key", "certificate": certs.facts(leaf)}} if {
	applies
	leaf
	not fast_match
	key
	not matches
	msg := sprintf("Secret %s: data.tls.key (%s) does not match the public key of the first certificate in data.tls.crt (%s, %s key); store the private key issued with this certificate, and put the leaf first in tls.crt", [k8s.ref, key_kind, certs.subject(leaf), certs.key_algorithm(leaf)])
}
