package tlsguard.agent_ca_checksum_test

import data.lib.tlsguard.rancher_objects_test as b
import data.tlsguard.agent_ca_checksum as policy

denied(inp, inv) if count(policy.violation) > 0 with input as inp with data.inventory as inv

denied_or_false(inp, inv) if {
	denied(inp, inv)
} else := false

msgs(inp, inv) := m if {
	m := {v.msg | some v in policy.violation} with input as inp with data.inventory as inv
}

cacerts_inv := b.inventory([b.cacerts, b.strict])

empty_cacerts_inv := b.inventory([b.empty_cacerts, b.strict])

agent(overrides) := b.create(b.cluster_agent(b.env_with(overrides)))

# --- agent workloads ------------------------------------------------------------------

test_workload_table if {
	cases := [
		{"name": "correct", "in": agent({}), "inv": cacerts_inv, "deny": false},
		{"name": "correct, cacerts stored with trailing newline", "in": agent({}), "inv": b.inventory([b.setting("cacerts", concat("", [b.placeholder_cacerts, "\n"]), "")]), "deny": false},
		{"name": "other checksum", "in": agent({"CATTLE_CA_CHECKSUM": b.other_checksum}), "inv": cacerts_inv, "deny": true},
		{"name": "checksum without the newline rule", "in": agent({"CATTLE_CA_CHECKSUM": crypto.sha256(b.placeholder_cacerts)}), "inv": cacerts_inv, "deny": true},
		{"name": "upper-case hex", "in": agent({"CATTLE_CA_CHECKSUM": upper(b.placeholder_checksum)}), "inv": cacerts_inv, "deny": true},
		{"name": "not hex", "in": agent({"CATTLE_CA_CHECKSUM": "abc"}), "inv": {}, "deny": true},
		{"name": "empty while cacerts set", "in": agent({"CATTLE_CA_CHECKSUM": ""}), "inv": cacerts_inv, "deny": true},
		{"name": "missing while cacerts set", "in": agent({"CATTLE_CA_CHECKSUM": null}), "inv": cacerts_inv, "deny": true},
		{"name": "empty cacerts, empty checksum", "in": agent({"CATTLE_CA_CHECKSUM": ""}), "inv": empty_cacerts_inv, "deny": false},
		{"name": "empty cacerts, missing checksum", "in": agent({"CATTLE_CA_CHECKSUM": null}), "inv": empty_cacerts_inv, "deny": false},
		{"name": "empty cacerts, stale checksum", "in": agent({}), "inv": empty_cacerts_inv, "deny": true},
		{"name": "cacerts unknown, any sha256", "in": agent({"CATTLE_CA_CHECKSUM": b.other_checksum}), "inv": {}, "deny": false},
		{"name": "cacerts unknown, empty, STRICT_VERIFY true", "in": agent({"CATTLE_CA_CHECKSUM": ""}), "inv": {}, "deny": true},
		{"name": "cacerts unknown, missing, agent-tls-mode strict", "in": agent({"CATTLE_CA_CHECKSUM": null, "STRICT_VERIFY": "false"}), "inv": b.inventory([b.strict]), "deny": true},
		{"name": "cacerts unknown, empty, not strict", "in": agent({"CATTLE_CA_CHECKSUM": "", "STRICT_VERIFY": "false"}), "inv": b.inventory([b.system_store]), "deny": false},
		{"name": "missing, unknown envFrom may provide it", "in": b.create(b.with_container_field(b.cluster_agent(b.env_with({"CATTLE_CA_CHECKSUM": null})), "envFrom", [{"secretRef": {"name": "absent"}}])), "inv": cacerts_inv, "deny": false},
		{"name": "unresolved valueFrom", "in": agent({"CATTLE_CA_CHECKSUM": {"valueFrom": {"secretKeyRef": {"name": "absent", "key": "sum"}}}}), "inv": cacerts_inv, "deny": true},
		{"name": "later duplicate wins", "in": b.create(b.cluster_agent(array.concat(b.agent_env, [{"name": "CATTLE_CA_CHECKSUM", "value": b.other_checksum}]))), "inv": cacerts_inv, "deny": true},
		{"name": "node agent correct", "in": b.create(b.node_agent(b.agent_env)), "inv": cacerts_inv, "deny": false},
		{"name": "node agent removed", "in": b.create(b.node_agent(b.env_with({"CATTLE_CA_CHECKSUM": null}))), "inv": cacerts_inv, "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(c.in, c.inv) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_real_certificate_checksum if {
	# data.testcerts.<name>.checksum is computed in Go as Rancher does.
	inv := b.inventory([b.setting("cacerts", data.testcerts.root.cert, "")])
	not denied(agent({"CATTLE_CA_CHECKSUM": data.testcerts.root.checksum}), inv)
	denied(agent({"CATTLE_CA_CHECKSUM": data.testcerts.other_root.checksum}), inv)
}

test_mismatch_message_and_details if {
	some v in policy.violation with input as agent({"CATTLE_CA_CHECKSUM": b.other_checksum}) with data.inventory as cacerts_inv
	v.msg == sprintf(`Deployment cattle-system/cattle-cluster-agent: env CATTLE_CA_CHECKSUM of container cluster-register is "%s" but Rancher's checksum of the effective cacerts is "%s", so the agent pins a CA other than Rancher's; set it to "%s" (or force a redeploy of the agent)`, [b.other_checksum, b.placeholder_checksum, b.placeholder_checksum])
	v.details == {"field": "spec.template.spec.containers[0].env[CATTLE_CA_CHECKSUM]", "value": b.other_checksum, "expected": b.placeholder_checksum}
}

test_missing_message if {
	msgs(agent({"CATTLE_CA_CHECKSUM": null}), cacerts_inv) == {sprintf(`Deployment cattle-system/cattle-cluster-agent: container cluster-register has no CATTLE_CA_CHECKSUM while the effective cacerts is non-empty, so the agent does not pin Rancher's CA; set it to "%s"`, [b.placeholder_checksum])}
	some m in msgs(agent({"CATTLE_CA_CHECKSUM": ""}), cacerts_inv)
	contains(m, "container cluster-register has an empty CATTLE_CA_CHECKSUM")
}

test_unknown_cacerts_strict_message if {
	some m in msgs(agent({"CATTLE_CA_CHECKSUM": ""}), {})
	contains(m, `has an empty CATTLE_CA_CHECKSUM although STRICT_VERIFY is "true", so strict verification has no CA to pin`)
	some m2 in msgs(agent({"CATTLE_CA_CHECKSUM": null, "STRICT_VERIFY": "false"}), b.inventory([b.strict]))
	contains(m2, `has no CATTLE_CA_CHECKSUM although agent-tls-mode is "strict"`)
}

test_stale_pin_message if {
	some m in msgs(agent({}), empty_cacerts_inv)
	contains(m, `but the effective cacerts is empty (Rancher publishes no CA)`)
	contains(m, `set it to "" (public CA) or restore cacerts`)
}

test_format_message if {
	some m in msgs(agent({"CATTLE_CA_CHECKSUM": "abc"}), {})
	contains(m, `is "abc", which is not a lower-case hex sha256 (64 digits as sha256sum prints), so it can never match Rancher's CA; set it to the sha256 of the cacerts Setting`)
}

pin(sum) := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "pin", "namespace": "cattle-system"}, "data": {"sum": base64.encode(sum)}}

