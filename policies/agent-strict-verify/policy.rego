# METADATA
# title: Agents verify Rancher's certificate strictly
# description: |
#   With STRICT_VERIFY=true the agents trust only the CA pinned by
#   CATTLE_CA_CHECKSUM; otherwise they accept any certificate the OS trust
#   store accepts, and rancher-system-agent even drops the CA and retries on an
#   x509 error. Fails when:
#   - STRICT_VERIFY or CATTLE_AGENT_STRICT_VERIFY is set to anything but "true"
#     on the cattle-cluster-agent Deployment (also -bootstrap), the legacy
#     cattle-node-agent DaemonSet, or spec.upgrade.env of the
#     system-agent-upgrader Plan (upgrade.cattle.io/v1, cattle-system; also its
#     -windows twin). The agents lower-case the value before comparing it
#     with "true", so "True" counts as true; "1", "yes" or "" do not;
#   - it is missing on the agent container (the Plan: both names missing)
#     while agent-tls-mode is effectively "strict": agents read a missing
#     STRICT_VERIFY as false (when agent-tls-mode is unknown, a missing
#     STRICT_VERIFY is not judged);
#   - a clusters.provisioning.cattle.io or clusters.management.cattle.io
#     spec.agentEnvVars entry sets either name to anything but "true": Rancher
#     then never overwrites it for that cluster's agents;
#   - the fleet-agent ConfigMap (cattle-fleet-system or
#     cattle-fleet-local-system) or the fleet-controller ConfigMap
#     (cattle-fleet-system), JSON key config, has agentTLSMode other than
#     exactly "strict", or config is missing or not a JSON object
#     (requireFleetStrict; when false, fleet must be strict only while
#     agent-tls-mode is).
#   valueFrom/envFrom values are resolved from the inventory; an unresolvable
#   valueFrom fails because it cannot be verified.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/installation-references/tls-settings
#     description: Rancher docs, TLS settings (Agent TLS Enforcement)
#   - ref: https://ranchermanager.docs.rancher.com/how-to-guides/new-user-guides/launch-kubernetes-with-rancher/about-rancher-agents
#     description: Rancher docs, Rancher agents
# custom:
#   id: agent-strict-verify
#   severity: critical
#   action: deny
#   remediation: |
#     Set agent-tls-mode to "strict" and let Rancher re-render the agents
#     (STRICT_VERIFY="true"); remove STRICT_VERIFY / CATTLE_AGENT_STRICT_VERIFY
#     from the clusters' agentEnvVars (or set them to "true"). For fleet, set
#     agentTLSMode to "strict" (Rancher feeds it from agent-tls-mode; a
#     stand-alone fleet install uses the Helm value agentTLSMode).
#   match:
#     - group: apps
#       kind: Deployment
#     - group: apps
#       kind: DaemonSet
#     - group: upgrade.cattle.io
#       kind: Plan
#     - group: provisioning.cattle.io
#       kind: Cluster
#     - group: management.cattle.io
#       kind: Cluster
#     - group: ""
#       kind: ConfigMap
#   parameters:
#     requireFleetStrict:
#       type: boolean
#       default: true
#       description: Require fleet agentTLSMode "strict" always; when false, only while agent-tls-mode is effectively "strict".
package tlsguard.agent_strict_verify

import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

strict_names := ["STRICT_VERIFY", "CATTLE_AGENT_STRICT_VERIFY"]

fleet_config_maps := {
	"cattle-fleet-system": {"fleet-agent", "fleet-controller"},
	"cattle-fleet-local-system": {"fleet-agent"},
}

workload if rancher.agent_workload

workload if rancher.upgrader_plan

cluster if k8s.has_kind("provisioning.cattle.io", "Cluster")

cluster if k8s.has_kind("management.cattle.io", "Cluster")

fleet_config if {
	k8s.has_kind("", "ConfigMap")
	k8s.name in fleet_config_maps[k8s.namespace]
}

default applies := false

applies if {
	workload
	not k8s.is_delete
}

applies if {
	cluster
	not k8s.is_delete
}

applies if {
	fleet_config
	not k8s.is_delete
}

obj_desc := sprintf("%s %s", [k8s.kind, k8s.ref])

mode := rancher.effective_setting("agent-tls-mode")

strict_mode if mode.value == "strict"

# --- agent workloads and the Plan ----------------------------------------------

violation contains {"msg": msg, "details": details} if {
	applies
	workload
	some s in rancher.reviewed_scopes
	some name in strict_names
	e := s.env[name]
	is_string(e.value)
	not rancher.true_value(e.value)
	msg := sprintf("%s: env %s of %s is %q%s, not \"true\", so the agent trusts the OS store instead of only the pinned Rancher CA%s; set it to \"true\" (and remove any %s override in the cluster's agentEnvVars)", [
		obj_desc, name, s.where, e.value, from_note(e), env_downgrade(s.key, name), name,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, name]), "value": e.value, "downgrade": env_downgrade(s.key, name) != ""}
}

