# METADATA
# title: Agents pin Rancher's CA with the right CATTLE_CA_CHECKSUM
# description: |
#   CATTLE_CA_CHECKSUM is the agents' trust anchor pin: the agent downloads
#   /cacerts without verification and accepts it only when its sha256 equals
#   the checksum. Rancher computes it as the hex sha256 of the cacerts Setting
#   with a trailing newline added when missing, and "" when cacerts is empty.
#   On the cattle-cluster-agent Deployment (also -bootstrap), the legacy
#   cattle-node-agent DaemonSet and spec.upgrade of the system-agent-upgrader
#   Plan (and its -windows twin), fails when:
#   - the effective cacerts is non-empty and the agent container (the Plan's
#     spec.upgrade) has no or an empty CATTLE_CA_CHECKSUM, so the agent pins
#     nothing;
#   - a CATTLE_CA_CHECKSUM differs from Rancher's checksum of the effective
#     cacerts (for the Plan, the checksum of internal-cacerts is accepted too:
#     the local cluster's system-agent uses the internal endpoint); a non-empty
#     checksum while cacerts is empty is a stale pin;
#   - it is not 64 lower-case hex digits (sha256sum output);
#   - cacerts is not in the inventory and the checksum is missing or empty
#     although agent-tls-mode is "strict" or the same container has
#     STRICT_VERIFY "true": strict verification has no CA to pin.
#   A checksum the Plan imports with envFrom from Rancher's stv-aggregation
#   Secret (or that such a Secret, absent from the inventory, may provide) is
#   not checkable and does not fail. An unresolvable valueFrom fails because
#   it cannot be verified.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/resources/update-rancher-certificate
#     description: Rancher docs, updating the Rancher certificate (CATTLE_CA_CHECKSUM)
#   - ref: https://ranchermanager.docs.rancher.com/reference-guides/cluster-configuration/rancher-server-configuration/use-existing-nodes/rancher-agent-options
#     description: Rancher docs, agent options (--ca-checksum)
# custom:
#   id: agent-ca-checksum
#   severity: critical
#   action: deny
#   remediation: |
#     Let Rancher re-render the agent with the current checksum (annotate the
#     management cluster with io.cattle.agent.force.deploy=true), or set
#     CATTLE_CA_CHECKSUM to the output of
#     `kubectl get setting cacerts -o jsonpath='{.value}' | sha256sum`
#     (which adds the trailing newline Rancher adds). With a public CA and an
#     empty cacerts, set it to "".
#   match:
#     - group: apps
#       kind: Deployment
#     - group: apps
#       kind: DaemonSet
#     - group: upgrade.cattle.io
#       kind: Plan
#   parameters: {}
package tlsguard.agent_ca_checksum

import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

env_name := "CATTLE_CA_CHECKSUM"

default applies := false

applies if {
	rancher.agent_workload
	not k8s.is_delete
}

applies if {
	rancher.upgrader_plan
	not k8s.is_delete
}

obj_desc := sprintf("%s %s", [k8s.kind, k8s.ref])

cacerts := rancher.effective_setting("cacerts").value

cacerts_known if cacerts

# The checksums Rancher would render: of cacerts, and for the Plan also of
# internal-cacerts.
accepted contains rancher.ca_checksum(cacerts) if cacerts != ""

accepted contains rancher.ca_checksum(internal) if {
	rancher.upgrader_plan
	internal := rancher.effective_setting("internal-cacerts").value
	internal != ""
}

expected := rancher.ca_checksum(cacerts) if {
	cacerts != ""
} else := ""

hex_sha256 := `^[0-9a-f]{64}$`

# Values the Plan imports from Rancher's stv-aggregation Secret are written by
# the cluster agent (internal CA for the local cluster): not checkable here.
checkable(e) if not startswith(e.from, "envFrom Secret stv-aggregation")

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	e := s.env[env_name]
	checkable(e)
	is_string(e.value)
	e.value != ""
	not regex.match(hex_sha256, e.value)
	msg := sprintf("%s: env %s of %s is %q%s, which is not a lower-case hex sha256 (64 digits as sha256sum prints), so it can never match Rancher's CA; set it to %s", [
		obj_desc, env_name, s.where, e.value, from_note(e), expected_desc,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "value": e.value}
}