test_value_from_resolved if {
	vf := {"valueFrom": {"secretKeyRef": {"name": "pin", "key": "sum"}}}
	not denied(agent({"CATTLE_CA_CHECKSUM": vf}), b.inventory([b.cacerts, pin(b.placeholder_checksum)]))
	some m in msgs(agent({"CATTLE_CA_CHECKSUM": vf}), b.inventory([b.cacerts, pin(b.other_checksum)]))
	contains(m, "(from valueFrom secretKeyRef pin key sum)")
}

test_update_messages if {
	inp := b.update(b.cluster_agent(b.env_with({"CATTLE_CA_CHECKSUM": b.other_checksum})), b.cluster_agent(b.agent_env))
	some m in msgs(inp, cacerts_inv)
	contains(m, "this update replaces the correct pin")
	inp2 := b.update(b.cluster_agent(b.env_with({"CATTLE_CA_CHECKSUM": null})), b.cluster_agent(b.agent_env))
	some m2 in msgs(inp2, cacerts_inv)
	contains(m2, "this update removes the correct pin")
}

# --- the system-agent-upgrader Plan -----------------------------------------------------------

plan(env, env_from) := b.create(b.upgrader_plan(env, env_from))

strict_env := [{"name": "STRICT_VERIFY", "value": "true"}]

