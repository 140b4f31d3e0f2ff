package tlsguard.issuer_not_selfsigned_test

import data.lib.tlsguard.certs_test as t
import data.tlsguard.issuer_not_selfsigned as policy

violations(inp, objs) := vs if {
	vs := policy.violation with input as inp
		with data.inventory as t.inventory(objs)
		with time.now_ns as data.testcerts.now_ns
}

applies(inp, objs) if {
	policy.applies with input as inp with data.inventory as t.inventory(objs)
}

issuer(ns, name, spec) := {
	"apiVersion": "cert-manager.io/v1", "kind": "Issuer",
	"metadata": {"name": name, "namespace": ns},
	"spec": spec,
}

cluster_issuer(name, spec) := {
	"apiVersion": "cert-manager.io/v1", "kind": "ClusterIssuer",
	"metadata": {"name": name},
	"spec": spec,
}

certificate(ns, name, secret_name, ref) := {
	"apiVersion": "cert-manager.io/v1", "kind": "Certificate",
	"metadata": {"name": name, "namespace": ns},
	"spec": {"secretName": secret_name, "dnsNames": ["rancher.example.com"], "issuerRef": ref},
}

self_signed := {"selfSigned": {}}

rancher_ca := {"ca": {"secretName": "tls-rancher"}}

acme := {"acme": {
	"server": "https://acme-v02.api.letsencrypt.org/directory",
	"privateKeySecretRef": {"name": "letsencrypt-production"},
	"solvers": [{"http01": {"ingress": {}}}],
}}

ingress_cert(ref) := certificate("cattle-system", "tls-rancher-ingress", "tls-rancher-ingress", ref)

test_rancher_issuer_with_rancher_ca_fails if {
	vs := violations(t.review(issuer("cattle-system", "rancher", rancher_ca)), [])
	count(vs) == 1
	some v in vs
	v.msg == "Issuer cattle-system/rancher is a ca issuer backed by Rancher's generated CA (spec.ca.secretName tls-rancher): the certificates it issues are effectively self-signed; agents cannot verify Rancher's certificate. Use an ACME, Vault or private-CA issuer instead"
	v.details.field == "spec.ca.secretName"
}

test_rancher_ca_allowed_by_parameter if {
	inp := t.with_params(t.review(issuer("cattle-system", "rancher", rancher_ca)), {"allowRancherGeneratedCA": true})
	count(violations(inp, [])) == 0
}

test_rancher_issuer_self_signed_fails if {
	vs := violations(t.review(issuer("cattle-system", "rancher", self_signed)), [])
	count(vs) == 1
	some v in vs
	contains(v.msg, "is a selfSigned issuer")
	inp := t.with_params(t.review(issuer("cattle-system", "rancher", self_signed)), {"allowRancherGeneratedCA": true})
	count(violations(inp, [])) == 1
}

test_rancher_issuer_acme_passes if {
	applies(t.review(issuer("cattle-system", "rancher", acme)), [])
	count(violations(t.review(issuer("cattle-system", "rancher", acme)), [])) == 0
}

test_unrelated_issuer_ignored if {
	inp := t.review(issuer("cattle-system", "bootstrap", self_signed))
	not applies(inp, [])
	count(violations(inp, [])) == 0
	other_ns := t.review(issuer("apps", "rancher", self_signed))
	not applies(other_ns, [])
}

test_issuer_used_by_guarded_certificate_fails if {
	crt := ingress_cert({"name": "private-ca", "kind": "Issuer"})
	inp := t.review(issuer("cattle-system", "private-ca", self_signed))
	applies(inp, [crt])
	vs := violations(inp, [crt])
	count(vs) == 1
	some v in vs
	contains(v.msg, "(it issues cattle-system/tls-rancher-ingress)")
	v.details.usedBy == ["cattle-system/tls-rancher-ingress"]
}

test_issuer_used_by_unguarded_certificate_ignored if {
	crt := certificate("cattle-system", "webhook", "cattle-webhook-tls", {"name": "private-ca"})
	not applies(t.review(issuer("cattle-system", "private-ca", self_signed)), [crt])
}

test_issuer_in_other_namespace_not_used if {
	crt := ingress_cert({"name": "private-ca", "kind": "Issuer"})
	not applies(t.review(issuer("apps", "private-ca", self_signed)), [crt])
}

