# GoGoTime container image: `deploy/scripts/build-image` (see docs/deployment/docker.md), or
# `docker build --build-arg VERSION=X.Y.Z -t gogotime:X.Y.Z .`
#
# Stages: toolchain (the official Rust image) → dev (hot-reload image used by compose.yaml)
#         → builder (dependencies compiled in their own layer, then the crate) → runtime (slim Debian,
#         non-root, read-only friendly). Kept compatible with the classic builder (no BuildKit-only
#         syntax) because docker-compose 1.29 and Debian's Docker 20.10 build with it.

# Tags of the base images; override with --build-arg to try another toolchain or Debian release.
ARG RUST_VERSION=1.95
ARG DEBIAN_RELEASE=bookworm

FROM rust:${RUST_VERSION}-${DEBIAN_RELEASE} AS toolchain
WORKDIR /src

# ---------------------------------------------------------------------------------------------
# Development image for compose.yaml: the working tree is mounted at /src, the cargo registry and
# target dir live on named volumes, and dev-watch.sh rebuilds and restarts on source changes.
FROM toolchain AS dev
ENV CARGO_TARGET_DIR=/cargo-target \
    GOGOTIME_ENV=development \
    GOGOTIME_BIND=0.0.0.0:8080 \
    GOGOTIME_METRICS_BIND=0.0.0.0:9100
COPY deploy/docker/dev-watch.sh /usr/local/bin/gogotime-dev-watch
EXPOSE 8080 9100
CMD ["gogotime-dev-watch"]

# ---------------------------------------------------------------------------------------------
FROM toolchain AS builder
SHELL ["/bin/bash", "-o", "pipefail", "-c"]

# 1. Dependencies only: with just the manifest and lock file (and stub targets) this layer is
#    rebuilt when dependencies change, not on every source edit. Same idea as cargo-chef without
#    compiling cargo-chef first (minutes on a small CI machine).
COPY deploy/docker/cargo-stub-targets.sh /usr/local/bin/cargo-stub-targets
COPY Cargo.toml Cargo.lock ./
# Stub sources (declared targets must exist for cargo to read the manifest); afterwards the stub
# crate's artifacts are deleted so the real sources are always compiled below (COPY keeps mtimes).
RUN set -eux; \
    cargo-stub-targets all; \
    cargo build --locked --release; \
    rm -rf src benches tests examples target/release/gogotime target/release/gogotime.d \
        target/release/deps/gogotime-* target/release/deps/libgogotime-* target/release/.fingerprint/gogotime-*

# 2. The crate itself. VERSION is the one source of the release version: the binary reports it
#    (build.rs reads GOGOTIME_VERSION) and the runtime stage labels the image with it, so
#    `gogotime --version`, /api/system/version and org.opencontainers.image.version agree.
#    There is no default, because a default would be a second source that drifts from
#    Cargo.toml: deploy/scripts/build-image passes Cargo.toml's version. The commit is passed in
#    because .git is not part of the build context.
COPY . .
ARG VERSION
ARG GOGOTIME_GIT_COMMIT=unknown
RUN set -eux; \
    : "${VERSION:?pass --build-arg VERSION=X.Y.Z (deploy/scripts/build-image reads it from Cargo.toml)}"; \
    cargo-stub-targets unbuilt; \
    GOGOTIME_VERSION="$VERSION" GOGOTIME_GIT_COMMIT="$GOGOTIME_GIT_COMMIT" cargo build --locked --release; \
    cp target/release/gogotime /usr/local/bin/gogotime; \
    test "$(/usr/local/bin/gogotime --version)" = "gogotime $VERSION (commit $GOGOTIME_GIT_COMMIT)"

# ---------------------------------------------------------------------------------------------
FROM debian:${DEBIAN_RELEASE}-slim AS runtime

# No apt packages: the binary speaks plain HTTP and links only glibc (present in the base image);
# TLS terminates at the proxy in front. A dedicated user with a fixed uid so volume ownership and
# Kubernetes securityContext (runAsUser: 10001) agree; /data is its only writable directory.
RUN set -eux; \
    groupadd --system --gid 10001 gogotime; \
    useradd --system --uid 10001 --gid 10001 --home-dir /data --no-create-home \
        --shell /usr/sbin/nologin gogotime; \
    mkdir /data; \
    chown 10001:10001 /data; \
    chmod 0750 /data

COPY --from=builder /usr/local/bin/gogotime /usr/local/bin/gogotime

# Production defaults; the secrets and DATABASE_URL/GOGOTIME_PUBLIC_URL come from the environment
# (the binary refuses to start without them). Metrics listen on the container network, unpublished.
ENV GOGOTIME_ENV=production \
    GOGOTIME_BIND=0.0.0.0:8080 \
    GOGOTIME_METRICS_BIND=0.0.0.0:9100 \
    GOGOTIME_LOG_FORMAT=json

# Runs with --read-only: /data (volume) and a tmpfs on /tmp are the only writable paths.
WORKDIR /data
VOLUME ["/data"]
USER 10001:10001
EXPOSE 8080 9100

# `gogotime serve` turns readiness to 503 on SIGTERM, drains, and exits 0 (give it
# GOGOTIME_SHUTDOWN_DELAY_SECONDS + GOGOTIME_SHUTDOWN_GRACE_SECONDS: `docker stop -t 30`).
STOPSIGNAL SIGTERM
# The image has no curl: the binary probes its own readiness endpoint.
HEALTHCHECK --interval=10s --timeout=5s --start-period=30s --retries=3 \
    CMD ["gogotime", "healthcheck"]

ENTRYPOINT ["gogotime"]
CMD ["serve"]

# Labels last, so a new build date does not invalidate the layers above. VERSION and the commit
# are the values the binary was compiled with (builder stage).
ARG VERSION
ARG GOGOTIME_GIT_COMMIT=unknown
ARG SOURCE_URL=https://github.com/gogotime/gogotime
ARG BUILD_DATE=unknown
LABEL org.opencontainers.image.title="GoGoTime" \
      org.opencontainers.image.description="Self-hostable team time tracker" \
      org.opencontainers.image.licenses="AGPL-3.0-or-later" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${GOGOTIME_GIT_COMMIT}" \
      org.opencontainers.image.source="${SOURCE_URL}" \
      org.opencontainers.image.created="${BUILD_DATE}"
