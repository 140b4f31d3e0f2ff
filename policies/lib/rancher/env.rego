# Container env resolution (more of lib.tlsguard.rancher; its annotations
# are in rancher.rego).
#
# The environment a container (or a Plan's spec.upgrade) actually gets, as the
# kubelet builds it: envFrom sources in order (later wins), then env entries
# (later wins over earlier duplicates and over envFrom). valueFrom and envFrom
# are resolved from ConfigMaps and Secrets in data.inventory when present;
# otherwise the value is null (unknown). Also the effective value of a Rancher
# Setting with its source, for messages.
package lib.tlsguard.rancher

import data.lib.tlsguard.k8s

# container_env(ns, c) maps every env var name of container-like object c in
# namespace ns to {"value": string or null, "from": where it comes from}.
# value is null when it comes from a valueFrom that the inventory cannot
# resolve (or a fieldRef/resourceFieldRef).
container_env(ns, c) := object.union(env_from_vars(ns, c), explicit_env(ns, c))

# Fast path (names unique, as the API server expects): literal values are
# built inline, only the others go through env_entry.
explicit_env(ns, c) := object.union(
	{e.name: env_entry(ns, e) | some e in entries; is_string(e.name); not is_string(object.get(e, "value", null))},
	{e.name: {"value": e.value, "from": "value"} | some e in entries; is_string(e.name); is_string(e.value)},
) if {
	entries := env_list(c, "env")
	count(entries) == count({x.name | some x in entries; is_string(x.name)})
}

# Duplicate names (or entries without one): the later entry wins, as in the
# kubelet.
explicit_env(ns, c) := {e.name: env_entry(ns, e) |
	some i, e in entries
	is_string(e.name)
	not e.name in array.slice(names, i + 1, count(names))
} if {
	entries := env_list(c, "env")
	count(entries) != count({x.name | some x in entries; is_string(x.name)})
	names := [object.get(x, "name", null) | some x in entries]
}

env_list(c, key) := l if {
	l := object.get(c, key, [])
	is_array(l)
}

env_list(c, key) := [] if not is_array(object.get(c, key, []))

env_entry(_, e) := {"value": e.value, "from": "value"} if is_string(e.value)

# (object.get, because `not is_string(e.value)` fails when value is absent.)
env_entry(_, e) := {"value": env_literal(e), "from": "value"} if {
	not is_string(object.get(e, "value", null))
	not e.valueFrom
}

env_entry(ns, e) := {"value": resolved_or_null(ns, e.valueFrom), "from": value_from_desc(e.valueFrom)} if {
	not is_string(object.get(e, "value", null))
	e.valueFrom
}

# env_literal(e) is the literal value of an env entry; "" when absent, and
# manifests with unquoted YAML scalars (value: true) are read as text.
env_literal(e) := v if {
	v := object.get(e, "value", "")
	is_string(v)
}

env_literal(e) := "" if object.get(e, "value", "") == null

env_literal(e) := sprintf("%v", [v]) if {
	v := object.get(e, "value", "")
	not is_string(v)
	v != null
}

resolved_or_null(ns, vf) := value_from(ns, vf)

resolved_or_null(ns, vf) := null if not value_from(ns, vf)

value_from(ns, vf) := cm.data[r.key] if {
	r := vf.configMapKeyRef
	cm := k8s.namespaced_object(ns, "v1", "ConfigMap", r.name)
}

value_from(ns, vf) := k8s.secret_value(s, r.key) if {
	not vf.configMapKeyRef
	r := vf.secretKeyRef
	s := k8s.namespaced_object(ns, "v1", "Secret", r.name)
}

value_from_desc(vf) := sprintf("valueFrom configMapKeyRef %s key %s", [r.name, r.key]) if r := vf.configMapKeyRef

value_from_desc(vf) := sprintf("valueFrom secretKeyRef %s key %s", [r.name, r.key]) if {
	not vf.configMapKeyRef
	r := vf.secretKeyRef
}

value_from_desc(vf) := "valueFrom (fieldRef/resourceFieldRef)" if {
	not vf.configMapKeyRef
	not vf.secretKeyRef
}

