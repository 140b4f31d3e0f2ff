package lib.tlsguard.rancher_test

import data.lib.tlsguard.rancher
import data.lib.tlsguard.rancher_objects_test as b

# --- container_env ------------------------------------------------------------------

cm := b.config_map("cattle-system", "agent-extra", {"STRICT_VERIFY": "false", "url": "https://cm.example.com"})

cm2 := b.config_map("cattle-system", "agent-extra-2", {"STRICT_VERIFY": "true"})

secret := {
	"apiVersion": "v1", "kind": "Secret",
	"metadata": {"name": "agent-secret", "namespace": "cattle-system"},
	"data": {"sum": base64.encode("abc"), "bad": "%%%"},
}

inv := b.inventory([cm, cm2, secret, b.stv_aggregation(b.placeholder_checksum)])

env_of(c) := e if {
	e := rancher.container_env("cattle-system", c) with data.inventory as inv
}

test_env_literal_and_later_duplicate_wins if {
	e := env_of({"env": [
		{"name": "A", "value": "1"},
		{"name": "B"},
		{"name": "A", "value": "2"},
	]})
	e == {"A": {"value": "2", "from": "value"}, "B": {"value": "", "from": "value"}}
}

test_env_non_string_literals if {
	e := env_of({"env": [{"name": "A", "value": true}, {"name": "B", "value": null}, {"name": "C", "value": 3}]})
	e.A.value == "true"
	e.B.value == ""
	e.C.value == "3"
}

test_env_value_from_resolved if {
	e := env_of({"env": [
		{"name": "CM", "valueFrom": {"configMapKeyRef": {"name": "agent-extra", "key": "url"}}},
		{"name": "SEC", "valueFrom": {"secretKeyRef": {"name": "agent-secret", "key": "sum"}}},
	]})
	e.CM == {"value": "https://cm.example.com", "from": "valueFrom configMapKeyRef agent-extra key url"}
	e.SEC == {"value": "abc", "from": "valueFrom secretKeyRef agent-secret key sum"}
}

test_env_value_from_unresolved_is_null if {
	e := env_of({"env": [
		{"name": "MISSING_CM", "valueFrom": {"configMapKeyRef": {"name": "absent", "key": "x"}}},
		{"name": "MISSING_KEY", "valueFrom": {"secretKeyRef": {"name": "agent-secret", "key": "absent"}}},
		{"name": "BAD_B64", "valueFrom": {"secretKeyRef": {"name": "agent-secret", "key": "bad"}}},
		{"name": "NODE", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}},
	]})
	e.MISSING_CM.value == null
	e.MISSING_KEY.value == null
	e.BAD_B64.value == null
	e.NODE == {"value": null, "from": "valueFrom (fieldRef/resourceFieldRef)"}
}

test_env_from_order_prefix_and_env_override if {
	e := env_of({
		"envFrom": [
			{"configMapRef": {"name": "agent-extra"}},
			{"configMapRef": {"name": "agent-extra-2"}},
			{"prefix": "X_", "secretRef": {"name": "agent-secret"}},
		],
		"env": [{"name": "url", "value": "https://env.example.com"}],
	})
	e.STRICT_VERIFY == {"value": "true", "from": "envFrom ConfigMap agent-extra-2"}
	e.url == {"value": "https://env.example.com", "from": "value"}
	e.X_sum == {"value": "abc", "from": "envFrom Secret agent-secret"}
	not e.X_bad
}

test_env_malformed_lists if {
	env_of({"env": null, "envFrom": "x"}) == {}
	env_of({}) == {}
}

test_unresolved_env_from if {
	u := rancher.unresolved_env_from("cattle-system", {"envFrom": [
		{"configMapRef": {"name": "agent-extra"}},
		{"secretRef": {"name": "absent"}},
	]}) with data.inventory as inv
	u == [{"secretRef": {"name": "absent"}}]
}

