package tlsguard.certificate_key_match_test

import data.lib.tlsguard.certs_test as t
import data.tlsguard.certificate_key_match as policy

violations(inp) := vs if {
	vs := policy.violation with input as inp
		with time.now_ns as data.testcerts.now_ns
}

pair(crt, key) := t.tls_secret("cattle-system/tls-rancher-ingress", {"tls.crt": crt, "tls.key": key})

test_matching_pairs_pass if {
	every name in ["leaf", "leaf_rsa", "leaf_selfsigned", "leaf_weakrsa", "leaf_weakec", "dynamiclistener_ca"] {
		count(violations(t.review(t.serving(name)))) == 0
	}
	policy.applies with input as t.review(t.serving("leaf"))
}

test_mismatched_key_fails if {
	vs := violations(t.review(pair(data.testcerts.leaf.b64chain, data.testcerts.leaf_rotated.b64key)))
	count(vs) == 1
	some v in vs
	contains(v.msg, "data.tls.key (an ECDSA key) does not match the public key of the first certificate in data.tls.crt (CN=rancher.example.com, ECDSA key)")
	v.details.certificate.subject == "CN=rancher.example.com"
}

test_key_of_other_type_fails if {
	vs := violations(t.review(pair(data.testcerts.leaf.b64chain, data.testcerts.leaf_rsa.b64key)))
	count(vs) == 1
	some v in vs
	contains(v.msg, "data.tls.key (an RSA key) does not match")
}

test_rsa_keys_compared if {
	vs := violations(t.review(pair(data.testcerts.leaf_rsa.b64chain, data.testcerts.leaf_weakrsa.b64key)))
	count(vs) == 1
}

test_key_of_intermediate_fails if {
	# The key matches a certificate of the chain, but not the leaf.
	chain := base64.encode(concat("", [data.testcerts.intermediate.cert, data.testcerts.leaf.cert]))
	vs := violations(t.review(pair(chain, data.testcerts.leaf.b64key)))
	count(vs) == 1
}

test_unparseable_key_fails if {
	bad := base64.encode("-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n")
	vs := violations(t.review(pair(data.testcerts.leaf.b64chain, bad)))
	count(vs) == 1
	some v in vs
	contains(v.msg, "cannot be parsed as an unencrypted PEM private key")
}

test_encrypted_key_fails if {
	enc := base64.encode("-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n")
	vs := violations(t.review(pair(data.testcerts.leaf.b64chain, enc)))
	count(vs) == 1
}

test_key_not_pem_fails if {
	vs := violations(t.review(pair(data.testcerts.leaf.b64chain, base64.encode("secret"))))
	vs == {{"msg": "Secret cattle-system/tls-rancher-ingress: data.tls.key holds no PEM private key; store the PEM private key of the certificate in it", "details": {"field": "data.tls.key", "error": "holds no PEM private key"}}}
}

test_key_invalid_base64_fails if {
	vs := violations(t.review(pair(data.testcerts.leaf.b64chain, "!!")))
	count(vs) == 1
	some v in vs
	v.details.error == "is not valid base64"
}

test_text_before_pem_is_ignored if {
	key := base64.encode(concat("", ["# key\n", data.testcerts.leaf.key]))
	count(violations(t.review(pair(data.testcerts.leaf.b64chain, key)))) == 0
}

test_key_without_certificate_fails if {
	vs := violations(t.review(pair("", data.testcerts.leaf.b64key)))
	count(vs) == 1
	some v in vs
	contains(v.msg, "no certificate in data.tls.crt")
}

test_unparseable_certificate_fails if {
	vs := violations(t.review(pair(base64.encode("junk"), data.testcerts.leaf.b64key)))
	count(vs) == 1
	some v in vs
	contains(v.msg, "data.tls.crt holds no PEM certificate")
}

test_string_data if {
	o := {
		"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/tls",
		"metadata": {"name": "serving-cert", "namespace": "cattle-system"},
		"stringData": {"tls.crt": data.testcerts.leaf.chain, "tls.key": data.testcerts.leaf_rsa.key},
	}
	count(violations(t.review(o))) == 1
}

test_scope if {
	other_ns := t.tls_secret("apps/web", {"tls.crt": data.testcerts.leaf.b64chain, "tls.key": data.testcerts.leaf_rsa.b64key})
	not policy.applies with input as t.review(other_ns)
	policy.applies with input as t.with_params(t.review(other_ns), {"namespaces": ["apps"]})
	opaque := t.opaque_secret("cattle-system/creds", {"tls.key": data.testcerts.leaf_rsa.b64key})
	not policy.applies with input as t.review(opaque)
	no_key := t.tls_secret("cattle-system/ca", {"tls.crt": data.testcerts.root.b64cert})
	not policy.applies with input as t.review(no_key)
	not policy.applies with input as t.delete(t.serving("leaf"))
}

test_details_hold_no_key_material if {
	vs := violations(t.review(pair(data.testcerts.leaf.b64chain, data.testcerts.leaf_rotated.b64key)))
	some v in vs
	not contains(json.marshal(v), "PRIVATE")
	not contains(json.marshal(v), data.testcerts.leaf_rotated.b64key)
}

# The fast path reads the key's DER from its first PEM block, CRLF line
# endings included.
test_crlf_key_takes_the_fast_path if {
	key := replace(base64.decode(data.testcerts.leaf_rsa.b64key), "\n", "\r\n")
	inp := t.review(pair(data.testcerts.leaf_rsa.b64chain, base64.encode(key)))
	count(violations(inp)) == 0
	policy.fast_match with input as inp
}

# A block with PEM headers is not read by the fast path; the full parse
# decides (here: an unencrypted key with a comment header still matches).
test_key_with_headers_takes_the_full_parse if {
	pem := base64.decode(data.testcerts.leaf.b64key)
	first_line_end := indexof(pem, "\n")
	key := concat("", [substring(pem, 0, first_line_end + 1), "Comment: rotated 2026\n\n", substring(pem, first_line_end + 1, -1)])
	inp := t.review(pair(data.testcerts.leaf.b64chain, base64.encode(key)))
	not policy.fast_match with input as inp
}
