package tlsguard.agent_trust_store_override_test

import data.lib.tlsguard.rancher_objects_test as b
import data.tlsguard.agent_trust_store_override as policy

denied(inp, inv) if count(policy.violation) > 0 with input as inp with data.inventory as inv

denied_or_false(inp, inv) if {
	denied(inp, inv)
} else := false

msgs(inp, inv) := m if {
	m := {v.msg | some v in policy.violation} with input as inp with data.inventory as inv
}

agent(overrides) := b.create(b.cluster_agent(b.env_with(overrides)))

agent_field(field, value) := b.create(b.with_container_field(b.cluster_agent(b.agent_env), field, value))

init_with_env(env) := b.create(json.patch(b.cluster_agent(b.agent_env), [{
	"op": "add", "path": "/spec/template/spec/initContainers/0/env", "value": env,
}]))

# --- trust store env --------------------------------------------------------------------

test_env_table if {
	cases := [
		{"name": "rendered agent", "in": agent({}), "deny": false},
		{"name": "SSL_CERT_FILE", "in": agent({"SSL_CERT_FILE": "/etc/ssl/evil.pem"}), "deny": true},
		{"name": "SSL_CERT_DIR", "in": agent({"SSL_CERT_DIR": "/tmp/certs"}), "deny": true},
		{"name": "SSL_CERT_DIR empty", "in": agent({"SSL_CERT_DIR": ""}), "deny": true},
		{"name": "SSL_CERT_DIR as the image sets it", "in": agent({"SSL_CERT_DIR": "/etc/kubernetes/ssl/certs"}), "deny": false},
		{"name": "SSL_CERT_FILE via valueFrom", "in": agent({"SSL_CERT_FILE": {"valueFrom": {"configMapKeyRef": {"name": "absent", "key": "f"}}}}), "deny": true},
		{"name": "SSL_CERT_FILE on the init container", "in": init_with_env([{"name": "SSL_CERT_FILE", "value": "/x.pem"}]), "deny": true},
		{"name": "INSECURE true", "in": agent({"CATTLE_INSECURE": "true"}), "deny": true},
		{"name": "insecure lower-case name, 1", "in": agent({"agent_insecure_mode": "1"}), "deny": true},
		{"name": "SKIP_TLS_VERIFY yes", "in": agent({"SKIP_TLS_VERIFY": "yes"}), "deny": true},
		{"name": "TLS_SKIP_VERIFY TRUE", "in": agent({"TLS_SKIP_VERIFY": "TRUE"}), "deny": true},
		{"name": "GIT_SSL_NO_VERIFY true", "in": agent({"GIT_SSL_NO_VERIFY": "true"}), "deny": true},
		{"name": "INSECURE false", "in": agent({"CATTLE_INSECURE": "false"}), "deny": false},
		{"name": "INSECURE empty", "in": agent({"CATTLE_INSECURE": ""}), "deny": false},
		{"name": "INSECURE unresolved valueFrom", "in": agent({"CATTLE_INSECURE": {"valueFrom": {"secretKeyRef": {"name": "absent", "key": "k"}}}}), "deny": true},
		{"name": "unrelated true flag", "in": agent({"CATTLE_CLUSTER": "true"}), "deny": false},
	]
	wrong := [c.name | some c in cases; denied_or_false(c.in, {}) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_trust_store_message_and_details if {
	some v in policy.violation with input as agent({"SSL_CERT_FILE": "/etc/ssl/evil.pem"}) with data.inventory as {}
	v.msg == `Deployment cattle-system/cattle-cluster-agent: env SSL_CERT_FILE of container cluster-register is set to "/etc/ssl/evil.pem", which replaces the trust store the agent verifies Rancher against; remove it (trust a private CA through cacerts instead)`
	v.details == {"field": "spec.template.spec.containers[0].env[SSL_CERT_FILE]", "value": "/etc/ssl/evil.pem", "added": false}
}

test_allowed_paths_parameter if {
	inp := b.with_params(agent({"SSL_CERT_FILE": "/etc/pki/vetted.pem"}), {"allowedTrustStorePaths": ["/etc/pki/vetted.pem"]})
	not denied(inp, {})
	denied(b.with_params(agent({"SSL_CERT_FILE": "/tmp/x.pem"}), {"allowedTrustStorePaths": ["/etc/pki/vetted.pem"]}), {})
}

test_env_from_resolved if {
	o := b.with_container_field(b.cluster_agent(b.agent_env), "envFrom", [{"configMapRef": {"name": "agent-env"}}])
	inv := b.inventory([b.config_map("cattle-system", "agent-env", {"SSL_CERT_DIR": "/tmp/certs", "AGENT_INSECURE": "on"})])
	m := msgs(b.create(o), inv)
	count(m) == 2
	some m1 in m
	contains(m1, `env SSL_CERT_DIR of container cluster-register is set to "/tmp/certs" (from envFrom ConfigMap agent-env)`)
}

test_update_added_note if {
	inp := b.update(b.cluster_agent(b.env_with({"SSL_CERT_DIR": "/tmp/certs"})), b.cluster_agent(b.agent_env))
	some v in policy.violation with input as inp with data.inventory as {}
	contains(v.msg, "; this update adds it;")
	v.details.added == true
	inp2 := b.update(b.cluster_agent(b.env_with({"SSL_CERT_DIR": "/tmp/other"})), b.cluster_agent(b.env_with({"SSL_CERT_DIR": "/tmp/certs"})))
	some m in msgs(inp2, {})
	not contains(m, "this update adds it")
}

# --- verification-skipping options ---------------------------------------------------------

test_option_table if {
	cases := [
		{"name": "--insecure arg", "field": "args", "value": ["--insecure"], "deny": true},
		{"name": "-insecure (Go flag)", "field": "args", "value": ["-insecure"], "deny": true},
		{"name": "--insecure=true", "field": "args", "value": ["--insecure=true"], "deny": true},
		{"name": "--insecure=false", "field": "args", "value": ["--insecure=false"], "deny": false},
		{"name": "--insecure-skip-tls-verify", "field": "args", "value": ["agent", "--insecure-skip-tls-verify"], "deny": true},
		{"name": "--insecure-skip-tls-verify=TRUE", "field": "args", "value": ["--insecure-skip-tls-verify=TRUE"], "deny": true},
		{"name": "--skip-tls-verify in shell", "field": "command", "value": ["sh", "-c", "run.sh --skip-tls-verify && sleep 1"], "deny": true},
		{"name": "wget --no-check-certificate", "field": "command", "value": ["sh", "-c", "wget --no-check-certificate https://x"], "deny": true},
		{"name": "--tls-verify=false", "field": "args", "value": ["--tls-verify=false"], "deny": true},
		{"name": "--tls-verify=true", "field": "args", "value": ["--tls-verify=true"], "deny": false},
		{"name": "curl -k", "field": "command", "value": ["curl", "-k", "https://rancher.example.com/ping"], "deny": true},
		{"name": "curl -sfLk in a script", "field": "command", "value": ["sh", "-c", "curl -sfLk https://rancher.example.com | sh"], "deny": true},
		{"name": "-k without curl", "field": "args", "value": ["kubectl", "apply", "-k", "./overlay"], "deny": false},
		{"name": "curl without -k", "field": "command", "value": ["sh", "-c", "curl -sfL https://rancher.example.com/ping"], "deny": false},
		{"name": "curl with -kubeconfig-like word", "field": "command", "value": ["sh", "-c", "curl -sf x; tool -kubeconfig /k"], "deny": false},
		{"name": "inline kubeconfig", "field": "args", "value": ["--kubeconfig-data", "clusters:\n- cluster:\n    insecure-skip-tls-verify: true\n"], "deny": true},
		{"name": "word insecure without dashes", "field": "args", "value": ["run", "insecure"], "deny": false},
		{"name": "benign args", "field": "args", "value": ["--v=2", "--server", "https://rancher.example.com"], "deny": false},
	]
	wrong := [c.name | some c in cases; denied_or_false(agent_field(c.field, c.value), {}) != c.deny]
	print("wrong cases:", wrong)
	wrong == []
}

test_option_message_and_details if {
	some v in policy.violation with input as agent_field("args", ["--insecure", "--insecure-skip-tls-verify=true"]) with data.inventory as {}
	v.msg == "Deployment cattle-system/cattle-cluster-agent: args of container cluster-register contain --insecure, --insecure-skip-tls-verify=true, which skips TLS verification of the Rancher server; remove it"
	v.details == {"field": "spec.template.spec.containers[0].args", "options": ["--insecure", "--insecure-skip-tls-verify=true"]}
}

test_option_in_env_value if {
	some m in msgs(agent({"CATTLE_AGENT_EXTRA_ARGS": "--insecure-skip-tls-verify"}), {})
	contains(m, "env CATTLE_AGENT_EXTRA_ARGS of container cluster-register contains --insecure-skip-tls-verify")
}

test_option_on_init_container if {
	inp := b.create(json.patch(b.cluster_agent(b.agent_env), [{
		"op": "add", "path": "/spec/template/spec/initContainers/0/command",
		"value": ["sh", "-c", "curl -k https://rancher.example.com/cacerts > /charts/ca.pem"],
	}]))
	some m in msgs(inp, {})
	contains(m, "command of init container rancher-charts-copy contain -k")
}

test_node_agent if {
	not denied(b.create(b.node_agent(b.agent_env)), {})
	denied(b.create(b.node_agent(b.env_with({"SSL_CERT_FILE": "/x"}))), {})
}

test_applies if {
	policy.applies with input as agent({}) with data.inventory as {}
	policy.applies with input as b.create(b.node_agent([])) with data.inventory as {}
	not policy.applies with input as b.create(b.rancher_deployment([{"name": "SSL_CERT_FILE", "value": "/x"}])) with data.inventory as {}
	not policy.applies with input as b.create(b.upgrader_plan([], [])) with data.inventory as {}
	not policy.applies with input as b.delete(b.cluster_agent([])) with data.inventory as {}
}
