package lib.tlsguard.certs_test

import data.lib.tlsguard.certs

# --- Builders shared by the certificate policies' tests -----------------------

# tls_secret(ref, data) is a kubernetes.io/tls Secret "namespace/name" with data.
tls_secret(ref, d) := object.union(secret(ref, d), {"type": "kubernetes.io/tls"})

# opaque_secret(ref, data) is an Opaque Secret.
opaque_secret(ref, d) := object.union(secret(ref, d), {"type": "Opaque"})

secret(ref, d) := {
	"apiVersion": "v1",
	"kind": "Secret",
	"metadata": {"namespace": split(ref, "/")[0], "name": split(ref, "/")[1]},
	"data": d,
}

# serving(name) is tls-rancher-ingress holding test certificate `name`: its
# chain in tls.crt and its key in tls.key.
serving(name) := tls_secret("cattle-system/tls-rancher-ingress", {
	"tls.crt": data.testcerts[name].b64chain,
	"tls.key": data.testcerts[name].b64key,
})

# tls_ca(names) is cattle-system/tls-ca whose cacerts.pem holds the named certs.
tls_ca(names) := opaque_secret("cattle-system/tls-ca", {"cacerts.pem": base64.encode(pems(names))})

pems(names) := concat("", [data.testcerts[n].cert | some n in names])

setting(name, value) := {
	"apiVersion": "management.cattle.io/v3",
	"kind": "Setting",
	"metadata": {"name": name},
	"value": value,
	"default": "",
}

# review(obj) is the input for a CREATE (or scan) of obj with default parameters.
review(obj) := {"review": {
	"kind": kind_of(obj),
	"operation": "CREATE",
	"name": obj.metadata.name,
	"namespace": object.get(obj.metadata, "namespace", ""),
	"object": obj,
	"userInfo": {"username": "test", "groups": []},
}}

# update(obj, old) is the input for an UPDATE from old to obj.
update(obj, old) := {"review": {
	"kind": kind_of(obj),
	"operation": "UPDATE",
	"name": obj.metadata.name,
	"namespace": object.get(obj.metadata, "namespace", ""),
	"object": obj,
	"oldObject": old,
	"userInfo": {"username": "test", "groups": []},
}}

# delete(old) is the input for a DELETE of old.
delete(old) := {"review": {
	"kind": kind_of(old),
	"operation": "DELETE",
	"name": old.metadata.name,
	"namespace": object.get(old.metadata, "namespace", ""),
	"oldObject": old,
	"userInfo": {"username": "test", "groups": []},
}}

# with_params(i, p) sets input.parameters.
with_params(i, p) := object.union(i, {"parameters": p})

kind_of(obj) := {"group": group_of(obj.apiVersion), "version": version_of(obj.apiVersion), "kind": obj.kind}

group_of(av) := split(av, "/")[0] if contains(av, "/")

group_of(av) := "" if not contains(av, "/")

version_of(av) := split(av, "/")[1] if contains(av, "/")

version_of(av) := av if not contains(av, "/")

# inventory(objs) lays objs out as Gatekeeper's data.inventory. Like the
# engine, it keeps no tls.key.
inventory(objs) := {
	"cluster": {gv: {k: {o.metadata.name: o |
		some o in cluster_objs
		o.apiVersion == gv
		o.kind == k
	} |
		some k in {o.kind | some o in cluster_objs; o.apiVersion == gv}
	} |
		some gv in {o.apiVersion | some o in cluster_objs}
	},
	"namespace": {ns: {gv: {k: {o.metadata.name: o |
		some o in stripped
		o.metadata.namespace == ns
		o.apiVersion == gv
		o.kind == k
	} |
		some k in {o.kind | some o in stripped; o.metadata.namespace == ns; o.apiVersion == gv}
	} |
		some gv in {o.apiVersion | some o in stripped; o.metadata.namespace == ns}
	} |
		some ns in {o.metadata.namespace | some o in stripped}
	},
} if {
	cluster_objs := [o | some o in objs; not o.metadata.namespace]
	stripped := [strip(o) | some o in objs; o.metadata.namespace]
}

strip(o) := json.remove(o, ["data/tls.key"]) if o.kind == "Secret"

strip(o) := o if o.kind != "Secret"

# --- Library tests ------------------------------------------------------------

test_parse_chain if {
	cs := certs.parse(data.testcerts.leaf.chain)
	count(cs) == 2
	cs[0].Subject.CommonName == "rancher.example.com"
	cs[1].Subject.CommonName == "tlsguard Test Intermediate CA"
}

test_parse_ignores_text_before_first_block if {
	count(certs.parse(concat("", ["# the chain\n", data.testcerts.leaf.chain]))) == 2
}

test_decode_errors if {
	certs.decode("not a certificate").error == "holds no PEM certificate (-----BEGIN CERTIFICATE-----)"
	startswith(certs.decode("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n").error, "holds PEM data that is not")
	startswith(certs.decode("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n").error, "holds PEM data that is not")
	startswith(certs.decode(concat("", [data.testcerts.leaf.cert, data.testcerts.leaf.key])).error, "holds PEM data that is not")
}

