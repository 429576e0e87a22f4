#!/usr/bin/env bash
# Builds local stand-ins for the base images GoGoTime's Dockerfile and Compose files use, for machines
# that cannot reach a container registry (CI here). Each image is tagged with the name of the official
# image it stands in for and contains what that name promises (same Debian release, same versions,
# same paths and entrypoint contract); nothing GoGoTime-specific is baked in.
#
#   debian:bookworm-slim  debootstrap --variant=minbase bookworm, imported (rootfs cached as a tarball)
#   postgres:15           Debian's postgresql-15 + an entrypoint compatible with the official image
#   nginx:1.22            Debian's nginx 1.22.1, laid out like the official image
#   rust:1.95-bookworm    this machine's rustup toolchain 1.95 copied onto debian:bookworm-slim
#
# Images that already exist are kept; GOGOTIME_BASE_REBUILD=1 rebuilds them all from nothing
# (GOGOTIME_BASE_REBUILD=all also drops the cached rootfs tarball).
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
cache_dir=${GOGOTIME_IMAGE_CACHE:-/var/cache/gogotime-images}
rebuild=${GOGOTIME_BASE_REBUILD:-}
rust_version=${RUST_VERSION:-1.95}
debian_mirror=${DEBIAN_MIRROR:-http://deb.debian.org/debian}

log() { printf '[base-images] %s\n' "$*" >&2; }

image_exists() { [[ -z $rebuild ]] && docker image inspect "$1" >/dev/null 2>&1; }

build_debian() {
    local tag=debian:bookworm-slim tarball=$cache_dir/debian-bookworm-minbase.tar
    if image_exists "$tag"; then log "$tag present"; return; fi
    mkdir -p "$cache_dir"
    if [[ $rebuild == all || ! -s $tarball ]]; then
        local rootfs
        rootfs=$(mktemp -d "$cache_dir/rootfs.XXXXXX")
        log "debootstrap bookworm into $rootfs"
        timeout 900 debootstrap --variant=minbase bookworm "$rootfs" "$debian_mirror" >"$cache_dir/debootstrap.log" 2>&1 \
            || { tail -n 30 "$cache_dir/debootstrap.log" >&2; rm -rf "$rootfs"; return 1; }
        "$here/debian/slim.sh" "$rootfs"
        tar --numeric-owner -C "$rootfs" -cf "$tarball.tmp" .
        mv "$tarball.tmp" "$tarball"
        rm -rf "$rootfs"
    fi
    log "importing $tarball as $tag"
    # The same defaults the official image sets.
    docker import \
        --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
        --change 'CMD ["bash"]' \
        --message "GoGoTime local stand-in for $tag (debootstrap minbase)" \
        "$tarball" "$tag" >/dev/null
}

build_from_dockerfile() {
    local tag=$1 dir=$2
    shift 2
    if image_exists "$tag"; then log "$tag present"; return; fi
    log "building $tag from $dir"
    timeout 1200 docker build --quiet --force-rm --tag "$tag" "$@" "$dir" >/dev/null
}

build_rust() {
    local tag=rust:$rust_version-bookworm
    if image_exists "$tag"; then log "$tag present"; return; fi
    local rustup_home=${RUSTUP_HOME:-$HOME/.rustup}
    local toolchain
    toolchain=$(readlink -f "$rustup_home/toolchains/$rust_version"*-x86_64-unknown-linux-gnu 2>/dev/null | head -n 1)
    if [[ ! -x $toolchain/bin/rustc ]] || ! "$toolchain/bin/rustc" --version | grep -q "^rustc $rust_version"; then
        # fall back to whatever toolchain reports the wanted version
        toolchain=""
        local candidate
        for candidate in "$rustup_home"/toolchains/*; do
            if "$candidate/bin/rustc" --version 2>/dev/null | grep -q "^rustc $rust_version"; then
                toolchain=$(readlink -f "$candidate"); break
            fi
        done
    fi
    [[ -n $toolchain ]] || { log "no rustup toolchain $rust_version under $rustup_home/toolchains"; return 1; }
    local ctx
    ctx=$(mktemp -d)
    # shellcheck disable=SC2064 # expand now: ctx is local
    trap "rm -rf '$ctx'" RETURN
    log "copying toolchain $toolchain ($("$toolchain/bin/rustc" --version))"
    mkdir -p "$ctx/toolchain" "$ctx/ca"
    # rustc, cargo and the x86_64 std only: docs, sources and other targets are not in the official image either
    tar -C "$toolchain" --exclude=./share/doc --exclude=./lib/rustlib/src --exclude=./share/html -cf - . | tar -C "$ctx/toolchain" -xf -
    cp "$here/rust/Dockerfile" "$ctx/Dockerfile"
    # This machine reaches crates.io through a TLS-intercepting egress proxy whose CA sits in the
    # host's trust store; a stand-in built here trusts the same CAs the host trusts, or cargo cannot
    # fetch crates inside the build. The official image trusts the public CAs only; nothing else differs.
    if compgen -G '/usr/local/share/ca-certificates/*.crt' >/dev/null; then
        cp /usr/local/share/ca-certificates/*.crt "$ctx/ca/"
    fi
    docker build --quiet --force-rm --tag "$tag" --build-arg "RUST_VERSION=$rust_version" "$ctx" >/dev/null
}

main() {
    command -v docker >/dev/null || { log "docker is not installed"; return 1; }
    build_debian
    build_from_dockerfile postgres:15 "$here/postgres"
    build_from_dockerfile nginx:1.22 "$here/nginx"
    build_rust
    docker image ls --format '{{.Repository}}:{{.Tag}} {{.Size}}' \
        | grep -E '^(debian:bookworm-slim|postgres:15|nginx:1.22|rust:[0-9.]+-bookworm) ' >&2
}

main "$@"
