# METADATA
# title: Kubernetes object helpers
# description: |
#   Accessors for the reviewed object, Gatekeeper's data.inventory and the
#   containers and env of workload-like objects. Every tlsguard policy reads
#   Kubernetes objects through this package so that the same policy works for
#   admission reviews (webhook), scanned objects and manifests (CLI).
package lib.tlsguard.k8s

# The object under review: the new object on CREATE/UPDATE and the old one on
# DELETE (the API server sends no object for DELETE).
obj := input.review.object if {
	input.review.operation != "DELETE"
}

obj := input.review.oldObject if {
	input.review.operation == "DELETE"
}

# The object as it was before this request; {} on CREATE and in scans.
old_obj := object.get(input.review, "oldObject", {}) if {
	input.review.operation == "UPDATE"
}

is_update if input.review.operation == "UPDATE"

is_delete if input.review.operation == "DELETE"

# Group of the reviewed object ("" for the core group).
group := object.get(input.review.kind, "group", "")

kind := object.get(input.review.kind, "kind", "")

name := object.get(obj.metadata, "name", "")

# The object's namespace, else the request's (admission requests carry it
# even when the object's metadata leaves it out).
namespace := ns if {
	ns := object.get(obj.metadata, "namespace", "")
	ns != ""
} else := object.get(input.review, "namespace", "")

# "namespace/name" or "name" for cluster-scoped objects, for messages.
ref := sprintf("%s/%s", [namespace, name]) if namespace != ""

ref := name if namespace == ""

# has_kind(g, k) is true when the reviewed object is of group g and kind k.
has_kind(g, k) if {
	group == g
	kind == k
}

# Cluster-scoped object from Gatekeeper's inventory layout.
cluster_object(gv, k, n) := data.inventory.cluster[gv][k][n]

# Namespaced object from Gatekeeper's inventory layout.
namespaced_object(ns, gv, k, n) := data.inventory.namespace[ns][gv][k][n]

# containers(o) lists the containers (init containers too) of a Pod
# template. Workloads keep it under spec.template.spec.
containers(o) := array.concat(
	object.get(o, ["spec", "template", "spec", "initContainers"], []),
	object.get(o, ["spec", "template", "spec", "containers"], []),
)

# env(container) maps env var names to their literal values; valueFrom
# entries map to null because their value is not known from the object.
env(container) := {e.name: object.get(e, "value", literal_or_null(e)) | some e in object.get(container, "env", [])}

literal_or_null(e) := null if e.valueFrom

literal_or_null(e) := "" if not e.valueFrom

# secret_value(o, key) is the decoded value of key in a Secret, from
# stringData (manifests) or data (base64). Undefined when absent or when the
# data is not valid base64; see secret_key_invalid.
secret_value(o, key) := o.stringData[key]

secret_value(o, key) := base64.decode(o.data[key]) if {
	not o.stringData[key]
	base64.is_valid(o.data[key])
}

# secret_key_invalid(o, key) is true when key is present in data but is not
# valid base64, which the API server would reject but a manifest can hold.
secret_key_invalid(o, key) if {
	not o.stringData[key]
	is_string(o.data[key])
	not base64.is_valid(o.data[key])
}

secret_has_key(o, key) if o.stringData[key]

secret_has_key(o, key) if o.data[key]
