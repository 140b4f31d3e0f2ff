# METADATA
# title: cert-manager issuer of Rancher's certificate is not self-signed
# description: |
#   With ingress.tls.source=rancher the Rancher chart creates a cert-manager
#   Issuer named rancher whose CA is Rancher's own generated CA (Secret
#   tls-rancher, CN dynamiclistener-ca@...), so the serving certificate is
#   effectively self-signed; a selfSigned issuer is worse still. This policy
#   checks the cert-manager (cert-manager.io/v1) Issuers and ClusterIssuers
#   that matter for Rancher, and the Certificates that write guarded Secrets.
#
#   An Issuer or ClusterIssuer is checked when it is the Issuer rancher in
#   cattle-system, or when a Certificate in the inventory that writes a
#   guarded Secret references it. It fails when it is selfSigned, or a ca
#   issuer whose secret is Rancher's generated CA (spec.ca.secretName
#   tls-rancher, or a secret in the inventory whose certificate is a
#   dynamiclistener CA) unless allowRancherGeneratedCA is true. A Certificate
#   whose spec.secretName is a guarded Secret fails when its issuerRef points
#   to such an issuer, looked up in the inventory; an issuer that is not in
#   the inventory, or of another API group (external issuers), is not judged.
#   Guarded Secrets: those listed in secrets (namespace/name) and those
#   matching secretSelector (the Secret's labels in the inventory, or the
#   Certificate's spec.secretTemplate.labels).
# related_resources:
#   - ref: https://cert-manager.io/docs/configuration/selfsigned/
#     description: cert-manager docs, SelfSigned issuer
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/installation-references/helm-chart-options
#     description: Rancher docs, Helm chart options (ingress.tls.source, privateCA)
# custom:
#   id: issuer-not-selfsigned
#   severity: high
#   action: deny
#   remediation: |
#     Issue Rancher's certificate from a CA that agents can verify: install
#     Rancher with ingress.tls.source=letsEncrypt, or ingress.tls.source=secret
#     with a certificate from your CA (privateCA=true and the tls-ca Secret),
#     or point the Certificate at an ACME, Vault or CA issuer backed by your
#     private CA.
#   match:
#     - group: cert-manager.io
#       kind: Issuer
#     - group: cert-manager.io
#       kind: ClusterIssuer
#     - group: cert-manager.io
#       kind: Certificate
#   parameters:
#     secrets:
#       type: array
#       default: [cattle-system/tls-rancher-ingress]
#       description: Guarded Secrets (namespace/name) whose Certificates and issuers are checked.
#     secretSelector:
#       type: object
#       default: {}
#       description: Also guard Secrets carrying all of these labels; {} selects none.
#     allowRancherGeneratedCA:
#       type: boolean
#       default: false
#       description: Accept a ca issuer backed by Rancher's generated CA (Secret tls-rancher).
#     clusterResourceNamespace:
#       type: string
#       default: cert-manager
#       description: Namespace where cert-manager reads the CA secret of a ClusterIssuer.
package tlsguard.issuer_not_selfsigned

import data.lib.tlsguard.certs
import data.lib.tlsguard.k8s

defaults := {
	"secrets": ["cattle-system/tls-rancher-ingress"],
	"secretSelector": {},
	"allowRancherGeneratedCA": false,
	"clusterResourceNamespace": "cert-manager",
}

params := object.union(defaults, object.get(input, "parameters", {}))

cm_gv := "cert-manager.io/v1"

reviewing_issuer if k8s.has_kind("cert-manager.io", "Issuer")

reviewing_issuer if k8s.has_kind("cert-manager.io", "ClusterIssuer")

reviewing_certificate if k8s.has_kind("cert-manager.io", "Certificate")

default applies := false

applies if {
	not k8s.is_delete
	reviewing_issuer
	scoped_issuer
}

applies if {
	not k8s.is_delete
	reviewing_certificate
	guarded_certificate(k8s.obj)
}

scoped_issuer if {
	k8s.kind == "Issuer"
	k8s.namespace == "cattle-system"
	k8s.name == "rancher"
}

scoped_issuer if count(users) > 0

# --- Guarded Certificates -----------------------------------------------------

secret_of(crt) := sprintf("%s/%s", [crt.metadata.namespace, crt.spec.secretName])

guarded_certificate(crt) if secret_of(crt) in params.secrets

guarded_certificate(crt) if {
	certs.selected({"metadata": {"labels": crt.spec.secretTemplate.labels}}, params.secretSelector)
}

