package tlsguard.guarded_delete_test

import data.tlsguard.guarded_delete

params := {"secrets": ["cattle-system/tls-rancher-ingress", "cattle-system/tls-ca"], "settings": ["cacerts", "server-url"]}

secret(name) := {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": "cattle-system"}}

setting(name, value) := {"apiVersion": "management.cattle.io/v3", "kind": "Setting", "metadata": {"name": name}, "value": value}

delete(o, group, kind) := {"review": {
	"operation": "DELETE",
	"kind": {"group": group, "version": "v1", "kind": kind},
	"name": o.metadata.name,
	"namespace": object.get(o.metadata, "namespace", ""),
	"oldObject": o,
}, "parameters": params}

inv(cacerts, mode) := {"cluster": {"management.cattle.io/v3": {"Setting": {
	"cacerts": setting("cacerts", cacerts),
	"agent-tls-mode": setting("agent-tls-mode", mode),
}}}}

test_delete_ingress_secret_denied if {
	count(guarded_delete.violation) == 1 with input as delete(secret("tls-rancher-ingress"), "", "Secret")
		with data.inventory as inv("", "system-store")
}

test_delete_tls_ca_denied_while_pinned if {
	some v in guarded_delete.violation with input as delete(secret("tls-ca"), "", "Secret")
		with data.inventory as inv("-----BEGIN CERTIFICATE-----", "system-store")
	contains(v.msg, "CATTLE_CA_CHECKSUM")
}

test_delete_tls_ca_denied_in_strict_mode if {
	count(guarded_delete.violation) == 1 with input as delete(secret("tls-ca"), "", "Secret")
		with data.inventory as inv("", "strict")
}

test_delete_tls_ca_allowed_when_unused if {
	count(guarded_delete.violation) == 0 with input as delete(secret("tls-ca"), "", "Secret")
		with data.inventory as inv("", "system-store")
	guarded_delete.applies with input as delete(secret("tls-ca"), "", "Secret")
}

test_delete_other_secret_not_applicable if {
	not guarded_delete.applies with input as delete(secret("tls-legacy"), "", "Secret")
}

test_delete_cacerts_denied if {
	count(guarded_delete.violation) == 1 with input as delete(setting("cacerts", "pem"), "management.cattle.io", "Setting")
		with data.inventory as inv("pem", "strict")
}

test_delete_server_url_denied if {
	some v in guarded_delete.violation with input as delete(setting("server-url", "https://rancher.example.com"), "management.cattle.io", "Setting")
	contains(v.msg, "https://rancher.example.com")
}

test_delete_empty_server_url_allowed if {
	count(guarded_delete.violation) == 0 with input as delete(setting("server-url", ""), "management.cattle.io", "Setting")
}
