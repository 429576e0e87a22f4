# Shared helpers of the deployment tests, sourced by run.sh (and through it by every scenario in
# scenarios/). Needs REPO, PROJECT, DEV_PROJECT, ENV_FILE, DEV_PORT and IMAGE from run.sh.
# shellcheck shell=bash

# messages go to fd 3 (the original stderr) so they show even inside redirected polls
log() { printf '\n==> %s\n' "$*" >&3; }
info() { printf '    %s\n' "$*" >&3; }
fail() { printf '\nFAIL: %s\n' "$*" >&3; exit 1; }
figure() { FIGURES+=("$(printf '%-44s %s' "$1" "$2")"); info "$1: $2"; }
now() { date +%s.%N; }
elapsed() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.1f", b - a }'; }

prod() { timeout 600 docker-compose -p "$PROJECT" -f "$REPO/compose.prod.yaml" --env-file "$ENV_FILE" "$@"; }
dev() { GOGOTIME_DEV_PORT=$DEV_PORT GOGOTIME_DEV_IMAGE=gogotime-dev:$IMAGE_TAG timeout 600 docker-compose -p "$DEV_PROJECT" -f "$REPO/compose.yaml" "$@"; }

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

# The app image has no shell and no tools (scratch plus the binary): what a test needs to know
# about a running container is read from the host (its PID 1 under /proc, its cgroup), and what
# must be tried from inside runs in a second container of the same image with the same flags.
pid1_status() { cat "/proc/$(docker inspect -f '{{.State.Pid}}' "$1")/status"; } # CONTAINER
# in_image_with FLAGS... -- SCRIPT: SCRIPT under a statically linked busybox sh (Debian's
# busybox-static, mounted read-only at /test) in a new container of $IMAGE started with FLAGS,
# the confinement flags of the container under test; prints its output, returns its status
in_image_with() {
    local flags=()
    while [[ $1 != -- ]]; do flags+=("$1"); shift; done
    docker run --rm --no-healthcheck "${flags[@]}" -v /bin/busybox:/test/busybox:ro \
        --entrypoint /test/busybox "$IMAGE" sh -c "$2"
}

# docker stats (cgroup usage without page cache) and the server process's own resident set
memory_of() {
    printf 'docker stats %s, VmRSS %s' "$(docker stats --no-stream --format '{{.MemUsage}}' "$1" | cut -d/ -f1)" \
        "$(pid1_status "$1" | awk '/^VmRSS:/ { printf "%.1f MiB", $2 / 1024 }')"
}

requests_counted() { # CONTAINER: requests this replica's /metrics counted on /api/system/version
    http "http://$(ip_on "$1" _frontend):9100/metrics" \
        | awk '/^gogotime_http_requests_total\{/ && /route="\/api\/system\/version"/ { n += $NF } END { print n + 0 }'
}

secret() { docker run --rm "$IMAGE" secret generate; }

# on_cleanup FUNCTION: run FUNCTION when the run ends (success or not), newest first
on_cleanup() { CLEANUPS=("$1" "${CLEANUPS[@]}"); }
# on_failure FUNCTION: run FUNCTION to print diagnostics when the run fails
on_failure() { FAILURE_REPORTS+=("$1"); }

write_env() {
    {
        echo "GOGOTIME_IMAGE=$IMAGE_REPO"
        echo "GOGOTIME_TAG=$IMAGE_TAG"
        echo "GOGOTIME_DOMAIN=time.example.test"
        echo "LETSENCRYPT_EMAIL=ops@example.test"
        # plain HTTP behind a (pretend) TLS proxy: scenarios that test HTTPS switch this themselves
        echo "GOGOTIME_TLS=off"
        echo "NGINX_TRUSTED_PROXIES=127.0.0.1/32"
        echo "NGINX_HTTPS_PUBLISH=127.0.0.1:$HTTPS_PORT"
        echo "POSTGRES_PASSWORD=$(secret)"
        echo "JWT_SECRET=$(secret)"
        echo "GOGOTIME_REPLICAS=3"
        echo "NGINX_HTTP_PUBLISH=127.0.0.1:$HTTP_PORT"
    } >"$ENV_FILE"
    chmod 600 "$ENV_FILE"
    # the stack's backup image adds pg_dump to this run's gogotime image: rebuild it so it never
    # holds an older binary under the same tag
    prod build --quiet backup >"$WORK/backup-build.log" 2>&1 || { cat "$WORK/backup-build.log" >&3; fail "building the backup image"; }
}

