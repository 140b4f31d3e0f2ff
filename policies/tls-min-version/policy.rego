# METADATA
# title: Rancher TLS minimum version and cipher suites are strong
# description: |
#   Rancher's own listener (the endpoint every agent dials) takes its minimum
#   TLS version from the tls-min-version Setting and its TLS 1.2 cipher suites
#   from tls-ciphers; env CATTLE_TLS_MIN_VERSION / CATTLE_TLS_CIPHERS on the
#   cattle-system/rancher Deployment override both. The effective minimum must
#   be at least minVersion (1.2; an empty value means Rancher's default 1.2)
#   and one of 1.0, 1.1, 1.2, 1.3. Every cipher suite (comma-separated Go
#   names such as TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256) must use ECDHE key
#   exchange with AES-GCM or ChaCha20-Poly1305: CBC, 3DES, RC4, static-RSA key
#   exchange and unknown names fail. TLS 1.3 suites (TLS_AES_*,
#   TLS_CHACHA20_*) are fine. When the effective minimum is 1.3 the TLS 1.2
#   cipher list is not used and is not checked.
# related_resources:
#   - ref: https://ranchermanager.docs.rancher.com/getting-started/installation-and-upgrade/installation-references/tls-settings
#     description: Rancher docs, TLS settings (CATTLE_TLS_MIN_VERSION, CATTLE_TLS_CIPHERS)
# custom:
#   id: tls-min-version
#   severity: high
#   action: deny
#   remediation: |
#     Set the tls-min-version Setting to "1.2" or "1.3" and remove CBC, 3DES,
#     RC4 and non-ECDHE suites from tls-ciphers (or empty it to use Rancher's
#     default list); when CATTLE_TLS_MIN_VERSION / CATTLE_TLS_CIPHERS are set on
#     the cattle-system/rancher Deployment (Helm extraEnv), fix them there.
#   match:
#     - group: management.cattle.io
#       kind: Setting
#     - group: apps
#       kind: Deployment
#   parameters:
#     minVersion:
#       type: string
#       default: "1.2"
#       description: Lowest acceptable TLS version, one of "1.0", "1.1", "1.2", "1.3".
package tlsguard.tls_min_version

import data.lib.tlsguard.k8s
import data.lib.tlsguard.rancher

version_setting := "tls-min-version"

cipher_setting := "tls-ciphers"

version_env := rancher.setting_env_name(version_setting)

cipher_env := rancher.setting_env_name(cipher_setting)

version_rank := {"1.0": 10, "1.1": 11, "1.2": 12, "1.3": 13}

# Rancher's default when the setting is empty.
default_version := "1.2"

min_version := v if {
	v := object.get(input.parameters, "minVersion", default_version)
	version_rank[v]
} else := default_version

default applies := false

applies if {
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name in {version_setting, cipher_setting}
	not k8s.is_delete
}

applies if {
	rancher.reviewing_rancher_deployment
	not k8s.is_delete
}

# acceptable_versions lists the values that satisfy minVersion, for messages.
acceptable_versions := concat(" or ", [sprintf("%q", [v]) |
	some v in ["1.2", "1.3", "1.1", "1.0"]
	version_rank[v] >= version_rank[min_version]
])

# version_value(v) is the version Rancher uses for configured value v.
version_value(v) := default_version if {
	v == ""
} else := v

# version_problem(v) says why version value v is not acceptable.
version_problem(v) := "is not one of 1.0, 1.1, 1.2, 1.3" if {
	not version_rank[version_value(v)]
} else := sprintf("is below the required minimum %s", [min_version]) if {
	version_rank[version_value(v)] < version_rank[min_version]
}

# --- Setting tls-min-version -----------------------------------------------------

violation contains {"msg": msg, "details": details} if {
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == version_setting
	not k8s.is_delete
	eff := rancher.effective_setting(version_setting)
	problem := version_problem(eff.value)
	msg := sprintf("Setting %s: effective value %q (%s) %s, so Rancher's listener accepts TLS below %s for agent connections%s; set %s to %s", [
		version_setting, eff.value, rancher.describe_effective(eff), problem,
		min_version, version_lowered, fix_target(eff), acceptable_versions,
	])
	details := {"field": field_of(eff), "effectiveValue": eff.value, "minVersion": min_version}
}

field_of(eff) := sprintf("env %s (Deployment cattle-system/rancher)", [eff.env]) if {
	eff.source == "env"
} else := eff.source

fix_target(eff) := sprintf("env %s on Deployment cattle-system/rancher", [eff.env]) if {
	eff.source == "env"
} else := "value"

source_desc(eff) := sprintf("env %s on Deployment cattle-system/rancher", [eff.env]) if {
	eff.source == "env"
} else := eff.source

version_lowered := sprintf("; this update lowers it from %q", [old]) if {
	k8s.is_update
	not rancher.rancher_env(version_setting)
	old := version_value(rancher.object_value(k8s.old_obj))
	new := version_value(rancher.object_value(k8s.obj))
	version_rank[old] > object.get(version_rank, new, 0)
} else := ""