violation contains {"msg": msg, "details": details} if {
	applies
	workload
	some s in rancher.reviewed_scopes
	some name in strict_names
	e := s.env[name]
	e.value == null
	msg := sprintf("%s: env %s of %s comes from %s, which is not in the inventory, so strict verification cannot be confirmed; set the literal value \"true\" or include the referenced object", [
		obj_desc, name, s.where, e.from,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, name]), "from": e.from}
}

violation contains {"msg": msg, "details": details} if {
	applies
	workload
	strict_mode
	some s in rancher.reviewed_scopes
	s.agent
	not s.init
	count([n | some n in accepted_names; s.env[n]]) == 0
	count([n | some n in accepted_names; rancher.may_come_from_env_from(s.unresolved, n)]) == 0
	msg := sprintf("%s: %s has no %s although agent-tls-mode is \"strict\" (%s); the agent reads a missing value as false and trusts the OS store%s; set STRICT_VERIFY=\"true\" (or let Rancher re-render the agent)", [
		obj_desc, s.where, concat(" or ", accepted_names), rancher.describe_effective(mode), removed_note(s.key),
	])
	details := {"field": sprintf("%s.env[STRICT_VERIFY]", [s.path]), "value": null, "agentTLSMode": mode.value}
}

# The cattle agents read STRICT_VERIFY only; the system-agent install script
# run by the Plan reads CATTLE_AGENT_STRICT_VERIFY, else STRICT_VERIFY.
accepted_names := strict_names if {
	rancher.upgrader_plan
} else := ["STRICT_VERIFY"]

from_note(e) := sprintf(" (from %s)", [e.from]) if {
	e.from != "value"
} else := ""

env_downgrade(key, name) := "; this is a downgrade from \"true\"" if {
	rancher.true_value(rancher.old_scope(key).env[name].value)
} else := ""

removed_note(key) := "; this update removes it (was \"true\")" if {
	some n in accepted_names
	rancher.true_value(rancher.old_scope(key).env[n].value)
} else := ""

# --- clusters: spec.agentEnvVars ------------------------------------------------

violation contains {"msg": msg, "details": details} if {
	applies
	cluster
	some i, e in agent_env_vars(k8s.obj)
	e.name in strict_names
	not agent_env_true(e)
	msg := sprintf("%s: spec.agentEnvVars[%d] sets %s to %s; Rancher passes it to this cluster's agents instead of the agent-tls-mode value, so they trust the OS store%s; remove the entry or set it to \"true\"", [
		obj_desc, i, e.name, agent_env_desc(e), cluster_downgrade(e.name),
	])
	details := {"field": sprintf("spec.agentEnvVars[%d]", [i]), "name": e.name, "value": object.get(e, "value", null)}
}

agent_env_vars(o) := l if {
	l := object.get(o, ["spec", "agentEnvVars"], [])
	is_array(l)
} else := []

agent_env_true(e) if {
	not e.valueFrom
	rancher.true_value(rancher.env_literal(e))
}

agent_env_desc(e) := "a valueFrom reference, which cannot be verified" if {
	e.valueFrom
} else := sprintf("%q", [rancher.env_literal(e)])

cluster_downgrade(name) := "; this is a downgrade from \"true\"" if {
	k8s.is_update
	some old in agent_env_vars(k8s.old_obj)
	old.name == name
	agent_env_true(old)
} else := ""

# --- fleet agentTLSMode ------------------------------------------------------

fleet_required if object.get(input.parameters, "requireFleetStrict", true) == true

fleet_required if strict_mode

fleet_field := "data.config.agentTLSMode"

violation contains {"msg": msg, "details": details} if {
	applies
	fleet_config
	fleet_required
	problem := fleet_problem(k8s.obj)
	msg := sprintf("%s: %s, so fleet agents trust the OS store instead of only Rancher's CA%s; set agentTLSMode to \"strict\" in data.config (Rancher feeds it from agent-tls-mode)", [
		obj_desc, problem, fleet_downgrade,
	])
	details := {"field": fleet_field, "problem": problem, "agentTLSMode": object.get(fleet_parsed(k8s.obj), "agentTLSMode", null)}
}

# fleet_parsed(o) is the parsed data.config of o when it is a JSON object.
fleet_parsed(o) := c if {
	raw := o.data.config
	is_string(raw)
	json.is_valid(raw)
	c := json.unmarshal(raw)
	is_object(c)
} else := {}

fleet_problem(o) := "data.config is missing (fleet then defaults agentTLSMode to system-store)" if {
	not is_string(object.get(o, ["data", "config"], null))
} else := "data.config is not valid JSON (fleet cannot read agentTLSMode)" if {
	not json.is_valid(o.data.config)
} else := "data.config is not a JSON object" if {
	not is_object(json.unmarshal(o.data.config))
} else := "data.config has no agentTLSMode (fleet then uses system-store)" if {
	not "agentTLSMode" in object.keys(fleet_parsed(o))
} else := sprintf("agentTLSMode is %s, not \"strict\"", [json.marshal(fleet_parsed(o).agentTLSMode)]) if {
	fleet_parsed(o).agentTLSMode != "strict"
}

fleet_downgrade := "; this is a downgrade from strict" if {
	k8s.is_update
	fleet_parsed(k8s.old_obj).agentTLSMode == "strict"
} else := ""
