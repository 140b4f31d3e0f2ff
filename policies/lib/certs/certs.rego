# METADATA
# title: Certificate helpers
# description: |
#   Parsing, trust and classification of X.509 certificates held in Secrets
#   and Rancher Settings. Only OPA's standard crypto.x509 built-ins are used, so
#   the helpers also run inside Gatekeeper.
#
#   Parse once: the complete rules below (secret_entries, cacerts_entry,
#   cluster_ca_certs ...) bind the parsed certificates of the reviewed object
#   and are computed at most once per evaluation; policies read those instead
#   of calling the parse functions again. Bad data never raises an evaluation
#   error: it yields an entry {"error": "<why>"} that policies report.
package lib.tlsguard.certs

import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

# --- PEM text -----------------------------------------------------------------

pem_begin := "-----BEGIN CERTIFICATE-----"

pem_end := "-----END CERTIFICATE-----"

# Secret keys that hold certificates: the serving chain, the CA that issued it
# (cert-manager writes ca.crt) and Rancher's private CA bundle (tls-ca).
cert_keys := ["tls.crt", "ca.crt", "cacerts.pem"]

# pem_count(s) is the number of CERTIFICATE blocks in s.
pem_count(s) := count(indexof_n(s, pem_begin))

# parse(s) is the list of certificates in the PEM text s (text before the first
# block is ignored). Undefined when s holds no certificate block, a block that
# is not a certificate, or a block that does not decode. OPA silently skips
# blocks whose base64 is corrupt, hence the block count check.
parse(s) := cs if {
	n := pem_count(s)
	n > 0
	cs := crypto.x509.parse_certificates(substring(s, indexof(s, pem_begin), -1))
	count(cs) == n
}

# decode(s) parses s exactly once: {"certs": [...]} or {"error": "<why>"}.
decode(s) := outcome(s, [cs | cs := parse(s)])

# decode_first(s) is decode() limited to the first certificate (the leaf of
# a chain). It parses the whole bundle, like decode(): tlsguard's engine
# memoizes crypto.x509.parse_certificates, so every policy that reads the same
# tls.crt shares one parse, which is cheaper than each parsing a different
# slice of it.
decode_first(s) := {"certs": [d.certs[0]]} if {
	d := decode(s)
	count(d.certs) > 0
}

decode_first(s) := d if {
	d := decode(s)
	d.error
}

outcome(_, parsed) := {"certs": parsed[0]} if count(parsed) == 1

outcome(s, parsed) := {"error": pem_problem(s)} if count(parsed) == 0

pem_problem(s) := "holds no PEM certificate (-----BEGIN CERTIFICATE-----)" if pem_count(s) == 0

pem_problem(s) := "holds PEM data that is not a valid X.509 certificate bundle (corrupt block, or a block that is not a CERTIFICATE)" if {
	pem_count(s) > 0
}

# blank(s) is true for text that holds nothing but whitespace.
blank(s) if trim_space(s) == ""

# entry(o, key) is decode() of Secret key `key`, or an error entry when the
# data is not valid base64. Undefined when the key is absent or blank (an empty
# ca.crt is normal for ACME certificates).
entry(o, key) := {"error": "is not valid base64"} if k8s.secret_key_invalid(o, key)

entry(o, key) := decode(s) if {
	s := k8s.secret_value(o, key)
	not blank(s)
}

# first_entry(o, key) is entry() limited to the first certificate.
first_entry(o, key) := {"error": "is not valid base64"} if k8s.secret_key_invalid(o, key)

first_entry(o, key) := decode_first(s) if {
	s := k8s.secret_value(o, key)
	not blank(s)
}

# entries(o) maps each certificate key of Secret o to its entry.
entries(o) := {key: e | some key in cert_keys; e := entry(o, key)}

# The reviewed Secret's certificate entries, parsed once per evaluation.
secret_entries := entries(k8s.obj) if k8s.has_kind("", "Secret")

