package tlsguard.certificate_hostname_test

import data.lib.tlsguard.certs_test as t
import data.tlsguard.certificate_hostname as policy

violations(inp, objs) := vs if {
	vs := policy.violation with input as inp
		with data.inventory as t.inventory(objs)
		with time.now_ns as data.testcerts.now_ns
}

server_url(v) := t.setting("server-url", v)

ingress(d) := t.tls_secret("cattle-system/tls-rancher-ingress", d)

# cert(dns, ips) is a parsed-certificate stand-in for covers().
cert(dns, ips) := {"DNSNames": dns, "IPAddresses": ips}

test_matching_host_passes if {
	count(violations(t.review(t.serving("leaf")), [server_url("https://rancher.example.com")])) == 0
	count(violations(t.review(t.serving("leaf_dynamiclistener")), [server_url("https://rancher.example.com:8443/")])) == 0
	policy.applies with input as t.review(t.serving("leaf"))
}

test_wrong_host_fails if {
	vs := violations(t.review(t.serving("leaf_wronghost")), [server_url("https://rancher.example.com")])
	count(vs) == 1
	some v in vs
	contains(v.msg, "does not cover \"rancher.example.com\", the host of server-url \"https://rancher.example.com\"; it is valid for other.example.com")
	v.details.dnsNames == ["other.example.com"]
	v.details.host == "rancher.example.com"
}

test_server_url_with_other_host_fails if {
	vs := violations(t.review(t.serving("leaf")), [server_url("https://rancher.internal.example.org")])
	count(vs) == 1
}

test_effective_value_uses_default if {
	s := object.union(t.setting("server-url", ""), {"default": "https://other.example.com"})
	count(violations(t.review(t.serving("leaf")), [s])) == 1
}

test_env_override_wins if {
	dep := {
		"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": {"name": "rancher", "namespace": "cattle-system"},
		"spec": {"template": {"spec": {"containers": [{"name": "rancher", "env": [{"name": "CATTLE_SERVER_URL", "value": "https://other.example.com"}]}]}}},
	}
	count(violations(t.review(t.serving("leaf")), [server_url("https://rancher.example.com"), dep])) == 1
}

test_unknown_server_url_passes if {
	count(violations(t.review(t.serving("leaf_wronghost")), [])) == 0
	count(violations(t.review(t.serving("leaf_wronghost")), [server_url("")])) == 0
	count(violations(t.review(t.serving("leaf_wronghost")), [server_url("https://")])) == 0
}

test_wildcards if {
	certs_covers(cert(["*.example.com"], null), "rancher.example.com")
	not certs_covers(cert(["*.example.com"], null), "a.rancher.example.com")
	not certs_covers(cert(["*.example.com"], null), "example.com")
}

test_ip_host if {
	certs_covers(cert(null, ["192.0.2.10"]), "192.0.2.10")
	not certs_covers(cert(["192.0.2.10"], null), "192.0.2.10")
}

certs_covers(c, h) if data.lib.tlsguard.certs.covers(c, h)

test_unparseable_certificate_fails if {
	vs := violations(t.review(ingress({"tls.crt": base64.encode("garbage")})), [server_url("https://rancher.example.com")])
	vs == {{"msg": "Secret cattle-system/tls-rancher-ingress: data.tls.crt holds no PEM certificate (-----BEGIN CERTIFICATE-----), so its host names cannot be checked; store PEM certificates (leaf first) in it", "details": {"field": "data.tls.crt", "error": "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"}}}
}

test_invalid_base64_fails if {
	vs := violations(t.review(ingress({"tls.crt": "***"})), [])
	count(vs) == 1
}

test_unguarded_secret_ignored if {
	o := t.tls_secret("cattle-system/serving-cert", {"tls.crt": data.testcerts.leaf_wronghost.b64chain})
	not policy.applies with input as t.review(o)
	count(violations(t.review(o), [server_url("https://rancher.example.com")])) == 0
}

test_selected_secret_checked if {
	o := json.patch(t.tls_secret("apps/web", {"tls.crt": data.testcerts.leaf_wronghost.b64chain}), [{"op": "add", "path": "/metadata/labels", "value": {"serving": "rancher"}}])
	inp := t.with_params(t.review(o), {"secretSelector": {"serving": "rancher"}})
	count(violations(inp, [server_url("https://rancher.example.com")])) == 1
}

test_reviewed_setting_is_not_a_secret if {
	not policy.applies with input as t.review(server_url("https://rancher.example.com"))
}
