# METADATA
# title: Rancher server-url is HTTPS
# description: |
#   Agents (cattle-cluster-agent, system-agent, fleet-agent) dial the Rancher
#   server-url Setting: it is rendered into CATTLE_SERVER, into the
#   cattle-credentials Secret and into fleet's apiServerURL. Its effective
#   value (env CATTLE_SERVER_URL on the cattle-system/rancher Deployment, else
#   value, else default) must be an https:// URL with a host, or agent
#   registration tokens and the tunnel travel unencrypted and unauthenticated.
#   Also checks CATTLE_SERVER_URL when it is set on the rancher Deployment.
#   An empty server-url fails too: agents cannot be pointed at a verified
#   endpoint.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/reference-guides/cluster-configuration/rancher-server-configuration/use-existing-nodes/rancher-agent-options
#     description: Rancher docs, agent options (CATTLE_SERVER is the server-url)
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/installation-references/tls-settings
#     description: Rancher docs, TLS settings
# custom:
#   id: server-url-https
#   severity: high
#   action: deny
#   remediation: |
#     Set the server-url Setting to the https URL of Rancher, for example
#     `kubectl patch setting server-url --type merge -p '{"value":"https://rancher.example.com"}'`,
#     or fix CATTLE_SERVER_URL on the cattle-system/rancher Deployment when it
#     overrides the Setting. Then redeploy the agents so that CATTLE_SERVER follows.
#   match:
#     - group: management.cattle.io
#       kind: Setting
#     - group: apps
#       kind: Deployment
#   parameters: {}
package tlsguard.server_url_https

import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

setting_name := "server-url"

env_name := rancher.setting_env_name(setting_name)

default applies := false

applies if {
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == setting_name
	not k8s.is_delete
}

applies if {
	rancher_deployment_sets_env
	not k8s.is_delete
}

rancher_deployment_sets_env if {
	rancher.reviewing_rancher_deployment
	some s in rancher.reviewed_rancher_scopes
	s.env[env_name]
}

# The Setting: judge its effective value.
violation contains {"msg": msg, "details": details} if {
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == setting_name
	not k8s.is_delete
	eff := rancher.effective_setting(setting_name)
	not rancher.https_url(eff.value)
	msg := sprintf("Setting %s: effective value %q (%s) %s, so agents would not dial a verified https endpoint%s; set %s to \"https://<rancher host>\"", [
		setting_name, eff.value, rancher.describe_effective(eff),
		rancher.url_problem(eff.value), setting_downgrade, fix_target(eff),
	])
	details := {
		"field": field_of(eff),
		"effectiveValue": eff.value,
		"source": eff.source,
		"problem": rancher.url_problem(eff.value),
	}
}

field_of(eff) := sprintf("env %s (Deployment cattle-system/rancher)", [eff.env]) if {
	eff.source == "env"
} else := eff.source

fix_target(eff) := sprintf("env %s on Deployment cattle-system/rancher", [eff.env]) if {
	eff.source == "env"
} else := "value"

# On UPDATE, say when this request is what breaks an https server-url.
setting_downgrade := "; this update changes it from an https URL" if {
	k8s.is_update
	not rancher.rancher_env(setting_name)
	rancher.https_url(rancher.object_value(k8s.old_obj))
} else := ""

# The rancher Deployment: CATTLE_SERVER_URL overrides the Setting.
violation contains {"msg": msg, "details": details} if {
	rancher.reviewing_rancher_deployment
	not k8s.is_delete
	some s in rancher.reviewed_rancher_scopes
	e := s.env[env_name]
	is_string(e.value)
	not rancher.https_url(e.value)
	msg := sprintf("Deployment %s: env %s of %s is %q and %s; it overrides Setting %s, so agents would not dial a verified https endpoint%s; set it to \"https://<rancher host>\" or remove it", [
		k8s.ref, env_name, s.where, e.value, rancher.url_problem(e.value),
		setting_name, env_downgrade(s.key),
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "value": e.value, "problem": rancher.url_problem(e.value)}
}

violation contains {"msg": msg, "details": details} if {
	rancher.reviewing_rancher_deployment
	not k8s.is_delete
	some s in rancher.reviewed_rancher_scopes
	e := s.env[env_name]
	e.value == null
	msg := sprintf("Deployment %s: env %s of %s comes from %s, which is not in the inventory, so the server-url cannot be verified; set a literal https URL or include the referenced object", [
		k8s.ref, env_name, s.where, e.from,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "from": e.from}
}

env_downgrade(key) := "; this update changes it from an https URL" if {
	old := rancher.old_scope(key)
	rancher.https_url(old.env[env_name].value)
} else := ""