test_entry_invalid_base64 if {
	certs.entry(tls_secret("ns/a", {"tls.crt": "%%%"}), "tls.crt") == {"error": "is not valid base64"}
}

test_entry_blank_is_absent if {
	o := tls_secret("ns/a", {"tls.crt": data.testcerts.leaf.b64chain, "ca.crt": ""})
	not certs.entry(o, "ca.crt")
	count(certs.entries(o)["tls.crt"].certs) == 2
}

test_entry_string_data if {
	o := {"kind": "Secret", "metadata": {"name": "a"}, "stringData": {"tls.crt": data.testcerts.leaf.cert}}
	count(certs.entry(o, "tls.crt").certs) == 1
}

test_facts if {
	c := certs.parse(data.testcerts.dynamiclistener_ca.cert)[0]
	f := certs.facts(c)
	f.subject == "CN=dynamiclistener-ca@1700000000, O=dynamiclistener-org"
	f.issuer == f.subject
	f.serial == "0"
	count(f.sha256) == 64
	certs.rancher_generated_ca(c)
	certs.self_signed(c)
	certs.is_ca(c)
}

test_key_sizes if {
	certs.rsa_bits(certs.parse(data.testcerts.leaf_rsa.cert)[0]) == 2048
	certs.rsa_bits(certs.parse(data.testcerts.leaf_weakrsa.cert)[0]) == 1024
	certs.ec_bits(certs.parse(data.testcerts.leaf.cert)[0]) == 256
	certs.ec_bits(certs.parse(data.testcerts.leaf_weakec.cert)[0]) == 224
}

test_weak_signature if {
	certs.weak_signature(certs.parse(data.testcerts.leaf_sha1.cert)[0]) == "SHA1-RSA"
	not certs.weak_signature(certs.parse(data.testcerts.leaf.cert)[0])
}

test_time if {
	c := certs.parse(data.testcerts.leaf_old.cert)[0]
	certs.age_days(c) == 200 with time.now_ns as data.testcerts.now_ns
	certs.validity_days(c) == 365
	certs.expired(certs.parse(data.testcerts.leaf_expired.cert)[0]) with time.now_ns as data.testcerts.now_ns
	certs.not_yet_valid(certs.parse(data.testcerts.leaf_notyet.cert)[0]) with time.now_ns as data.testcerts.now_ns
}

test_time_beyond_2262 if {
	c := {"NotBefore": "2020-01-01T00:00:00Z", "NotAfter": "9999-12-31T23:59:59Z"}
	not certs.expired(c) with time.now_ns as data.testcerts.now_ns
	certs.validity_days(c) > 398
}

test_url_host if {
	certs.url_host("https://rancher.example.com") == "rancher.example.com"
	certs.url_host("https://Rancher.Example.com.:8443/path?q=1") == "rancher.example.com"
	certs.url_host("https://user:pw@rancher.example.com/") == "rancher.example.com"
	certs.url_host("https://[2001:db8::1]:443") == "2001:db8::1"
	certs.url_host("rancher.example.com:443") == "rancher.example.com"
	not certs.url_host("https://")
	not certs.url_host("")
}

test_dns_matches if {
	certs.dns_matches("rancher.example.com", "rancher.example.com")
	certs.dns_matches("RANCHER.example.com.", "rancher.example.com")
	certs.dns_matches("*.example.com", "rancher.example.com")
	not certs.dns_matches("*.example.com", "example.com")
	not certs.dns_matches("*.example.com", "a.rancher.example.com")
	not certs.dns_matches("r*.example.com", "rancher.example.com")
	not certs.dns_matches("*.com", "example.org")
}

test_covers_ip if {
	c := {"DNSNames": ["rancher.example.com"], "IPAddresses": ["10.0.0.1", "2001:db8::1"]}
	certs.covers(c, "10.0.0.1")
	certs.covers(c, "2001:0db8:0::1")
	not certs.covers(c, "10.0.0.2")
	not certs.covers({"DNSNames": ["10.0.0.1"], "IPAddresses": null}, "10.0.0.1")
}

test_verifies_through_intermediate if {
	presented := certs.parse(data.testcerts.leaf.chain)
	anchors := certs.bundle_anchors(presented) with data.tlsguard.trust as data.testcerts.trust
	count(anchors) == 1
	certs.verifies(data.testcerts.root.cert, presented, {"CurrentTime": data.testcerts.now_ns})
}

test_does_not_verify_without_intermediate if {
	presented := certs.parse(data.testcerts.leaf.cert)
	count(certs.bundle_anchors(presented)) == 0 with data.tlsguard.trust as data.testcerts.trust
	not certs.verifies(data.testcerts.root.cert, presented, {"CurrentTime": data.testcerts.now_ns})
}

test_does_not_verify_expired if {
	presented := certs.parse(data.testcerts.leaf_expired.chain)
	not certs.verifies(data.testcerts.root.cert, presented, {"CurrentTime": data.testcerts.now_ns})
	contains(certs.chain_problem(presented).reason, "expired at") with time.now_ns as data.testcerts.now_ns
}

