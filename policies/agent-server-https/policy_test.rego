package tlsguard.agent_server_https_test

import data.lib.tlsguard.rancher_objects_test as b
import data.tlsguard.agent_server_https as policy

denied(inp, inv) if count(policy.violation) > 0 with input as inp with data.inventory as inv

denied_or_false(inp, inv) if {
	denied(inp, inv)
} else := false

msgs(inp, inv) := m if {
	m := {v.msg | some v in policy.violation} with input as inp with data.inventory as inv
}

agent(overrides) := b.create(b.cluster_agent(b.env_with(overrides)))

with_server_url := b.inventory([b.server_url])

test_cattle_server_table if {
	cases := [
		{"name": "matches server-url", "env": {}, "inv": with_server_url, "deny": false},
		{"name": "trailing slash", "env": {"CATTLE_SERVER": "https://rancher.example.com/"}, "inv": with_server_url, "deny": false},
		{"name": "case and default port", "env": {"CATTLE_SERVER": "HTTPS://Rancher.Example.com:443"}, "inv": with_server_url, "deny": false},
		{"name": "no inventory: any https host", "env": {"CATTLE_SERVER": "https://other.example.com"}, "inv": {}, "deny": false},
		{"name": "http", "env": {"CATTLE_SERVER": "http://rancher.example.com"}, "inv": with_server_url, "deny": true},
		{"name": "http without inventory", "env": {"CATTLE_SERVER": "http://rancher.example.com"}, "inv": {}, "deny": true},
		{"name": "empty", "env": {"CATTLE_SERVER": ""}, "inv": {}, "deny": true},
		{"name": "no host", "env": {"CATTLE_SERVER": "https://"}, "inv": {}, "deny": true},
		{"name": "no scheme", "env": {"CATTLE_SERVER": "rancher.example.com"}, "inv": {}, "deny": true},
		{"name": "other host", "env": {"CATTLE_SERVER": "https://evil.example.com"}, "inv": with_server_url, "deny": true},
		{"name": "other port", "env": {"CATTLE_SERVER": "https://rancher.example.com:8443"}, "inv": with_server_url, "deny": true},
		{"name": "missing", "env": {"CATTLE_SERVER": null}, "inv": {}, "deny": true},
		{"name": "unresolved valueFrom", "env": {"CATTLE_SERVER": {"valueFrom": {"secretKeyRef": {"name": "absent", "key": "url"}}}}, "inv": {}, "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(agent(c.env), c.inv) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_http_message if {
	msgs(agent({"CATTLE_SERVER": "http://rancher.example.com"}), with_server_url) == {`Deployment cattle-system/cattle-cluster-agent: env CATTLE_SERVER of container cluster-register is "http://rancher.example.com" and uses scheme "http" instead of https, so the agent would register and tunnel without verified TLS; set it to the https server-url "https://rancher.example.com"`}
}

test_mismatch_message_and_details if {
	some v in policy.violation with input as agent({"CATTLE_SERVER": "https://evil.example.com"}) with data.inventory as with_server_url
	v.msg == `Deployment cattle-system/cattle-cluster-agent: env CATTLE_SERVER of container cluster-register is "https://evil.example.com" but the effective server-url is "https://rancher.example.com" (value "https://rancher.example.com", default ""), so the agent dials a server Rancher did not configure; set it to "https://rancher.example.com" (or force a redeploy of the agent)`
	v.details == {"field": "spec.template.spec.containers[0].env[CATTLE_SERVER]", "value": "https://evil.example.com", "serverURL": "https://rancher.example.com"}
}

test_match_uses_env_override_of_server_url if {
	inv := b.inventory([b.server_url, b.rancher_deployment([{"name": "CATTLE_SERVER_URL", "value": "https://new.example.com"}])])
	denied(agent({}), inv)
	not denied(agent({"CATTLE_SERVER": "https://new.example.com"}), inv)
}

test_match_skipped_when_server_url_empty if {
	not denied(agent({"CATTLE_SERVER": "https://other.example.com"}), b.inventory([b.setting("server-url", "", "")]))
}

test_require_match_parameter_off if {
	inp := b.with_params(agent({"CATTLE_SERVER": "https://evil.example.com"}), {"requireMatchServerURL": false})
	not denied(inp, with_server_url)
	denied(b.with_params(agent({"CATTLE_SERVER": "http://rancher.example.com"}), {"requireMatchServerURL": false}), with_server_url)
}

test_value_from_resolved if {
	vf := {"valueFrom": {"secretKeyRef": {"name": "cattle-credentials-5ec1f7e700", "key": "url"}}}
	creds := {
		"apiVersion": "v1", "kind": "Secret", "type": "Opaque",
		"metadata": {"name": "cattle-credentials-5ec1f7e700", "namespace": "cattle-system"},
		"data": {"url": base64.encode("http://rancher.example.com")},
	}
	some m in msgs(agent({"CATTLE_SERVER": vf}), b.inventory([creds]))
	contains(m, `is "http://rancher.example.com" (from valueFrom secretKeyRef cattle-credentials-5ec1f7e700 key url)`)
}

test_missing_message if {
	some m in msgs(agent({"CATTLE_SERVER": null}), {})
	contains(m, `container cluster-register has no env CATTLE_SERVER, so the agent has no verified https server to dial; set CATTLE_SERVER to the https server-url "https://<rancher host>"`)
}

test_missing_but_maybe_from_unresolved_env_from if {
	o := b.with_container_field(b.cluster_agent(b.env_with({"CATTLE_SERVER": null})), "envFrom", [{"configMapRef": {"name": "absent"}}])
	not denied(b.create(o), {})
}

test_env_from_resolved_http if {
	o := b.with_container_field(b.cluster_agent(b.env_with({"CATTLE_SERVER": null})), "envFrom", [{"configMapRef": {"name": "agent-env"}}])
	inv := b.inventory([b.config_map("cattle-system", "agent-env", {"CATTLE_SERVER": "http://rancher.example.com"})])
	some m in msgs(b.create(o), inv)
	contains(m, "(from envFrom ConfigMap agent-env)")
}

test_init_container_not_required if {
	# rancher-charts-copy has no CATTLE_SERVER and must not be flagged.
	not denied(agent({}), with_server_url)
}

test_node_agent if {
	not denied(b.create(b.node_agent(b.agent_env)), with_server_url)
	some m in msgs(b.create(b.node_agent(b.env_with({"CATTLE_SERVER": "http://rancher.example.com"}))), {})
	startswith(m, "DaemonSet cattle-system/cattle-node-agent: env CATTLE_SERVER of container agent")
}

test_update_messages if {
	inp := b.update(b.cluster_agent(b.env_with({"CATTLE_SERVER": "https://evil.example.com"})), b.cluster_agent(b.agent_env))
	some m in msgs(inp, with_server_url)
	contains(m, `this update changes it from "https://rancher.example.com"`)
	inp2 := b.update(b.cluster_agent(b.env_with({"CATTLE_SERVER": null})), b.cluster_agent(b.agent_env))
	some m2 in msgs(inp2, with_server_url)
	contains(m2, `this update removes it (was "https://rancher.example.com")`)
}

test_applies if {
	policy.applies with input as agent({}) with data.inventory as {}
	policy.applies with input as b.create(b.node_agent([])) with data.inventory as {}
	not policy.applies with input as b.create(b.rancher_deployment([])) with data.inventory as {}
	not policy.applies with input as b.create(b.upgrader_plan([], [])) with data.inventory as {}
	not policy.applies with input as b.delete(b.cluster_agent([])) with data.inventory as {}
}
