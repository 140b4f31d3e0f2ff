#!/usr/bin/env bash
# Builds helm and the helm-unittest plugin from source fetched through the Go
# module proxy (their release tarballs live on get.helm.sh and GitHub, which we
# cannot reach). Each tool is built in a throwaway wrapper module under $TMPDIR,
# so the repo's go.mod is never touched, and cached outside the clone. Only the
# requested path goes to stdout; progress goes to stderr. Idempotent and
# lock-safe (a second run finds the binaries and invokes no go command).
#
#   hack/helm.sh           build helm if missing; print the helm binary's path
#   hack/helm.sh plugins   build helm and helm-unittest if missing, install the
#                          plugin into a private plugins dir; print that dir
#
#   HELM="$(hack/helm.sh)"; HELM_PLUGINS="$(hack/helm.sh plugins)" "$HELM" unittest charts/tlsguard
set -euo pipefail

HELM_VERSION=v3.22.0          # newest helm v3 on the module proxy (go 1.26, k8s.io/* v0.37.0)
UNITTEST_VERSION=v1.1.2       # github.com/helm-unittest/helm-unittest, builds against helm v3.21
TOOLS=${TLSGUARD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tlsguard/tools}
HELM_DIR=$TOOLS/helm-$HELM_VERSION
UNITTEST_DIR=$TOOLS/helm-unittest-$UNITTEST_VERSION
# A plugins dir of our own (for HELM_PLUGINS): `helm plugin install` never
# touches the user's ~/.local/share/helm.
PLUGINS_DIR=$TOOLS/helm-plugins-$HELM_VERSION-unittest-$UNITTEST_VERSION

log() { echo "helm.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mode=${1:-helm}
case $mode in
  helm | plugins) ;;
  *) die "usage: hack/helm.sh [plugins]" ;;
esac

