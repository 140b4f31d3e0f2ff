#!/usr/bin/env bash
# Builds the kube-apiserver and etcd binaries that controller-runtime's envtest
# needs, from source fetched through the Go module proxy (the usual envtest
# tarballs live on Google/GitHub storage, which we cannot reach). Binaries are
# cached outside the repo; the cache dir (for KUBEBUILDER_ASSETS) is printed as
# the only stdout line, all progress goes to stderr. Idempotent and lock-safe.
#   export KUBEBUILDER_ASSETS="$(hack/envtest.sh)"
set -euo pipefail

K8S_VERSION=v1.37.2
STAGING_VERSION=v0.37.2      # k8s.io/* staging modules are tagged v0.<minor>.<patch>
ETCD_VERSION=v3.7.4
ETCD_FALLBACK_VERSION=v3.7.3 # used only if the proxy refuses ETCD_VERSION
DIR=${TLSGUARD_ENVTEST_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tlsguard/envtest/k8s-${K8S_VERSION}-etcd-${ETCD_VERSION}}

log() { echo "envtest.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }
complete() { [[ -f $DIR/kube-apiserver && -x $DIR/kube-apiserver && -f $DIR/etcd && -x $DIR/etcd ]]; }

# Fast path: nothing to do, no go invocations.
if complete; then echo "$DIR"; exit 0; fi

command -v go >/dev/null || die "go not found in PATH"
mkdir -p "$DIR" || die "cannot create cache dir $DIR"
# Serialise concurrent runs; whoever waits re-checks after getting the lock.
LOCK="$(dirname "$DIR")/$(basename "$DIR").lock"
exec 9>"$LOCK" || die "cannot open lock file $LOCK"
if ! flock -n 9; then log "waiting for lock $LOCK (another build running)"; flock 9; fi
if complete; then echo "$DIR"; exit 0; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsguard-envtest.XXXXXX")
ETCD_PID=
cleanup() {
  if [[ -n $ETCD_PID ]]; then kill "$ETCD_PID" 2>/dev/null || true; wait "$ETCD_PID" 2>/dev/null || true; fi
  rm -rf "$WORK"; rm -f "$DIR"/.*.tmp.$$
}
trap cleanup EXIT
# Wrapper modules live in $WORK: ignore any go.work, never touch the repo's go.mod,
# and let go update the wrapper's go.mod/go.sum freely (existing GOFLAGS kept).
GOFLAGS="$(go env GOFLAGS) -mod=mod"; export GOWORK=off GOFLAGS

# install NAME: move the verified temp binary into place atomically (same fs).
install_bin() { chmod 0755 "$DIR/.$1.tmp.$$"; mv -f "$DIR/.$1.tmp.$$" "$DIR/$1"; }

build_etcd() {
  local w=$WORK/etcd v=$ETCD_VERSION
  mkdir -p "$w" && cd "$w"
  go mod init envtest-etcd 2>/dev/null || die "go mod init failed in $w"
  if ! go get -tool "go.etcd.io/etcd/server/v3@$v" >&2; then
    v=$ETCD_FALLBACK_VERSION
    log "WARNING: go.etcd.io/etcd/server/v3@$ETCD_VERSION refused; falling back to $v (cache dir name unchanged)"
    go get -tool "go.etcd.io/etcd/server/v3@$v" >&2 || die "cannot fetch go.etcd.io/etcd/server/v3@$v"
  fi
  log "building etcd $v"
  local t=$SECONDS  # etcd's main package is the server/v3 module root
  go build -o "$DIR/.etcd.tmp.$$" go.etcd.io/etcd/server/v3 >&2 || die "etcd build failed"
  log "etcd built in $((SECONDS - t))s"
  "$DIR/.etcd.tmp.$$" --version >&2 || die "built etcd does not run"
  smoke_etcd "$DIR/.etcd.tmp.$$"
  install_bin etcd
}

# Start etcd on random high loopback ports and wait for /health to say true.
smoke_etcd() {
  command -v curl >/dev/null || { log "curl missing; skipping etcd smoke test"; return 0; }
  local c=$((20000 + RANDOM % 20000)); local p=$((c + 1)) i
  "$1" --name smoke --data-dir "$WORK/etcd-data" \
    --listen-client-urls "http://127.0.0.1:$c" --advertise-client-urls "http://127.0.0.1:$c" \
    --listen-peer-urls "http://127.0.0.1:$p" --initial-advertise-peer-urls "http://127.0.0.1:$p" \
    --initial-cluster "smoke=http://127.0.0.1:$p" >"$WORK/etcd.log" 2>&1 &
  ETCD_PID=$!
  for i in $(seq 50); do
    curl -fs "http://127.0.0.1:$c/health" 2>/dev/null | grep -q '"health":"true"' && break
    [[ $i == 50 ]] && { tail -20 "$WORK/etcd.log" >&2; die "etcd smoke test: /health never became true"; }
    sleep 0.2
  done
  kill "$ETCD_PID" 2>/dev/null || true; wait "$ETCD_PID" 2>/dev/null || true; ETCD_PID=
  log "etcd smoke test passed (/health on 127.0.0.1:$c)"
}

build_kube_apiserver() {
  local w=$WORK/kube-apiserver gomod mods m
  mkdir -p "$w" && cd "$w"
  # kubernetes' go.mod requires its staging repos at v0.0.0 and replaces them with
  # ./staging paths; replaces in dependencies are ignored, so we must map each to
  # the published v0.x tag. Take the list from the *require* block: the replace
  # block also names sample-cli-plugin/sample-controller, which the proxy refuses.
  gomod=$(go mod download -json "k8s.io/kubernetes@$K8S_VERSION" | sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",*$/\1/p') || true
  [[ -f $gomod ]] || die "could not download k8s.io/kubernetes@$K8S_VERSION go.mod via the module proxy"
  mods=$(awk '/^require[ \t]*\(/{r=1;next} r&&/^\)/{r=0} r&&$1~/^k8s\.io\//&&$2=="v0.0.0"{print $1}' "$gomod")
  [[ -n $mods ]] || die "found no k8s.io/* v0.0.0 requirements in $gomod"
  { echo "module envtest-kube-apiserver"; echo; awk '$1=="go"||$1=="godebug"' "$gomod"; echo
    echo "require k8s.io/kubernetes $K8S_VERSION"; echo
    echo "tool k8s.io/kubernetes/cmd/kube-apiserver"; echo; echo "replace ("
    for m in $mods; do echo "	$m => $m $STAGING_VERSION"; done; echo ")"; } >go.mod
  log "replacing $(wc -w <<<"$mods") k8s.io/* modules with $STAGING_VERSION; go mod tidy"
  go mod tidy >&2 || die "go mod tidy failed for the kube-apiserver wrapper ($w/go.mod)"
  log "building kube-apiserver $K8S_VERSION (takes several minutes, ~3GB build cache)"
  local t=$SECONDS minor=${K8S_VERSION#v1.}; minor=${minor%%.*}
  go build -o "$DIR/.kube-apiserver.tmp.$$" -ldflags "-X k8s.io/component-base/version.gitVersion=$K8S_VERSION \
-X k8s.io/component-base/version.gitMajor=1 -X k8s.io/component-base/version.gitMinor=$minor" \
    k8s.io/kubernetes/cmd/kube-apiserver >&2 || die "kube-apiserver build failed"
  log "kube-apiserver built in $((SECONDS - t))s"
  local out; out=$("$DIR/.kube-apiserver.tmp.$$" --version 2>&1) || die "built kube-apiserver does not run: $out"
  [[ $out == "Kubernetes $K8S_VERSION" ]] || die "unexpected kube-apiserver --version: $out"
  log "$out"; install_bin kube-apiserver
}

# Build only what is missing (e.g. etcd survives a failed kube-apiserver build).
if [[ ! -x $DIR/etcd ]]; then build_etcd; fi
if [[ ! -x $DIR/kube-apiserver ]]; then build_kube_apiserver; fi
complete || die "binaries missing in $DIR after build"
log "envtest binaries ready in $DIR"
echo "$DIR"