violation contains {"msg": msg, "details": details} if {
	applies
	cacerts != ""
	some s in rancher.reviewed_scopes
	e := s.env[env_name]
	checkable(e)
	regex.match(hex_sha256, e.value)
	not e.value in accepted
	msg := sprintf("%s: env %s of %s is %q%s but Rancher's checksum of the effective cacerts is %q, so the agent pins a CA other than Rancher's%s; set it to %q (or force a redeploy of the agent)", [
		obj_desc, env_name, s.where, e.value, from_note(e), expected, changed_note(s.key), expected,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "value": e.value, "expected": expected}
}

violation contains {"msg": msg, "details": details} if {
	applies
	cacerts == ""
	some s in rancher.reviewed_scopes
	e := s.env[env_name]
	checkable(e)
	regex.match(hex_sha256, e.value)
	msg := sprintf("%s: env %s of %s is %q%s but the effective cacerts is empty (Rancher publishes no CA), so the agent pins a CA Rancher no longer serves; set it to \"\" (public CA) or restore cacerts", [
		obj_desc, env_name, s.where, e.value, from_note(e),
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "value": e.value, "expected": ""}
}

violation contains {"msg": msg, "details": details} if {
	applies
	cacerts != ""
	some s in rancher.reviewed_scopes
	s.agent
	not s.init
	state := missing_or_empty(s)
	msg := sprintf("%s: %s %s CATTLE_CA_CHECKSUM while the effective cacerts is non-empty, so the agent does not pin Rancher's CA%s; set it to %q", [
		obj_desc, s.where, state, removed_note(s.key), expected,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "value": object.get(s.env, [env_name, "value"], null), "expected": expected}
}

violation contains {"msg": msg, "details": details} if {
	applies
	not cacerts_known
	some s in rancher.reviewed_scopes
	s.agent
	not s.init
	reason := strict_reason(s)
	state := missing_or_empty(s)
	msg := sprintf("%s: %s %s CATTLE_CA_CHECKSUM although %s, so strict verification has no CA to pin and the agent cannot connect%s; set it to the sha256 of the cacerts Setting", [
		obj_desc, s.where, state, reason, removed_note(s.key),
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "value": object.get(s.env, [env_name, "value"], null)}
}

violation contains {"msg": msg, "details": details} if {
	applies
	some s in rancher.reviewed_scopes
	e := s.env[env_name]
	e.value == null
	msg := sprintf("%s: env %s of %s comes from %s, which is not in the inventory, so the CA pin cannot be verified; set the literal checksum %s or include the referenced object", [
		obj_desc, env_name, s.where, e.from, expected_desc,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, env_name]), "from": e.from}
}

# missing_or_empty(s) describes a scope without a usable checksum; undefined
# when it has one or an unreadable envFrom source may provide it.
missing_or_empty(s) := "has no" if {
	not s.env[env_name]
	not rancher.may_come_from_env_from(s.unresolved, env_name)
}

missing_or_empty(s) := "has an empty" if s.env[env_name].value == ""

strict_reason(s) := "agent-tls-mode is \"strict\"" if {
	rancher.effective_setting("agent-tls-mode").value == "strict"
} else := sprintf("%s is \"true\"", [names[0]]) if {
	names := [n | some n in ["STRICT_VERIFY", "CATTLE_AGENT_STRICT_VERIFY"]; rancher.true_value(s.env[n].value)]
	count(names) > 0
}

expected_desc := sprintf("%q", [expected]) if {
	cacerts_known
} else := "the sha256 of the cacerts Setting"

from_note(e) := sprintf(" (from %s)", [e.from]) if {
	e.from != "value"
} else := ""

changed_note(key) := "; this update replaces the correct pin" if {
	rancher.old_scope(key).env[env_name].value in accepted
} else := ""

removed_note(key) := "; this update removes the correct pin" if {
	rancher.old_scope(key).env[env_name].value in accepted
} else := ""
