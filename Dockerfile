# syntax=docker/dockerfile:1
#
# The tlsguard image: one static binary on distroless, running as the
# distroless "nonroot" user (65532) with ENTRYPOINT /tlsguard, so the chart's
# Deployment passes `serve ...` as args. distroless/static carries the CA
# roots (/etc/ssl/certs) that --system-roots reads, and nothing else: no
# shell, no package manager.
#
# Build (anywhere with a Docker engine and network access):
#   docker build --build-arg VERSION=$(git describe --tags --always --dirty) -t ghcr.io/tlsguard/tlsguard:dev .
#
# NOTE: the development machines of this project have the docker CLI but no
# Docker engine, so this file is not built or tested here; the commands of its
# build stage are the ones `go build` runs locally (CGO_ENABLED=0 -trimpath,
# the Makefile's version ldflags). Pin both base images by digest for release
# builds.

FROM --platform=$BUILDPLATFORM golang:1.26 AS build
WORKDIR /src
# Dependencies first, in their own layer: it is reused until go.mod/go.sum change.
COPY go.mod go.sum ./
RUN --mount=type=cache,target=/go/pkg/mod go mod download
COPY . .
ARG VERSION=dev
ARG TARGETOS
ARG TARGETARCH
# Static (no cgo, so it runs on distroless/static), reproducible (-trimpath,
# no VCS stamping: .git is not in the build context), cross-compiled for the
# target platform on the build platform.
RUN --mount=type=cache,target=/go/pkg/mod --mount=type=cache,target=/root/.cache/go-build \
    CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH \
    go build -trimpath -buildvcs=false \
      -ldflags "-s -w -X github.com/tlsguard/tlsguard/cmd/tlsguard/app.version=${VERSION}" \
      -o /out/tlsguard ./cmd/tlsguard

FROM gcr.io/distroless/static:nonroot
COPY --from=build /out/tlsguard /tlsguard
# The chart runs it with runAsNonRoot and a read-only root filesystem.
USER 65532:65532
ENTRYPOINT ["/tlsguard"]