helm_ok() { [[ -x $HELM_DIR/helm ]]; }
# `helm plugin install DIR` links DIR into the plugins dir under its basename.
plugins_ok() { [[ -f $PLUGINS_DIR/${UNITTEST_DIR##*/}/plugin.yaml && -x $UNITTEST_DIR/untt ]]; }
done_() {
  if [[ $mode == helm ]]; then helm_ok && echo "$HELM_DIR/helm"; else helm_ok && plugins_ok && echo "$PLUGINS_DIR"; fi
}

# Fast path: nothing to build.
if done_; then exit 0; fi

command -v go >/dev/null || die "go not found in PATH"
mkdir -p "$TOOLS" || die "cannot create $TOOLS"
exec 9>"$TOOLS/.helm.lock" || die "cannot open $TOOLS/.helm.lock"
if ! flock -n 9; then log "waiting for $TOOLS/.helm.lock (another build running)"; flock 9; fi
if done_; then exit 0; fi

WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsguard-helm.XXXXXX")
trap 'rm -rf "$WORK"' EXIT
# Wrapper modules: ignore any go.work, let go edit the wrapper's go.mod freely,
# and build static binaries.
GOFLAGS="$(go env GOFLAGS) -mod=mod"; export GOWORK=off GOFLAGS CGO_ENABLED=0

build_helm() {
  local w=$WORK/helm cv major minor
  mkdir -p "$w" "$HELM_DIR" && cd "$w"
  go mod init tlsguard-tools-helm >/dev/null 2>&1 || die "go mod init failed in $w"
  log "fetching helm.sh/helm/v3@$HELM_VERSION"
  go get "helm.sh/helm/v3@$HELM_VERSION" >&2 || die "cannot fetch helm.sh/helm/v3@$HELM_VERSION"
  # As helm's Makefile does: the default Kubernetes version of `helm template`
  # and `helm lint` follows the client-go helm was built with (v0.37 -> 1.37).
  cv=$(go list -m -f '{{.Version}}' k8s.io/client-go) || die "cannot resolve k8s.io/client-go"
  cv=${cv#v}; major=$(( ${cv%%.*} + 1 )); minor=${cv#*.}; minor=${minor%%.*}
  log "building helm $HELM_VERSION (k8s.io/client-go v$cv, Kubernetes $major.$minor by default)"
  local t=$SECONDS
  go build -trimpath -o "$HELM_DIR/.helm.tmp.$$" -ldflags "-s -w \
-X helm.sh/helm/v3/internal/version.version=$HELM_VERSION \
-X helm.sh/helm/v3/internal/version.gitTreeState=clean \
-X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/lint/rules.k8sVersionMinor=$minor \
-X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=$major -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$minor" \
    helm.sh/helm/v3/cmd/helm >&2 || { rm -f "$HELM_DIR/.helm.tmp.$$"; die "helm build failed"; }
  log "helm built in $((SECONDS - t))s"
  local out; out=$("$HELM_DIR/.helm.tmp.$$" version --template '{{.Version}}' 2>&1) || die "built helm does not run: $out"
  [[ $out == "$HELM_VERSION" ]] || die "unexpected helm version: $out"
  mv -f "$HELM_DIR/.helm.tmp.$$" "$HELM_DIR/helm"
}

build_unittest() {
  local w=$WORK/unittest src
  mkdir -p "$w" "$UNITTEST_DIR" && cd "$w"
  go mod init tlsguard-tools-helm-unittest >/dev/null 2>&1 || die "go mod init failed in $w"
  log "fetching github.com/helm-unittest/helm-unittest@$UNITTEST_VERSION"
  src=$(go mod download -json "github.com/helm-unittest/helm-unittest@$UNITTEST_VERSION" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",*$/\1/p') || true
  [[ -f $src/go.mod ]] || die "cannot download github.com/helm-unittest/helm-unittest@$UNITTEST_VERSION"
  # A dependency's replace directives are ignored, and helm-unittest needs its
  # fork of yaml-jsonpath: copy its replaces into the wrapper.
  awk '/^replace[ \t]*\(/{r=1;next} r&&/^\)/{r=0;next} r&&/=>/{print "replace " $0; next} /^replace .*=>/{print}' \
    "$src/go.mod" >>go.mod
  go get "github.com/helm-unittest/helm-unittest@$UNITTEST_VERSION" >&2 || die "cannot resolve helm-unittest's dependencies"
  log "building helm-unittest $UNITTEST_VERSION"
  local t=$SECONDS
  go build -trimpath -o "$UNITTEST_DIR/.untt.tmp.$$" \
    -ldflags "-s -w -X github.com/helm-unittest/helm-unittest/internal/build.version=${UNITTEST_VERSION#v}" \
    github.com/helm-unittest/helm-unittest/cmd/helm-unittest >&2 || { rm -f "$UNITTEST_DIR/.untt.tmp.$$"; die "helm-unittest build failed"; }
  log "helm-unittest built in $((SECONDS - t))s"
  "$UNITTEST_DIR/.untt.tmp.$$" --help >/dev/null 2>&1 || die "built helm-unittest does not run"
  mv -f "$UNITTEST_DIR/.untt.tmp.$$" "$UNITTEST_DIR/untt"
  # The upstream plugin.yaml downloads release binaries from GitHub in an
  # install hook; ours points at the binary we just built and has no hooks.
  cat >"$UNITTEST_DIR/plugin.yaml" <<EOF
name: "unittest"
version: "${UNITTEST_VERSION#v}"
usage: "unittest for helm charts"
description: "helm-unittest $UNITTEST_VERSION, built from the Go module proxy by tlsguard's hack/helm.sh"
ignoreFlags: false
command: "\$HELM_PLUGIN_DIR/untt"
EOF
}

install_plugin() {
  rm -rf "$PLUGINS_DIR"; mkdir -p "$PLUGINS_DIR"
  HELM_PLUGINS=$PLUGINS_DIR "$HELM_DIR/helm" plugin install "$UNITTEST_DIR" >&2 || die "helm plugin install $UNITTEST_DIR failed"
  HELM_PLUGINS=$PLUGINS_DIR "$HELM_DIR/helm" unittest --help >/dev/null 2>&1 || die "helm unittest does not run from $PLUGINS_DIR"
}

helm_ok || build_helm
if [[ $mode == plugins ]]; then
  [[ -x $UNITTEST_DIR/untt && -f $UNITTEST_DIR/plugin.yaml ]] || build_unittest
  plugins_ok || install_plugin
fi
done_ || die "tools missing after the build"
