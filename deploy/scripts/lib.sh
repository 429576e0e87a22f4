# Shared by deploy/scripts/rollout, rollback and bluegreen: how they find the stack, read and
# record versions, judge a replica's health and tell nginx which replicas are in rotation.
# They drive Compose and the Docker CLI only (no gogotime binary on the host), with
# docker-compose 1.29 or Compose v2. Settings (environment):
#
#   GOGOTIME_ENV_FILE       the stack's env file (default .env.production); GOGOTIME_TAG in it
#                           is the running version, GOGOTIME_PREVIOUS_TAG the one before
#   COMPOSE_PROJECT_NAME    Compose project (default gogotime)
#   COMPOSE_FILE            Compose file(s), colon-separated (default compose.prod.yaml)
#   GOGOTIME_COMPOSE        the Compose command (default: `docker compose` when installed,
#                           else docker-compose)
#   GOGOTIME_HEALTH_TIMEOUT seconds a new replica gets to become healthy (default 180)
#   GOGOTIME_PREFLIGHT_ARGS extra arguments for `gogotime preflight` (default: the backup
#                           service's metrics when the stack has one)
#   GOGOTIME_SMOKE_TOKEN    personal API token of the smoke account, for `smoke` (bluegreen)
#   GOGOTIME_SMOKE_ORG      its organization id, when it belongs to several
# shellcheck shell=bash

readonly SERVICE=app PROXY=nginx
ENV_FILE=${GOGOTIME_ENV_FILE:-.env.production}
export COMPOSE_PROJECT_NAME=${COMPOSE_PROJECT_NAME:-gogotime}
export COMPOSE_FILE=${COMPOSE_FILE:-compose.prod.yaml}
HEALTH_TIMEOUT=${GOGOTIME_HEALTH_TIMEOUT:-180}
# a replica that restarted this often while starting is crash-looping: no need to wait longer
readonly CRASH_RESTARTS=2

say() { printf '%s: %s\n' "${0##*/}" "$*" >&2; }
# inside a deploy: record why, then exit (the script's EXIT trap puts things back)
# shellcheck disable=SC2034 # read by the scripts' abort handlers
failing() { ABORT_REASON=$1; exit 1; }
die() { say "error: $*"; exit 1; }
seconds_since() { awk -v a="$1" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }'; }

compose() {
    if [[ -n ${GOGOTIME_COMPOSE:-} ]]; then
        # shellcheck disable=SC2086 # a command with its arguments, e.g. "docker compose"
        timeout 900 $GOGOTIME_COMPOSE --env-file "$ENV_FILE" "$@"
    elif docker compose version >/dev/null 2>&1; then
        timeout 900 docker compose --env-file "$ENV_FILE" "$@"
    else
        timeout 900 docker-compose --env-file "$ENV_FILE" "$@"
    fi
}

check_setup() {
    [[ -f $ENV_FILE ]] || die "no env file $ENV_FILE (set GOGOTIME_ENV_FILE, or run from the directory holding .env.production)"
    [[ -w $ENV_FILE ]] || die "$ENV_FILE is not writable: the scripts record the versions there"
    docker info >/dev/null 2>&1 || die "the Docker engine does not answer (docker info)"
    # the env file is the one record of what runs; a value from the shell would silently win
    local name
    for name in GOGOTIME_TAG GOGOTIME_PREVIOUS_TAG; do
        if [[ -n ${!name:-} ]]; then
            say "ignoring $name=${!name} from the shell: $ENV_FILE holds the versions"
            unset "$name"
        fi
    done
}

# --- the env file: GOGOTIME_TAG (running), GOGOTIME_PREVIOUS_TAG (for rollback) ----------------

env_get() { # NAME: its value in the env file (last assignment wins, quotes removed)
    awk -v name="$1" -F= '$1 == name { sub(/^[^=]*=/, ""); value = $0 } END { print value }' "$ENV_FILE" \
        | sed -e 's/^"\(.*\)"$/\1/' -e "s/^'\(.*\)'$/\1/"
}

env_set() { # NAME VALUE: replace the assignment (or add it), atomically, keeping the file's mode
    local tmp
    tmp=$(mktemp "$ENV_FILE.XXXXXX")
    awk -v name="$1" -v value="$2" -F= '
        $1 == name { if (!done) print name "=" value; done = 1; next }
        { print }
        END { if (!done) print name "=" value }' "$ENV_FILE" >"$tmp"
    chmod --reference="$ENV_FILE" "$tmp"
    mv "$tmp" "$ENV_FILE"
}

valid_tag() { [[ $1 =~ ^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$ ]]; }

history() { # one line per change, next to the env file
    printf '%s %s\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" "$*" >>"${GOGOTIME_HISTORY_FILE:-$ENV_FILE.history}"
}

