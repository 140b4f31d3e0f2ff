# tlsguard: policy-as-code guard for the TLS link between Rancher and its agents.
# `make help` lists the targets. Everything the targets need is fetched from
# the Go module proxy; binaries and caches live outside the clone.

SHELL := /usr/bin/env bash -o pipefail
.DEFAULT_GOAL := help

GO        ?= go
LOCALBIN  ?= $(CURDIR)/bin
WHAT      ?= ./...
# The instant `make run` evaluates the bundled examples at, so its output is
# the one the README shows.
EXAMPLE_NOW ?= 2026-12-01T00:00:00Z
VERSION   ?= $(shell git describe --tags --always --dirty 2>/dev/null || echo dev)
LDFLAGS   := -X github.com/tlsguard/tlsguard/cmd/tlsguard/app.version=$(VERSION)

##@ General

.PHONY: help
help: ## Show this help.
	@awk 'BEGIN {FS = ":.*##"; printf "Usage: make <target>\n"} \
	  /^[a-zA-Z0-9_-]+:.*?##/ { printf "  \033[36m%-18s\033[0m %s\n", $$1, $$2 } \
	  /^##@/ { printf "\n\033[1m%s\033[0m\n", substr($$0, 5) }' $(MAKEFILE_LIST)

##@ Build and run

.PHONY: build
build: ## Build bin/tlsguard.
	$(GO) build -ldflags "$(LDFLAGS)" -o $(LOCALBIN)/tlsguard ./cmd/tlsguard

.PHONY: run
run: build ## Scan the bundled example Rancher state (examples/rancher) and print the findings.
	@echo "+ tlsguard scan --now $(EXAMPLE_NOW) examples/rancher/"
	@$(LOCALBIN)/tlsguard scan --now $(EXAMPLE_NOW) examples/rancher/; \
	  rc=$$?; echo "(exit status $$rc: 1 means deny-policy findings, as expected for this example)"; \
	  [ $$rc -le 1 ]

##@ Test

.PHONY: test
test: helm-lint helm-test test-unit test-integration ## Run all tests: unit, Rego, fixtures, race, envtest integration, and the chart.

.PHONY: test-unit
test-unit: ## Run Go unit tests, Rego unit tests and policy fixtures (WHAT=./pkg/... to narrow).
	$(GO) test -count=1 $(WHAT)
	$(GO) test -count=1 -race ./pkg/policy/ ./pkg/audit/ ./webhook/

.PHONY: envtest
envtest: ## Build (once, cached in ~/.cache/tlsguard) kube-apiserver and etcd from the Go module proxy.
	@hack/envtest.sh >/dev/null

.PHONY: test-integration
test-integration: envtest ## Run the integration tests against a real kube-apiserver + etcd and kubectl.
	KUBEBUILDER_ASSETS="$$(hack/envtest.sh)" $(GO) test -count=1 -tags integration -timeout 20m ./test/integration/...

.PHONY: test-rego
test-rego: ## Run the Rego unit tests and fixtures of the policy library.
	$(GO) run ./cmd/tlsguard policy test policies

.PHONY: bench
bench: ## Run the benchmarks (scan of a generated fleet vs a crypto/x509 floor); see docs/performance.md.
	$(GO) test -run '^$$' -bench . -benchmem -benchtime=1x -count=1 ./test/bench/

##@ Chart and image

IMG ?= ghcr.io/tlsguard/tlsguard:$(VERSION)

.PHONY: helm-lint
helm-lint: ## Lint the chart; check its webhooks against pkg/guarded and its alerts' PromQL (helm built from the module proxy).
	hack/helm-lint.sh

.PHONY: helm-test
helm-test: ## Run the chart's helm-unittest suites.
	HELM_PLUGINS="$$(hack/helm.sh plugins)" "$$(hack/helm.sh)" unittest charts/tlsguard

.PHONY: helm-smoke
helm-smoke: envtest ## Install the rendered chart into a real API server and run tlsguard as its ServiceAccount.
	hack/helm-smoke.sh

.PHONY: docker-build
docker-build: ## Build the image (needs a Docker engine; none on the project's machines).
	docker build --build-arg VERSION=$(VERSION) -t $(IMG) .

##@ Generate and verify

.PHONY: generate
generate: ## Regenerate the policy catalogue (docs/policies.md, policy READMEs, README table).
	$(GO) run ./hack/gendocs

.PHONY: examples
examples: ## Regenerate examples/ with fresh certificates (relative to EXAMPLE_NOW).
	$(GO) run ./hack/genexamples

.PHONY: verify
verify: generate ## Fail if generated files are stale, or code is not gofmt'ed or vetted.
	git diff --exit-code -- docs/policies.md README.md policies/
	@test -z "$$(gofmt -l $$(git ls-files '*.go'))" || { gofmt -l $$(git ls-files '*.go'); exit 1; }
	$(GO) vet ./...

GOLANGCI_LINT_VERSION ?= v2.15.0
GOLANGCI_LINT := $(or $(XDG_CACHE_HOME),$(HOME)/.cache)/tlsguard/tools/golangci-lint-$(GOLANGCI_LINT_VERSION)/golangci-lint

$(GOLANGCI_LINT):
	GOBIN=$(dir $(GOLANGCI_LINT)) $(GO) install github.com/golangci/golangci-lint/v2/cmd/golangci-lint@$(GOLANGCI_LINT_VERSION)

.PHONY: lint
lint: $(GOLANGCI_LINT) ## golangci-lint (pinned, built from the module proxy), and OPA's strict compile of the policies.
	$(GOLANGCI_LINT) run ./...
	$(GO) test -count=1 -run 'TestEmbedded' ./policies/

.PHONY: clean
clean: ## Remove bin/.
	rm -rf $(LOCALBIN)

##@ Demo

.PHONY: demo
demo: build envtest ## Start kube-apiserver+etcd, a secure Rancher state and tlsguard serve, then walk through refused edits.
	KUBEBUILDER_ASSETS="$$(hack/envtest.sh)" $(GO) run ./hack/demo $(LOCALBIN)/tlsguard

# GOGC of the bench process, as the chart runs serve (values.yaml
# goRuntime.gogc); BENCH_GOGC=100 measures Go's default.
BENCH_GOGC ?= 800

.PHONY: bench-webhook
bench-webhook: build ## Load the admission webhook at 1,000 requests/s for 30 s, side by side with an allow-all handler.
	GOGC=$(BENCH_GOGC) $(LOCALBIN)/tlsguard bench webhook --rate 1000 --duration 30s

.PHONY: bench-cluster
bench-cluster: envtest ## Benchmark the scanner against 10,000 Secrets + 1,000 Deployments in a real API server.
	KUBEBUILDER_ASSETS="$$(hack/envtest.sh)" $(GO) test -tags integration -run '^$$' -bench BenchmarkClusterScan -benchtime=1x -timeout 30m ./test/bench/