# --- Setting tls-ciphers ---------------------------------------------------------

violation contains {"msg": msg, "details": details} if {
	k8s.has_kind("management.cattle.io", "Setting")
	k8s.name == cipher_setting
	not k8s.is_delete
	not effective_min_is_13
	eff := rancher.effective_setting(cipher_setting)
	bad := weak_ciphers(eff.value)
	count(bad) > 0
	msg := sprintf("Setting %s: the effective list (from %s) allows weak cipher suites %s%s; remove them so that only ECDHE with AES-GCM or ChaCha20-Poly1305 remains (or set %s to \"\" for Rancher's default list)", [
		cipher_setting, source_desc(eff), describe_weak(bad),
		ciphers_introduced, fix_target(eff),
	])
	details := {"field": field_of(eff), "weakCiphers": bad, "effectiveValue": eff.value}
}

# With TLS 1.3 as the minimum the TLS 1.2 cipher list is never used. When the
# rancher Deployment is the reviewed object, effective_setting reads its env,
# so this is the minimum the new Deployment would run with.
effective_min_is_13 if version_value(rancher.effective_setting(version_setting).value) == "1.3"

ciphers_introduced := "; this update introduces them" if {
	k8s.is_update
	not rancher.rancher_env(cipher_setting)
	count(weak_ciphers(rancher.object_value(k8s.old_obj))) == 0
} else := ""

# weak_ciphers(list) are the entries of a comma-separated cipher list that
# fail, each {"name", "problem"}.
weak_ciphers(list) := [{"name": c, "problem": p} |
	some raw in split(list, ",")
	c := trim_space(raw)
	c != ""
	p := cipher_problem(upper(c))
	p != ""
]

tls13_suite := `^TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256)$`

strong_suite := `^TLS_ECDHE_(ECDSA|RSA)_WITH_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305|CHACHA20_POLY1305_SHA256)$`

# cipher_problem(c) is "" for an acceptable suite, else the reason.
cipher_problem(c) := "" if {
	regex.match(tls13_suite, c)
} else := "" if {
	regex.match(strong_suite, c)
} else := "RC4" if {
	contains(c, "RC4")
} else := "3DES" if {
	contains(c, "3DES")
} else := "CBC" if {
	contains(c, "_CBC_")
} else := "non-ECDHE key exchange" if {
	not startswith(c, "TLS_ECDHE_")
} else := "not a known strong suite"

describe_weak(bad) := concat(", ", [sprintf("%s (%s)", [b.name, b.problem]) | some b in bad])

# --- Deployment cattle-system/rancher ------------------------------------------------

violation contains {"msg": msg, "details": details} if {
	rancher.reviewing_rancher_deployment
	not k8s.is_delete
	some s in rancher.reviewed_rancher_scopes
	e := s.env[version_env]
	is_string(e.value)
	problem := version_problem(e.value)
	msg := sprintf("Deployment %s: env %s of %s is %q and %s; it overrides Setting %s, so Rancher's listener accepts TLS below %s%s; set it to %s (or remove it)", [
		k8s.ref, version_env, s.where, e.value, problem, version_setting,
		min_version, env_lowered(s.key), acceptable_versions,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, version_env]), "value": e.value, "minVersion": min_version}
}

env_lowered(key) := sprintf("; this update lowers it from %q", [old]) if {
	old := version_value(rancher.old_scope(key).env[version_env].value)
	new := version_value(rancher.rancher_env(version_setting).value)
	version_rank[old] > object.get(version_rank, new, 0)
} else := ""

violation contains {"msg": msg, "details": details} if {
	rancher.reviewing_rancher_deployment
	not k8s.is_delete
	not effective_min_is_13
	some s in rancher.reviewed_rancher_scopes
	e := s.env[cipher_env]
	is_string(e.value)
	bad := weak_ciphers(e.value)
	count(bad) > 0
	msg := sprintf("Deployment %s: env %s of %s allows weak cipher suites %s; it overrides Setting %s; remove them so that only ECDHE with AES-GCM or ChaCha20-Poly1305 remains (or remove the env var)", [
		k8s.ref, cipher_env, s.where, describe_weak(bad), cipher_setting,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, cipher_env]), "weakCiphers": bad, "value": e.value}
}

violation contains {"msg": msg, "details": details} if {
	rancher.reviewing_rancher_deployment
	not k8s.is_delete
	some s in rancher.reviewed_rancher_scopes
	some name in [version_env, cipher_env]
	e := s.env[name]
	e.value == null
	msg := sprintf("Deployment %s: env %s of %s comes from %s, which is not in the inventory, so it cannot be verified; set a literal value or include the referenced object", [
		k8s.ref, name, s.where, e.from,
	])
	details := {"field": sprintf("%s.env[%s]", [s.path, name]), "from": e.from}
}
