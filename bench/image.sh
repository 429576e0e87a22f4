#!/usr/bin/env bash
# Prints the container image's figures: its uncompressed size, `docker run` -> healthy (its own
# HEALTHCHECK, SQLite on a new volume, read-only root) for 5 runs, and the production stack's
# `docker-compose -f compose.prod.yaml up -d` -> every service healthy, first from nothing (new
# volumes: PostgreSQL's initdb included) and again with the volumes kept.
#
#   bench/image.sh                          # builds the image with deploy/scripts/build-image
#   bench/image.sh gogotime:0.1.0           # measures an image that exists already
#   GOGOTIME_BENCH_PREFIX=img bench/image.sh gogotime:img
#   GOGOTIME_BENCH_RUNS=10 bench/image.sh gogotime:0.1.0   # container starts to time (default 5)
#
# Everything it creates (containers, volumes, the stack's Compose project and networks, all
# named after GOGOTIME_BENCH_PREFIX, default gogotime-bench-image) is removed on exit; images
# are kept. nginx publishes on 127.0.0.1 ephemeral ports only. Bounded: each container start
# waits at most 60 s, each stack start 180 s. Needs the stack's other images (postgres:15,
# nginx:1.22, certbot/certbot:v2.1.0: deploy/docker/base-images/build.sh and tls-images.sh).
set -euo pipefail
cd "$(dirname "$0")/.."
repo=$PWD
runs=${GOGOTIME_BENCH_RUNS:-5}
prefix=${GOGOTIME_BENCH_PREFIX:-gogotime-bench-image}
image=${1:-}
if [[ -z $image ]]; then
    echo "image.sh: building the image (deploy/scripts/build-image)" >&2
    # its tags, one per line: the first is X.Y.Z (not `| head`, which would cut its output short)
    image=$(deploy/scripts/build-image)
    image=${image%%$'\n'*}
fi
docker image inspect "$image" >/dev/null

work=$(mktemp -d)
container=$prefix-run volume=$prefix-data project=$prefix-stack
cleanup() {
    docker rm -fv "$container" >/dev/null 2>&1 || true
    docker volume rm "$volume" >/dev/null 2>&1 || true
    [[ -s $work/stack.env ]] && stack down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
    rm -rf "$work"
}
trap cleanup EXIT
now() { date +%s.%N; }
since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

size=$(docker image inspect -f '{{.Size}}' "$image")
printf 'image %s: %s bytes (%.1f MB) uncompressed\n' "$image" "$size" "$(awk -v s="$size" 'BEGIN { print s / 1e6 }')"

# --- one container: docker run -> healthy ------------------------------------------------------
jwt=$(docker run --rm --no-healthcheck "$image" secret generate)
times=()
for i in $(seq 1 "$runs"); do
    docker rm -fv "$container" >/dev/null 2>&1 || true
    docker volume rm "$volume" >/dev/null 2>&1 || true
    docker volume create "$volume" >/dev/null
    start=$(now)
    docker run -d --name "$container" --read-only --tmpfs /tmp -v "$volume:/data" \
        -e DATABASE_URL=sqlite:///data/gogotime.db -e GOGOTIME_AUTO_MIGRATE=true \
        -e GOGOTIME_PUBLIC_URL=https://time.example.test -e JWT_SECRET="$jwt" "$image" >/dev/null
    for _ in $(seq 1200); do # 50 ms apart: at most 60 s
        status=$(docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}no health check{{end}}' "$container")
        [[ $status == starting ]] || break
        sleep 0.05
    done
    [[ $status == healthy ]] || { docker logs --tail 20 "$container" >&2; echo "image.sh: run $i: $status, not healthy" >&2; exit 1; }
    times+=("$(since "$start")")
done
interval=$(docker image inspect -f '{{if .Config.Healthcheck}}{{.Config.Healthcheck.Interval}}{{end}}' "$image")
printf 'docker run -> healthy (SQLite, new volume; HEALTHCHECK interval %s), %d runs: %s s\n' \
    "$interval" "$runs" "${times[*]}"

# --- the production stack: up -d -> every service healthy --------------------------------------
secret() { docker run --rm --no-healthcheck "$image" secret generate; }
{
    echo "GOGOTIME_IMAGE=${image%:*}"
    echo "GOGOTIME_TAG=${image##*:}"
    echo "GOGOTIME_DOMAIN=time.example.test"
    echo "LETSENCRYPT_EMAIL=ops@example.test"
    # plain HTTP as behind a TLS proxy (nginx insists on naming it), no certificate to obtain
    echo "GOGOTIME_TLS=off"
    echo "NGINX_TRUSTED_PROXIES=127.0.0.1/32"
    echo "POSTGRES_PASSWORD=$(secret)"
    echo "JWT_SECRET=$(secret)"
    # empty host port: Docker picks a free one on 127.0.0.1
    echo "NGINX_HTTP_PUBLISH=127.0.0.1:"
    echo "NGINX_HTTPS_PUBLISH=127.0.0.1:"
} >"$work/stack.env"
stack() { timeout 300 docker-compose -p "$project" -f "$repo/compose.prod.yaml" --env-file "$work/stack.env" "$@"; }
# the backup image (pg_dump plus this image's binary) is built before the clock starts
stack build --quiet backup >"$work/build.log" 2>&1 || { cat "$work/build.log" >&2; exit 1; }

services=$(stack config --services | sort | tr '\n' ' ')
# every service has a container; each is healthy, migrate exited 0
stack_healthy() {
    local ids
    ids=$(docker ps -aq --filter "label=com.docker.compose.project=$project")
    [[ -n $ids ]] || return 1
    # shellcheck disable=SC2086 # one id per word
    docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}} {{.State.Status}} {{.State.ExitCode}} {{if .State.Health}}{{.State.Health.Status}}{{end}}' $ids \
        | awk -v want="$services" '
            { seen[$1] = 1 }
            $1 == "migrate" && !($2 == "exited" && $3 == 0) { bad = 1 }
            $1 != "migrate" && !($2 == "running" && $4 == "healthy") { bad = 1 }
            END { n = split(want, w, " "); for (i = 1; i <= n; i++) if (!(w[i] in seen)) bad = 1; exit bad }'
}

stack_up() { # WHAT
    local start
    start=$(now)
    stack up -d >"$work/up.log" 2>&1 || { cat "$work/up.log" >&2; exit 1; }
    for _ in $(seq 900); do # 200 ms apart: at most 180 s
        stack_healthy && break
        # a service that exits or restarts will not become healthy: say which, now
        [[ -z $(docker ps -aq --filter "label=com.docker.compose.project=$project" --filter status=restarting) ]] || break
        sleep 0.2
    done
    stack_healthy || { stack ps >&2; stack logs --tail 10 >&2; echo "image.sh: the stack did not become healthy" >&2; exit 1; }
    printf 'compose.prod.yaml up -d -> every service healthy, migrate done (%d running; %s): %s s\n' \
        "$(docker ps -q --filter "label=com.docker.compose.project=$project" | wc -l)" "$1" "$(since "$start")"
}
stack down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1 || true
stack_up "from nothing: new volumes, PostgreSQL initdb"
stack stop --timeout 30 >/dev/null 2>&1
stack_up "again, volumes kept"
