package tlsguard.certificate_expiry_test

import data.lib.tlsguard.certs_test as t
import data.tlsguard.certificate_expiry as policy

violations(inp) := vs if {
	vs := policy.violation with input as inp
		with time.now_ns as data.testcerts.now_ns
}

warnings(inp) := ws if {
	ws := policy.warn with input as inp
		with time.now_ns as data.testcerts.now_ns
}

test_valid_certificates_pass if {
	every name in ["leaf", "leaf_rsa", "leaf_old", "leaf_long", "leaf_rotated", "dynamiclistener_ca"] {
		count(violations(t.review(t.serving(name)))) == 0
		count(warnings(t.review(t.serving(name)))) == 0
	}
	policy.applies with input as t.review(t.serving("leaf"))
}

test_expired_leaf_fails if {
	vs := violations(t.review(t.serving("leaf_expired")))
	count(vs) == 1
	some v in vs
	v.msg == "Secret cattle-system/tls-rancher-ingress: data.tls.crt certificate 1 of 2 (CN=rancher.example.com) expired at 2026-04-27T00:00:00Z (35 days before 2026-06-01T00:00:00Z); renew it and replace it in data.tls.crt"
	v.details.certificate.notAfter == "2026-04-27T00:00:00Z"
	count(warnings(t.review(t.serving("leaf_expired")))) == 0
}

test_not_yet_valid_fails if {
	vs := violations(t.review(t.serving("leaf_notyet")))
	count(vs) == 1
	some v in vs
	contains(v.msg, "is not valid before 2026-06-11T00:00:00Z (10 days after 2026-06-01T00:00:00Z)")
}

test_expiring_warns if {
	count(violations(t.review(t.serving("leaf_expiring")))) == 0
	ws := warnings(t.review(t.serving("leaf_expiring")))
	count(ws) == 1
	some w in ws
	contains(w.msg, "expires at 2026-06-11T00:00:00Z, in 10 days (warnDays 30)")
	w.details.daysLeft == 10
}

test_warn_days_parameter if {
	count(warnings(t.with_params(t.review(t.serving("leaf_expiring")), {"warnDays": 7}))) == 0
	count(warnings(t.with_params(t.review(t.serving("leaf_rotated")), {"warnDays": 100}))) == 1
	count(warnings(t.with_params(t.review(t.serving("leaf_expiring")), {"warnDays": 0}))) == 0
}

test_expired_root_in_cacerts_fails if {
	s := t.setting("cacerts", concat("", [data.testcerts.root.cert, data.testcerts.root_expired.cert]))
	vs := violations(t.review(s))
	count(vs) == 1
	some v in vs
	startswith(v.msg, "Setting cacerts: value certificate 2 of 2 (CN=tlsguard Expired Root CA) expired at")
}

test_expired_ca_in_tls_ca_fails if {
	count(violations(t.review(t.tls_ca(["root_expired"])))) == 1
}

test_expired_ca_crt_fails if {
	o := t.tls_secret("cattle-system/tls-rancher-ingress", {"tls.crt": data.testcerts.leaf.b64chain, "ca.crt": data.testcerts.root_expired.b64cert})
	vs := violations(t.review(o))
	some v in vs
	contains(v.msg, "data.ca.crt (CN=tlsguard Expired Root CA) expired at")
}

test_unparseable_fails if {
	vs := violations(t.review(t.tls_secret("cattle-system/serving-cert", {"tls.crt": base64.encode("nope")})))
	count(vs) == 1
	some v in vs
	contains(v.msg, "so its validity cannot be checked")
}

test_scope if {
	policy.applies with input as t.review(t.tls_secret("cattle-system/cattle-webhook-tls", {}))
	not policy.applies with input as t.review(t.tls_secret("apps/web", {"tls.crt": data.testcerts.leaf_expired.b64chain}))
	policy.applies with input as t.with_params(t.review(t.tls_secret("apps/web", {})), {"secrets": ["apps/web"]})
	policy.applies with input as t.review(t.tls_ca([]))
	not policy.applies with input as t.review(t.setting("agent-tls-mode", "strict"))
	not policy.applies with input as t.delete(t.serving("leaf_expired"))
}
