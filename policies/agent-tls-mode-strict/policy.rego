# METADATA
# title: Rancher agent-tls-mode is strict
# description: |
#   The agent-tls-mode Setting selects whether cattle-cluster-agent,
#   fleet-agent and rancher-system-agent trust only the CA in cacerts
#   (strict) or any CA of the OS trust store (system-store). Its effective
#   value (env CATTLE_AGENT_TLS_MODE on the cattle-system/rancher Deployment,
#   else value, else default) must be exactly "strict": Rancher compares with
#   ==, so "Strict" or any typo behaves as system-store. An empty value falls
#   back to default, which is "system-store" on installs upgraded from 2.7/2.8.
#   On UPDATE the message says when the request downgrades from strict
#   (Rancher's own webhook only guards the opposite direction). Deleting the
#   Setting is a violation too: Rancher recreates it with its upgrade default
#   "system-store" unless CATTLE_AGENT_TLS_MODE pins it. The
#   CATTLE_AGENT_TLS_MODE env (Helm value agentTLSMode) is checked when the
#   rancher Deployment sets it.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/installation-references/tls-settings
#     description: Rancher docs, TLS settings (Agent TLS Enforcement)
# custom:
#   id: agent-tls-mode-strict
#   severity: critical
#   action: deny
#   remediation: |
#     Set the agent-tls-mode Setting's value to "strict"
#     (`kubectl patch setting agent-tls-mode --type merge -p '{"value":"strict"}'`),
#     or the Helm value agentTLSMode=strict when CATTLE_AGENT_TLS_MODE
#     overrides it. Make sure cacerts holds the CA that signs Rancher's
#     certificate first (private CA: privateCA=true and the tls-ca Secret), or
#     agents cannot connect.
#   match:
#     - group: management.cattle.io
#       kind: Setting
#     - group: apps
#       kind: Deployment
#   operations: [CREATE, UPDATE, DELETE]
#   parameters: {}
package tlsguard.agent_tls_mode_strict

import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

setting_name := "agent-tls-mode"

env_name := rancher.setting_env_name(setting_name)

reviewing_setting if {
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == setting_name
}

default applies := false

applies if reviewing_setting

applies if {
	rancher.reviewing_rancher_deployment
	not k8s.is_delete
	some s in rancher.reviewed_rancher_scopes
	s.env[env_name]
}

# The Setting (CREATE/UPDATE): its effective value must be exactly strict.
violation contains {"msg": msg, "details": details} if {
	reviewing_setting
	not k8s.is_delete
	eff := rancher.effective_setting(setting_name)
	eff.value != "strict"
	msg := sprintf("Setting %s: effective value %q (%s) is not \"strict\"%s, so agents trust the OS store instead of only cacerts%s; %s", [
		setting_name, eff.value, rancher.describe_effective(eff),
		typo_note(eff.value), setting_downgrade, fix(eff),
	])
	details := {
		"field": field_of(eff),
		"effectiveValue": eff.value,
		"source": eff.source,
		"downgrade": setting_downgrade != "",
	}
}

field_of(eff) := sprintf("env %s (Deployment cattle-system/rancher)", [eff.env]) if {
	eff.source == "env"
} else := eff.source

fix(eff) := sprintf("set env %s on Deployment cattle-system/rancher (Helm value agentTLSMode) to \"strict\"", [eff.env]) if {
	eff.source == "env"
} else := "set value to \"strict\""

typo_note(v) := " (Rancher compares exactly; only lower-case \"strict\" is strict)" if {
	lower(trim_space(v)) == "strict"
} else := ""

setting_downgrade := "; this is a downgrade from strict" if {
	k8s.is_update
	not rancher.rancher_env(setting_name)
	rancher.object_value(k8s.old_obj) == "strict"
} else := ""

# DELETE: Rancher recreates the Setting at its next start with default
# "system-store" (DefaultOnUpgrade, because other settings exist).
violation contains {"msg": msg, "details": details} if {
	reviewing_setting
	k8s.is_delete
	not env_pins_strict
	msg := sprintf("Setting %s: deleting it makes Rancher recreate it with its upgrade default \"system-store\"%s; keep the Setting and set value to \"strict\" (or pin CATTLE_AGENT_TLS_MODE=strict on Deployment cattle-system/rancher)", [
		setting_name, delete_downgrade,
	])
	details := {"field": "metadata", "operation": "DELETE", "recreatedDefault": "system-store"}
}

env_pins_strict if rancher.rancher_env(setting_name).value == "strict"

delete_downgrade := "; this is a downgrade from strict" if {
	rancher.object_value(k8s.obj) == "strict"
} else := ""

# The rancher Deployment: CATTLE_AGENT_TLS_MODE overrides the Setting.
violation contains {"msg": msg, "details": details} if {
	rancher.reviewing_rancher_deployment
	not k8s.is_delete
	some s in rancher.reviewed_rancher_scopes
	e := s.env[env_name]
	is_string(e.value)
	e.value != "strict"
	msg := sprintf("Deployment %s: env %s of %s is %q, not \"strict\"%s; it overrides Setting %s, so agents trust the OS store instead of only cacerts%s; set it (Helm value agentTLSMode) to \"strict\"", [
		k8s.ref, env_name, s.where, e.value, typo_note(e.value),
		setting_name, env_downgrade(s.key),
	])
	details := {
		"field": sprintf("%s.env[%s]", [s.path, env_name]),
		"value": e.value,
		"downgrade": env_downgrade(s.key) != "",
	}
}

violation contains {"msg": msg, "details": details} if {
	rancher.reviewing_rancher_deployment
	not k8s.is_delete
	some s in rancher.reviewed_rancher_scopes
	e := s.env[env_name]
	e.value == null
	msg := sprintf("Deployment %s: env %s of %s comes from %s, which is not in the inventory, so agent-tls-mode cannot be verified as \"strict\"; set the literal value \"strict\" or include the referenced object", [
		k8s.ref, env_name, s.where, e.from,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "from": e.from}
}

env_downgrade(key) := "; this is a downgrade from strict" if {
	rancher.old_scope(key).env[env_name].value == "strict"
} else := ""
