# METADATA
# title: Agents keep their trust store and verify TLS
# description: |
#   The agent image trusts Rancher through the CA file it pins at
#   /etc/kubernetes/ssl/certs (SSL_CERT_DIR is set in the image). On the
#   cattle-cluster-agent Deployment (also -bootstrap) and the legacy
#   cattle-node-agent DaemonSet, any container fails when:
#   - env SSL_CERT_FILE or SSL_CERT_DIR is set (literal, valueFrom or a
#     resolved envFrom), which silently swaps the trust store; SSL_CERT_DIR
#     set to the image's own /etc/kubernetes/ssl/certs and the paths in
#     allowedTrustStorePaths are accepted;
#   - an env var whose name contains INSECURE, SKIP_VERIFY, SKIP_TLS_VERIFY,
#     TLS_SKIP_VERIFY or NO_VERIFY (any case, with or without underscores)
#     is true-ish ("true", "1", "t", "yes", "y", "on", any case), or comes
#     from a valueFrom that the inventory cannot resolve;
#   - command, args or an env value carries an option that skips
#     verification: --insecure, --insecure-skip-tls-verify,
#     --insecure-skip-verify, --skip-tls-verify, --tls-skip-verify,
#     --no-check-certificate (also with one dash or =true), --tls-verify=false,
#     an "insecure-skip-tls-verify: true" kubeconfig line, or curl's -k (only
#     in a command line that runs curl, as a short-option cluster such as
#     -sfLk, because -k means other things to other tools).
#   On UPDATE the message says when the request adds the finding.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/installation-references/tls-settings
#     description: Rancher docs, TLS settings (Agent TLS Enforcement)
#   - ref: https://ranchermanager.docs.rancher.com/how-to-guides/new-user-guides/launch-kubernetes-with-rancher/about-rancher-agents
#     description: Rancher docs, Rancher agents
# custom:
#   id: agent-trust-store-override
#   severity: critical
#   action: deny
#   remediation: |
#     Remove the trust-store env vars and verification-skipping options from
#     the agent and let Rancher re-render it (annotate the management cluster
#     with io.cattle.agent.force.deploy=true). To trust a private CA, put it in
#     cacerts (privateCA=true and the tls-ca Secret), which the agent pins
#     through CATTLE_CA_CHECKSUM.
#   match:
#     - group: apps
#       kind: Deployment
#     - group: apps
#       kind: DaemonSet
#   parameters:
#     allowedTrustStorePaths:
#       type: array
#       default: []
#       description: SSL_CERT_FILE / SSL_CERT_DIR values that are vetted bundles and may be set.
package tlsguard.agent_trust_store_override

import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

default applies := false

applies if {
	rancher.agent_workload
	not k8s.is_delete
}

obj_desc := sprintf("%s %s", [k8s.kind, k8s.ref])

trust_store_vars := ["SSL_CERT_FILE", "SSL_CERT_DIR"]

# SSL_CERT_DIR as the agent image itself sets it.
image_cert_dir := "/etc/kubernetes/ssl/certs"

allowed_paths := {p | some p in object.get(input.parameters, "allowedTrustStorePaths", [])}

allowed(_, v) if {
	is_string(v)
	v in allowed_paths
}

allowed(name, v) if {
	name == "SSL_CERT_DIR"
	v == image_cert_dir
}

# --- trust store env ------------------------------------------------------------

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	some name in trust_store_vars
	e := s.env[name]
	not allowed(name, e.value)
	msg := sprintf("%s: env %s of %s is set to %s%s, which replaces the trust store the agent verifies Rancher against%s; remove it (trust a private CA through cacerts instead)", [
		obj_desc, name, s.where, value_desc(e), from_note(e), added_note(s.key, name),
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, name]), "value": e.value, "added": added_note(s.key, name) != ""}
}

# --- verification-skipping env ------------------------------------------------------

insecure_name := `(?i)(INSECURE|SKIP_?(TLS_?)?VERIF|TLS_?SKIP_?VERIF|NO_?VERIFY)`

