package tlsguard.server_url_https_test

import data.lib.tlsguard.rancher_objects_test as b
import data.tlsguard.server_url_https as policy

server_url(value, def) := b.setting("server-url", value, def)

create(obj) := b.create(obj)

review(op, obj, old) := b.review(op, obj, old)

rancher_deployment(env) := b.rancher_deployment(env)

no_inventory := {}

denied(inp, inv) if count(policy.violation) > 0 with input as inp with data.inventory as inv

msgs(inp, inv) := m if {
	m := {v.msg | some v in policy.violation} with input as inp with data.inventory as inv
}

denied_or_false(inp, inv) if {
	denied(inp, inv)
} else := false

# --- the Setting ------------------------------------------------------------------

test_setting_value_table if {
	cases := [
		{"name": "https host", "value": "https://rancher.example.com", "default": "", "deny": false},
		{"name": "https trailing slash", "value": "https://rancher.example.com/", "default": "", "deny": false},
		{"name": "https port and path", "value": "https://rancher.example.com:8443/rancher", "default": "", "deny": false},
		{"name": "upper-case scheme", "value": "HTTPS://Rancher.Example.com", "default": "", "deny": false},
		{"name": "ipv4 host", "value": "https://10.0.0.5", "default": "", "deny": false},
		{"name": "ipv6 host", "value": "https://[fd00::5]:443", "default": "", "deny": false},
		{"name": "empty falls back to https default", "value": "", "default": "https://rancher.example.com", "deny": false},
		{"name": "http", "value": "http://rancher.example.com", "default": "", "deny": true},
		{"name": "empty value and default", "value": "", "default": "", "deny": true},
		{"name": "empty falls back to http default", "value": "", "default": "http://rancher.example.com", "deny": true},
		{"name": "no scheme", "value": "rancher.example.com", "default": "", "deny": true},
		{"name": "no host", "value": "https://", "default": "", "deny": true},
		{"name": "no host with path", "value": "https:///v3", "default": "", "deny": true},
		{"name": "leading space", "value": " https://rancher.example.com", "default": "", "deny": true},
		{"name": "websocket scheme", "value": "wss://rancher.example.com", "default": "", "deny": true},
		{"name": "bad host", "value": "https://ran cher.example.com", "default": "", "deny": true},
	]
	wrong := [c.name | some c in cases; denied_or_false(create(server_url(c.value, c.default)), no_inventory) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_setting_http_message if {
	msgs(create(server_url("http://rancher.example.com", "")), no_inventory) == {`Setting server-url: effective value "http://rancher.example.com" (value "http://rancher.example.com", default "") uses scheme "http" instead of https, so agents would not dial a verified https endpoint; set value to "https://<rancher host>"`}
}

test_setting_empty_message if {
	some m in msgs(create(server_url("", "")), no_inventory)
	contains(m, `effective value "" (value "", default "") is empty`)
}

test_setting_details if {
	some v in policy.violation with input as create(server_url("http://rancher.example.com", "")) with data.inventory as no_inventory
	v.details == {"field": "value", "effectiveValue": "http://rancher.example.com", "source": "value", "problem": "uses scheme \"http\" instead of https"}
}

test_setting_default_source if {
	some v in policy.violation with input as create(server_url("", "http://x.example.com")) with data.inventory as no_inventory
	v.details.source == "default"
}

test_applies if {
	policy.applies with input as create(server_url("https://rancher.example.com", "")) with data.inventory as no_inventory
	not policy.applies with input as create(b.strict) with data.inventory as no_inventory
	not policy.applies with input as review("DELETE", null, server_url("http://x", "")) with data.inventory as no_inventory
}

test_other_setting_ignored if {
	not denied(create(b.setting("cacerts", "http://not-a-url", "")), no_inventory)
}

# --- env override on the rancher Deployment ------------------------------------------

test_env_override_http_wins_over_https_value if {
	inv := b.inventory([rancher_deployment([{"name": "CATTLE_SERVER_URL", "value": "http://rancher.example.com"}])])
	some m in msgs(create(server_url("https://rancher.example.com", "")), inv)
	contains(m, `effective value "http://rancher.example.com" (from env CATTLE_SERVER_URL on Deployment cattle-system/rancher)`)
	contains(m, "set env CATTLE_SERVER_URL on Deployment cattle-system/rancher")
}

test_env_override_https_wins_over_http_value if {
	inv := b.inventory([rancher_deployment([{"name": "CATTLE_SERVER_URL", "value": "https://rancher.example.com"}])])
	not denied(create(server_url("http://rancher.example.com", "")), inv)
}

test_env_override_value_from_configmap if {
	cm := {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "rancher-env", "namespace": "cattle-system"}, "data": {"url": "http://rancher.example.com"}}
	env := [{"name": "CATTLE_SERVER_URL", "valueFrom": {"configMapKeyRef": {"name": "rancher-env", "key": "url"}}}]
	inv := b.inventory([rancher_deployment(env), cm])
	denied(create(server_url("https://rancher.example.com", "")), inv)
}

test_env_override_value_from_unresolved_falls_back_to_setting if {
	env := [{"name": "CATTLE_SERVER_URL", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "url"}}}]
	inv := b.inventory([rancher_deployment(env)])
	not denied(create(server_url("https://rancher.example.com", "")), inv)
}

