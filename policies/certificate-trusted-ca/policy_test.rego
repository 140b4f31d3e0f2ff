package tlsguard.certificate_trusted_ca_test

import data.lib.tlsguard.certs_test as t
import data.tlsguard.certificate_trusted_ca as policy

# violations(inp, objs) evaluates the policy on input `inp` with objs as the
# inventory, the test trust bundle (root) and the test clock.
violations(inp, objs) := vs if {
	vs := policy.violation with input as inp
		with data.inventory as t.inventory(objs)
		with data.tlsguard.trust as data.testcerts.trust
		with time.now_ns as data.testcerts.now_ns
}

ingress(d) := t.tls_secret("cattle-system/tls-rancher-ingress", d)

cacerts(name) := t.setting("cacerts", data.testcerts[name].cert)

test_chain_to_trusted_root_passes if {
	count(violations(t.review(t.serving("leaf")), [])) == 0
	count(violations(t.review(t.serving("leaf_rsa")), [])) == 0
	policy.applies with input as t.review(t.serving("leaf"))
}

test_intermediate_in_ca_crt_passes if {
	inp := t.review(ingress({"tls.crt": data.testcerts.leaf.b64cert, "ca.crt": data.testcerts.intermediate.b64cert}))
	count(violations(inp, [])) == 0
}

test_presented_trusted_root_counts if {
	d := {"tls.crt": data.testcerts.leaf.b64chain, "ca.crt": data.testcerts.root.b64cert}
	count(violations(t.review(ingress(d)), [])) == 0
}

test_missing_intermediate_fails if {
	vs := violations(t.review(ingress({"tls.crt": data.testcerts.leaf.b64cert})), [])
	count(vs) == 1
	some v in vs
	contains(v.msg, "does not verify to a trusted root")
	contains(v.msg, "issuer \"CN=tlsguard Test Intermediate CA, O=tlsguard tests\"")
	v.details.certificate.subject == "CN=rancher.example.com"
}

test_self_signed_leaf_fails if {
	vs := violations(t.review(t.serving("leaf_selfsigned")), [])
	count(vs) == 1
	some v in vs
	contains(v.msg, "is a self-signed certificate")
	not contains(v.msg, "replaces")
}

test_presented_untrusted_root_cannot_vouch_for_itself if {
	d := {"tls.crt": data.testcerts.leaf_other.b64chain, "ca.crt": data.testcerts.other_root.b64cert}
	vs := violations(t.review(ingress(d)), [])
	some v in vs
	contains(v.msg, "does not verify")
	contains(v.msg, "(with data.ca.crt)")
}

test_cluster_ca_from_cacerts_trusted_by_default if {
	count(violations(t.review(t.serving("leaf_other")), [cacerts("other_root")])) == 0
}

test_cluster_ca_from_tls_ca_trusted_by_default if {
	count(violations(t.review(t.serving("leaf_other")), [t.tls_ca(["other_root"])])) == 0
}

test_cluster_intermediate_is_an_anchor if {
	inp := t.review(ingress({"tls.crt": data.testcerts.leaf.b64cert}))
	count(violations(inp, [t.tls_ca(["intermediate", "root"])])) == 0
}

test_cluster_ca_not_trusted_when_disabled if {
	inp := t.with_params(t.review(t.serving("leaf_other")), {"trustClusterCA": false})
	vs := violations(inp, [cacerts("other_root")])
	count(vs) == 1
	some v in vs
	contains(v.msg, "trustClusterCA is false")
	v.details.trustClusterCA == false
}

test_rancher_generated_ca_fails if {
	vs := violations(t.review(t.serving("leaf_dynamiclistener")), [cacerts("dynamiclistener_ca")])
	count(vs) == 1
	some v in vs
	contains(v.msg, "is a certificate (CN=dynamic, O=dynamic) issued by Rancher's generated CA (CN=dynamiclistener-ca@1700000000, O=dynamiclistener-org)")
}

test_rancher_generated_ca_fails_even_if_untrusted if {
	vs := violations(t.review(t.serving("leaf_dynamiclistener")), [])
	count(vs) == 1
	some v in vs
	contains(v.msg, "Rancher's generated CA")
}