truthy := {"true", "1", "t", "yes", "y", "on"}

enables(v) if {
	is_string(v)
	lower(trim_space(v)) in truthy
}

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	some name, e in s.env
	regex.match(insecure_name, name)
	enables(e.value)
	msg := sprintf("%s: env %s of %s is %q%s, which turns TLS verification off%s; remove it or set it to \"false\"", [
		obj_desc, name, s.where, e.value, from_note(e), added_note(s.key, name),
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, name]), "value": e.value}
}

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	some name, e in s.env
	regex.match(insecure_name, name)
	e.value == null
	msg := sprintf("%s: env %s of %s comes from %s, which is not in the inventory, so it cannot be verified that it leaves TLS verification on; set a literal \"false\" or remove it", [
		obj_desc, name, s.where, e.from,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, name]), "from": e.from}
}

# --- verification-skipping options ------------------------------------------------

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	some field in ["command", "args"]
	line := object.get(s.container, field, [])
	is_array(line)
	found := skip_options([x | some x in line; is_string(x)])
	count(found) > 0
	msg := sprintf("%s: %s of %s contain %s, which skips TLS verification of the Rancher server; remove it", [
		obj_desc, field, s.where, concat(", ", sort(found)),
	])
	details := {"field": sprintf("%s.%s", [s.path, field]), "options": sort(found)}
}

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	some name, e in s.env
	is_string(e.value)
	found := skip_options([e.value])
	count(found) > 0
	msg := sprintf("%s: env %s of %s contains %s, which skips TLS verification of the Rancher server; remove it", [
		obj_desc, name, s.where, concat(", ", sort(found)),
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, name]), "options": sort(found)}
}

insecure_flags := {
	"insecure", "insecure-skip-tls-verify", "insecure-skip-verify",
	"skip-tls-verify", "tls-skip-verify", "no-check-certificate",
}

option_pattern := `(?:^|[\s'"=;|&(])(--?[A-Za-z][A-Za-z0-9_-]*)(?:=([^\s'";|&)]*))?`

kubeconfig_pattern := `(?i)insecure-skip-tls-verify"?\s*:\s*"?true`

curl_pattern := `(?:^|[\s/'"(;|&])curl(?:\.exe)?(?:$|[\s'";|&)])`

curl_k_cluster := `^-[sSfLvOiIgGjJNq]*k[sSfLvOiIgGjJNq]*$`

# skip_options(strs) is the set of verification-skipping options in one
# command line given as a list of strings.
skip_options(strs) := {opt |
	line := concat(" ", strs)
	some m in regex.find_all_string_submatch_n(option_pattern, line, -1)
	opt := insecure_option(m[1], m[2], line)
} | {"insecure-skip-tls-verify: true" |
	some x in strs
	regex.match(kubeconfig_pattern, x)
}

insecure_option(flag, value, _) := option_text(flag, value) if {
	lower(trim_left(flag, "-")) in insecure_flags
	value_enables(value)
}

insecure_option(flag, value, _) := option_text(flag, value) if {
	lower(trim_left(flag, "-")) == "tls-verify"
	lower(value) in {"false", "0", "no", "off", "f", "n"}
}

insecure_option(flag, value, line) := option_text(flag, value) if {
	value == ""
	regex.match(curl_k_cluster, flag)
	regex.match(curl_pattern, line)
}

value_enables(v) if v == ""

value_enables(v) if enables(v)

option_text(flag, value) := flag if {
	value == ""
} else := concat("=", [flag, value])

# --- messages ---------------------------------------------------------------------

value_desc(e) := sprintf("%q", [e.value]) if {
	is_string(e.value)
} else := "a value the inventory cannot resolve"

from_note(e) := sprintf(" (from %s)", [e.from]) if {
	e.from != "value"
} else := ""

added_note(key, name) := "; this update adds it" if {
	old := rancher.old_scope(key)
	not old.env[name]
} else := ""
