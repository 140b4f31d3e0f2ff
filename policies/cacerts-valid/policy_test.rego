package tlsguard.cacerts_valid_test

import data.lib.tlsguard.certs_test as t
import data.tlsguard.cacerts_valid as policy

violations(inp, objs) := vs if {
	vs := policy.violation with input as inp
		with data.inventory as t.inventory(objs)
		with data.tlsguard.trust as data.testcerts.trust
		with time.now_ns as data.testcerts.now_ns
}

cacerts(names) := t.setting("cacerts", t.pems(names))

strict := t.setting("agent-tls-mode", "strict")

system_store := t.setting("agent-tls-mode", "system-store")

test_valid_bundles_pass if {
	count(violations(t.review(cacerts(["root"])), [strict])) == 0
	count(violations(t.review(cacerts(["intermediate", "root"])), [strict])) == 0
	count(violations(t.review(t.tls_ca(["intermediate", "root"])), [strict])) == 0
	count(violations(t.review(cacerts(["other_root"])), [strict])) == 0
	count(violations(t.review(cacerts(["dynamiclistener_ca"])), [strict])) == 0
	policy.applies with input as t.review(cacerts(["root"]))
	policy.applies with input as t.review(t.tls_ca(["root"]))
}

test_server_certificate_fails if {
	vs := violations(t.review(cacerts(["leaf", "root"])), [])
	count(vs) == 1
	some v in vs
	v.msg == "Setting cacerts: value certificate 1 of 2 (CN=rancher.example.com) is not a CA certificate (basicConstraints CA:FALSE); value must hold only the CA chain (intermediates, then the root), not the server certificate"
	v.details.certificate.subject == "CN=rancher.example.com"
}

test_expired_ca_fails if {
	vs := violations(t.review(t.tls_ca(["intermediate", "root", "root_expired"])), [])
	count(vs) == 1
	some v in vs
	contains(v.msg, "Secret cattle-system/tls-ca: CA data.cacerts.pem certificate 3 of 3 (CN=tlsguard Expired Root CA) expired at")
}

test_unparseable_fails if {
	vs := violations(t.review(t.setting("cacerts", "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----")), [])
	count(vs) == 1
	some v in vs
	startswith(v.msg, "Setting cacerts: value holds PEM data that is not a valid X.509 certificate bundle")
	not_pem := violations(t.review(t.setting("cacerts", "dynamiclistener-ca")), [])
	count(not_pem) == 1
}

test_private_key_in_bundle_fails if {
	vs := violations(t.review(t.setting("cacerts", concat("", [data.testcerts.root.cert, data.testcerts.root.key]))), [])
	count(vs) == 1
	some v in vs
	not contains(v.msg, "PRIVATE")
	not contains(json.marshal(v.details), "PRIVATE")
}

test_invalid_base64_fails if {
	vs := violations(t.review(t.opaque_secret("cattle-system/tls-ca", {"cacerts.pem": "%%"})), [])
	count(vs) == 1
	some v in vs
	v.details == {"field": "data.cacerts.pem", "error": "is not valid base64"}
}

test_empty_while_strict_fails if {
	vs := violations(t.review(t.setting("cacerts", "")), [strict])
	count(vs) == 1
	some v in vs
	contains(v.msg, "Setting cacerts: value is empty while agent-tls-mode is strict")
	count(violations(t.review(t.opaque_secret("cattle-system/tls-ca", {})), [strict])) == 1
	count(violations(t.review(t.opaque_secret("cattle-system/tls-ca", {"cacerts.pem": ""})), [strict])) == 1
}

test_empty_strict_from_default if {
	mode := object.union(t.setting("agent-tls-mode", ""), {"default": "strict"})
	count(violations(t.review(t.setting("cacerts", "")), [mode])) == 1
}

test_empty_without_strict_passes if {
	count(violations(t.review(t.setting("cacerts", "")), [system_store])) == 0
	count(violations(t.review(t.setting("cacerts", "")), [t.setting("agent-tls-mode", "Strict")])) == 0

	# agent-tls-mode unknown: nothing to compare with.
	count(violations(t.review(t.setting("cacerts", "")), [])) == 0
}

test_env_override if {
	dep := {
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": {"name": "rancher", "namespace": "cattle-system"},
		"spec": {"template": {"spec": {"containers": [{"name": "rancher", "env": [{"name": "CATTLE_CACERTS", "value": data.testcerts.leaf.cert}]}]}}},
	}
	count(violations(t.review(cacerts(["root"])), [dep])) == 1
}

test_untrusted_ca_when_cluster_ca_not_trusted if {
	inp := t.with_params(t.review(cacerts(["other_root"])), {"trustClusterCA": false})
	vs := violations(inp, [])
	count(vs) == 1
	some v in vs
	contains(v.msg, "CA value (CN=Evil Root) does not chain to a root of the trust bundle (issuer CN=Evil Root)")
	v.details.trustClusterCA == false
}

test_rancher_generated_ca_not_trusted if {
	inp := t.with_params(t.review(cacerts(["dynamiclistener_ca"])), {"trustClusterCA": false})
	count(violations(inp, [])) == 1
}

test_trusted_chain_when_cluster_ca_not_trusted if {
	count(violations(t.with_params(t.review(cacerts(["root"])), {"trustClusterCA": false}), [])) == 0
	count(violations(t.with_params(t.review(cacerts(["intermediate", "root"])), {"trustClusterCA": false}), [])) == 0
	count(violations(t.with_params(t.review(cacerts(["intermediate"])), {"trustClusterCA": false}), [])) == 0
	count(violations(t.with_params(t.review(t.tls_ca(["intermediate_rsa"])), {"trustClusterCA": false}), [])) == 0
}

test_scope if {
	not policy.applies with input as t.review(t.setting("server-url", "https://rancher.example.com"))
	not policy.applies with input as t.review(t.serving("leaf"))
	not policy.applies with input as t.review(t.opaque_secret("other/tls-ca", {}))
	not policy.applies with input as t.delete(cacerts(["leaf"]))
}