test_rancher_generated_ca_allowed if {
	inp := t.with_params(t.review(t.serving("leaf_dynamiclistener")), {"allowRancherGeneratedCA": true})
	count(violations(inp, [cacerts("dynamiclistener_ca")])) == 0
	tls_rancher := t.tls_secret("cattle-system/tls-rancher", {"tls.crt": data.testcerts.dynamiclistener_ca.b64cert})
	count(violations(inp, [tls_rancher])) == 0
}

test_rancher_generated_ca_allowed_still_needs_trust if {
	inp := t.with_params(t.review(t.serving("leaf_dynamiclistener")), {"allowRancherGeneratedCA": true})
	vs := violations(inp, [])
	count(vs) == 1
	some v in vs
	contains(v.msg, "does not verify")
}

test_expired_leaf_fails if {
	vs := violations(t.review(t.serving("leaf_expired")), [])
	some v in vs
	contains(v.msg, "expired at")
}

test_not_yet_valid_leaf_fails if {
	vs := violations(t.review(t.serving("leaf_notyet")), [])
	some v in vs
	contains(v.msg, "is not valid before")
}

test_sha1_chain_fails if {
	# crypto/x509 refuses SHA-1 signatures.
	count(violations(t.review(t.serving("leaf_sha1")), [])) == 1
}

test_invalid_base64_fails if {
	vs := violations(t.review(ingress({"tls.crt": "not base64!"})), [])
	vs == {{"msg": "Secret cattle-system/tls-rancher-ingress: data.tls.crt is not valid base64; store PEM certificates (leaf first, then intermediates) in it", "details": {"field": "data.tls.crt", "error": "is not valid base64"}}}
}

test_unparseable_pem_fails if {
	junk := base64.encode("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n")
	vs := violations(t.review(ingress({"tls.crt": data.testcerts.leaf.b64chain, "ca.crt": junk})), [])
	count(vs) == 1
	some v in vs
	contains(v.msg, "data.ca.crt holds PEM data that is not a valid X.509 certificate bundle")
}

test_missing_tls_crt_fails if {
	vs := violations(t.review(ingress({"tls.crt": ""})), [])
	some v in vs
	contains(v.msg, "data.tls.crt holds no certificate")
}

test_unguarded_secret_ignored if {
	o := t.tls_secret("cattle-system/serving-cert", {"tls.crt": data.testcerts.leaf_selfsigned.b64chain})
	not policy.applies with input as t.review(o)
	count(violations(t.review(o), [])) == 0
}

test_secret_selector if {
	o := json.patch(t.tls_secret("apps/web", {"tls.crt": data.testcerts.leaf_selfsigned.b64chain}), [{"op": "add", "path": "/metadata/labels", "value": {"tlsguard.io/serving": "true"}}])
	inp := t.with_params(t.review(o), {"secretSelector": {"tlsguard.io/serving": "true"}})
	policy.applies with input as inp
	count(violations(inp, [])) == 1
}

test_secret_list_parameter if {
	o := t.tls_secret("apps/web", {"tls.crt": data.testcerts.leaf.b64chain})
	policy.applies with input as t.with_params(t.review(o), {"secrets": ["apps/web"]})
	not policy.applies with input as t.review(o)
}

test_update_to_self_signed_says_so if {
	vs := violations(t.update(t.serving("leaf_selfsigned"), t.serving("leaf")), [])
	count(vs) == 1
	some v in vs
	contains(v.msg, "data.tls.crt replaces the CA-issued certificate CN=rancher.example.com (issuer CN=tlsguard Test Intermediate CA, O=tlsguard tests) by a self-signed certificate (CN=rancher.example.com)")
}

test_update_between_self_signed_no_replacement_note if {
	vs := violations(t.update(t.serving("leaf_selfsigned"), t.serving("leaf_dynamiclistener")), [])
	some v in vs
	not contains(v.msg, "replaces")
}

test_delete_ignored if {
	not policy.applies with input as t.delete(t.serving("leaf_selfsigned"))
	count(violations(t.delete(t.serving("leaf_selfsigned")), [])) == 0
}

test_details_hold_no_key_material if {
	vs := violations(t.review(t.serving("leaf_selfsigned")), [])
	some v in vs
	not contains(json.marshal(v.details), "PRIVATE")
	not contains(json.marshal(v.details), data.testcerts.leaf_selfsigned.b64key)
}