# The reviewed Secret's tls.crt, first certificate (the leaf) only.
secret_leaf_entry := first_entry(k8s.obj, "tls.crt") if k8s.has_kind("", "Secret")

# The previous version of the reviewed Secret's leaf (UPDATE only).
old_leaf_entry := first_entry(k8s.old_obj, "tls.crt") if {
	k8s.is_update
	k8s.has_kind("", "Secret")
}

# errors_of(entries) lists {"key": key, "error": why} for entries that failed.
errors_of(es) := [{"key": key, "error": es[key].error} | some key in cert_keys; es[key].error]

# --- The reviewed object's certificates, whatever its kind ---------------------

# reviewing_cacerts is true when the reviewed object is the cacerts Setting.
reviewing_cacerts if {
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == "cacerts"
}

# object_entries maps each field of the reviewed object that holds
# certificates to its entry: "data.<key>" for a Secret, "value" (the
# effective value) for the cacerts Setting.
object_entries := {sprintf("data.%s", [key]): e | some key, e in secret_entries} if k8s.has_kind("", "Secret")

object_entries := {"value": e | e := cacerts_entry} if reviewing_cacerts

# object_certs lists {"field", "index", "count", "cert"} for every parsed
# certificate of the reviewed object.
object_certs := [{"field": f, "index": i, "count": count(e.certs), "cert": c} |
	some f, e in object_entries
	some i, c in e.certs
]

# object_errors lists {"field", "error"} for fields that failed to decode.
object_errors := [{"field": f, "error": e.error} | some f, e in object_entries; e.error]

# object_label names the reviewed object in messages: "Secret ns/name".
object_label := sprintf("%s %s", [k8s.kind, k8s.ref])

# cert_label(item) names one item of object_certs in messages.
cert_label(item) := sprintf("%s (%s)", [item.field, subject(item.cert)]) if item.count == 1

cert_label(item) := sprintf("%s certificate %d of %d (%s)", [item.field, item.index + 1, item.count, subject(item.cert)]) if item.count > 1

# --- Scope: which Secrets a policy guards -------------------------------------

# secret_ref(o) is "namespace/name" of Secret o.
secret_ref(o) := sprintf("%s/%s", [object.get(o.metadata, "namespace", ""), o.metadata.name])

# listed(o, refs) is true when Secret o is named in refs ("namespace/name").
listed(o, refs) if secret_ref(o) in refs

# selected(o, selector) is true when selector is a non-empty label map and o
# carries every label of it. An empty selector selects nothing.
selected(o, selector) if {
	count(selector) > 0
	labels := object.get(o.metadata, "labels", {})
	every k, v in selector {
		labels[k] == v
	}
}

# tls_in(o, namespaces) is true for a kubernetes.io/tls Secret in one of namespaces.
tls_in(o, namespaces) if {
	o.type == "kubernetes.io/tls"
	object.get(o.metadata, "namespace", "") in namespaces
}

# is_tls_ca(o) is true for Secret cattle-system/tls-ca, Rancher's private CA.
is_tls_ca(o) if secret_ref(o) == "cattle-system/tls-ca"

# --- Rancher's CA bundles (cacerts Setting, tls-ca Secret) --------------------

# tls_ca_secret is cattle-system/tls-ca: the reviewed object when it is that
# Secret (and not being deleted), else the one in the inventory.
tls_ca_secret := k8s.obj if {
	reviewing_tls_ca
	not k8s.is_delete
}

tls_ca_secret := k8s.namespaced_object("cattle-system", "v1", "Secret", "tls-ca") if not reviewing_tls_ca

reviewing_tls_ca if {
	k8s.has_kind("", "Secret")
	k8s.namespace == "cattle-system"
	k8s.name == "tls-ca"
}

# cacerts_entry is decode() of the effective cacerts Setting; undefined when
# it is unknown or blank.
cacerts_entry := decode(s) if {
	s := rancher.setting("cacerts")
	not blank(s)
}

# tls_ca_entry is the entry of tls-ca's cacerts.pem.
tls_ca_entry := entry(tls_ca_secret, "cacerts.pem")