test_may_come_from_env_from if {
	rancher.may_come_from_env_from([{"secretRef": {"name": "absent"}}], "STRICT_VERIFY")
	rancher.may_come_from_env_from([{"secretRef": {"name": "stv-aggregation"}}], "CATTLE_CA_CHECKSUM")
	rancher.may_come_from_env_from([{"secretRef": {"name": "stv-aggregation-local-0123456789ab"}}], "CATTLE_SERVER")
	not rancher.may_come_from_env_from([{"secretRef": {"name": "stv-aggregation"}}], "STRICT_VERIFY")
	not rancher.may_come_from_env_from([{"prefix": "P_", "secretRef": {"name": "stv-aggregation"}}], "CATTLE_SERVER")
	not rancher.may_come_from_env_from([], "CATTLE_SERVER")
}

# --- effective_setting ------------------------------------------------------------

test_effective_setting_value_and_default if {
	e1 := rancher.effective_setting("agent-tls-mode") with data.inventory as b.inventory([b.setting("agent-tls-mode", "", "system-store")])
	e1 == {"value": "system-store", "source": "default", "settingValue": "", "settingDefault": "system-store"}
	e2 := rancher.effective_setting("agent-tls-mode") with data.inventory as b.inventory([b.system_store])
	e2.value == "system-store"
	e2.source == "value"
	not rancher.effective_setting("agent-tls-mode") with data.inventory as {}
}

test_effective_setting_env_override if {
	d := b.rancher_deployment([{"name": "CATTLE_AGENT_TLS_MODE", "value": "system-store"}])
	e := rancher.effective_setting("agent-tls-mode") with data.inventory as b.inventory([b.strict, d])
	e == {"value": "system-store", "source": "env", "env": "CATTLE_AGENT_TLS_MODE"}
	rancher.describe_effective(e) == "from env CATTLE_AGENT_TLS_MODE on Deployment cattle-system/rancher"
}

test_effective_setting_env_value_from if {
	d := b.rancher_deployment([{"name": "CATTLE_AGENT_TLS_MODE", "valueFrom": {"configMapKeyRef": {"name": "m", "key": "mode"}}}])
	m := b.config_map("cattle-system", "m", {"mode": "system-store"})
	e1 := rancher.effective_setting("agent-tls-mode") with data.inventory as b.inventory([b.strict, d, m])
	e1.value == "system-store"

	# Unresolvable: Rancher copies env into value at startup, so the Setting's value stands.
	e2 := rancher.effective_setting("agent-tls-mode") with data.inventory as b.inventory([b.strict, d])
	e2.value == "strict"
}

test_effective_setting_reviewed_object_wins if {
	e := rancher.effective_setting("agent-tls-mode") with input as b.create(b.system_store) with data.inventory as b.inventory([b.strict])
	e.value == "system-store"
}

# --- agent objects --------------------------------------------------------------

test_agent_workload_recognition if {
	rancher.agent_workload with input as b.create(b.cluster_agent([]))
	rancher.agent_workload with input as b.create(b.node_agent([]))
	rancher.agent_workload with input as b.create(json.patch(b.cluster_agent([]), [{"op": "replace", "path": "/metadata/name", "value": "cattle-cluster-agent-bootstrap"}]))
	not rancher.agent_workload with input as b.create(json.patch(b.cluster_agent([]), [{"op": "replace", "path": "/metadata/namespace", "value": "default"}]))
	not rancher.agent_workload with input as b.create(b.rancher_deployment([]))
	not rancher.agent_workload with input as b.create(b.upgrader_plan([], []))
	rancher.upgrader_plan with input as b.create(b.upgrader_plan([], []))
	not rancher.upgrader_plan with input as b.create(b.cluster_agent([]))
}

