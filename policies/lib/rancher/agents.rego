# Rancher agent workloads (more of lib.tlsguard.rancher; its annotations
# are in rancher.rego).
#
# Recognises the objects that run or configure Rancher's agents and lists
# their env scopes (one per container, or the Plan's spec.upgrade) with the
# resolved environment, so that agent policies judge what the agent process
# really gets. Also https URL parsing shared by the server-url and
# CATTLE_SERVER policies.
package lib.tlsguard.rancher

import data.lib.tlsguard.k8s

agent_namespace := "cattle-system"

# Deployments that run cattle-cluster-agent (the -bootstrap variant is the
# pre-bootstrap one with hostNetwork).
agent_deployment_names := {"cattle-cluster-agent", "cattle-cluster-agent-bootstrap"}

# Plans that install/upgrade rancher-system-agent on nodes.
upgrader_plan_names := {"system-agent-upgrader", "system-agent-upgrader-windows"}

# Main container names of the agent images (cluster agent, node agent).
agent_container_names := {"cluster-register", "agent"}

# agent_workload is true when the reviewed object is Deployment
# cattle-system/cattle-cluster-agent[-bootstrap] or the legacy DaemonSet
# cattle-system/cattle-node-agent.
agent_workload if {
	k8s.has_kind("apps", "Deployment")
	k8s.namespace == agent_namespace
	k8s.name in agent_deployment_names
}

agent_workload if {
	k8s.has_kind("apps", "DaemonSet")
	k8s.namespace == agent_namespace
	k8s.name == "cattle-node-agent"
}

# upgrader_plan is true when the reviewed object is the system-agent-upgrader
# Plan (upgrade.cattle.io/v1) in cattle-system.
upgrader_plan if {
	k8s.has_kind("upgrade.cattle.io", "Plan")
	k8s.namespace == agent_namespace
	k8s.name in upgrader_plan_names
}

# is_agent_container(c): c runs the Rancher agent (by its rendered name, its
# rancher-agent image, or because it is told which server to dial).
is_agent_container(c) if c.name in agent_container_names

is_agent_container(c) if contains(object.get(c, "image", ""), "rancher-agent")

is_agent_container(c) if {
	some e in env_list(c, "env")
	e.name == "CATTLE_SERVER"
}

# env_scopes(o) lists the env scopes of an agent workload or Plan o:
# {"where": text for messages, "path": field path, "key": stable id to match
# the old object on UPDATE, "agent": whether the agent process reads it,
# "init": an init container, "env": container_env, "unresolved":
# unresolved_env_from, "container": the container (or spec.upgrade) itself}.
env_scopes(o) := upgrade_scopes(o) if o.kind == "Plan"

env_scopes(o) := container_scopes(o) if o.kind != "Plan"

container_scopes(o) := array.concat(
	[scope(ns, c, sprintf("spec.template.spec.initContainers[%d]", [i]), "init container", false, true) |
		some i, c in env_list(object.get(o, ["spec", "template", "spec"], {}), "initContainers")
	],
	[scope(ns, c, sprintf("spec.template.spec.containers[%d]", [i]), "container", agent_flag(c), false) |
		some i, c in env_list(object.get(o, ["spec", "template", "spec"], {}), "containers")
	],
) if {
	ns := object.get(o, ["metadata", "namespace"], "")
}

agent_flag(c) if {
	is_agent_container(c)
} else := false

scope(ns, c, path, what, agent, init) := {
	"where": sprintf("%s %s", [what, object.get(c, "name", "")]),
	"path": path,
	"key": sprintf("%s/%s", [what, object.get(c, "name", "")]),
	"agent": agent,
	"init": init,
	"env": container_env(ns, c),
	"unresolved": unresolved_env_from(ns, c),
	"container": c,
}

upgrade_scopes(o) := [{
	"where": "spec.upgrade",
	"path": "spec.upgrade",
	"key": "spec.upgrade",
	"agent": true,
	"init": false,
	"env": container_env(ns, u),
	"unresolved": unresolved_env_from(ns, u),
	"container": u,
}] if {
	ns := object.get(o, ["metadata", "namespace"], "")
	u := object.get(o, ["spec", "upgrade"], {})
}

# reviewed_scopes are the env scopes of the reviewed object, computed once
# per evaluation (policies should use this rather than env_scopes(k8s.obj)).
reviewed_scopes := env_scopes(k8s.obj)

# old_scopes are the env scopes of the object before this UPDATE.
old_scopes := env_scopes(k8s.old_obj) if k8s.is_update

# old_scope(key) is the scope with the same key in the object before this
# UPDATE; undefined on CREATE and in scans.
old_scope(key) := matches[0] if {
	matches := [s | some s in old_scopes; s.key == key]
	count(matches) > 0
}

# true_value(v): how the agents read STRICT_VERIFY/CATTLE_AGENT_STRICT_VERIFY:
# cattle agents use strings.ToLower(v) == "true", the system-agent install
# script lower-cases with tr before comparing to "true".
true_value(v) if {
	is_string(v)
	lower(v) == "true"
}

# --- URLs --------------------------------------------------------------------

url_pattern := `(?s)^([A-Za-z][A-Za-z0-9+.-]*)://(?:[^/?#@]*@)?(\[[0-9A-Fa-f:.]+\]|[^/?#:@\[\]]*)(?::([0-9]*))?([/?#].*)?$`

# url_parts(u) splits an absolute URL into lower-cased scheme and host, port
# and the rest; undefined when u has no scheme://authority.
url_parts(u) := {"scheme": lower(m[1]), "host": lower(m[2]), "port": m[3], "rest": m[4]} if {
	is_string(u)
	m := regex.find_all_string_submatch_n(url_pattern, u, 1)[0]
}

valid_host(h) if regex.match(`^[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)*\.?$`, h)

valid_host(h) if regex.match(`^\[[0-9a-f:.]+\]$`, h)

# https_url(u) is true when u is an https:// URL with a host.
https_url(u) if {
	p := url_parts(u)
	p.scheme == "https"
	valid_host(p.host)
}

# url_problem(u) says why u is not an https URL with a host.
url_problem(u) := "is empty" if u == ""

url_problem(u) := "is not a string" if not is_string(u)

url_problem(u) := "is not an absolute URL (no scheme://)" if {
	is_string(u)
	u != ""
	not url_parts(u)
}

url_problem(u) := sprintf("uses scheme %q instead of https", [p.scheme]) if {
	p := url_parts(u)
	p.scheme != "https"
}

url_problem(u) := "has no valid host" if {
	p := url_parts(u)
	p.scheme == "https"
	not valid_host(p.host)
}

# normalize_url(u) is u with lower-cased scheme and host, the default port
# 443 dropped and trailing slashes removed, for comparing URLs.
normalize_url(u) := concat("", [p.scheme, "://", p.host, port_suffix(p), trim_right(p.rest, "/")]) if p := url_parts(u)

port_suffix(p) := "" if p.port in {"", "443"}

port_suffix(p) := concat("", [":", p.port]) if not p.port in {"", "443"}

# rancher_scopes(o) are the env scopes of the Rancher Deployment's main
# containers (init containers do not run Rancher, so their env overrides
# nothing).
rancher_scopes(o) := [s | some s in env_scopes(o); not s.init]

# reviewed_rancher_scopes is rancher_scopes of the reviewed object.
reviewed_rancher_scopes := rancher_scopes(k8s.obj)