# cacerts_certs and tls_ca_certs are the parseable certificates of each, or [].
default cacerts_certs := []

cacerts_certs := cacerts_entry.certs

default tls_ca_certs := []

tls_ca_certs := tls_ca_entry.certs

# cluster_ca_certs are the CA certificates Rancher tells agents to trust: those
# of cacerts and tls-ca. Parsed only when a policy asks, once per evaluation.
cluster_ca_certs := array.concat(cacerts_certs, tls_ca_certs)

# rancher_ca_certs are the certificates of Secret cattle-system/tls-rancher
# (the CA Rancher generates) from the inventory, or [].
default rancher_ca_certs := []

rancher_ca_certs := entry(k8s.namespaced_object("cattle-system", "v1", "Secret", "tls-rancher"), "tls.crt").certs

# --- Facts about one parsed certificate ---------------------------------------

dn_fields := [
	["CN", "CommonName"], ["OU", "OrganizationalUnit"], ["O", "Organization"],
	["L", "Locality"], ["ST", "Province"], ["C", "Country"],
]

# dn(name) renders a parsed Subject/Issuer as "CN=x, O=y".
dn(name) := concat(", ", [sprintf("%s=%s", [label, v]) |
	some [label, field] in dn_fields
	some v in name_values(name, field)
])

name_values(name, "CommonName") := [name.CommonName] if name.CommonName != ""

name_values(name, field) := [v | some v in name[field]] if field != "CommonName"

subject(c) := dn(c.Subject)

issuer(c) := dn(c.Issuer)

# serial(c) is the serial number in upper-case hex, as openssl prints it.
serial(c) := upper(format_int(c.SerialNumber, 16))

# fingerprint(c) is the hex SHA-256 of the DER certificate.
fingerprint(c) := crypto.sha256(base64.decode(c.Raw))

# facts(c) is what details may say about a certificate: never key material.
facts(c) := {
	"subject": subject(c),
	"issuer": issuer(c),
	"serial": serial(c),
	"notBefore": c.NotBefore,
	"notAfter": c.NotAfter,
	"sha256": fingerprint(c),
}

is_ca(c) if {
	c.BasicConstraintsValid
	c.IsCA
}

self_signed(c) if c.RawIssuer == c.RawSubject

# dynamiclistener_name(n) is true for the subject Rancher gives the CA it
# generates (rancher/dynamiclistener): CN dynamiclistener-ca@<unix seconds>,
# O dynamiclistener-org.
dynamiclistener_name(n) if {
	startswith(n.CommonName, "dynamiclistener-ca@")
	some o in n.Organization
	o == "dynamiclistener-org"
}

# rancher_generated_ca(c) is true for Rancher's generated CA certificate.
rancher_generated_ca(c) if dynamiclistener_name(c.Subject)

# issued_by_rancher_ca(c) is true for a certificate signed by it.
issued_by_rancher_ca(c) if dynamiclistener_name(c.Issuer)

# --- Time ---------------------------------------------------------------------

day_ns := 86400000000000

# Validity bounds in ns. Dates outside what an int64 of ns holds (after 2262,
# e.g. the 9999-12-31 "no expiry" date) are clamped instead of being undefined.
not_after_ns(c) := time.parse_rfc3339_ns(c.NotAfter) if c.NotAfter < "2262-01-01"

not_after_ns(c) := 9223372036854775807 if c.NotAfter >= "2262-01-01"

not_before_ns(c) := time.parse_rfc3339_ns(c.NotBefore) if c.NotBefore >= "1678-01-01"

not_before_ns(c) := -9223372036854775808 if c.NotBefore < "1678-01-01"

expired(c) if time.now_ns() > not_after_ns(c)

not_yet_valid(c) if time.now_ns() < not_before_ns(c)

# age_days(c) is the number of whole days since notBefore.
age_days(c) := floor((time.now_ns() - not_before_ns(c)) / day_ns)

