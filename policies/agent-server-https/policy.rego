# METADATA
# title: Agents dial Rancher over HTTPS at the server-url
# description: |
#   cattle-cluster-agent (Deployment cattle-system/cattle-cluster-agent, also
#   its -bootstrap variant) and the legacy cattle-node-agent DaemonSet read the
#   Rancher URL from CATTLE_SERVER. It must be an https:// URL with a host, and
#   (requireMatchServerURL) equal the effective server-url Setting when the
#   inventory has it, compared after lower-casing scheme and host, dropping the
#   default port 443 and trailing slashes. An agent container without
#   CATTLE_SERVER fails, unless an envFrom source that is not in the inventory
#   may provide it. valueFrom/envFrom values are resolved from ConfigMaps and
#   Secrets in the inventory; a valueFrom that cannot be resolved fails because
#   it cannot be verified. Agent containers are those named cluster-register or
#   agent, running a rancher-agent image, or setting CATTLE_SERVER.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/reference-guides/cluster-configuration/rancher-server-configuration/use-existing-nodes/rancher-agent-options
#     description: Rancher docs, agent options (CATTLE_SERVER)
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/resources/update-rancher-certificate
#     description: Rancher docs, updating the Rancher certificate (re-deploying agents)
# custom:
#   id: agent-server-https
#   severity: high
#   action: deny
#   remediation: |
#     Set CATTLE_SERVER on the agent to the https server-url, preferably by
#     letting Rancher re-render the agent: annotate the management cluster with
#     io.cattle.agent.force.deploy=true. Fix server-url first if it is not https.
#   match:
#     - group: apps
#       kind: Deployment
#     - group: apps
#       kind: DaemonSet
#   parameters:
#     requireMatchServerURL:
#       type: boolean
#       default: true
#       description: Also fail when CATTLE_SERVER differs from the effective server-url Setting (when the inventory has it).
package tlsguard.agent_server_https

import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

env_name := "CATTLE_SERVER"

default applies := false

applies if {
	rancher.agent_workload
	not k8s.is_delete
}

require_match if object.get(input.parameters, "requireMatchServerURL", true) == true

obj_desc := sprintf("%s %s", [k8s.kind, k8s.ref])

# server_url is the effective server-url when the inventory knows it and it
# is an absolute URL.
server_url := eff if {
	eff := rancher.effective_setting("server-url")
	rancher.url_parts(eff.value)
}

wanted := sprintf("%q", [server_url.value]) if {
	server_url
} else := "\"https://<rancher host>\""

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	e := s.env[env_name]
	is_string(e.value)
	not rancher.https_url(e.value)
	msg := sprintf("%s: env %s of %s is %q%s and %s, so the agent would register and tunnel without verified TLS%s; set it to the https server-url %s", [
		obj_desc, env_name, s.where, e.value, from_note(e), rancher.url_problem(e.value),
		changed_note(s.key, e.value), wanted,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "value": e.value, "problem": rancher.url_problem(e.value)}
}

violation contains {"msg": msg, "details": details} if {
	applies
	require_match
	some s in rancher.reviewed_scopes
	e := s.env[env_name]
	rancher.https_url(e.value)
	rancher.normalize_url(e.value) != rancher.normalize_url(server_url.value)
	msg := sprintf("%s: env %s of %s is %q%s but the effective server-url is %q (%s), so the agent dials a server Rancher did not configure%s; set it to %q (or force a redeploy of the agent)", [
		obj_desc, env_name, s.where, e.value, from_note(e), server_url.value,
		rancher.describe_effective(server_url), changed_note(s.key, e.value), server_url.value,
	])
	details := {
		"field": sprintf("%s.env[%s]", [s.path, env_name]),
		"value": e.value,
		"serverURL": server_url.value,
	}
}

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	e := s.env[env_name]
	e.value == null
	msg := sprintf("%s: env %s of %s comes from %s, which is not in the inventory, so the server URL cannot be verified; set the literal https server-url %s or include the referenced object", [
		obj_desc, env_name, s.where, e.from, wanted,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "from": e.from}
}

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	s.agent
	not s.env[env_name]
	not rancher.may_come_from_env_from(s.unresolved, env_name)
	msg := sprintf("%s: %s has no env %s%s, so the agent has no verified https server to dial; set %s to the https server-url %s", [
		obj_desc, s.where, env_name, removed_note(s.key), env_name, wanted,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "value": null}
}

from_note(e) := sprintf(" (from %s)", [e.from]) if {
	e.from != "value"
} else := ""

changed_note(key, new) := sprintf("; this update changes it from %q", [old]) if {
	old := rancher.old_scope(key).env[env_name].value
	is_string(old)
	old != new
} else := ""

removed_note(key) := sprintf("; this update removes it (was %q)", [old]) if {
	old := rancher.old_scope(key).env[env_name].value
	is_string(old)
} else := ""
