package tlsguard.certificate_strength_test

import data.lib.tlsguard.certs_test as t
import data.tlsguard.certificate_strength as policy

violations(inp) := vs if {
	vs := policy.violation with input as inp
		with time.now_ns as data.testcerts.now_ns
}

msgs(inp) := {v.msg | some v in violations(inp)}

test_strong_certificates_pass if {
	every name in ["leaf", "leaf_rsa", "leaf_dynamiclistener", "dynamiclistener_ca", "leaf_other"] {
		count(violations(t.review(t.serving(name)))) == 0
	}
	count(violations(t.review(t.tls_ca(["intermediate", "root"])))) == 0
	count(violations(t.review(t.setting("cacerts", data.testcerts.root.cert)))) == 0
}

test_weak_rsa_fails if {
	vs := violations(t.review(t.serving("leaf_weakrsa")))
	count(vs) == 1
	some v in vs
	v.msg == "Secret cattle-system/tls-rancher-ingress: data.tls.crt certificate 1 of 2 (CN=rancher.example.com) has a 1024-bit RSA key, below the minimum of 2048 bits; reissue it with an RSA key of at least 2048 bits or an ECDSA P-256 key"
	v.details.keyBits == 1024
	v.details.certificate.subject == "CN=rancher.example.com"
}

test_weak_ecdsa_fails if {
	vs := violations(t.review(t.serving("leaf_weakec")))
	count(vs) == 1
	some v in vs
	contains(v.msg, "has a 224-bit ECDSA key, below the minimum of 256 bits")
}

test_sha1_signature_fails if {
	vs := violations(t.review(t.serving("leaf_sha1")))
	count(vs) == 1
	some v in vs
	contains(v.msg, "is signed with SHA1-RSA")
	v.details.signatureAlgorithm == "SHA1-RSA"
}

test_parameters if {
	inp := t.with_params(t.review(t.serving("leaf_rsa")), {"minRSABits": 3072})
	count(violations(inp)) == 1
	inp2 := t.with_params(t.review(t.serving("leaf")), {"minECDSABits": 384})
	count(violations(inp2)) == 2 # leaf and intermediate are P-256
	inp3 := t.with_params(t.review(t.serving("leaf_weakrsa")), {"minRSABits": 1024})
	count(violations(inp3)) == 0
}

test_weak_certificate_in_ca_crt_fails if {
	o := t.tls_secret("cattle-system/tls-rancher-ingress", {"tls.crt": data.testcerts.leaf.b64chain, "ca.crt": data.testcerts.leaf_weakrsa.b64cert})
	msgs(t.review(o)) == {"Secret cattle-system/tls-rancher-ingress: data.ca.crt (CN=rancher.example.com) has a 1024-bit RSA key, below the minimum of 2048 bits; reissue it with an RSA key of at least 2048 bits or an ECDSA P-256 key"}
}

test_cacerts_setting_checked if {
	s := t.setting("cacerts", concat("", [data.testcerts.root.cert, data.testcerts.leaf_weakec.cert]))
	policy.applies with input as t.review(s)
	msgs(t.review(s)) == {"Setting cacerts: value certificate 2 of 2 (CN=rancher.example.com) has a 224-bit ECDSA key, below the minimum of 256 bits; reissue it with an ECDSA P-256 (or larger) key"}
}

test_tls_ca_checked if {
	vs := violations(t.review(t.tls_ca(["root", "leaf_weakrsa"])))
	some v in vs
	startswith(v.msg, "Secret cattle-system/tls-ca: data.cacerts.pem certificate 2 of 2")
}

test_unparseable_fails if {
	s := t.setting("cacerts", "-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----")
	vs := violations(t.review(s))
	count(vs) == 1
	some v in vs
	v.details == {"field": "value", "error": "holds PEM data that is not a valid X.509 certificate bundle (corrupt block, or a block that is not a CERTIFICATE)"}
}

test_invalid_base64_fails if {
	vs := violations(t.review(t.tls_secret("cattle-system/serving-cert", {"tls.crt": "@@"})))
	count(vs) == 1
}

test_scope if {
	not policy.applies with input as t.review(t.tls_secret("apps/web", {"tls.crt": data.testcerts.leaf_weakrsa.b64chain}))
	not policy.applies with input as t.review(t.opaque_secret("cattle-system/creds", {"token": "eA=="}))
	not policy.applies with input as t.review(t.setting("server-url", "https://rancher.example.com"))
	not policy.applies with input as t.delete(t.serving("leaf_weakrsa"))
	policy.applies with input as t.review(t.setting("cacerts", ""))
	count(violations(t.review(t.setting("cacerts", "")))) == 0
}
