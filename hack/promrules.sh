#!/usr/bin/env bash
# Checks PrometheusRule manifests the way Prometheus loads rule files: every
# expr parses as PromQL, every label and annotation template parses, rule and
# label names are valid. The checker is a ~60-line Go program on
# github.com/prometheus/prometheus/model/rulefmt, built once in a throwaway
# wrapper module (outside the repo, from the Go module proxy) and cached.
#
#   hack/promrules.sh FILE...   (multi-document YAML; other kinds are skipped)
set -euo pipefail

PROMETHEUS_VERSION=v0.316.0   # the Go module version of Prometheus 3.x's packages
TOOLS=${TLSGUARD_TOOLS_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/tlsguard/tools}
BIN=$TOOLS/promrules-$PROMETHEUS_VERSION/promrules

log() { echo "promrules.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 2; }
[[ $# -gt 0 ]] || die "usage: hack/promrules.sh FILE..."

if [[ ! -x $BIN ]]; then
  command -v go >/dev/null || die "go not found in PATH"
  mkdir -p "${BIN%/*}"
  exec 9>"$TOOLS/.promrules.lock"; flock 9
  if [[ ! -x $BIN ]]; then
    WORK=$(mktemp -d "${TMPDIR:-/tmp}/tlsguard-promrules.XXXXXX")
    trap 'rm -rf "$WORK"' EXIT
    cd "$WORK"
    cat >main.go <<'EOF'
// Command promrules checks the rules of the PrometheusRule objects in the
// YAML files it is given with Prometheus' own rule-file parser.
package main

import (
	"bytes"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/prometheus/common/model"
	"github.com/prometheus/prometheus/model/rulefmt"
	"github.com/prometheus/prometheus/promql/parser"
	"go.yaml.in/yaml/v3"
)

func main() {
	bad := false
	for _, f := range os.Args[1:] {
		if err := check(f); err != nil {
			fmt.Fprintf(os.Stderr, "%s: %v\n", f, err)
			bad = true
		}
	}
	if bad {
		os.Exit(1)
	}
}

func check(file string) error {
	b, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	dec := yaml.NewDecoder(bytes.NewReader(b))
	rules := 0
	for {
		var doc struct {
			Kind string    `yaml:"kind"`
			Spec yaml.Node `yaml:"spec"`
		}
		if err := dec.Decode(&doc); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			return err
		}
		if doc.Kind != "PrometheusRule" {
			continue
		}
		spec, err := yaml.Marshal(&doc.Spec)
		if err != nil {
			return err
		}
		groups, errs := rulefmt.Parse(spec, false, model.UTF8Validation, parser.NewParser(parser.Options{}), slog.New(slog.DiscardHandler))
		if len(errs) > 0 {
			return errors.Join(errs...)
		}
		for _, g := range groups.Groups {
			rules += len(g.Rules)
		}
	}
	if rules == 0 {
		return errors.New("no PrometheusRule with rules found")
	}
	fmt.Printf("%s: %d rules parse\n", file, rules)
	return nil
}
EOF
    export GOWORK=off GOFLAGS="$(go env GOFLAGS) -mod=mod" CGO_ENABLED=0
    go mod init tlsguard-tools-promrules >/dev/null 2>&1 || die "go mod init failed"
    log "building the rule checker on github.com/prometheus/prometheus@$PROMETHEUS_VERSION"
    go get "github.com/prometheus/prometheus@$PROMETHEUS_VERSION" >&2 || die "cannot fetch prometheus $PROMETHEUS_VERSION"
    go build -trimpath -o "$BIN.tmp.$$" . >&2 || { rm -f "$BIN.tmp.$$"; die "build failed"; }
    mv -f "$BIN.tmp.$$" "$BIN"
    cd - >/dev/null
  fi
fi
exec "$BIN" "$@"
