# METADATA
# title: Rancher serving certificate chains to a trusted CA
# description: |
#   Agents verify the certificate Rancher serves (Secret
#   cattle-system/tls-rancher-ingress by default) against the CA in the cacerts
#   Setting or the OS trust store. This policy checks that the chain in tls.crt,
#   plus ca.crt when present, verifies at the evaluation time to a trusted
#   root: the trust bundle (--trust-bundle, --system-roots), and with
#   trustClusterCA the CA declared in the cacerts Setting and the
#   cattle-system/tls-ca Secret (cacerts.pem). A CA presented in the Secret
#   itself is trusted only when it is one of those roots, so a swapped-in CA
#   cannot vouch for itself.
#
#   It fails for a self-signed leaf, for a chain issued by Rancher's generated
#   CA (subject CN dynamiclistener-ca@<unix seconds>, O dynamiclistener-org;
#   ingress.tls.source=rancher) unless allowRancherGeneratedCA is true (the
#   CA in cattle-system/tls-rancher then counts as trusted too), and for
#   certificate data that cannot be decoded or parsed. On UPDATE, replacing a
#   CA-issued certificate by a self-signed one is called out in the message.
#   The guarded Secrets are the ones listed in secrets plus those matching
#   secretSelector (an empty selector selects none).
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/resources/update-rancher-certificate
#     description: Rancher docs, Updating the Rancher Certificate
# custom:
#   id: certificate-trusted-ca
#   severity: high
#   action: deny
#   remediation: |
#     Put a certificate issued by a trusted CA in tls.crt, followed by its
#     intermediates (kubectl -n cattle-system create secret tls
#     tls-rancher-ingress --cert=tls.crt --key=tls.key). For a private CA, put
#     its root (and intermediates) in the tls-ca Secret (cacerts.pem) and run
#     Rancher with privateCA=true, or add the root to the trust bundle.
#   match:
#     - group: ""
#       kind: Secret
#   parameters:
#     secrets:
#       type: array
#       default: [cattle-system/tls-rancher-ingress]
#       description: Serving-certificate Secrets to check, as namespace/name.
#     secretSelector:
#       type: object
#       default: {}
#       description: Also check Secrets carrying all of these labels; {} selects none.
#     trustClusterCA:
#       type: boolean
#       default: true
#       description: Trust the CA declared in the cacerts Setting and the cattle-system/tls-ca Secret.
#     allowRancherGeneratedCA:
#       type: boolean
#       default: false
#       description: Accept certificates issued by Rancher's generated CA (dynamiclistener-ca@..., Secret tls-rancher).
package tlsguard.certificate_trusted_ca

import data.lib.tlsguard.certs
import data.lib.tlsguard.k8s

defaults := {
	"secrets": ["cattle-system/tls-rancher-ingress"],
	"secretSelector": {},
	"trustClusterCA": true,
	"allowRancherGeneratedCA": false,
}

params := object.union(defaults, object.get(input, "parameters", {}))

default applies := false

applies if {
	k8s.has_kind("", "Secret")
	not k8s.is_delete
	guarded
}

guarded if certs.listed(k8s.obj, params.secrets)

guarded if certs.selected(k8s.obj, params.secretSelector)

subject_ref := sprintf("Secret %s", [k8s.ref])

# --- The presented chain, parsed once -----------------------------------------

entries := certs.secret_entries

presented := array.concat(entries["tls.crt"].certs, object.get(entries, ["ca.crt", "certs"], []))

leaf := presented[0]

leaf_self_signed if certs.self_signed(leaf)

# --- Trust --------------------------------------------------------------------

bundle_verified := certs.verifying_anchors(certs.bundle_anchors(presented), presented, certs.serving_opts)

default cluster_anchors := set()

cluster_anchors := certs.cert_anchors(certs.cluster_ca_certs, presented) if params.trustClusterCA

default rancher_anchors := set()

