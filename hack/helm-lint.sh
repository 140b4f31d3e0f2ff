#!/usr/bin/env bash
# Lints the Helm chart and checks it against what it must agree with. Needs
# only go (helm and the rule checker are built from the Go module proxy and
# cached; see hack/helm.sh and hack/promrules.sh). Run from anywhere.
#
#   1. helm lint --strict (values.schema.json included) with the defaults and
#      with each charts/tlsguard/ci/*-values.yaml;
#   2. helm template of each value set, also into cattle-system and under
#      another release name; every PrometheusRule rendered parses as
#      Prometheus rules (PromQL and templates);
#   3. the rendered webhooks are byte-for-byte those of
#      `tlsguard webhook manifest` for the same Service and CA bundle;
#   4. examples/prometheusrule.yaml is the chart's PrometheusRule as rendered
#      from the defaults (UPDATE=1 rewrites it).
set -euo pipefail
cd "$(dirname "$0")/.."

CHART=charts/tlsguard
EXAMPLE=$CHART/examples/prometheusrule.yaml
HELM=$(hack/helm.sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsguard-helm-lint.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
step() { echo "==> $*"; }
fail() { echo "helm-lint: FAIL: $*" >&2; exit 1; }

step "helm lint --strict ($("$HELM" version --template '{{.Version}}'))"
"$HELM" lint --strict "$CHART" --quiet
for v in "$CHART"/ci/*-values.yaml; do
  "$HELM" lint --strict "$CHART" --quiet -f "$v"
done

step "helm template"
render() { # name release namespace [helm flags...]
  local out=$WORK/$1.yaml; shift
  "$HELM" template "$1" "$CHART" -n "$2" "${@:3}" >"$out" || fail "helm template ${*}"
  printf '    %-28s %2d objects\n' "${out##*/}" "$(grep -c '^kind:' "$out")"
  if grep -q '^kind: PrometheusRule' "$out"; then hack/promrules.sh "$out" >/dev/null || fail "PrometheusRule in ${out##*/}"; fi
}
render default tlsguard tlsguard-system
render in-cattle-system tlsguard cattle-system
render other-name edge guard
for v in "$CHART"/ci/*-values.yaml; do
  n=${v##*/}; render "${n%-values.yaml}" tlsguard tlsguard-system -f "$v"
done
render rules tlsguard tlsguard-system --set prometheusRule.enabled=true --set webhook.failurePolicy=Ignore

step "webhooks = tlsguard webhook manifest"
go build -o "$WORK/tlsguard" ./cmd/tlsguard
# Any PEM will do: both sides only base64 it into clientConfig.caBundle.
sed -n '/-----BEGIN CERTIFICATE-----/,/-----END CERTIFICATE-----/{s/^ *//;p}' "$CHART/ci/byo-cert-values.yaml" >"$WORK/ca.pem"
webhooks() { sed -n '/^webhooks:/,$p' "$1"; }
compare() { # release namespace fullname
  "$WORK/tlsguard" webhook manifest --name "$3" --service-namespace "$2" --service-name "$3-webhook" \
    --ca-bundle "$WORK/ca.pem" >"$WORK/go-$1.yaml"
  "$HELM" template "$1" "$CHART" -n "$2" --show-only templates/validatingwebhookconfiguration.yaml \
    --set certManager.enabled=false --set webhook.tls.secretName=tls --set-file webhook.tls.caBundle="$WORK/ca.pem" \
    >"$WORK/chart-$1.yaml"
  [[ -s $WORK/go-$1.yaml ]] && grep -q '^webhooks:' "$WORK/chart-$1.yaml" || fail "no webhooks rendered"
  if ! diff -u --label "tlsguard webhook manifest --name $3" --label "chart (release $1)" \
      <(webhooks "$WORK/go-$1.yaml") <(webhooks "$WORK/chart-$1.yaml"); then
    fail "the chart's webhooks differ from pkg/guarded: update tlsguard.guarded in $CHART/templates/_helpers.tpl"
  fi
  echo "    release $1 in $2: $(grep -c '^- admissionReviewVersions' "$WORK/chart-$1.yaml") webhooks identical"
}
compare tlsguard tlsguard-system tlsguard
compare edge guard edge-tlsguard

step "examples/prometheusrule.yaml = the chart's PrometheusRule"
cat >"$WORK/example-values.yaml" <<'EOF'
prometheusRule:
  enabled: true
  upSelector: job=~".*tlsguard.*"
EOF
{
  cat <<'EOF'
# tlsguard's alerts as a plain prometheus-operator PrometheusRule, for when
# tlsguard runs without the chart's prometheusRule.enabled (or Prometheus
# scrapes it with its own job): kubectl -n monitoring apply -f this file, with
# the labels your Prometheus selects rules by. The alerts assume the defaults:
# 2 replicas, failurePolicy Fail, timeoutSeconds 3, the scanner and the probe
# on, and a scrape job whose name contains "tlsguard".
#
# Generated from charts/tlsguard/templates/prometheusrule.yaml by
# `UPDATE=1 hack/helm-lint.sh`; edit the template, not this file.
apiVersion: monitoring.coreos.com/v1
kind: PrometheusRule
metadata:
  name: tlsguard
  labels:
    app.kubernetes.io/name: tlsguard
    app.kubernetes.io/part-of: tlsguard
EOF
  "$HELM" template tlsguard "$CHART" -n tlsguard-system -f "$WORK/example-values.yaml" \
    --show-only templates/prometheusrule.yaml | sed -n '/^spec:/,$p'
} >"$WORK/example.yaml"
if [[ ${UPDATE:-} == 1 ]]; then
  cp "$WORK/example.yaml" "$EXAMPLE"; echo "    wrote $EXAMPLE"
elif ! diff -u --label "$EXAMPLE" --label "rendered" "$EXAMPLE" "$WORK/example.yaml"; then
  fail "$EXAMPLE is stale: run UPDATE=1 hack/helm-lint.sh"
fi
hack/promrules.sh "$EXAMPLE" | sed 's/^/    /'
step "helm-lint: OK"
