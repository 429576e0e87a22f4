#!/usr/bin/env bash
# Builds, when missing, the images around the production stack's TLS that no registry can give
# this machine (CI here), all from Debian's packages:
#
#   certbot/certbot:v2.1.0     stand-in for the official image the stack's certbot service runs
#   PREFIX-pebble:bookworm     test only: pebble + pebble-challtestsrv (Let's Encrypt's test server)
#   PREFIX-tls-tools:bookworm  test only: curl, openssl, sslscan, python3 on the stack's network
#
# PREFIX is GOGOTIME_TEST_IMAGE_PREFIX (default gogotime-ci). Existing images are kept (they are
# the cache); GOGOTIME_TLS_IMAGES_REBUILD=1 rebuilds them.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=${GOGOTIME_TEST_IMAGE_PREFIX:-gogotime-ci}

log() { printf '[tls-images] %s\n' "$*" >&2; }

build() { # TAG DIR
    if [[ -z ${GOGOTIME_TLS_IMAGES_REBUILD:-} ]] && docker image inspect "$1" >/dev/null 2>&1; then
        log "$1 present"
        return
    fi
    log "building $1 from $2"
    timeout 900 docker build --quiet --force-rm --tag "$1" "$2" >/dev/null
}

build certbot/certbot:v2.1.0 "$here/certbot"
build "$prefix-pebble:bookworm" "$here/pebble"
build "$prefix-tls-tools:bookworm" "$here/tls-tools"