rancher_anchors := certs.cert_anchors(certs.rancher_ca_certs, presented) if params.allowRancherGeneratedCA

# Cluster CAs are parsed and tried only when the trust bundle did not verify.
default cluster_verified := set()

cluster_verified := certs.verifying_anchors(cluster_anchors | rancher_anchors, presented, certs.serving_opts) if {
	count(bundle_verified) == 0
}

default verified := false

verified if count(bundle_verified) > 0

verified if count(cluster_verified) > 0

# The chain involves Rancher's generated CA: a presented certificate is that
# CA or was issued by it (the anchor always issued a presented certificate).
rancher_generated if {
	some c in presented
	certs.rancher_generated_ca(c)
}

rancher_generated if {
	some c in presented
	certs.issued_by_rancher_ca(c)
}

# --- Violations ---------------------------------------------------------------

violation contains {"msg": msg, "details": {"field": "data.tls.crt"}} if {
	applies
	not entries["tls.crt"]
	msg := sprintf("%s: data.tls.crt holds no certificate; store the serving certificate followed by its intermediates in tls.crt", [subject_ref])
}

violation contains {"msg": msg, "details": {"field": sprintf("data.%s", [e.key]), "error": e.error}} if {
	applies
	some e in certs.errors_of(entries)
	msg := sprintf("%s: data.%s %s; store PEM certificates (leaf first, then intermediates) in it", [subject_ref, e.key, e.error])
}

violation contains {"msg": msg, "details": details} if {
	applies
	leaf_self_signed
	msg := sprintf("%s: data.tls.crt %s, which agents cannot verify; use a certificate issued by a trusted CA", [subject_ref, change(sprintf("a self-signed certificate (%s)", [certs.subject(leaf)]))])
	details := {"field": "data.tls.crt", "certificate": certs.facts(leaf)}
}

violation contains {"msg": msg, "details": details} if {
	applies
	not leaf_self_signed
	rancher_generated_refused
	what := sprintf("a certificate (%s) issued by Rancher's generated CA (%s)", [certs.subject(leaf), certs.issuer(leaf)])
	msg := sprintf("%s: data.tls.crt %s; use a certificate from a trusted CA, or set allowRancherGeneratedCA to accept it", [subject_ref, change(what)])
	details := {"field": "data.tls.crt", "certificate": certs.facts(leaf)}
}

violation contains {"msg": msg, "details": details} if {
	applies
	not leaf_self_signed
	not rancher_generated_refused
	not verified
	problem := certs.chain_problem(presented)
	msg := sprintf("%s: the chain in data.tls.crt%s does not verify to a trusted root at %s: %s; %s%s", [subject_ref, ca_crt_note, time.format(time.now_ns()), problem.reason, problem.fix, trust_hint(problem)])
	details := {
		"field": "data.tls.crt",
		"certificate": certs.facts(leaf),
		"chain": [certs.facts(c) | some c in presented],
		"trustClusterCA": params.trustClusterCA,
	}
}

rancher_generated_refused if {
	rancher_generated
	not params.allowRancherGeneratedCA
}

ca_crt_note := " (with data.ca.crt)" if {
	entries["ca.crt"].certs
} else := ""

trust_hint(problem) := "" if {
	problem.kind != "issuer"
} else := " (trust bundle, or the tls-ca Secret / cacerts Setting)" if {
	params.trustClusterCA
} else := " (trust bundle; trustClusterCA is false)"

# --- UPDATE: a CA-issued certificate replaced by a self-signed one ------------

old_leaf := certs.old_leaf_entry.certs[0]

# change(what) describes the new certificate; on an UPDATE that replaces a
# CA-issued certificate it says so.
change(what) := sprintf("replaces the CA-issued certificate %s (issuer %s) by %s", [certs.subject(old_leaf), certs.issuer(old_leaf), what]) if {
	not certs.self_signed(old_leaf)
	not certs.issued_by_rancher_ca(old_leaf)
} else := sprintf("is %s", [what])
