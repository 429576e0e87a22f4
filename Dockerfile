# GoGoTime container image: `deploy/scripts/build-image` (see docs/deployment/docker.md), or
# `docker build --build-arg VERSION=X.Y.Z -t gogotime:X.Y.Z .`
#
# Stages: toolchain (the official Rust image) → dev (hot-reload image used by compose.yaml)
#         → builder (dependencies compiled in their own layer, then the crate) → rootfs (the
#         runtime's files, picked from slim Debian) → runtime (scratch plus those files: no shell,
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
# The runtime's root filesystem, assembled in /rootfs from the Debian release the binary was linked
# against (distroless style, built locally because no registry is assumed): the binary, exactly the
# shared libraries `ldd` lists for it (glibc, libm, libgcc_s, the dynamic loader), /bin/sleep for
# the Kubernetes preStop hook, the user and group 10001, and name-service configuration. No shell,
# no package manager, no CA bundle or time-zone files: rustls carries the Mozilla roots and chrono-tz
# the IANA zones inside the binary. glibc stays dynamic on purpose: a static glibc still loads NSS
# modules at run time for getaddrinfo (the `postgres` host name), which a scratch image lacks.
FROM debian:${DEBIAN_RELEASE}-slim AS rootfs
SHELL ["/bin/bash", "-o", "pipefail", "-c"]
COPY --from=builder /usr/local/bin/gogotime /rootfs/usr/local/bin/gogotime
RUN set -eux; \
    mkdir -p /rootfs/bin /rootfs/etc /rootfs/tmp /rootfs/data /rootfs/var/lib/dpkg/status.d; \
    cp /bin/sleep /rootfs/bin/sleep; \
    # every library either program loads, at the path the loader looks for it (symlinks resolved)
    mapfile -t libs < <(ldd /rootfs/usr/local/bin/gogotime /rootfs/bin/sleep \
        | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// && NF == 2 { print $1 }' | sort -u); \
    for lib in "${libs[@]}"; do mkdir -p "/rootfs$(dirname "$lib")"; cp -L "$lib" "/rootfs$lib"; done; \
    # the packages those files come from: their status entries (image scanners such as Trivy read
    # distroless' status.d to find the glibc version) and copyright files (glibc is LGPL,
    # coreutils GPL; libgcc-s1's is its base package's, a dependency)
    for pkg in $(dpkg -S "${libs[@]}" /bin/sleep | cut -d: -f1 | sort -u); do \
        dpkg-query -s "$pkg" >"/rootfs/var/lib/dpkg/status.d/$pkg"; \
        mkdir -p "/rootfs/usr/share/doc/$pkg"; \
        for from in "$pkg" $(dpkg-query -W -f '${Depends}' "$pkg" | sed 's/[,|]/\n/g' | awk '{ print $1 }'); do \
            if [ -f "/usr/share/doc/$from/copyright" ]; then cp "/usr/share/doc/$from/copyright" "/rootfs/usr/share/doc/$pkg/"; break; fi; \
        done; \
        test -f "/rootfs/usr/share/doc/$pkg/copyright"; \
    done; \
    cp /etc/os-release /rootfs/etc/os-release; \
    # root is named so `docker exec -u 0` and tools that map uids to names behave; the app is 10001
    printf '%s\n' 'root:x:0:0:root:/root:/usr/sbin/nologin' 'gogotime:x:10001:10001:GoGoTime:/data:/usr/sbin/nologin' \
        >/rootfs/etc/passwd; \
    printf '%s\n' 'root:x:0:' 'gogotime:x:10001:' >/rootfs/etc/group; \
    # host names (the stack's `postgres`, a managed database's DNS name): /etc/hosts, then DNS
    printf '%s\n' 'passwd: files' 'group: files' 'hosts: files dns' >/rootfs/etc/nsswitch.conf; \
    chmod 1777 /rootfs/tmp; \
    chown 10001:10001 /rootfs/data; \
    chmod 0750 /rootfs/data; \
    # both programs run from the new root with nothing but these files
    chroot /rootfs /usr/local/bin/gogotime --version; \
    chroot /rootfs /bin/sleep 0

# ---------------------------------------------------------------------------------------------
FROM scratch AS runtime

# Everything the process can see: the binary, glibc, and the files above (about 25 MB; the image
# has no shell: debug with `docker run --pid container:<c> --network container:<c>` or `docker cp`,
# docs/deployment/docker.md). The user has a fixed uid so volume ownership and Kubernetes
# securityContext (runAsUser: 10001) agree; /data is its only writable directory.
COPY --from=rootfs /rootfs/ /

# Production defaults; the secrets and DATABASE_URL/GOGOTIME_PUBLIC_URL come from the environment
# (the binary refuses to start without them). Metrics listen on the container network, unpublished.
ENV PATH=/usr/local/bin:/bin \
    GOGOTIME_ENV=production \
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
# The image has no shell or curl: the binary probes its own readiness endpoint. Docker 20.10 runs
# the first probe one interval after start and has no --start-interval (Engine 25+), so the
# interval is what start -> healthy costs: 2 s gives healthy about 2.5 s after `docker run`
# (bench/image.sh), for one probe every 2 s for the container's life (about 20 ms of CPU in the
# engine and as much in the container each). 15 retries keep "unhealthy" at ~30 s of failures.
HEALTHCHECK --interval=2s --timeout=5s --start-period=30s --retries=15 \
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
