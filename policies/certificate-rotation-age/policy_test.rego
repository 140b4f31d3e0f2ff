package tlsguard.certificate_rotation_age_test

import data.lib.tlsguard.certs_test as t
import data.tlsguard.certificate_rotation_age as policy

violations(inp) := vs if {
	vs := policy.violation with input as inp
		with time.now_ns as data.testcerts.now_ns
}

ca_secret(ref, name) := t.tls_secret(ref, {"tls.crt": data.testcerts[name].b64cert})

test_young_certificates_pass if {
	every name in ["leaf", "leaf_rsa", "leaf_rotated", "leaf_expiring", "leaf_dynamiclistener"] {
		count(violations(t.review(t.serving(name)))) == 0
	}
	policy.applies with input as t.review(t.serving("leaf"))
}

test_old_certificate_fails if {
	vs := violations(t.review(t.serving("leaf_old")))
	count(vs) == 1
	some v in vs
	v.msg == "Secret cattle-system/tls-rancher-ingress: the certificate in data.tls.crt (CN=rancher.example.com) was issued 200 days ago (notBefore 2025-11-13T00:00:00Z), more than maxAgeDays 90; rotate it (renew with a new key) and replace tls.crt and tls.key"
	v.details.ageDays == 200
	v.details.maxAgeDays == 90
}

test_long_validity_fails if {
	vs := violations(t.review(t.serving("leaf_long")))
	count(vs) == 1
	some v in vs
	contains(v.msg, "is valid for 825 days")
	v.details.validityDays == 825
}

test_parameters if {
	count(violations(t.with_params(t.review(t.serving("leaf_old")), {"maxAgeDays": 365}))) == 0
	count(violations(t.with_params(t.review(t.serving("leaf_old")), {"maxAgeDays": 0}))) == 0
	count(violations(t.with_params(t.review(t.serving("leaf")), {"maxAgeDays": 7}))) == 1
	count(violations(t.with_params(t.review(t.serving("leaf_long")), {"maxValidityDays": 0}))) == 0
	count(violations(t.with_params(t.review(t.serving("leaf")), {"maxValidityDays": 90}))) == 1
}

test_ca_exempt_by_default if {
	count(violations(t.review(ca_secret("cattle-system/tls-rancher", "dynamiclistener_ca")))) == 0
	count(violations(t.review(ca_secret("cattle-system/tls-rancher", "root")))) == 0
}

test_ca_age_checked_when_set if {
	inp := t.with_params(t.review(ca_secret("cattle-system/tls-rancher", "dynamiclistener_ca")), {"maxCAAgeDays": 180})
	vs := violations(inp)
	count(vs) == 1
	some v in vs
	contains(v.msg, "the CA certificate in data.tls.crt (CN=dynamiclistener-ca@1700000000, O=dynamiclistener-org) was issued 200 days ago")
	count(violations(t.with_params(t.review(ca_secret("cattle-system/tls-rancher", "dynamiclistener_ca")), {"maxCAAgeDays": 365}))) == 0
}

test_only_first_certificate_checked if {
	# The intermediate in the chain is 365 days old with a 5-year validity.
	count(violations(t.review(t.serving("leaf")))) == 0
}

test_unparseable_fails if {
	vs := violations(t.review(t.tls_secret("cattle-system/serving-cert", {"tls.crt": base64.encode("x")})))
	count(vs) == 1
	some v in vs
	contains(v.msg, "so its age cannot be checked")
}

test_scope if {
	policy.applies with input as t.review(t.tls_secret("cattle-system/tls-rancher-internal", {}))
	not policy.applies with input as t.review(t.tls_secret("apps/web", {"tls.crt": data.testcerts.leaf_old.b64chain}))
	policy.applies with input as t.with_params(t.review(t.tls_secret("apps/web", {})), {"namespaces": ["apps"]})
	not policy.applies with input as t.review(t.tls_ca(["root"]))
	not policy.applies with input as t.delete(t.serving("leaf_old"))
	count(violations(t.review(t.tls_secret("cattle-system/empty", {"tls.crt": ""})))) == 0
}
