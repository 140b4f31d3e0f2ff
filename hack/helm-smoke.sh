#!/usr/bin/env bash
# Installs the chart's manifests into a real kube-apiserver (the envtest
# binaries of hack/envtest.sh) and runs `tlsguard serve` with the chart's
# arguments under the chart's ServiceAccount (by impersonation), to prove what
# `helm template` cannot:
#   - the API server accepts every object (schemas, CEL matchConditions,
#     webhook names, RBAC rules), applied with the ValidatingWebhookConfiguration
#     first, so the chart's own cert-manager objects must get past a webhook
#     with failurePolicy Fail and no endpoints (the "not-tlsguard-itself"
#     matchCondition);
#   - the ClusterRole/Roles are enough: tlsguard becomes ready, completes a
#     full scan of the example Rancher state (examples/rancher), writes
#     PolicyReports and Events, and holds its Lease, with no "forbidden";
#   - the same with rbac.namespaced=true and reportFormat openreports.
# No kubelet or controllers run: the Deployment's pods never start, tlsguard
# runs on this machine. Needs go, kubectl, curl and openssl.
set -euo pipefail
cd "$(dirname "$0")/.."

CHART=charts/tlsguard
NS=tlsguard-system
HELM=$(hack/helm.sh)
ASSETS=$(hack/envtest.sh)
WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsguard-helm-smoke.XXXXXX")
PIDS=()
# stop PID: SIGTERM, then SIGKILL after 10s (kube-apiserver can hang for
# minutes once etcd is gone), and forget it.
stop() {
  local i
  kill "$1" 2>/dev/null || true
  for ((i = 0; i < 20; i++)); do kill -0 "$1" 2>/dev/null || break; sleep 0.5; done
  kill -9 "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
  local keep=() p; for p in "${PIDS[@]}"; do [[ $p == "$1" ]] || keep+=("$p"); done; PIDS=("${keep[@]}")
}
cleanup() { # newest first: tlsguard, kube-apiserver, etcd
  local i
  for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do stop "${PIDS[i]}"; done
  rm -rf "$WORK"
}
trap cleanup EXIT
step() { echo "==> $*"; }
fail() { echo "helm-smoke: FAIL: $*" >&2; for f in "$WORK"/*.log; do echo "--- tail of $f" >&2; tail -20 "$f" >&2; done; exit 1; }
USED=" "
# port VAR: a random port no socket on this machine uses (per /proc/net) and
# this script has not handed out. Below the kernel's ephemeral range
# (ip_local_port_range, 32768-60999 by default), so that an outgoing
# connection cannot take it between the check and the listen.
port() {
  local -n _port=$1; local p hex lo
  read -r lo _ < /proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || lo=32768
  while :; do
    p=$((10000 + RANDOM % (lo - 10000))); hex=$(printf ':%04X ' "$p")
    [[ $USED == *" $p "* ]] && continue
    grep -qi -- "$hex" /proc/net/tcp /proc/net/tcp6 2>/dev/null && continue
    USED+="$p "; _port=$p; return
  done
}
waitfor() { # what tries command... (every 0.5s; fails early when a process we started died)
  local what=$1 n=$2 i p; shift 2
  for ((i = 0; i < n; i++)); do
    "$@" >/dev/null 2>&1 && return 0
    for p in "${PIDS[@]}"; do kill -0 "$p" 2>/dev/null || fail "a process exited while waiting for $what"; done
    sleep 0.5
  done
  fail "timed out waiting for $what"
}

step "control plane ($("$ASSETS/kube-apiserver" --version))"
port EP; port PP; port AP
"$ASSETS/etcd" --name smoke --data-dir "$WORK/etcd" --listen-client-urls "http://127.0.0.1:$EP" \
  --advertise-client-urls "http://127.0.0.1:$EP" --listen-peer-urls "http://127.0.0.1:$PP" \
  --initial-advertise-peer-urls "http://127.0.0.1:$PP" --initial-cluster "smoke=http://127.0.0.1:$PP" \
  >"$WORK/etcd.log" 2>&1 &
PIDS+=($!)
openssl genrsa -out "$WORK/sa.key" 2048 2>/dev/null
TOKEN=$(openssl rand -hex 16)
echo "$TOKEN,admin,admin,system:masters" >"$WORK/tokens.csv"
waitfor etcd 60 curl -fs "http://127.0.0.1:$EP/health"
"$ASSETS/kube-apiserver" --etcd-servers "http://127.0.0.1:$EP" --cert-dir "$WORK/apiserver" \
  --secure-port "$AP" --bind-address 127.0.0.1 --advertise-address 127.0.0.1 \
  --service-cluster-ip-range 10.0.0.0/24 --service-account-issuer https://kubernetes.default.svc \
  --service-account-key-file "$WORK/sa.key" --service-account-signing-key-file "$WORK/sa.key" \
  --token-auth-file "$WORK/tokens.csv" --authorization-mode RBAC --endpoint-reconciler-type none \
  >"$WORK/kube-apiserver.log" 2>&1 &
PIDS+=($!)
waitfor kube-apiserver 120 curl -fsk -H "Authorization: Bearer $TOKEN" "https://127.0.0.1:$AP/readyz"
kubeconfig() { # file [impersonated user]
  cat >"$1" <<EOF
apiVersion: v1
kind: Config
clusters: [{name: smoke, cluster: {server: "https://127.0.0.1:$AP", insecure-skip-tls-verify: true}}]
users: [{name: admin, user: {token: "$TOKEN"${2:+, as: "$2"}}}]
contexts: [{name: smoke, context: {cluster: smoke, user: admin}}]
current-context: smoke
EOF
}
kubeconfig "$WORK/admin.kubeconfig"
k() { kubectl --kubeconfig "$WORK/admin.kubeconfig" "$@" 2> >(grep -v 'version difference' >&2); }

step "CRDs, namespaces and the example Rancher state"
for n in $NS cattle-system cattle-fleet-system cattle-fleet-local-system fleet-default; do k create namespace "$n" >/dev/null; done
k apply -f "$CHART/crds" -f test/crds >/dev/null
k wait --for condition=established crd --all --timeout 60s >/dev/null
k apply -f examples/rancher >/dev/null

go build -o "$WORK/tlsguard" ./cmd/tlsguard
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout "$WORK/tls.key" \
  -out "$WORK/tls.crt" -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 2>/dev/null
mkdir -p "$WORK/certs" && cp "$WORK/tls.crt" "$WORK/tls.key" "$WORK/certs/"

# install NAME [helm flags]: apply the rendered chart (webhook configuration
# first), run tlsguard with the Deployment's args as its ServiceAccount, and
# check what it did.
install() {
  local name=$1; shift
  local out=$WORK/$name.yaml
  step "install ($name): ${*:-defaults}"
  "$HELM" template tlsguard "$CHART" -n "$NS" "$@" >"$WORK/rendered.yaml"
  # Webhook configuration first; no ServiceMonitor or PrometheusRule (the API
  # server has no prometheus-operator CRDs; hack/helm-lint.sh checks those).
  awk '/^---$/ { if (doc != "") docs[n++] = doc; doc = ""; next }
    { doc = doc $0 "\n" }
    END { if (doc != "") docs[n++] = doc
      for (i = 0; i < n; i++) if (docs[i] ~ /\nkind: ValidatingWebhookConfiguration\n/) printf "---\n%s", docs[i]
      for (i = 0; i < n; i++) if (docs[i] !~ /\nkind: (ValidatingWebhookConfiguration|ServiceMonitor|PrometheusRule)\n/) printf "---\n%s", docs[i] }' \
    "$WORK/rendered.yaml" >"$out"
  k apply --server-side -f "$out" >"$WORK/apply.log" 2>&1 || { cat "$WORK/apply.log" >&2; fail "kubectl apply of the chart"; }
  echo "    applied $(grep -c '^kind:' "$out") objects (webhook configuration first)"
  local sel=app.kubernetes.io/instance=tlsguard deploy
  [[ $(k get validatingwebhookconfiguration -l $sel -o jsonpath='{.items[0].webhooks[*].name}' | wc -w) == 9 ]] ||
    fail "webhook configuration missing"
  deploy=$(k -n "$NS" get deploy -l $sel -o name)
  local sa; sa=$(k -n "$NS" get "$deploy" -o jsonpath='{.spec.template.spec.serviceAccountName}')
  kubeconfig "$WORK/sa.kubeconfig" "system:serviceaccount:$NS:$sa"
  local args; mapfile -t args < <(k -n "$NS" get "$deploy" -o go-template='{{range (index .spec.template.spec.containers 0).args}}{{.}}{{"\n"}}{{end}}')
  local wp mp hp; port wp; port mp; port hp
  "$WORK/tlsguard" "${args[@]}" --kubeconfig "$WORK/sa.kubeconfig" --webhook-addr "127.0.0.1:$wp" \
    --cert-dir "$WORK/certs" --metrics-addr "127.0.0.1:$mp" --health-addr "127.0.0.1:$hp" \
    >"$WORK/tlsguard-$name.log" 2>&1 &
  local pid=$!; PIDS+=($pid)
  waitfor "/readyz" 120 curl -fs "http://127.0.0.1:$hp/readyz"
  waitfor "a full scan" 120 sh -c "curl -fs http://127.0.0.1:$mp/metrics | grep -Eq '^tlsguard_scan_last_success_timestamp_seconds [1-9]'"
  local kinds reports
  if [[ " $* " == *openreports* ]]; then kinds=reports.openreports.io,clusterreports.openreports.io; else kinds=policyreports.wgpolicyk8s.io,clusterpolicyreports.wgpolicyk8s.io; fi
  waitfor "reports" 60 sh -c "kubectl --kubeconfig $WORK/admin.kubeconfig get $kinds -A -l app.kubernetes.io/managed-by=tlsguard -o name 2>/dev/null | grep -q ."
  reports=$(k get "$kinds" -A -l app.kubernetes.io/managed-by=tlsguard -o name | wc -l)
  waitfor "Events" 60 sh -c "kubectl --kubeconfig $WORK/admin.kubeconfig get events -A --field-selector type=Warning -o name 2>/dev/null | grep -q ."
  k -n "$NS" get lease "$(printf '%s\n' "${args[@]}" | sed -n 's/^--leader-election-id=//p')" >/dev/null || fail "no Lease"
  stop "$pid"
  if grep -Ei 'forbidden|cannot (list|get|watch|create|update|patch|delete)' "$WORK/tlsguard-$name.log"; then
    fail "tlsguard was refused an API call as $sa ($name)"
  fi
  echo "    as $sa: ready, scanned, $reports reports, Warning Events, Lease held, nothing forbidden"
  k delete --wait=false -f "$out" >/dev/null 2>&1 || true
  k delete "$kinds" -A -l app.kubernetes.io/managed-by=tlsguard >/dev/null 2>&1 || true
  k delete events -A --all >/dev/null 2>&1 || true
}
install default
install namespaced --set rbac.namespaced=true --set scanner.reportFormat=openreports -f "$CHART/ci/full-values.yaml" \
  --set trustBundle= --set config=null --set debug=false
step "helm-smoke: OK"