test_plan_table if {
	internal_inv := b.inventory([b.cacerts, b.setting("internal-cacerts", "internal CA PEM", "")])
	cases := [
		{"name": "checksum via stv-aggregation (not in inventory)", "in": plan(strict_env, b.stv_env_from), "inv": cacerts_inv, "deny": false},
		{"name": "checksum via stv-aggregation (in inventory, other CA)", "in": plan(strict_env, b.stv_env_from), "inv": b.inventory([b.cacerts, b.stv_aggregation(b.other_checksum)]), "deny": false},
		{"name": "stv-aggregation-local", "in": plan(strict_env, [{"secretRef": {"name": "stv-aggregation-local-0123456789ab"}}]), "inv": cacerts_inv, "deny": false},
		{"name": "no envFrom, missing", "in": plan(strict_env, []), "inv": cacerts_inv, "deny": true},
		{"name": "literal correct", "in": plan(array.concat(strict_env, [{"name": "CATTLE_CA_CHECKSUM", "value": b.placeholder_checksum}]), []), "inv": cacerts_inv, "deny": false},
		{"name": "literal wrong", "in": plan(array.concat(strict_env, [{"name": "CATTLE_CA_CHECKSUM", "value": b.other_checksum}]), b.stv_env_from), "inv": cacerts_inv, "deny": true},
		{"name": "literal internal-cacerts checksum", "in": plan(array.concat(strict_env, [{"name": "CATTLE_CA_CHECKSUM", "value": crypto.sha256("internal CA PEM\n")}]), []), "inv": internal_inv, "deny": false},
		{"name": "literal empty overrides envFrom", "in": plan(array.concat(strict_env, [{"name": "CATTLE_CA_CHECKSUM", "value": ""}]), b.stv_env_from), "inv": cacerts_inv, "deny": true},
		{"name": "cacerts unknown, missing, strict, stv-aggregation may provide", "in": plan(strict_env, b.stv_env_from), "inv": {}, "deny": false},
		{"name": "cacerts unknown, missing, strict, no envFrom", "in": plan(strict_env, []), "inv": {}, "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(c.in, c.inv) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_plan_message if {
	some m in msgs(plan(strict_env, []), cacerts_inv)
	startswith(m, "Plan cattle-system/system-agent-upgrader: spec.upgrade has no CATTLE_CA_CHECKSUM while the effective cacerts is non-empty")
}

test_applies if {
	policy.applies with input as agent({}) with data.inventory as {}
	policy.applies with input as b.create(b.node_agent([])) with data.inventory as {}
	policy.applies with input as plan([], []) with data.inventory as {}
	not policy.applies with input as b.create(b.rancher_deployment([])) with data.inventory as {}
	not policy.applies with input as b.create(b.cacerts) with data.inventory as {}
	not policy.applies with input as b.delete(b.cluster_agent(b.agent_env)) with data.inventory as {}
}
