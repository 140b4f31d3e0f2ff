// Package guarded lists the Kubernetes objects tlsguard's policies read:
// the webhook configuration, the inventory informers and the scanner's lists
// all come from this one list.
package guarded

import "k8s.io/apimachinery/pkg/runtime/schema"

// Set is one set of resources the webhook is called for, with the CEL
// matchConditions that narrow it to the objects the policies look at, so the
// API server does not call tlsguard for every Secret in the cluster.
type Set struct {
	Name       string // webhook name prefix, e.g. "settings"
	Group      string
	Version    string
	Resources  []string
	Kinds      []string // the Kind of each resource, for informers
	Namespaces []string // limit to these namespaces; nil for all/cluster-scoped
	// Names limits to these object names (matchConditions); nil for all.
	Names []string
}

// GVKs lists the group/version/kinds of g.
func (g Set) GVKs() []schema.GroupVersionKind {
	out := make([]schema.GroupVersionKind, 0, len(g.Kinds))
	for _, k := range g.Kinds {
		out = append(out, schema.GroupVersionKind{Group: g.Group, Version: g.Version, Kind: k})
	}
	return out
}

// Resources are the objects the policy library reads (see
// docs/policies.md); the webhook rules and the inventory informers both come
// from this list.
var Resources = []Set{
	{Name: "settings", Group: "management.cattle.io", Version: "v3", Resources: []string{"settings"}, Kinds: []string{"Setting"},
		Names: []string{"agent-tls-mode", "cacerts", "server-url", "tls-min-version", "tls-ciphers", "internal-cacerts"}},
	{Name: "secrets", Group: "", Version: "v1", Resources: []string{"secrets"}, Kinds: []string{"Secret"}, Namespaces: []string{"cattle-system"}},
	{Name: "workloads", Group: "apps", Version: "v1", Resources: []string{"deployments", "daemonsets"}, Kinds: []string{"Deployment", "DaemonSet"}, Namespaces: []string{"cattle-system"},
		Names: []string{"rancher", "cattle-cluster-agent", "cattle-cluster-agent-bootstrap", "cattle-node-agent"}},
	{Name: "fleet", Group: "", Version: "v1", Resources: []string{"configmaps"}, Kinds: []string{"ConfigMap"}, Namespaces: []string{"cattle-fleet-system", "cattle-fleet-local-system"},
		Names: []string{"fleet-agent"}},
	{Name: "plans", Group: "upgrade.cattle.io", Version: "v1", Resources: []string{"plans"}, Kinds: []string{"Plan"}, Namespaces: []string{"cattle-system"},
		Names: []string{"system-agent-upgrader"}},
	{Name: "provisioning-clusters", Group: "provisioning.cattle.io", Version: "v1", Resources: []string{"clusters"}, Kinds: []string{"Cluster"}},
	{Name: "management-clusters", Group: "management.cattle.io", Version: "v3", Resources: []string{"clusters"}, Kinds: []string{"Cluster"}},
	{Name: "cert-manager", Group: "cert-manager.io", Version: "v1", Resources: []string{"issuers", "clusterissuers", "certificates"}, Kinds: []string{"Issuer", "ClusterIssuer", "Certificate"}},
	{Name: "ingresses", Group: "networking.k8s.io", Version: "v1", Resources: []string{"ingresses"}, Kinds: []string{"Ingress"}, Namespaces: []string{"cattle-system"},
		Names: []string{"rancher"}},
}