guarded_certificate(crt) if {
	s := k8s.namespaced_object(crt.metadata.namespace, "v1", "Secret", crt.spec.secretName)
	certs.selected(s, params.secretSelector)
}

# issuer_ref(crt) is {"kind", "name"} of a Certificate's cert-manager issuer;
# undefined for external issuers (another API group).
issuer_ref(crt) := {"kind": object.get(crt.spec.issuerRef, "kind", "Issuer"), "name": crt.spec.issuerRef.name} if {
	object.get(crt.spec.issuerRef, "group", "cert-manager.io") in {"cert-manager.io", ""}
}

# users are the guarded Certificates in the inventory that use the reviewed issuer.
users contains secret_of(crt) if {
	k8s.kind == "Issuer"
	some crt in data.inventory.namespace[k8s.namespace][cm_gv].Certificate
	issuer_ref(crt) == {"kind": "Issuer", "name": k8s.name}
	guarded_certificate(crt)
}

users contains secret_of(crt) if {
	k8s.kind == "ClusterIssuer"
	some ns
	some crt in data.inventory.namespace[ns][cm_gv].Certificate
	issuer_ref(crt) == {"kind": "ClusterIssuer", "name": k8s.name}
	guarded_certificate(crt)
}

# --- What is wrong with an issuer ---------------------------------------------

# ca_secret_namespace(kind, ns) is where cert-manager reads a ca issuer's secret.
ca_secret_namespace("Issuer", ns) := ns

ca_secret_namespace("ClusterIssuer", _) := params.clusterResourceNamespace

# problem(iss, kind, ns) describes why issuer iss (of kind, in ns) is not
# acceptable; undefined when it is.
problem(iss, _, _) := "a selfSigned issuer: every certificate it issues signs itself" if {
	iss.spec.selfSigned
}

problem(iss, kind, ns) := sprintf("a ca issuer backed by Rancher's generated CA (spec.ca.secretName %s): the certificates it issues are effectively self-signed", [iss.spec.ca.secretName]) if {
	not iss.spec.selfSigned
	not params.allowRancherGeneratedCA
	rancher_ca_secret(iss.spec.ca.secretName, ca_secret_namespace(kind, ns))
}

rancher_ca_secret("tls-rancher", _)

rancher_ca_secret(name, ns) if {
	name != "tls-rancher"
	s := k8s.namespaced_object(ns, "v1", "Secret", name)
	some c in object.get(certs.entry(s, "tls.crt"), "certs", [])
	certs.rancher_generated_ca(c)
}

# --- Violations ---------------------------------------------------------------

violation contains {"msg": msg, "details": details} if {
	applies
	reviewing_issuer
	why := problem(k8s.obj, k8s.kind, k8s.namespace)
	msg := sprintf("%s %s is %s%s; agents cannot verify Rancher's certificate. Use an ACME, Vault or private-CA issuer instead", [k8s.kind, k8s.ref, why, used_by])
	details := {"issuer": {"kind": k8s.kind, "name": k8s.name, "namespace": k8s.namespace}, "usedBy": sort(users), "field": issuer_field(k8s.obj)}
}

used_by := sprintf(" (it issues %s)", [concat(", ", sort(users))]) if {
	count(users) > 0
} else := ""

issuer_field(iss) := "spec.selfSigned" if iss.spec.selfSigned

issuer_field(iss) := "spec.ca.secretName" if not iss.spec.selfSigned

violation contains {"msg": msg, "details": details} if {
	applies
	reviewing_certificate
	ref := issuer_ref(k8s.obj)
	iss := referenced_issuer(ref)
	why := problem(iss, ref.kind, k8s.namespace)
	msg := sprintf("Certificate %s writes Secret %s with %s %s, which is %s; agents cannot verify it. Point spec.issuerRef at an issuer backed by a trusted CA", [k8s.ref, secret_of(k8s.obj), ref.kind, ref.name, why])
	details := {"field": "spec.issuerRef", "issuer": {"kind": ref.kind, "name": ref.name}, "secret": secret_of(k8s.obj)}
}

referenced_issuer(ref) := k8s.namespaced_object(k8s.namespace, cm_gv, "Issuer", ref.name) if ref.kind == "Issuer"

referenced_issuer(ref) := k8s.cluster_object(cm_gv, "ClusterIssuer", ref.name) if ref.kind == "ClusterIssuer"