test_agent_container_recognition if {
	rancher.is_agent_container({"name": "cluster-register"})
	rancher.is_agent_container({"name": "agent"})
	rancher.is_agent_container({"name": "x", "image": "registry.example.com/rancher/rancher-agent:v2.15.0"})
	rancher.is_agent_container({"name": "x", "env": [{"name": "CATTLE_SERVER", "value": "https://x"}]})
	not rancher.is_agent_container({"name": "rancher-charts-copy", "image": "rancher/shell:v0.5.0"})
}

test_env_scopes_of_workload if {
	scopes := rancher.env_scopes(b.cluster_agent(b.agent_env)) with data.inventory as {}
	[[s.where, s.path, s.agent, s.init] | some s in scopes] == [
		["init container rancher-charts-copy", "spec.template.spec.initContainers[0]", false, true],
		["container cluster-register", "spec.template.spec.containers[0]", true, false],
	]
	scopes[1].env.STRICT_VERIFY.value == "true"
}

test_env_scopes_of_plan if {
	scopes := rancher.env_scopes(b.upgrader_plan([{"name": "STRICT_VERIFY", "value": "true"}], b.stv_env_from)) with data.inventory as {}
	count(scopes) == 1
	scopes[0].where == "spec.upgrade"
	scopes[0].env == {"STRICT_VERIFY": {"value": "true", "from": "value"}}
	scopes[0].unresolved == b.stv_env_from
}

test_old_scope if {
	inp := b.update(b.cluster_agent(b.env_with({"STRICT_VERIFY": "false"})), b.cluster_agent(b.agent_env))
	old := rancher.old_scope("container/cluster-register") with input as inp with data.inventory as {}
	old.env.STRICT_VERIFY.value == "true"
	not rancher.old_scope("container/cluster-register") with input as b.create(b.cluster_agent(b.agent_env)) with data.inventory as {}
}

test_true_value if {
	rancher.true_value("true")
	rancher.true_value("True")
	rancher.true_value("TRUE")
	not rancher.true_value(" true")
	not rancher.true_value("1")
	not rancher.true_value("")
	not rancher.true_value(null)
	not rancher.true_value(true)
}

# --- URLs ----------------------------------------------------------------------------

test_https_url_table if {
	good := [
		"https://rancher.example.com", "https://rancher.example.com/", "HTTPS://Rancher.Example.COM",
		"https://rancher.example.com:8443", "https://10.0.0.1", "https://[fd00::1]:443/x",
		"https://user@rancher.example.com", "https://rancher.example.com.",
	]
	bad := [
		"", "http://rancher.example.com", "rancher.example.com", "https://", "https:///x",
		"https://-bad.example.com", "https://a b", " https://rancher.example.com", "ftp://x", null, 5,
	]
	[u | some u in good; not rancher.https_url(u)] == []
	[u | some u in bad; rancher.https_url(u)] == []
	[u | some u in bad; not rancher.url_problem(u)] == []
}

test_url_problem if {
	rancher.url_problem("") == "is empty"
	rancher.url_problem("http://x") == "uses scheme \"http\" instead of https"
	rancher.url_problem("x.example.com") == "is not an absolute URL (no scheme://)"
	rancher.url_problem("https://") == "has no valid host"
}

test_normalize_url if {
	rancher.normalize_url("HTTPS://Rancher.Example.com:443/") == "https://rancher.example.com"
	rancher.normalize_url("https://rancher.example.com//") == "https://rancher.example.com"
	rancher.normalize_url("https://rancher.example.com:8443/x/") == "https://rancher.example.com:8443/x"
	rancher.normalize_url("https://a.example.com") != rancher.normalize_url("https://b.example.com")
}

test_ca_checksum_matches_rancher_fixture if {
	# sha256sum of the placeholder PEM plus "\n" (computed outside Rego).
	rancher.ca_checksum(b.placeholder_cacerts) == b.placeholder_checksum
	rancher.ca_checksum(concat("", [b.placeholder_cacerts, "\n"])) == b.placeholder_checksum
}