# one deploy at a time: a lock directory next to the env file, taken over when its owner is gone
take_lock() {
    local lock=$ENV_FILE.lock owner
    if ! mkdir "$lock" 2>/dev/null; then
        owner=$(cat "$lock/pid" 2>/dev/null || true)
        if [[ -n $owner ]] && kill -0 "$owner" 2>/dev/null; then
            die "another deploy (pid $owner) is running on $ENV_FILE; wait for it"
        fi
        say "taking over the lock of a deploy that is gone (pid ${owner:-unknown})"
        rm -rf "$lock"
        mkdir "$lock" || die "cannot create $lock"
    fi
    echo $$ >"$lock/pid"
    LOCK_HELD=$lock
}
release_lock() { [[ -n ${LOCK_HELD:-} ]] && rm -rf "$LOCK_HELD"; LOCK_HELD=""; }

# --- containers ---------------------------------------------------------------------------------

containers() { # SERVICE [docker ps args]: the service's containers (not one-off `run` ones)
    local service=$1
    shift
    docker ps -q --no-trunc "$@" \
        --filter "label=com.docker.compose.project=$COMPOSE_PROJECT_NAME" \
        --filter "label=com.docker.compose.service=$service" \
        --filter "label=com.docker.compose.oneoff=False" | sort
}

name_of() { docker inspect -f '{{.Name}}' "$1" | sed 's|^/||'; }
names_of() { local c; for c in "$@"; do name_of "$c"; done | tr '\n' ' ' | sed 's/ $//'; }
image_of() { docker inspect -f '{{.Config.Image}}' "$1"; }

# the network nginx and the replicas share, and a container's address on it
shared_network() {
    local proxy app
    proxy=$(containers "$PROXY" | head -n 1)
    app=$1
    [[ -n $proxy ]] || die "no running $PROXY container in project $COMPOSE_PROJECT_NAME"
    # docker ends the list with an empty line, which sorts first: drop it (grep .)
    comm -12 \
        <(docker inspect -f '{{range $n, $_ := .NetworkSettings.Networks}}{{$n}}{{"\n"}}{{end}}' "$proxy" | grep . | sort) \
        <(docker inspect -f '{{range $n, $_ := .NetworkSettings.Networks}}{{$n}}{{"\n"}}{{end}}' "$app" | grep . | sort) \
        | head -n 1
}
ip_of() { # CONTAINER NETWORK
    docker inspect -f "{{with index .NetworkSettings.Networks \"$2\"}}{{.IPAddress}}{{end}}" "$1"
}
ips_of() { # NETWORK CONTAINER...
    local network=$1 c
    shift
    for c in "$@"; do ip_of "$c" "$network"; done
}

# The version an image says it is (org.opencontainers.image.version, from the same build
# argument as the binary's own version).
version_of_image() {
    docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' "$1" 2>/dev/null
}

ensure_image() { # IMAGE: present locally, or pulled from its registry
    docker image inspect "$1" >/dev/null 2>&1 && return 0
    say "pulling $1"
    docker pull "$1" >/dev/null 2>&1 \
        || die "image $1 is neither on this host nor pullable: build it (deploy/scripts/build-image) or check GOGOTIME_IMAGE and the registry login; nothing changed"
}

# Runs the container's own health check now (the command its HEALTHCHECK or Compose
# `healthcheck` names) instead of waiting for Docker's next interval. Fails while it is not
# running.
healthy_now() {
    local c=$1 state kind
    state=$(docker inspect -f '{{.State.Status}}' "$c" 2>/dev/null) || return 1
    [[ $state == running ]] || return 1
    local -a test
    # without docker's trailing empty line, which would become an extra empty argument
    mapfile -t test < <(docker inspect -f '{{if .Config.Healthcheck}}{{range .Config.Healthcheck.Test}}{{.}}{{"\n"}}{{end}}{{end}}' "$c" | grep .)
    kind=${test[0]:-NONE}
    case $kind in
        CMD) timeout 10 docker exec "$c" "${test[@]:1}" >/dev/null 2>&1 ;;
        CMD-SHELL) timeout 10 docker exec "$c" sh -c "${test[1]}" >/dev/null 2>&1 ;;
        *) return 0 ;; # no health check: running is all we can know
    esac
}

crash_looping() { # CONTAINER: exited for good, or restarted CRASH_RESTARTS times already
    local state restarts
    read -r state restarts < <(docker inspect -f '{{.State.Status}} {{.RestartCount}}' "$1" 2>/dev/null || echo "gone 0")
    [[ $state == exited || $state == dead || $state == gone ]] || ((restarts >= CRASH_RESTARTS))
}

last_logs() { # CONTAINER: its last lines, indented, for an error message
    docker logs --tail 8 "$1" 2>&1 | cut -c1-300 | sed 's/^/      /' >&2
}

# --- nginx: the replicas in rotation (deploy/nginx/bin/gogotime-upstream) ------------------------

proxy_container() {
    local proxy
    proxy=$(containers "$PROXY" | head -n 1)
    [[ -n $proxy ]] || die "no running $PROXY container in project $COMPOSE_PROJECT_NAME"
    echo "$proxy"
}