# --- UPDATE ---------------------------------------------------------------------

test_update_downgrade_message if {
	inp := review("UPDATE", server_url("http://rancher.example.com", ""), server_url("https://rancher.example.com", ""))
	some m in msgs(inp, no_inventory)
	contains(m, "this update changes it from an https URL")
}

test_update_already_http_no_downgrade if {
	inp := review("UPDATE", server_url("http://new.example.com", ""), server_url("http://old.example.com", ""))
	some m in msgs(inp, no_inventory)
	not contains(m, "this update changes it")
}

test_update_to_https_allowed if {
	inp := review("UPDATE", server_url("https://rancher.example.com", ""), server_url("http://rancher.example.com", ""))
	not denied(inp, no_inventory)
}

# --- the rancher Deployment itself --------------------------------------------------

deploy(env) := review("CREATE", rancher_deployment(env), null)

test_deployment_table if {
	cases := [
		{"name": "https env", "env": [{"name": "CATTLE_SERVER_URL", "value": "https://rancher.example.com"}], "deny": false},
		{"name": "http env", "env": [{"name": "CATTLE_SERVER_URL", "value": "http://rancher.example.com"}], "deny": true},
		{"name": "empty env", "env": [{"name": "CATTLE_SERVER_URL", "value": ""}], "deny": true},
		{"name": "later duplicate wins (http)", "env": [{"name": "CATTLE_SERVER_URL", "value": "https://a.example.com"}, {"name": "CATTLE_SERVER_URL", "value": "http://a.example.com"}], "deny": true},
		{"name": "later duplicate wins (https)", "env": [{"name": "CATTLE_SERVER_URL", "value": "http://a.example.com"}, {"name": "CATTLE_SERVER_URL", "value": "https://a.example.com"}], "deny": false},
		{"name": "unresolved valueFrom", "env": [{"name": "CATTLE_SERVER_URL", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "url"}}}], "deny": true},
		{"name": "no env", "env": [], "deny": false},
	]
	wrong := [c.name | some c in cases; denied_or_false(deploy(c.env), no_inventory) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_deployment_message if {
	msgs(deploy([{"name": "CATTLE_SERVER_URL", "value": "http://rancher.example.com"}]), no_inventory) == {`Deployment cattle-system/rancher: env CATTLE_SERVER_URL of container rancher is "http://rancher.example.com" and uses scheme "http" instead of https; it overrides Setting server-url, so agents would not dial a verified https endpoint; set it to "https://<rancher host>" or remove it`}
}

test_deployment_unresolved_message if {
	some m in msgs(deploy([{"name": "CATTLE_SERVER_URL", "valueFrom": {"secretKeyRef": {"name": "absent", "key": "url"}}}]), no_inventory)
	contains(m, "comes from valueFrom secretKeyRef absent key url, which is not in the inventory")
}

test_deployment_applies_only_with_env if {
	policy.applies with input as deploy([{"name": "CATTLE_SERVER_URL", "value": "https://x.example.com"}]) with data.inventory as no_inventory
	not policy.applies with input as deploy([{"name": "CATTLE_FEATURES", "value": ""}]) with data.inventory as no_inventory
}

test_deployment_init_container_env_ignored if {
	d := json.patch(rancher_deployment([]), [{"op": "add", "path": "/spec/template/spec/initContainers", "value": [{"name": "init", "env": [{"name": "CATTLE_SERVER_URL", "value": "http://x"}]}]}])
	not policy.applies with input as review("CREATE", d, null) with data.inventory as no_inventory
}

test_deployment_update_downgrade if {
	inp := review(
		"UPDATE",
		rancher_deployment([{"name": "CATTLE_SERVER_URL", "value": "http://rancher.example.com"}]),
		rancher_deployment([{"name": "CATTLE_SERVER_URL", "value": "https://rancher.example.com"}]),
	)
	some m in msgs(inp, no_inventory)
	contains(m, "this update changes it from an https URL")
}

test_other_deployment_ignored if {
	d := json.patch(rancher_deployment([{"name": "CATTLE_SERVER_URL", "value": "http://x"}]), [{"op": "replace", "path": "/metadata/name", "value": "not-rancher"}])
	not policy.applies with input as review("CREATE", d, null) with data.inventory as no_inventory
}