# validity_days(c) is the length of the validity period in days.
validity_days(c) := (not_after_ns(c) - not_before_ns(c)) / day_ns

# days_until_valid(c) is the number of days (fractional) until notBefore.
days_until_valid(c) := (not_before_ns(c) - time.now_ns()) / day_ns

# days_left(c) is the number of days (fractional) until notAfter.
days_left(c) := (not_after_ns(c) - time.now_ns()) / day_ns

# --- Key and signature strength -----------------------------------------------

# Go's crypto/x509 PublicKeyAlgorithm values, as parse_certificates returns them.
key_algorithms := {0: "unknown", 1: "RSA", 2: "DSA", 3: "ECDSA", 4: "Ed25519"}

key_algorithm(c) := object.get(key_algorithms, c.PublicKeyAlgorithm, "unknown")

# rsa_bits(c) is the modulus size. parse_certificates gives N as an exact
# (big) JSON number; its binary rendering has one digit per bit.
rsa_bits(c) := count(format_int(c.PublicKey.N, 2)) if c.PublicKeyAlgorithm == 1

# parse_certificates gives ECDSA keys as {"Curve": {}, "X", "Y"}: the curve is
# lost, so it is read from the DER SubjectPublicKeyInfo: the id-ecPublicKey
# OID followed by the named-curve OID (hex).
ec_curves := {
	"06082a8648ce3d030107": 256, # P-256 (prime256v1)
	"06052b81040021": 224, # P-224
	"06052b81040022": 384, # P-384
	"06052b81040023": 521, # P-521
}

ec_bits(c) := bits if {
	c.PublicKeyAlgorithm == 3
	spki := hex.encode(base64.decode(c.RawSubjectPublicKeyInfo))
	some oid, bits in ec_curves
	contains(spki, concat("", ["06072a8648ce3d0201", oid]))
}

# Go's crypto/x509 SignatureAlgorithm values that use MD2, MD5 or SHA-1.
weak_signatures := {
	1: "MD2-RSA",
	2: "MD5-RSA",
	3: "SHA1-RSA",
	7: "DSA-SHA1",
	9: "ECDSA-SHA1",
}

# weak_signature(c) names c's signature algorithm when it is MD2/MD5/SHA-1.
weak_signature(c) := weak_signatures[c.SignatureAlgorithm]

# --- Hostnames ----------------------------------------------------------------

# url_host(u) is the lower-case host of a URL (scheme optional), without
# userinfo, port, brackets or a trailing dot; undefined when there is none.
url_host(u) := h if {
	h := lower(trim_suffix(host_of(authority(u)), "."))
	h != ""
}

authority(u) := regex.find_all_string_submatch_n(`^[A-Za-z][A-Za-z0-9+.-]*://([^/?#]*)`, trim_space(u), 1)[0][1]

authority(u) := regex.find_all_string_submatch_n(`^([^/?#]*)`, trim_space(u), 1)[0][1] if not contains(u, "://")

host_of(a) := host_port_of(regex.replace(a, `^.*@`, ""))

host_port_of(hp) := regex.find_all_string_submatch_n(`^\[([^\]]*)\]`, hp, 1)[0][1] if startswith(hp, "[")

host_port_of(hp) := split(hp, ":")[0] if not startswith(hp, "[")

is_ipv4(h) if regex.match(`^[0-9]{1,3}(\.[0-9]{1,3}){3}$`, h)

is_ipv6(h) if contains(h, ":")

is_ip(h) if is_ipv4(h)

is_ip(h) if is_ipv6(h)

dns_names(c) := [n | some n in c.DNSNames]

ip_addresses(c) := [ip | some ip in c.IPAddresses]

# dns_matches(pattern, host) follows crypto/x509 (RFC 6125): case-insensitive,
# trailing dots ignored, and a wildcard is a whole left-most label matching
# exactly one label.
dns_matches(pattern, host) if lower(trim_suffix(pattern, ".")) == host