upstream() { docker exec "$(proxy_container)" gogotime-upstream "$@"; }

# the IPs nginx sends requests to now
in_rotation() {
    upstream show | awk '$1 == "server" { sub(/:[0-9]+;?$/, "", $2); print $2 }' | sort
}

# put exactly these addresses in rotation; returns once nginx serves the new configuration
pin() {
    local out
    if ! out=$(upstream pin "$@" 2>&1); then
        printf '%s\n' "$out" >&2
        die "nginx did not take the new replica set ($*)"
    fi
}
follow() { upstream follow "$SERVICE" >/dev/null 2>&1 || say "warning: nginx could not return to following $SERVICE; run: docker exec $(proxy_container) gogotime-upstream follow $SERVICE"; }

# --- steps shared by rollout and bluegreen --------------------------------------------------------

# preflight with the new image, before anything changes
run_preflight() { # IMAGE_TAG [preflight args]
    local tag=$1 args=()
    shift
    if [[ -n ${GOGOTIME_PREFLIGHT_ARGS:-} ]]; then
        read -r -a args <<<"$GOGOTIME_PREFLIGHT_ARGS"
    elif [[ -n $(containers backup) ]]; then
        args=(--backup-metrics http://backup:9100/metrics)
    fi
    say "preflight with $tag"
    GOGOTIME_TAG=$tag compose run --rm --no-deps -T "$SERVICE" preflight "$@" "${args[@]}" >&2 \
        || die "preflight failed (✗ lines above); nothing changed"
}

# migrate with the new image (expand-only migrations: the running release keeps working)
run_migrations() {
    say "migrating with $(env_get GOGOTIME_TAG)"
    compose up -d --no-deps --force-recreate migrate >/dev/null 2>&1 || return 1
    local job code
    job=$(containers migrate -a | head -n 1)
    [[ -n $job ]] || return 1
    code=$(timeout 900 docker wait "$job")
    if [[ $code != 0 ]]; then
        say "migrate exited with status $code:"
        last_logs "$job"
        return 1
    fi
}

# the backup service runs the release's binary too: its image is rebuilt before the switch
build_backup_image() {
    [[ -n $(containers backup -a) ]] || return 0
    compose build backup >/dev/null 2>&1
}
recreate_backup() {
    [[ -n $(containers backup -a) ]] || return 0
    compose up -d --no-deps backup >/dev/null 2>&1 || say "warning: the backup service was not recreated with the new release; run: up -d --no-deps backup"
}

# Start as many new replicas as run now, beside them. Prints their ids.
start_new_replicas() { # COUNT_NOW
    local before
    before=$(containers "$SERVICE" -a)
    compose up -d --no-deps --no-recreate --scale "$SERVICE=$(($1 * 2))" "$SERVICE" >/dev/null 2>&1 || return 1
    comm -13 <(echo "$before") <(containers "$SERVICE" -a)
}

# Wait until every new replica passes its health check; with SHIFT, put each in rotation (beside
# KEEP) as soon as it does. Fails on a crash loop or after HEALTH_TIMEOUT.
await_healthy() { # NETWORK SHIFT(yes|no) "KEEP IPS" NEW...
    local network=$1 shift_traffic=$2 keep=$3 c started
    shift 3
    local -a pending=("$@") ready=()
    started=$(date +%s)
    while ((${#pending[@]})); do
        local -a still=()
        for c in "${pending[@]}"; do
            if healthy_now "$c"; then
                ready+=("$c")
                say "$(name_of "$c") is healthy"
                if [[ $shift_traffic == yes ]]; then
                    # shellcheck disable=SC2086,SC2046 # lists of addresses
                    pin $keep $(ips_of "$network" "${ready[@]}")
                fi
            elif crash_looping "$c"; then
                say "$(name_of "$c") keeps failing (status $(docker inspect -f '{{.State.Status}}, restarted {{.RestartCount}} times' "$c" 2>/dev/null || echo gone)):"
                last_logs "$c"
                return 1
            else
                still+=("$c")
            fi
        done
        pending=("${still[@]}")
        if ((${#pending[@]})); then
            if (($(date +%s) - started >= HEALTH_TIMEOUT)); then
                say "not healthy after ${HEALTH_TIMEOUT}s: $(names_of "${pending[@]}")"
                last_logs "${pending[0]}"
                return 1
            fi
            sleep 1
        fi
    done
}

# Stop replicas that are already out of rotation: SIGTERM (readiness 503, the shutdown delay,
# in-flight requests finish), then remove them.
retire() { # CONTAINER...
    (($#)) || return 0
    local grace
    grace=$(docker inspect -f '{{.Config.StopTimeout}}' "$1" 2>/dev/null)
    [[ $grace =~ ^[0-9]+$ ]] || grace=35
    docker stop -t "$grace" "$@" >/dev/null
    docker rm "$@" >/dev/null
}
