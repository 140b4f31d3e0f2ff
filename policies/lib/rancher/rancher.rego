# METADATA
# title: Rancher settings helpers
# description: |
#   Effective values of Rancher Settings, computed as Rancher does: the
#   CATTLE_<NAME> env var on the cattle-system/rancher Deployment, else the
#   Setting's value, else its default. The reviewed object wins over the
#   inventory so that a request is judged on the state it would create.
package lib.tlsguard.rancher

import data.lib.tlsguard.k8s

settings_gv := "management.cattle.io/v3"

# setting_object(n) is the Setting named n: the reviewed object when it is that
# Setting (and not being deleted), else the one in the inventory.
setting_object(n) := k8s.obj if {
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == n
	not k8s.is_delete
}

setting_object(n) := k8s.cluster_object(settings_gv, "Setting", n) if {
	not reviewed_setting(n)
}

reviewed_setting(n) if {
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == n
}

# setting_env_name(n) is the env var that overrides Setting n on the Rancher
# pod: CATTLE_ plus the upper-cased name with - replaced by _.
setting_env_name(n) := concat("", ["CATTLE_", upper(replace(n, "-", "_"))])

# rancher_deployment is cattle-system/rancher, reviewed or from the inventory.
rancher_deployment := k8s.obj if {
	k8s.has_kind("apps", "Deployment")
	k8s.namespace == "cattle-system"
	k8s.name == "rancher"
	not k8s.is_delete
}

rancher_deployment := k8s.namespaced_object("cattle-system", "apps/v1", "Deployment", "rancher") if {
	not reviewing_rancher_deployment
}

reviewing_rancher_deployment if {
	k8s.has_kind("apps", "Deployment")
	k8s.namespace == "cattle-system"
	k8s.name == "rancher"
}

# env_override(n) is the literal value of CATTLE_<N> on any container of the
# Rancher Deployment, when set.
env_override(n) := v if {
	some c in k8s.containers(rancher_deployment)
	v := k8s.env(c)[setting_env_name(n)]
	is_string(v)
}

# object_value(s) is the effective value of a Setting object on its own:
# value when non-empty, else default.
object_value(s) := s.value if {
	is_string(s.value)
	s.value != ""
}

object_value(s) := object.get(s, "default", "") if {
	not non_empty_string(object.get(s, "value", ""))
}

non_empty_string(x) if {
	is_string(x)
	x != ""
}

# setting(n) is the effective value of Setting n; undefined when neither the
# Setting nor an env override is known.
setting(n) := env_override(n)

setting(n) := object_value(setting_object(n)) if not env_override(n)

# known(n) is true when the effective value of Setting n can be computed.
known(n) if setting(n)

# strict_mode is true when agent-tls-mode is effectively exactly "strict".
# Rancher compares with ==, so "Strict" or a typo means system-store.
strict_mode if setting("agent-tls-mode") == "strict"

# ca_checksum(pem) is CATTLE_CA_CHECKSUM as Rancher computes it: the hex
# sha256 of cacerts with a trailing newline added when missing.
ca_checksum(pem) := crypto.sha256(pem) if endswith(pem, "\n")

ca_checksum(pem) := crypto.sha256(concat("", [pem, "\n"])) if not endswith(pem, "\n")
