package tlsguard.agent_strict_verify_test

import data.lib.tlsguard.rancher_objects_test as b
import data.tlsguard.agent_strict_verify as policy

denied(inp, inv) if count(policy.violation) > 0 with input as inp with data.inventory as inv

denied_or_false(inp, inv) if {
	denied(inp, inv)
} else := false

msgs(inp, inv) := m if {
	m := {v.msg | some v in policy.violation} with input as inp with data.inventory as inv
}

strict_inv := b.inventory([b.strict])

system_store_inv := b.inventory([b.system_store])

agent(overrides) := b.create(b.cluster_agent(b.env_with(overrides)))

agent_with_env_from(overrides, env_from) := b.create(b.with_container_field(b.cluster_agent(b.env_with(overrides)), "envFrom", env_from))

# --- agent workloads -----------------------------------------------------------------

test_workload_table if {
	cases := [
		{"name": "true", "in": agent({}), "inv": strict_inv, "deny": false},
		{"name": "True (agents lower-case it)", "in": agent({"STRICT_VERIFY": "True"}), "inv": strict_inv, "deny": false},
		{"name": "TRUE", "in": agent({"STRICT_VERIFY": "TRUE"}), "inv": {}, "deny": false},
		{"name": "false", "in": agent({"STRICT_VERIFY": "false"}), "inv": strict_inv, "deny": true},
		{"name": "false under system-store", "in": agent({"STRICT_VERIFY": "false"}), "inv": system_store_inv, "deny": true},
		{"name": "false without inventory", "in": agent({"STRICT_VERIFY": "false"}), "inv": {}, "deny": true},
		{"name": "empty", "in": agent({"STRICT_VERIFY": ""}), "inv": {}, "deny": true},
		{"name": "1", "in": agent({"STRICT_VERIFY": "1"}), "inv": {}, "deny": true},
		{"name": "yes", "in": agent({"STRICT_VERIFY": "yes"}), "inv": {}, "deny": true},
		{"name": "padded", "in": agent({"STRICT_VERIFY": " true"}), "inv": {}, "deny": true},
		{"name": "missing while strict", "in": agent({"STRICT_VERIFY": null}), "inv": strict_inv, "deny": true},
		{"name": "missing while strict by default", "in": agent({"STRICT_VERIFY": null}), "inv": b.inventory([b.setting("agent-tls-mode", "", "strict")]), "deny": true},
		{"name": "missing while system-store", "in": agent({"STRICT_VERIFY": null}), "inv": system_store_inv, "deny": false},
		{"name": "missing, agent-tls-mode unknown", "in": agent({"STRICT_VERIFY": null}), "inv": {}, "deny": false},
		{"name": "CATTLE_AGENT_STRICT_VERIFY false", "in": agent({"CATTLE_AGENT_STRICT_VERIFY": "false"}), "inv": {}, "deny": true},
		{"name": "CATTLE_AGENT_STRICT_VERIFY true", "in": agent({"CATTLE_AGENT_STRICT_VERIFY": "true"}), "inv": strict_inv, "deny": false},
		{"name": "later duplicate false wins", "in": b.create(b.cluster_agent(array.concat(b.agent_env, [{"name": "STRICT_VERIFY", "value": "false"}]))), "inv": {}, "deny": true},
		{"name": "unresolved valueFrom", "in": agent({"STRICT_VERIFY": {"valueFrom": {"configMapKeyRef": {"name": "absent", "key": "v"}}}}), "inv": {}, "deny": true},
		{"name": "missing, unknown envFrom may provide it", "in": agent_with_env_from({"STRICT_VERIFY": null}, [{"configMapRef": {"name": "absent"}}]), "inv": strict_inv, "deny": false},
		{"name": "missing, stv-aggregation envFrom cannot provide it", "in": agent_with_env_from({"STRICT_VERIFY": null}, b.stv_env_from), "inv": strict_inv, "deny": true},
		{"name": "node agent true", "in": b.create(b.node_agent(b.agent_env)), "inv": strict_inv, "deny": false},
		{"name": "node agent false", "in": b.create(b.node_agent(b.env_with({"STRICT_VERIFY": "false"}))), "inv": strict_inv, "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(c.in, c.inv) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_false_message_and_details if {
	some v in policy.violation with input as agent({"STRICT_VERIFY": "false"}) with data.inventory as strict_inv
	v.msg == `Deployment cattle-system/cattle-cluster-agent: env STRICT_VERIFY of container cluster-register is "false", not "true", so the agent trusts the OS store instead of only the pinned Rancher CA; set it to "true" (and remove any STRICT_VERIFY override in the cluster's agentEnvVars)`
	v.details == {"field": "spec.template.spec.containers[0].env[STRICT_VERIFY]", "value": "false", "downgrade": false}
}

test_missing_message if {
	msgs(agent({"STRICT_VERIFY": null}), strict_inv) == {`Deployment cattle-system/cattle-cluster-agent: container cluster-register has no STRICT_VERIFY although agent-tls-mode is "strict" (value "strict", default "strict"); the agent reads a missing value as false and trusts the OS store; set STRICT_VERIFY="true" (or let Rancher re-render the agent)`}
}

test_value_from_and_env_from_resolved if {
	vf := {"valueFrom": {"configMapKeyRef": {"name": "agent-env", "key": "strict"}}}
	inv_true := b.inventory([b.config_map("cattle-system", "agent-env", {"strict": "true", "STRICT_VERIFY": "false"})])
	not denied(agent({"STRICT_VERIFY": vf}), inv_true)

	# envFrom provides STRICT_VERIFY=false when the container has none.
	some m in msgs(agent_with_env_from({"STRICT_VERIFY": null}, [{"configMapRef": {"name": "agent-env"}}]), inv_true)
	contains(m, `is "false" (from envFrom ConfigMap agent-env)`)

	# An explicit env entry wins over envFrom.
	not denied(agent_with_env_from({}, [{"configMapRef": {"name": "agent-env"}}]), inv_true)
}

test_update_downgrade_messages if {
	inp := b.update(b.cluster_agent(b.env_with({"STRICT_VERIFY": "false"})), b.cluster_agent(b.agent_env))
	some v in policy.violation with input as inp with data.inventory as strict_inv
	contains(v.msg, `this is a downgrade from "true"`)
	v.details.downgrade == true

	inp2 := b.update(b.cluster_agent(b.env_with({"STRICT_VERIFY": null})), b.cluster_agent(b.agent_env))
	some m in msgs(inp2, strict_inv)
	contains(m, `this update removes it (was "true")`)
}

# --- the system-agent-upgrader Plan -------------------------------------------------------

plan(env) := b.create(b.upgrader_plan(env, b.stv_env_from))

test_plan_table if {
	cases := [
		{"name": "STRICT_VERIFY true", "env": [{"name": "STRICT_VERIFY", "value": "true"}], "inv": strict_inv, "deny": false},
		{"name": "CATTLE_AGENT_STRICT_VERIFY true only", "env": [{"name": "CATTLE_AGENT_STRICT_VERIFY", "value": "true"}], "inv": strict_inv, "deny": false},
		{"name": "STRICT_VERIFY false", "env": [{"name": "STRICT_VERIFY", "value": "false"}], "inv": {}, "deny": true},
		{"name": "CATTLE_AGENT_STRICT_VERIFY false", "env": [{"name": "STRICT_VERIFY", "value": "true"}, {"name": "CATTLE_AGENT_STRICT_VERIFY", "value": "false"}], "inv": {}, "deny": true},
		{"name": "missing while strict (stv-aggregation envFrom does not carry it)", "env": [], "inv": strict_inv, "deny": true},
		{"name": "missing while system-store", "env": [], "inv": system_store_inv, "deny": false},
	]
	wrong := [c.name | some c in cases; denied_or_false(plan(c.env), c.inv) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_plan_messages if {
	some m in msgs(plan([{"name": "STRICT_VERIFY", "value": "false"}]), {})
	startswith(m, `Plan cattle-system/system-agent-upgrader: env STRICT_VERIFY of spec.upgrade is "false"`)
	some m2 in msgs(plan([]), strict_inv)
	contains(m2, "spec.upgrade has no STRICT_VERIFY or CATTLE_AGENT_STRICT_VERIFY although agent-tls-mode is \"strict\"")
}

test_plan_windows_twin if {
	p := json.patch(b.upgrader_plan([{"name": "STRICT_VERIFY", "value": "false"}], []), [{"op": "replace", "path": "/metadata/name", "value": "system-agent-upgrader-windows"}])
	denied(b.create(p), {})
}

# --- clusters' agentEnvVars --------------------------------------------------------------

prov_cluster(vars) := {
	"apiVersion": "provisioning.cattle.io/v1",
	"kind": "Cluster",
	"metadata": {"name": "prod-east", "namespace": "fleet-default"},
	"spec": {"kubernetesVersion": "v1.32.5+rke2r1", "agentEnvVars": vars},
}

mgmt_cluster(vars) := {
	"apiVersion": "management.cattle.io/v3",
	"kind": "Cluster",
	"metadata": {"name": "c-m-abcd1234"},
	"spec": {"agentEnvVars": vars},
}

proxy := {"name": "HTTPS_PROXY", "value": "http://proxy.example.com:3128"}

test_cluster_table if {
	cases := [
		{"name": "no agentEnvVars", "obj": json.remove(prov_cluster([]), ["spec/agentEnvVars"]), "deny": false},
		{"name": "benign entries", "obj": prov_cluster([proxy]), "deny": false},
		{"name": "STRICT_VERIFY true", "obj": prov_cluster([{"name": "STRICT_VERIFY", "value": "true"}]), "deny": false},
		{"name": "STRICT_VERIFY True", "obj": prov_cluster([{"name": "STRICT_VERIFY", "value": "True"}]), "deny": false},
		{"name": "STRICT_VERIFY false", "obj": prov_cluster([proxy, {"name": "STRICT_VERIFY", "value": "false"}]), "deny": true},
		{"name": "STRICT_VERIFY empty", "obj": prov_cluster([{"name": "STRICT_VERIFY", "value": ""}]), "deny": true},
		{"name": "STRICT_VERIFY without value", "obj": prov_cluster([{"name": "STRICT_VERIFY"}]), "deny": true},
		{"name": "CATTLE_AGENT_STRICT_VERIFY false", "obj": prov_cluster([{"name": "CATTLE_AGENT_STRICT_VERIFY", "value": "false"}]), "deny": true},
		{"name": "management cluster false", "obj": mgmt_cluster([{"name": "STRICT_VERIFY", "value": "false"}]), "deny": true},
		{"name": "management cluster empty list", "obj": mgmt_cluster([]), "deny": false},
		{"name": "management cluster valueFrom", "obj": mgmt_cluster([{"name": "STRICT_VERIFY", "valueFrom": {"secretKeyRef": {"name": "x", "key": "y"}}}]), "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(b.create(c.obj), strict_inv) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_cluster_message if {
	msgs(b.create(prov_cluster([proxy, {"name": "STRICT_VERIFY", "value": "false"}])), {}) == {`Cluster fleet-default/prod-east: spec.agentEnvVars[1] sets STRICT_VERIFY to "false"; Rancher passes it to this cluster's agents instead of the agent-tls-mode value, so they trust the OS store; remove the entry or set it to "true"`}
	some m in msgs(b.create(mgmt_cluster([{"name": "STRICT_VERIFY", "valueFrom": {"secretKeyRef": {"name": "x", "key": "y"}}}])), {})
	contains(m, "Cluster c-m-abcd1234: spec.agentEnvVars[0] sets STRICT_VERIFY to a valueFrom reference, which cannot be verified")
}

test_cluster_update_downgrade if {
	inp := b.update(prov_cluster([{"name": "STRICT_VERIFY", "value": "false"}]), prov_cluster([{"name": "STRICT_VERIFY", "value": "true"}]))
	some m in msgs(inp, {})
	contains(m, `this is a downgrade from "true"`)
	inp2 := b.update(prov_cluster([{"name": "STRICT_VERIFY", "value": "false"}]), prov_cluster([]))
	some m2 in msgs(inp2, {})
	not contains(m2, "downgrade")
}

# --- fleet agentTLSMode ---------------------------------------------------------------------

fleet(ns, name, config) := b.config_map(ns, name, {"config": config})

fleet_agent(config) := fleet("cattle-fleet-system", "fleet-agent", config)

test_fleet_table if {
	cases := [
		{"name": "strict", "obj": fleet_agent(`{"clientID":"c-1","agentTLSMode":"strict"}`), "deny": false},
		{"name": "local fleet agent strict", "obj": fleet("cattle-fleet-local-system", "fleet-agent", `{"agentTLSMode":"strict"}`), "deny": false},
		{"name": "fleet-controller strict", "obj": fleet("cattle-fleet-system", "fleet-controller", `{"agentTLSMode":"strict","apiServerURL":"https://rancher.example.com"}`), "deny": false},
		{"name": "system-store", "obj": fleet_agent(`{"clientID":"c-1","agentTLSMode":"system-store"}`), "deny": true},
		{"name": "Strict", "obj": fleet_agent(`{"agentTLSMode":"Strict"}`), "deny": true},
		{"name": "boolean mode", "obj": fleet_agent(`{"agentTLSMode":true}`), "deny": true},
		{"name": "no agentTLSMode", "obj": fleet_agent(`{"clientID":"c-1"}`), "deny": true},
		{"name": "invalid JSON", "obj": fleet_agent(`{"agentTLSMode":"strict"`), "deny": true},
		{"name": "JSON array", "obj": fleet_agent(`["strict"]`), "deny": true},
		{"name": "no config key", "obj": b.config_map("cattle-fleet-system", "fleet-agent", {"other": "x"}), "deny": true},
		{"name": "no data", "obj": json.remove(fleet_agent(""), ["data"]), "deny": true},
		{"name": "local fleet agent system-store", "obj": fleet("cattle-fleet-local-system", "fleet-agent", `{"agentTLSMode":"system-store"}`), "deny": true},
		{"name": "fleet-controller system-store", "obj": fleet("cattle-fleet-system", "fleet-controller", `{"agentTLSMode":"system-store"}`), "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(b.create(c.obj), {}) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_fleet_messages if {
	msgs(b.create(fleet_agent(`{"agentTLSMode":"system-store"}`)), {}) == {`ConfigMap cattle-fleet-system/fleet-agent: agentTLSMode is "system-store", not "strict", so fleet agents trust the OS store instead of only Rancher's CA; set agentTLSMode to "strict" in data.config (Rancher feeds it from agent-tls-mode)`}
	some m in msgs(b.create(fleet_agent(`{not json`)), {})
	contains(m, "data.config is not valid JSON")
	some d in policy.violation with input as b.create(fleet_agent(`{"agentTLSMode":"system-store"}`)) with data.inventory as {}
	d.details == {"field": "data.config.agentTLSMode", "problem": `agentTLSMode is "system-store", not "strict"`, "agentTLSMode": "system-store"}
}

test_fleet_require_parameter if {
	inp := b.with_params(b.create(fleet_agent(`{"agentTLSMode":"system-store"}`)), {"requireFleetStrict": false})
	not denied(inp, {})
	not denied(inp, system_store_inv)
	some m in msgs(inp, strict_inv)
	contains(m, "agentTLSMode is \"system-store\"")
}

test_fleet_update_downgrade if {
	inp := b.update(fleet_agent(`{"agentTLSMode":"system-store"}`), fleet_agent(`{"agentTLSMode":"strict"}`))
	some m in msgs(inp, {})
	contains(m, "this is a downgrade from strict")
}

test_fleet_other_config_maps_ignored if {
	not policy.applies with input as b.create(fleet("default", "fleet-agent", `{"agentTLSMode":"system-store"}`)) with data.inventory as {}
	not policy.applies with input as b.create(fleet("cattle-fleet-local-system", "fleet-controller", `{}`)) with data.inventory as {}
	not policy.applies with input as b.create(fleet("cattle-fleet-system", "other", `{}`)) with data.inventory as {}
}

test_applies if {
	policy.applies with input as agent({}) with data.inventory as {}
	policy.applies with input as plan([]) with data.inventory as {}
	policy.applies with input as b.create(prov_cluster([])) with data.inventory as {}
	policy.applies with input as b.create(mgmt_cluster([])) with data.inventory as {}
	policy.applies with input as b.create(fleet_agent("{}")) with data.inventory as {}
	not policy.applies with input as b.create(b.rancher_deployment([])) with data.inventory as {}
	not policy.applies with input as b.delete(b.cluster_agent([])) with data.inventory as {}
}
