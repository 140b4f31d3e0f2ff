# Test-only builders for Rancher objects (the shapes of
# rancher-objects.md section 7) and review inputs, shared by the unit tests of
# lib.tlsguard.rancher and of the agent and settings policies. A *_test.rego
# file, so the engine never loads it.
package lib.tlsguard.rancher_objects_test

# --- review inputs ---------------------------------------------------------------

api_group(o) := parts[0] if {
	parts := split(o.apiVersion, "/")
	count(parts) == 2
} else := ""

api_version(o) := parts[count(parts) - 1] if parts := split(o.apiVersion, "/")

kind_of(o) := {"group": api_group(o), "version": api_version(o), "kind": o.kind}

# review(op, obj, old) is input for operation op; obj is null on DELETE and
# old is null on CREATE.
review(op, obj, old) := {
	"review": object.union(
		{
			"kind": kind_of(subject),
			"operation": op,
			"name": subject.metadata.name,
			"namespace": object.get(subject.metadata, "namespace", ""),
			"userInfo": {"username": "admin", "groups": ["system:authenticated"]},
		},
		object.union(present("object", obj), present("oldObject", old)),
	),
	"parameters": {},
} if {
	subject := subject_of(obj, old)
}

subject_of(obj, old) := old if {
	obj == null
} else := obj

present(_, v) := {} if v == null

present(k, v) := {k: v} if v != null

create(obj) := review("CREATE", obj, null)

update(obj, old) := review("UPDATE", obj, old)

delete(old) := review("DELETE", null, old)

with_params(inp, params) := object.union(inp, {"parameters": params})

# --- data.inventory -----------------------------------------------------------------

namespaced(o) if object.get(o.metadata, "namespace", "") != ""

# inventory(objs) lays objs out as Gatekeeper's data.inventory.
inventory(objs) := {
	"cluster": by_gv([o | some o in objs; not namespaced(o)]),
	"namespace": {ns: by_gv([o | some o in objs; o.metadata.namespace == ns]) |
		some o0 in objs
		ns := object.get(o0.metadata, "namespace", "")
		ns != ""
	},
}

by_gv(objs) := {gv: by_kind([o | some o in objs; o.apiVersion == gv]) |
	some o0 in objs
	gv := o0.apiVersion
}

by_kind(objs) := {k: {o.metadata.name: o | some o in objs; o.kind == k} |
	some o0 in objs
	k := o0.kind
}

# --- settings ----------------------------------------------------------------------

setting(name, value, def) := {
	"apiVersion": "management.cattle.io/v3",
	"kind": "Setting",
	"metadata": {"name": name},
	"value": value,
	"default": def,
	"customized": false,
	"source": "",
}

# The placeholder cacerts of rancher-objects.md 7.2 (stored trimmed) and its
# CATTLE_CA_CHECKSUM (sha256 of it plus "\n", computed with sha256sum).
placeholder_cacerts := "-----BEGIN CERTIFICATE-----\nMIIBfixturePLACEHOLDERnotARealCertificateDoNotParseAAAAAAAAAAAAAAA\n-----END CERTIFICATE-----"

placeholder_checksum := "cdb2fef8d0784b3946e6e1796933380e388822dfc9c85bf8978aebd1c7a6c7db"

other_checksum := "0000000000000000000000000000000000000000000000000000000000000000"

server_url := setting("server-url", "https://rancher.example.com", "")

strict := setting("agent-tls-mode", "strict", "strict")

system_store := setting("agent-tls-mode", "system-store", "strict")

cacerts := setting("cacerts", placeholder_cacerts, "")

empty_cacerts := setting("cacerts", "", "")

# --- workloads -------------------------------------------------------------------------

rancher_deployment(env) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {"name": "rancher", "namespace": "cattle-system"},
	"spec": {"template": {"spec": {"containers": [{
		"name": "rancher",
		"image": "rancher/rancher:v2.15.0",
		"env": env,
	}]}}},
}

# The env Rancher renders on cattle-cluster-agent's cluster-register container.
agent_env := [
	{"name": "CATTLE_SERVER", "value": "https://rancher.example.com"},
	{"name": "CATTLE_CA_CHECKSUM", "value": placeholder_checksum},
	{"name": "CATTLE_CLUSTER", "value": "true"},
	{"name": "CATTLE_K8S_MANAGED", "value": "true"},
	{"name": "CATTLE_CREDENTIAL_NAME", "value": "cattle-credentials-5ec1f7e700"},
	{"name": "CATTLE_SERVER_VERSION", "value": "v2.15.0"},
	{"name": "CATTLE_INGRESS_IP_DOMAIN", "value": "sslip.io"},
	{"name": "STRICT_VERIFY", "value": "true"},
]

