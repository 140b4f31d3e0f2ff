# METADATA
# title: Objects agents depend on are not deleted
# description: |
#   Refuses deleting the objects Rancher's agents trust the server through
#   while they depend on them: the Secret cattle-system/tls-rancher-ingress
#   (the ingress then falls back to its controller's default, self-signed
#   certificate, which agents cannot verify), the Secret cattle-system/tls-ca
#   and the cacerts Setting while cacerts is non-empty or agent-tls-mode is
#   strict (agents pin that CA through CATTLE_CA_CHECKSUM and, in strict mode,
#   trust nothing else), and the server-url Setting while it is set (Rancher
#   recreates it empty and renders agents without a server). Deleting the
#   agent-tls-mode Setting is covered by agent-tls-mode-strict. Only DELETE
#   is reviewed; the objects' content is judged by the other policies.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/resources/update-rancher-certificate
#     description: Rancher docs, updating the Rancher certificate
# custom:
#   id: guarded-delete
#   severity: critical
#   action: deny
#   remediation: |
#     Replace the object instead of deleting it (kubectl apply or
#     kubectl create secret tls ... --dry-run=client -o yaml | kubectl apply -f -).
#     To move Rancher to a public CA, follow Rancher's procedure: clear
#     cacerts and the agents' CATTLE_CA_CHECKSUM first, then delete tls-ca as
#     a break-glass user.
#   match:
#     - group: ""
#       kind: Secret
#     - group: management.cattle.io
#       kind: Setting
#   operations: [DELETE]
#   parameters:
#     secrets:
#       type: array
#       default: ["cattle-system/tls-rancher-ingress", "cattle-system/tls-ca"]
#       description: Secrets (namespace/name) whose deletion is refused while agents depend on them.
#     settings:
#       type: array
#       default: ["cacerts", "server-url"]
#       description: Settings whose deletion is refused while agents depend on them.
package tlsguard.guarded_delete

import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

default applies := false

applies if {
	k8s.is_delete
	k8s.has_kind("", "Secret")
	k8s.ref in object.get(input.parameters, "secrets", [])
}

applies if {
	k8s.is_delete
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name in object.get(input.parameters, "settings", [])
}

# cacerts as agents know it: the inventory's Setting (the one being deleted
# still counts; only its value matters here).
cacerts := rancher.object_value(k8s.cluster_object(rancher.settings_gv, "Setting", "cacerts"))

ca_in_use if rancher.strict_mode

ca_in_use if {
	is_string(cacerts)
	trim_space(cacerts) != ""
}

violation contains {"msg": msg, "details": {"operation": "DELETE"}} if {
	applies
	k8s.has_kind("", "Secret")
	k8s.name == "tls-rancher-ingress"
	msg := sprintf("Secret %s: deleting it leaves the Rancher ingress on its controller's default (self-signed) certificate, which agents cannot verify; replace the certificate instead of deleting the Secret", [k8s.ref])
}

violation contains {"msg": msg, "details": {"operation": "DELETE"}} if {
	applies
	k8s.has_kind("", "Secret")
	k8s.name != "tls-rancher-ingress"
	ca_in_use
	msg := sprintf("Secret %s: deleting it removes the CA that Rancher publishes as cacerts while agents pin it (CATTLE_CA_CHECKSUM) or agent-tls-mode is strict, so agents can no longer verify Rancher; replace it, or first clear cacerts and CATTLE_CA_CHECKSUM as Rancher's procedure says", [k8s.ref])
}

violation contains {"msg": msg, "details": {"operation": "DELETE"}} if {
	applies
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == "cacerts"
	ca_in_use
	msg := "Setting cacerts: deleting it drops the CA agents pin through CATTLE_CA_CHECKSUM (and, in strict mode, the only CA they trust); keep it and change its value instead"
}

violation contains {"msg": msg, "details": {"operation": "DELETE"}} if {
	applies
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == "server-url"
	url := rancher.object_value(k8s.obj)
	url != ""
	msg := sprintf("Setting server-url: deleting it (%q) makes Rancher recreate it empty and render agents without CATTLE_SERVER; keep it and change its value instead", [url])
}