dns_matches(pattern, host) if {
	p := lower(trim_suffix(pattern, "."))
	startswith(p, "*.")
	suffix := substring(p, 1, -1)
	endswith(host, suffix)
	label := trim_suffix(host, suffix)
	label != ""
	not contains(label, ".")
}

# covers(c, host) is true when certificate c is valid for host: a DNS SAN for
# a name, an IP SAN for an address. The Subject CN is ignored, as crypto/x509
# and browsers do.
covers(c, host) if {
	not is_ip(host)
	some n in dns_names(c)
	dns_matches(n, host)
}

covers(c, host) if {
	is_ipv4(host)
	host in ip_addresses(c)
}

covers(c, host) if {
	is_ipv6(host)
	some ip in ip_addresses(c)
	is_ipv6(ip)
	net.cidr_contains(concat("", [host, "/128"]), ip)
}

# --- Trust --------------------------------------------------------------------

# to_pem(c) re-encodes a parsed certificate.
to_pem(c) := concat("", ["-----BEGIN CERTIFICATE-----\n", c.Raw, "\n-----END CERTIFICATE-----\n"])

# issuers(presented) is the set of RawIssuer values of a list of certificates.
issuers(presented) := {c.RawIssuer | some c in presented}

# bundle_anchors(presented) are the PEM roots of the trust bundle that may
# have issued one of the presented certificates (looked up by subject, so the
# bundle is never parsed as a whole).
bundle_anchors(presented) := {pem |
	some iss in issuers(presented)
	some pem in object.get(data.tlsguard.trust.roots, iss, [])
}

# cert_anchors(cas, presented) are the PEM of the certificates in cas that may
# have issued one of the presented certificates.
cert_anchors(cas, presented) := {to_pem(ca) |
	iss := issuers(presented)
	some ca in cas
	ca.RawSubject in iss
}

# verifies(anchor, presented, opts) is true when presented[0] (the leaf)
# chains to the PEM certificate anchor, through presented[1:] as
# intermediates. parse_and_verify takes the root first and the leaf last.
verifies(anchor, presented, opts) if {
	mids := [to_pem(c) | some i, c in presented; i > 0]
	chain := concat("", array.concat(array.concat([anchor], mids), [to_pem(presented[0])]))
	[ok, _] := crypto.x509.parse_and_verify_certificates_with_options(chain, opts)
	ok == true
}

# verifying_anchors(anchors, presented, opts) is the subset of anchors that
# verify the presented chain.
verifying_anchors(anchors, presented, opts) := {a | some a in anchors; verifies(a, presented, opts)}

# Options for a serving chain checked at the evaluation time (crypto/x509
# then requires the server-auth extended key usage, or none).
serving_opts := {"CurrentTime": time.now_ns()}

# Options for a CA certificate checked as the end of a chain.
ca_opts := {"CurrentTime": time.now_ns(), "KeyUsages": ["KeyUsageAny"]}

# chain_problem(presented) explains, best effort, why a chain does not verify
# and how to fix it, as {"kind": "time"|"issuer", "reason", "fix"}: the first
# expired or not-yet-valid certificate, else the missing issuer of the top of
# the chain.
chain_problem(presented) := array.concat(
	[{"kind": "time", "reason": r, "fix": "replace it with a currently valid certificate"} |
		some c in presented
		r := time_problem(c)
	],
	[{
		"kind": "issuer",
		"reason": issuer_problem(presented[count(presented) - 1]),
		"fix": "put the intermediates after the leaf in tls.crt and make sure the issuing root is trusted",
	}],
)[0]

issuer_problem(top) := sprintf("the root %q presented in the Secret is not a trusted root", [subject(top)]) if {
	self_signed(top)
} else := sprintf("no trusted root or intermediate issued %q (issuer %q)", [subject(top), issuer(top)])

time_problem(c) := sprintf("certificate %q expired at %s", [subject(c), c.NotAfter]) if expired(c)

time_problem(c) := sprintf("certificate %q is not valid before %s", [subject(c), c.NotBefore]) if not_yet_valid(c)