# env_with(overrides) is agent_env with each name in overrides set to its
# value (appended when new), or removed when the value is null; an override
# that is an object is used as the whole entry (for valueFrom).
env_with(overrides) := array.concat(
	[entry(e.name, object.get(overrides, e.name, e.value)) |
		some e in agent_env
		object.get(overrides, e.name, "") != null
	],
	[entry(n, v) |
		some n, v in overrides
		v != null
		not n in {e.name | some e in agent_env}
	],
)

entry(n, v) := object.union({"name": n}, v) if {
	is_object(v)
} else := {"name": n, "value": v}

cluster_agent(env) := {
	"apiVersion": "apps/v1",
	"kind": "Deployment",
	"metadata": {
		"name": "cattle-cluster-agent",
		"namespace": "cattle-system",
		"annotations": {"management.cattle.io/scale-available": "2"},
	},
	"spec": {
		"selector": {"matchLabels": {"app": "cattle-cluster-agent"}},
		"template": {
			"metadata": {"labels": {"app": "cattle-cluster-agent"}},
			"spec": {
				"serviceAccountName": "cattle",
				"initContainers": [{
					"name": "rancher-charts-copy",
					"image": "rancher/shell:v0.5.0",
					"volumeMounts": [{"name": "rancher-charts", "mountPath": "/charts"}],
				}],
				"containers": [{
					"name": "cluster-register",
					"image": "rancher/rancher-agent:v2.15.0",
					"env": env,
				}],
			},
		},
	},
}

# with_container_field(o, field, value) sets a field of the agent container.
with_container_field(o, field, value) := json.patch(o, [{
	"op": "add",
	"path": sprintf("/spec/template/spec/containers/0/%s", [field]),
	"value": value,
}])

node_agent(env) := {
	"apiVersion": "apps/v1",
	"kind": "DaemonSet",
	"metadata": {"name": "cattle-node-agent", "namespace": "cattle-system"},
	"spec": {
		"selector": {"matchLabels": {"app": "cattle-agent"}},
		"template": {
			"metadata": {"labels": {"app": "cattle-agent"}},
			"spec": {
				"hostNetwork": true,
				"serviceAccountName": "cattle",
				"containers": [{
					"name": "agent",
					"image": "rancher/rancher-agent:v2.11.0",
					"securityContext": {"privileged": true},
					"env": array.concat(
						[{"name": "CATTLE_NODE_NAME", "valueFrom": {"fieldRef": {"fieldPath": "spec.nodeName"}}}],
						env,
					),
				}],
			},
		},
	},
}

# upgrader_plan(env, env_from) is the system-agent-upgrader Plan.
upgrader_plan(env, env_from) := {
	"apiVersion": "upgrade.cattle.io/v1",
	"kind": "Plan",
	"metadata": {"name": "system-agent-upgrader", "namespace": "cattle-system"},
	"spec": {
		"concurrency": 10,
		"nodeSelector": {"matchExpressions": [{"key": "kubernetes.io/os", "operator": "In", "values": ["linux"]}]},
		"serviceAccountName": "system-agent-upgrader",
		"secrets": [{"name": "stv-aggregation", "path": "/run/secrets/stv-aggregation"}],
		"upgrade": {
			"image": "rancher/system-agent-installer-rancher:v2.15.0",
			"env": env,
			"envFrom": env_from,
		},
		"version": "v2.15.0",
	},
}

stv_env_from := [{"secretRef": {"name": "stv-aggregation"}}]

stv_aggregation(checksum) := {
	"apiVersion": "v1",
	"kind": "Secret",
	"metadata": {"name": "stv-aggregation", "namespace": "cattle-system"},
	"type": "Opaque",
	"stringData": {
		"CATTLE_SERVER": "https://rancher.example.com",
		"CATTLE_TOKEN": "placeholder-token",
		"CATTLE_CA_CHECKSUM": checksum,
		"CATTLE_CACERTS_VALID": "true",
	},
}

config_map(ns, name, entries) := {
	"apiVersion": "v1",
	"kind": "ConfigMap",
	"metadata": {"name": name, "namespace": ns},
	"data": entries,
}
