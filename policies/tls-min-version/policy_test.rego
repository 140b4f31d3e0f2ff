package tlsguard.tls_min_version_test

import data.lib.tlsguard.rancher_objects_test as b
import data.tlsguard.tls_min_version as policy

version(value) := b.setting("tls-min-version", value, "1.2")

ciphers(value) := b.setting("tls-ciphers", value, rancher_default_ciphers)

rancher_default_ciphers := concat(",", [
	"TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
	"TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305",
	"TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
])

denied(inp, inv) if count(policy.violation) > 0 with input as inp with data.inventory as inv

denied_or_false(inp, inv) if {
	denied(inp, inv)
} else := false

msgs(inp, inv) := m if {
	m := {v.msg | some v in policy.violation} with input as inp with data.inventory as inv
}

# --- tls-min-version -----------------------------------------------------------

test_version_table if {
	cases := [
		{"name": "1.2", "value": "1.2", "params": {}, "deny": false},
		{"name": "1.3", "value": "1.3", "params": {}, "deny": false},
		{"name": "empty means default 1.2", "value": "", "params": {}, "deny": false},
		{"name": "1.1", "value": "1.1", "params": {}, "deny": true},
		{"name": "1.0", "value": "1.0", "params": {}, "deny": true},
		{"name": "unknown 1.4", "value": "1.4", "params": {}, "deny": true},
		{"name": "Go constant name", "value": "VersionTLS12", "params": {}, "deny": true},
		{"name": "1.2 with minVersion 1.3", "value": "1.2", "params": {"minVersion": "1.3"}, "deny": true},
		{"name": "empty with minVersion 1.3", "value": "", "params": {"minVersion": "1.3"}, "deny": true},
		{"name": "1.1 with minVersion 1.1", "value": "1.1", "params": {"minVersion": "1.1"}, "deny": false},
		{"name": "1.1 with unknown minVersion falls back to 1.2", "value": "1.1", "params": {"minVersion": "9"}, "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(b.with_params(b.create(version(c.value)), c.params), {}) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_version_message if {
	msgs(b.create(version("1.0")), {}) == {`Setting tls-min-version: effective value "1.0" (value "1.0", default "1.2") is below the required minimum 1.2, so Rancher's listener accepts TLS below 1.2 for agent connections; set value to "1.2" or "1.3"`}
}

test_version_message_with_minimum_13 if {
	some m in msgs(b.with_params(b.create(version("1.2")), {"minVersion": "1.3"}), {})
	endswith(m, `is below the required minimum 1.3, so Rancher's listener accepts TLS below 1.3 for agent connections; set value to "1.3"`)
}

test_version_unknown_message if {
	some m in msgs(b.create(version("1.4")), {})
	contains(m, "is not one of 1.0, 1.1, 1.2, 1.3")
}

test_version_env_override if {
	inv := b.inventory([b.rancher_deployment([{"name": "CATTLE_TLS_MIN_VERSION", "value": "1.0"}])])
	some m in msgs(b.create(version("1.2")), inv)
	contains(m, `effective value "1.0" (from env CATTLE_TLS_MIN_VERSION on Deployment cattle-system/rancher)`)
	not denied(b.create(version("1.0")), b.inventory([b.rancher_deployment([{"name": "CATTLE_TLS_MIN_VERSION", "value": "1.3"}])]))
}

test_version_update_lowered if {
	some m in msgs(b.update(version("1.1"), version("1.2")), {})
	contains(m, `this update lowers it from "1.2"`)
	some m2 in msgs(b.update(version("1.0"), version("1.1")), {})
	contains(m2, `this update lowers it from "1.1"`)
	some m3 in msgs(b.update(version("1.1"), version("1.0")), {})
	not contains(m3, "lowers")
}

# --- tls-ciphers ------------------------------------------------------------------

test_cipher_table if {
	cases := [
		{"name": "empty (Rancher default list)", "value": "", "deny": false},
		{"name": "Rancher default list", "value": rancher_default_ciphers, "deny": false},
		{"name": "spaces around names", "value": " TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 , TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256 ,", "deny": false},
		{"name": "TLS 1.3 suites", "value": "TLS_AES_128_GCM_SHA256,TLS_AES_256_GCM_SHA384,TLS_CHACHA20_POLY1305_SHA256", "deny": false},
		{"name": "CBC", "value": "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "deny": true},
		{"name": "CBC SHA256", "value": "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "deny": true},
		{"name": "3DES", "value": "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "deny": true},
		{"name": "RC4", "value": "TLS_ECDHE_ECDSA_WITH_RC4_128_SHA", "deny": true},
		{"name": "static RSA GCM", "value": "TLS_RSA_WITH_AES_256_GCM_SHA384", "deny": true},
		{"name": "unknown name", "value": "TLS_ECDHE_RSA_WITH_NULL_SHA", "deny": true},
		{"name": "lower-case strong name", "value": "tls_ecdhe_rsa_with_aes_128_gcm_sha256", "deny": false},
	]
	wrong := [c.name | some c in cases; denied_or_false(b.create(ciphers(c.value)), {}) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_cipher_message_and_details if {
	some v in policy.violation with input as b.create(ciphers("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256,TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA,TLS_RSA_WITH_AES_128_GCM_SHA256")) with data.inventory as {}
	startswith(v.msg, "Setting tls-ciphers: the effective list (from value) allows weak cipher suites TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA (3DES), TLS_RSA_WITH_AES_128_GCM_SHA256 (non-ECDHE key exchange); remove them")
	v.details.weakCiphers == [
		{"name": "TLS_ECDHE_RSA_WITH_3DES_EDE_CBC_SHA", "problem": "3DES"},
		{"name": "TLS_RSA_WITH_AES_128_GCM_SHA256", "problem": "non-ECDHE key exchange"},
	]
}

test_ciphers_ignored_when_minimum_is_13 if {
	weak := ciphers("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA")
	not denied(b.create(weak), b.inventory([version("1.3")]))
	denied(b.create(weak), b.inventory([version("1.2")]))
	denied(b.create(weak), {})
}

test_ciphers_env_override if {
	inv := b.inventory([b.rancher_deployment([{"name": "CATTLE_TLS_CIPHERS", "value": "TLS_RSA_WITH_AES_128_CBC_SHA"}])])
	some m in msgs(b.create(ciphers("")), inv)
	contains(m, "(from env CATTLE_TLS_CIPHERS on Deployment cattle-system/rancher)")
	contains(m, "TLS_RSA_WITH_AES_128_CBC_SHA (CBC)")
}

test_ciphers_update_introduces if {
	some m in msgs(b.update(ciphers("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"), ciphers("")), {})
	contains(m, "this update introduces them")
}

# --- the rancher Deployment -------------------------------------------------------------

deploy(env) := b.create(b.rancher_deployment(env))

test_deployment_table if {
	cases := [
		{"name": "no env", "env": [], "deny": false},
		{"name": "1.2", "env": [{"name": "CATTLE_TLS_MIN_VERSION", "value": "1.2"}], "deny": false},
		{"name": "1.1", "env": [{"name": "CATTLE_TLS_MIN_VERSION", "value": "1.1"}], "deny": true},
		{"name": "strong ciphers", "env": [{"name": "CATTLE_TLS_CIPHERS", "value": rancher_default_ciphers}], "deny": false},
		{"name": "CBC cipher", "env": [{"name": "CATTLE_TLS_CIPHERS", "value": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"}], "deny": true},
		{"name": "CBC cipher with 1.3 minimum", "env": [{"name": "CATTLE_TLS_MIN_VERSION", "value": "1.3"}, {"name": "CATTLE_TLS_CIPHERS", "value": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"}], "deny": false},
		{"name": "unresolved valueFrom", "env": [{"name": "CATTLE_TLS_MIN_VERSION", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "v"}}}], "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(deploy(c.env), {}) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_deployment_ciphers_use_setting_minimum if {
	env := [{"name": "CATTLE_TLS_CIPHERS", "value": "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA"}]
	not denied(deploy(env), b.inventory([version("1.3")]))
}

test_deployment_messages if {
	msgs(deploy([{"name": "CATTLE_TLS_MIN_VERSION", "value": "1.0"}]), {}) == {`Deployment cattle-system/rancher: env CATTLE_TLS_MIN_VERSION of container rancher is "1.0" and is below the required minimum 1.2; it overrides Setting tls-min-version, so Rancher's listener accepts TLS below 1.2; set it to "1.2" or "1.3" (or remove it)`}
	some m in msgs(deploy([{"name": "CATTLE_TLS_CIPHERS", "value": "TLS_ECDHE_RSA_WITH_RC4_128_SHA"}]), {})
	contains(m, "env CATTLE_TLS_CIPHERS of container rancher allows weak cipher suites TLS_ECDHE_RSA_WITH_RC4_128_SHA (RC4)")
}

test_deployment_update_lowered if {
	inp := b.update(
		b.rancher_deployment([{"name": "CATTLE_TLS_MIN_VERSION", "value": "1.1"}]),
		b.rancher_deployment([{"name": "CATTLE_TLS_MIN_VERSION", "value": "1.3"}]),
	)
	some m in msgs(inp, {})
	contains(m, `this update lowers it from "1.3"`)
}

test_applies if {
	policy.applies with input as b.create(version("1.2")) with data.inventory as {}
	policy.applies with input as b.create(ciphers("")) with data.inventory as {}
	policy.applies with input as deploy([]) with data.inventory as {}
	not policy.applies with input as b.create(b.server_url) with data.inventory as {}
	not policy.applies with input as b.create(b.cluster_agent(b.agent_env)) with data.inventory as {}
	not policy.applies with input as b.delete(version("1.0")) with data.inventory as {}
}
