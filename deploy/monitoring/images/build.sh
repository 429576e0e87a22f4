#!/usr/bin/env bash
# Builds the monitoring images compose.monitoring.yaml runs, from Debian bookworm's packages, the
# same way deploy/docker/base-images/build.sh builds its stand-ins (no registry needed):
#
#   PREFIX/prometheus:TAG         prometheus                 PREFIX/alertmanager:TAG  prometheus-alertmanager
#   PREFIX/postgres-exporter:TAG  prometheus-postgres-exporter
#   PREFIX/node-exporter:TAG      prometheus-node-exporter   PREFIX/blackbox-exporter:TAG  prometheus-blackbox-exporter
#   PREFIX/mtail:TAG              mtail                      PREFIX/rsyslog:TAG       rsyslog
#
# PREFIX is MONITORING_IMAGE_PREFIX (default gogotime-monitoring), TAG MONITORING_IMAGE_TAG
# (default bookworm), the same variables compose.monitoring.yaml reads. Images that exist are kept
# (they are the cache); GOGOTIME_BASE_REBUILD=1 rebuilds them. Needs debian:bookworm-slim, which
# deploy/docker/base-images/build.sh makes.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
prefix=${MONITORING_IMAGE_PREFIX:-gogotime-monitoring}
tag=${MONITORING_IMAGE_TAG:-bookworm}
images=(prometheus alertmanager postgres-exporter node-exporter blackbox-exporter mtail rsyslog)

log() { printf '[monitoring-images] %s\n' "$*" >&2; }

build() {
    local name=$1 image=$prefix/$1:$tag
    if [[ -z ${GOGOTIME_BASE_REBUILD:-} ]] && docker image inspect "$image" >/dev/null 2>&1; then
        log "$image present"
        return
    fi
    log "building $image"
    timeout 900 docker build --quiet --force-rm --tag "$image" "$here/$name" >/dev/null
}

main() {
    command -v docker >/dev/null || { log "docker is not installed"; return 1; }
    docker image inspect debian:bookworm-slim >/dev/null 2>&1 \
        || { log "debian:bookworm-slim is missing: run deploy/docker/base-images/build.sh first"; return 1; }
    local name
    for name in "${images[@]}"; do build "$name"; done
}

main "$@"