test_cluster_issuer_used_by_guarded_certificate if {
	crt := ingress_cert({"name": "selfsigned", "kind": "ClusterIssuer", "group": "cert-manager.io"})
	vs := violations(t.review(cluster_issuer("selfsigned", self_signed)), [crt])
	count(vs) == 1
	some v in vs
	startswith(v.msg, "ClusterIssuer selfsigned is a selfSigned issuer")
	not applies(t.review(cluster_issuer("selfsigned", self_signed)), [])
}

test_ca_issuer_backed_by_dynamiclistener_ca_fails if {
	crt := ingress_cert({"name": "my-ca"})
	ca_secret := t.tls_secret("cattle-system/my-ca-key-pair", {"tls.crt": data.testcerts.dynamiclistener_ca.b64cert})
	inp := t.review(issuer("cattle-system", "my-ca", {"ca": {"secretName": "my-ca-key-pair"}}))
	count(violations(inp, [crt, ca_secret])) == 1
	private_ca := t.tls_secret("cattle-system/my-ca-key-pair", {"tls.crt": data.testcerts.root.b64cert})
	count(violations(inp, [crt, private_ca])) == 0
}

test_cluster_issuer_ca_secret_namespace if {
	crt := ingress_cert({"name": "corp-ca", "kind": "ClusterIssuer"})
	ca_secret := t.tls_secret("cert-manager/corp-ca", {"tls.crt": data.testcerts.dynamiclistener_ca.b64cert})
	inp := t.review(cluster_issuer("corp-ca", {"ca": {"secretName": "corp-ca"}}))
	count(violations(inp, [crt, ca_secret])) == 1
	count(violations(t.with_params(inp, {"clusterResourceNamespace": "security"}), [crt, ca_secret])) == 0
}

test_certificate_with_self_signed_issuer_fails if {
	crt := ingress_cert({"name": "rancher", "kind": "Issuer"})
	vs := violations(t.review(crt), [issuer("cattle-system", "rancher", rancher_ca)])
	count(vs) == 1
	some v in vs
	v.msg == "Certificate cattle-system/tls-rancher-ingress writes Secret cattle-system/tls-rancher-ingress with Issuer rancher, which is a ca issuer backed by Rancher's generated CA (spec.ca.secretName tls-rancher): the certificates it issues are effectively self-signed; agents cannot verify it. Point spec.issuerRef at an issuer backed by a trusted CA"
	v.details == {"field": "spec.issuerRef", "issuer": {"kind": "Issuer", "name": "rancher"}, "secret": "cattle-system/tls-rancher-ingress"}
}

test_certificate_with_cluster_issuer if {
	crt := ingress_cert({"name": "letsencrypt", "kind": "ClusterIssuer"})
	count(violations(t.review(crt), [cluster_issuer("letsencrypt", acme)])) == 0
	count(violations(t.review(crt), [cluster_issuer("letsencrypt", self_signed)])) == 1
}

test_certificate_issuer_unknown_or_external if {
	crt := ingress_cert({"name": "rancher"})
	applies(t.review(crt), [])
	count(violations(t.review(crt), [])) == 0
	external := ingress_cert({"name": "rancher", "kind": "Issuer", "group": "awspca.cert-manager.io"})
	count(violations(t.review(external), [issuer("cattle-system", "rancher", self_signed)])) == 0
}

test_certificate_scope if {
	not applies(t.review(certificate("cattle-system", "webhook", "cattle-webhook-tls", {"name": "x"})), [])
	labelled := json.patch(certificate("apps", "web", "web-tls", {"name": "x"}), [{"op": "add", "path": "/spec/secretTemplate", "value": {"labels": {"serving": "yes"}}}])
	applies(t.with_params(t.review(labelled), {"secretSelector": {"serving": "yes"}}), [])
	plain := certificate("apps", "web", "web-tls", {"name": "x"})
	secret := json.patch(t.tls_secret("apps/web-tls", {}), [{"op": "add", "path": "/metadata/labels", "value": {"serving": "yes"}}])
	applies(t.with_params(t.review(plain), {"secretSelector": {"serving": "yes"}}), [secret])
	not applies(t.delete(ingress_cert({"name": "rancher"})), [])
}