test_chain_problem_unknown_issuer if {
	presented := certs.parse(data.testcerts.leaf_other.chain)
	certs.chain_problem(presented).reason == "no trusted root or intermediate issued \"CN=rancher.example.com\" (issuer \"CN=Evil Root\")" with time.now_ns as data.testcerts.now_ns
}

test_cluster_ca_certs_from_setting_and_tls_ca if {
	inv := inventory([setting("cacerts", data.testcerts.root.cert), tls_ca(["intermediate"])])
	cas := certs.cluster_ca_certs with input as review(serving("leaf")) with data.inventory as inv
	[c.Subject.CommonName | some c in cas] == ["tlsguard Test Root CA", "tlsguard Test Intermediate CA"]
}

test_cluster_ca_certs_empty if {
	cas := certs.cluster_ca_certs with input as review(serving("leaf")) with data.inventory as inventory([])
	cas == []
}

test_reviewed_tls_ca_wins_over_inventory if {
	inv := inventory([tls_ca(["root"])])
	cas := certs.tls_ca_certs with input as review(tls_ca(["intermediate"])) with data.inventory as inv
	[c.Subject.CommonName | some c in cas] == ["tlsguard Test Intermediate CA"]
}

test_scope if {
	o := tls_secret("cattle-system/x", {})
	certs.listed(o, ["cattle-system/x"])
	not certs.listed(o, ["other/x"])
	certs.tls_in(o, ["cattle-system"])
	not certs.selected(o, {})
	certs.selected(json.patch(o, [{"op": "add", "path": "/metadata/labels", "value": {"a": "b", "c": "d"}}]), {"a": "b"})
	not certs.selected(o, {"a": "b"})
}

test_inventory_builder if {
	inv := inventory([setting("cacerts", "x"), serving("leaf")])
	inv.cluster["management.cattle.io/v3"].Setting.cacerts.value == "x"
	not inv.namespace["cattle-system"].v1.Secret["tls-rancher-ingress"].data["tls.key"]
}

test_first_entry_parses_only_the_leaf if {
	o := tls_secret("ns/a", {"tls.crt": data.testcerts.leaf.b64chain})
	[c.Subject.CommonName | some c in certs.first_entry(o, "tls.crt").certs] == ["rancher.example.com"]
	certs.first_entry(tls_secret("ns/a", {"tls.crt": "%"}), "tls.crt") == {"error": "is not valid base64"}
	bad := tls_secret("ns/a", {"tls.crt": base64.encode("-----BEGIN CERTIFICATE-----\nAAAA\n")})
	startswith(certs.first_entry(bad, "tls.crt").error, "holds PEM data that is not")
}

test_object_certs_of_secret if {
	o := tls_secret("cattle-system/a", {"tls.crt": data.testcerts.leaf.b64chain, "ca.crt": data.testcerts.root.b64cert})
	items := certs.object_certs with input as review(o)
	[certs.cert_label(i) | some i in items] == [
		"data.ca.crt (CN=tlsguard Test Root CA, O=tlsguard tests)",
		"data.tls.crt certificate 1 of 2 (CN=rancher.example.com)",
		"data.tls.crt certificate 2 of 2 (CN=tlsguard Test Intermediate CA, O=tlsguard tests)",
	]
	certs.object_label == "Secret cattle-system/a" with input as review(o)
}

test_object_certs_of_cacerts_setting if {
	s := setting("cacerts", data.testcerts.root.cert)
	items := certs.object_certs with input as review(s)
	[i.field | some i in items] == ["value"]
	count(certs.object_certs) == 0 with input as review(setting("cacerts", ""))
	count(certs.object_certs) == 0 with input as review(setting("server-url", data.testcerts.root.cert))
}

test_object_errors if {
	o := tls_secret("cattle-system/a", {"tls.crt": data.testcerts.leaf.b64chain, "ca.crt": "%%"})
	certs.object_errors == [{"field": "data.ca.crt", "error": "is not valid base64"}] with input as review(o)
}

test_chain_problem_untrusted_presented_root if {
	presented := array.concat(certs.parse(data.testcerts.leaf_other.chain), certs.parse(data.testcerts.other_root.cert))
	p := certs.chain_problem(presented) with time.now_ns as data.testcerts.now_ns
	p.kind == "issuer"
	p.reason == "the root \"CN=Evil Root\" presented in the Secret is not a trusted root"
}

test_rancher_generated_detection if {
	leaf := certs.parse(data.testcerts.leaf_dynamiclistener.cert)[0]
	certs.issued_by_rancher_ca(leaf)
	not certs.rancher_generated_ca(leaf)
	not certs.rancher_generated_ca(certs.parse(data.testcerts.root.cert)[0])
	not certs.dynamiclistener_name({"CommonName": "dynamiclistener-ca@1", "Organization": ["other"]})
	not certs.dynamiclistener_name({"CommonName": "dynamiclistener-ca@1", "Organization": null})
}