# env_from_vars(ns, c) are the variables that c's envFrom sources found in the
# inventory provide (prefix applied; a later source wins).
env_from_vars(ns, c) := {name: {"value": v, "from": env_from_desc(src)} |
	sources := env_list(c, "envFrom")
	some i, src in sources
	some k, v in env_from_data(ns, src)
	name := concat("", [object.get(src, "prefix", ""), k])
	not env_from_redefined(ns, sources, i, name)
}

env_from_redefined(ns, sources, i, name) if {
	some j, src in sources
	j > i
	some k, _ in env_from_data(ns, src)
	concat("", [object.get(src, "prefix", ""), k]) == name
}

env_from_data(ns, src) := object.get(cm, "data", {}) if {
	cm := k8s.namespaced_object(ns, "v1", "ConfigMap", src.configMapRef.name)
}

env_from_data(ns, src) := {k: v |
	some k in secret_keys(s)
	v := k8s.secret_value(s, k)
} if {
	not src.configMapRef
	s := k8s.namespaced_object(ns, "v1", "Secret", src.secretRef.name)
}

secret_keys(s) := {k | some k, _ in object.get(s, "data", {})} | {k | some k, _ in object.get(s, "stringData", {})}

env_from_desc(src) := sprintf("envFrom ConfigMap %s", [src.configMapRef.name]) if src.configMapRef

env_from_desc(src) := sprintf("envFrom Secret %s", [src.secretRef.name]) if {
	not src.configMapRef
	src.secretRef
}

# unresolved_env_from(ns, c) lists c's envFrom sources that are not in the
# inventory: the variables they provide are unknown.
unresolved_env_from(ns, c) := [src |
	some src in env_list(c, "envFrom")
	not env_from_data(ns, src)
]

# Keys of the stv-aggregation Secret the cluster agent writes (and the
# system-agent-upgrader Plan imports with envFrom).
stv_aggregation_keys := {
	"CATTLE_SERVER", "CATTLE_TOKEN", "CATTLE_CA_CHECKSUM",
	"CATTLE_CACERTS_VALID", "url", "token", "ca.crt",
}

stv_aggregation_source(src) if startswith(object.get(src, ["secretRef", "name"], ""), "stv-aggregation")

# may_come_from_env_from(unresolved, name) is true when an envFrom source that
# is not in the inventory may provide variable name: any variable for an
# unknown source, only its known keys for Rancher's stv-aggregation Secret.
may_come_from_env_from(unresolved, _) if {
	some src in unresolved
	not stv_aggregation_source(src)
}

may_come_from_env_from(unresolved, name) if {
	some src in unresolved
	stv_aggregation_source(src)
	some k in stv_aggregation_keys
	concat("", [object.get(src, "prefix", ""), k]) == name
}

# rancher_env(n) is {"value", "from", "container"} for the CATTLE_<NAME>
# override of Setting n on the first container of cattle-system/rancher that
# sets it with a value the inventory can resolve.
rancher_env(n) := found[0] if {
	found := [object.union(e, {"container": c.name}) |
		some c in rancher_container_envs
		e := c.env[setting_env_name(n)]
		is_string(e.value)
	]
	count(found) > 0
}

# The resolved env of each main container of cattle-system/rancher, computed
# once per evaluation.
rancher_container_envs := [{"name": object.get(c, "name", ""), "env": container_env("cattle-system", c)} |
	some c in env_list(object.get(rancher_deployment, ["spec", "template", "spec"], {}), "containers")
]

# effective_setting(n) is like setting(n) but also resolves valueFrom and says
# where the value comes from: {"value", "source": "env"|"value"|"default",
# "settingValue", "settingDefault"} (the last two only without env override).
effective_setting(n) := {"value": e.value, "source": "env", "env": setting_env_name(n)} if e := rancher_env(n)

effective_setting(n) := {
	"value": object_value(s),
	"source": value_source(s),
	"settingValue": object.get(s, "value", ""),
	"settingDefault": object.get(s, "default", ""),
} if {
	not rancher_env(n)
	s := setting_object(n)
}

value_source(s) := "value" if non_empty_string(object.get(s, "value", ""))

value_source(s) := "default" if not non_empty_string(object.get(s, "value", ""))

# describe_effective(eff) explains an effective_setting result for messages.
describe_effective(eff) := sprintf("from env %s on Deployment cattle-system/rancher", [eff.env]) if eff.source == "env"

describe_effective(eff) := sprintf("value %q, default %q", [eff.settingValue, eff.settingDefault]) if eff.source != "env"
