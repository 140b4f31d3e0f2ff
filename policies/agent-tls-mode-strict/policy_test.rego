package tlsguard.agent_tls_mode_strict_test

import data.lib.tlsguard.rancher_objects_test as b
import data.tlsguard.agent_tls_mode_strict as policy

mode(value, def) := b.setting("agent-tls-mode", value, def)

denied(inp, inv) if count(policy.violation) > 0 with input as inp with data.inventory as inv

denied_or_false(inp, inv) if {
	denied(inp, inv)
} else := false

msgs(inp, inv) := m if {
	m := {v.msg | some v in policy.violation} with input as inp with data.inventory as inv
}

env_override(v) := b.inventory([b.rancher_deployment([{"name": "CATTLE_AGENT_TLS_MODE", "value": v}])])

# --- CREATE (and scans) -----------------------------------------------------------

test_effective_value_table if {
	cases := [
		{"name": "strict", "value": "strict", "default": "strict", "deny": false},
		{"name": "strict over system-store default", "value": "strict", "default": "system-store", "deny": false},
		{"name": "empty falls back to strict default", "value": "", "default": "strict", "deny": false},
		{"name": "system-store", "value": "system-store", "default": "strict", "deny": true},
		{"name": "empty falls back to system-store default (upgraded install)", "value": "", "default": "system-store", "deny": true},
		{"name": "Strict typo", "value": "Strict", "default": "strict", "deny": true},
		{"name": "STRICT", "value": "STRICT", "default": "strict", "deny": true},
		{"name": "trailing space", "value": "strict ", "default": "strict", "deny": true},
		{"name": "other typo", "value": "stirct", "default": "strict", "deny": true},
		{"name": "empty value and default", "value": "", "default": "", "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(b.create(mode(c.value, c.default)), {}) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_system_store_message if {
	msgs(b.create(mode("system-store", "strict")), {}) == {`Setting agent-tls-mode: effective value "system-store" (value "system-store", default "strict") is not "strict", so agents trust the OS store instead of only cacerts; set value to "strict"`}
}

test_typo_message if {
	some m in msgs(b.create(mode("Strict", "strict")), {})
	contains(m, `effective value "Strict" (value "Strict", default "strict") is not "strict" (Rancher compares exactly; only lower-case "strict" is strict)`)
}

test_default_fallback_message_and_details if {
	some v in policy.violation with input as b.create(mode("", "system-store")) with data.inventory as {}
	contains(v.msg, `effective value "system-store" (value "", default "system-store")`)
	v.details == {"field": "default", "effectiveValue": "system-store", "source": "default", "downgrade": false}
}

# --- env override on the rancher Deployment ------------------------------------------

test_env_override_system_store_beats_strict_value if {
	some m in msgs(b.create(mode("strict", "strict")), env_override("system-store"))
	contains(m, `effective value "system-store" (from env CATTLE_AGENT_TLS_MODE on Deployment cattle-system/rancher)`)
	contains(m, `set env CATTLE_AGENT_TLS_MODE on Deployment cattle-system/rancher (Helm value agentTLSMode) to "strict"`)
}

test_env_override_strict_beats_system_store_value if {
	not denied(b.create(mode("system-store", "system-store")), env_override("strict"))
}

test_env_override_in_init_container_ignored if {
	d := json.patch(b.rancher_deployment([]), [{"op": "add", "path": "/spec/template/spec/initContainers", "value": [{"name": "init", "env": [{"name": "CATTLE_AGENT_TLS_MODE", "value": "strict"}]}]}])
	denied(b.create(mode("system-store", "strict")), b.inventory([d]))
}

# --- UPDATE -----------------------------------------------------------------------

test_update_downgrade_message if {
	some v in policy.violation with input as b.update(mode("system-store", "strict"), mode("strict", "strict")) with data.inventory as {}
	v.msg == `Setting agent-tls-mode: effective value "system-store" (value "system-store", default "strict") is not "strict", so agents trust the OS store instead of only cacerts; this is a downgrade from strict; set value to "strict"`
	v.details.downgrade == true
}

test_update_downgrade_by_emptying_value if {
	some m in msgs(b.update(mode("", "system-store"), mode("strict", "system-store")), {})
	contains(m, "this is a downgrade from strict")
}

test_update_downgrade_via_typo if {
	some m in msgs(b.update(mode("Strict", "strict"), mode("strict", "strict")), {})
	contains(m, "this is a downgrade from strict")
}

test_update_from_system_store_is_no_downgrade if {
	some m in msgs(b.update(mode("system-store", "strict"), mode("", "system-store")), {})
	not contains(m, "downgrade")
}

test_update_to_strict_allowed if {
	not denied(b.update(mode("strict", "system-store"), mode("system-store", "system-store")), {})
}

test_update_under_env_override_is_no_downgrade if {
	# The env decides both before and after: the request changes nothing effective.
	some m in msgs(b.update(mode("system-store", "strict"), mode("strict", "strict")), env_override("system-store"))
	not contains(m, "downgrade")
}

# --- DELETE ------------------------------------------------------------------------

test_delete_is_a_downgrade if {
	some m in msgs(b.delete(mode("strict", "strict")), {})
	contains(m, `deleting it makes Rancher recreate it with its upgrade default "system-store"; this is a downgrade from strict`)
}

test_delete_of_system_store_setting_still_denied if {
	some m in msgs(b.delete(mode("system-store", "strict")), {})
	not contains(m, "downgrade")
}

test_delete_allowed_when_env_pins_strict if {
	not denied(b.delete(mode("strict", "strict")), env_override("strict"))
	denied(b.delete(mode("strict", "strict")), env_override("system-store"))
}

# --- the rancher Deployment itself --------------------------------------------------

deploy(env) := b.create(b.rancher_deployment(env))

test_deployment_table if {
	cases := [
		{"name": "strict", "env": [{"name": "CATTLE_AGENT_TLS_MODE", "value": "strict"}], "deny": false},
		{"name": "system-store", "env": [{"name": "CATTLE_AGENT_TLS_MODE", "value": "system-store"}], "deny": true},
		{"name": "Strict typo", "env": [{"name": "CATTLE_AGENT_TLS_MODE", "value": "Strict"}], "deny": true},
		{"name": "empty", "env": [{"name": "CATTLE_AGENT_TLS_MODE", "value": ""}], "deny": true},
		{"name": "later duplicate wins", "env": [{"name": "CATTLE_AGENT_TLS_MODE", "value": "strict"}, {"name": "CATTLE_AGENT_TLS_MODE", "value": "system-store"}], "deny": true},
		{"name": "unresolved valueFrom", "env": [{"name": "CATTLE_AGENT_TLS_MODE", "valueFrom": {"configMapKeyRef": {"name": "absent", "key": "mode"}}}], "deny": true},
		{"name": "no env", "env": [], "deny": false},
	]
	wrong := [c.name | some c in cases; denied_or_false(deploy(c.env), {}) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_deployment_value_from_resolved if {
	env := [{"name": "CATTLE_AGENT_TLS_MODE", "valueFrom": {"configMapKeyRef": {"name": "rancher-env", "key": "mode"}}}]
	not denied(deploy(env), b.inventory([b.config_map("cattle-system", "rancher-env", {"mode": "strict"})]))
	denied(deploy(env), b.inventory([b.config_map("cattle-system", "rancher-env", {"mode": "system-store"})]))
}

test_deployment_message if {
	msgs(deploy([{"name": "CATTLE_AGENT_TLS_MODE", "value": "system-store"}]), {}) == {`Deployment cattle-system/rancher: env CATTLE_AGENT_TLS_MODE of container rancher is "system-store", not "strict"; it overrides Setting agent-tls-mode, so agents trust the OS store instead of only cacerts; set it (Helm value agentTLSMode) to "strict"`}
}

test_deployment_update_downgrade if {
	inp := b.update(
		b.rancher_deployment([{"name": "CATTLE_AGENT_TLS_MODE", "value": "system-store"}]),
		b.rancher_deployment([{"name": "CATTLE_AGENT_TLS_MODE", "value": "strict"}]),
	)
	some m in msgs(inp, {})
	contains(m, "this is a downgrade from strict")
}

test_applies if {
	policy.applies with input as b.create(mode("strict", "strict")) with data.inventory as {}
	policy.applies with input as b.delete(mode("strict", "strict")) with data.inventory as {}
	policy.applies with input as deploy([{"name": "CATTLE_AGENT_TLS_MODE", "value": "strict"}]) with data.inventory as {}
	not policy.applies with input as deploy([{"name": "CATTLE_FEATURES", "value": ""}]) with data.inventory as {}
	not policy.applies with input as b.create(b.server_url) with data.inventory as {}
	not policy.applies with input as b.create(b.cluster_agent(b.agent_env)) with data.inventory as {}
}
