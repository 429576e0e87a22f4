# Scenario: the container contract the Kubernetes and Cloud Run manifests rely on, with the real
# image on the real engine, configured from the rendered manifests themselves (facts.sh and env
# files written by validate-manifests.sh --facts-only): every workload's environment is one
# `gogotime config check` knows; the migration Job and the Cloud Run job migrate; the app runs as
# the pod would (its uid, fsGroup, read-only root, no capabilities, no privilege escalation,
# secrets as mounted files) and as an arbitrary uid; it is ready within 2 s of start; the probe
# paths and ports answer; liveness stays 200 while PostgreSQL is down and readiness turns 503;
# SIGTERM after the preStop hook turns readiness 503 first, lets a slow request finish, exits 0
# within the grace; Cloud Run's PORT (9090 here) and Cloud SQL's Unix socket work; and the memory
# of a replica under a bounded load stays inside the Deployment's limit (figures printed).
# About 50 s; GOGOTIME_CI_CONTRACT_LOAD_SECONDS (default 20; scripts/test --full: 120) sets the
# load's length.
# shellcheck shell=bash

SCENARIOS+=(container_contract)

readonly CONTRACT_NET=$PREFIX-contract CONTRACT_PG=$PREFIX-contract-pg CONTRACT_SOCKET=$PREFIX-contract-socket
readonly CONTRACT_APP=$PREFIX-contract-app CONTRACT_UID=$PREFIX-contract-uid CONTRACT_RUN=$PREFIX-contract-run
readonly CONTRACT_LOAD=$PREFIX-contract-load CONTRACT_DIR=$WORK/contract
# an arbitrary non-root uid, as OpenShift assigns them (its own group doubles as fsGroup)
readonly CONTRACT_ANY_UID=48213
readonly CONTRACT_LOAD_SECONDS=${GOGOTIME_CI_CONTRACT_LOAD_SECONDS:-20} CONTRACT_LOAD_WORKERS=8

cleanup_contract() {
    local c
    for c in "$CONTRACT_APP" "$CONTRACT_UID" "$CONTRACT_RUN" "$CONTRACT_LOAD" "$CONTRACT_PG"; do
        docker rm -fv "$c" >/dev/null 2>&1 || true # -v: PostgreSQL's anonymous data volume too
    done
    docker volume rm "$CONTRACT_SOCKET" >/dev/null 2>&1 || true
    docker network rm "$CONTRACT_NET" >/dev/null 2>&1 || true
}
on_cleanup cleanup_contract
report_contract() {
    local c
    for c in "$CONTRACT_APP" "$CONTRACT_UID" "$CONTRACT_RUN" "$CONTRACT_LOAD"; do
        docker logs --tail 15 "$c" 2>&1 | sed "s/^/    ${c##*-} | /"
    done
}
on_failure report_contract

contract_ip() { docker inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1" 2>/dev/null; }
# the HTTP status of a GET, 000 when nothing answers
contract_status() { curl -s -o /dev/null -w '%{http_code}' --max-time "${2:-3}" "$1" || true; }
contract_since() { awk -v a="$1" -v b="$(now)" 'BEGIN { printf "%.2f", b - a }'; }

# docker run flags equal to the pod's securityContext: UID GID FSGROUP
contract_pod_flags() {
    printf '%s\n' --read-only --tmpfs /tmp:rw,size=512m,mode=1777 --cap-drop ALL \
        --security-opt no-new-privileges --user "$1:$2" --group-add "$3" --network "$CONTRACT_NET"
}

# secret files as Kubernetes mounts them with an fsGroup: root-owned, group FSGROUP, mode 0440
contract_secret_file() { # PATH FSGROUP CONTENT
    mkdir -p "$(dirname "$1")"
    chmod 0755 "$(dirname "$1")"
    printf '%s\n' "$3" >"$1"
    chown "0:$2" "$1"
    chmod 0440 "$1"
}

container_contract() {
    contract_setup
    contract_config_check
    contract_migrations
    contract_kubernetes_pod
    contract_arbitrary_uid
    contract_database_outage
    contract_sigterm
    contract_cloud_run
    contract_memory
    cleanup_contract
}

contract_setup() {
    log "container contract: manifests' facts, a PostgreSQL for the app"
    mkdir -p "$CONTRACT_DIR"
    "$REPO/deploy/tests/validate-manifests.sh" --facts-only "$CONTRACT_DIR/manifests"
    # shellcheck source=/dev/null
    source "$CONTRACT_DIR/manifests/facts.sh"
    info "from the manifests: probes $K8S_STARTUP_PATH $K8S_LIVE_PATH $K8S_READY_PATH on $K8S_HTTP_PORT, metrics $K8S_METRICS_PORT," \
        "preStop '$K8S_PRESTOP', grace ${K8S_TERMINATION_GRACE}s, memory ${K8S_MEMORY_REQUEST_MIB}/${K8S_MEMORY_LIMIT_MIB} MiB"
    cleanup_contract
    docker network create "$CONTRACT_NET" >/dev/null
    docker volume create "$CONTRACT_SOCKET" >/dev/null
    CONTRACT_DB_PASSWORD=$(secret)
    CONTRACT_JWT=$(secret)
    # the socket folder is a volume so the Cloud Run container can mount it as /cloudsql/<instance>
    docker run -d --name "$CONTRACT_PG" --network "$CONTRACT_NET" \
        --mount "type=volume,src=$CONTRACT_SOCKET,dst=/var/run/postgresql" \
        -e POSTGRES_USER=gogotime -e POSTGRES_PASSWORD="$CONTRACT_DB_PASSWORD" -e POSTGRES_DB=gogotime \
        postgres:15 >/dev/null
    contract_wait_database

    local tcp_url="postgres://gogotime:$CONTRACT_DB_PASSWORD@$CONTRACT_PG:5432/gogotime"
    local socket_url="postgres://gogotime:$CONTRACT_DB_PASSWORD@/gogotime?host=/cloudsql/$CLOUDRUN_SQL_CONNECTION"
    # Kubernetes: the Secret's two keys in one folder (fsGroup of the Deployment, and of the arbitrary uid)
    contract_secret_file "$CONTRACT_DIR/k8s-secrets/database-url" "$K8S_FS_GROUP" "$tcp_url"
    contract_secret_file "$CONTRACT_DIR/k8s-secrets/jwt-secret" "$K8S_FS_GROUP" "$CONTRACT_JWT"
    contract_secret_file "$CONTRACT_DIR/any-uid-secrets/database-url" "$CONTRACT_ANY_UID" "$tcp_url"
    contract_secret_file "$CONTRACT_DIR/any-uid-secrets/jwt-secret" "$CONTRACT_ANY_UID" "$CONTRACT_JWT"
    # Cloud Run: one Secret Manager secret per folder, readable by the image's user
    contract_secret_file "$CONTRACT_DIR/run-secrets${CLOUDRUN_DATABASE_URL_FILE}" 10001 "$socket_url"
    contract_secret_file "$CONTRACT_DIR/run-secrets${CLOUDRUN_JWT_SECRET_FILE}" 10001 "$CONTRACT_JWT"
}

contract_wait_database() {
    wait_until 60 "the contract's PostgreSQL" docker exec "$CONTRACT_PG" pg_isready -q -h 127.0.0.1 -U gogotime
}

# flags for each workload as its manifest configures it (environment, secret mounts, identity)
contract_k8s_flags() { # UID GID FSGROUP SECRETS_DIR ENV_FILE
    contract_pod_flags "$1" "$2" "$3"
    printf '%s\n' --env-file "$CONTRACT_DIR/manifests/env/$5.env" -v "$4:$K8S_SECRETS_DIR:ro"
}
contract_run_flags() { # ENV_FILE
    contract_pod_flags 10001 10001 10001 # Cloud Run runs the image's USER
    printf '%s\n' --env-file "$CONTRACT_DIR/manifests/env/$1.env" \
        -v "$CONTRACT_DIR/run-secrets$(dirname "$CLOUDRUN_DATABASE_URL_FILE"):$(dirname "$CLOUDRUN_DATABASE_URL_FILE"):ro" \
        -v "$CONTRACT_DIR/run-secrets$(dirname "$CLOUDRUN_JWT_SECRET_FILE"):$(dirname "$CLOUDRUN_JWT_SECRET_FILE"):ro" \
        --mount "type=volume,src=$CONTRACT_SOCKET,dst=/cloudsql/$CLOUDRUN_SQL_CONNECTION,readonly"
}

contract_config_check() {
    log "container contract: every variable the manifests set is one \`gogotime config check\` knows"
    local workload flags=() out err
    for workload in k8s-app k8s-migrate cloudrun-service cloudrun-migrate; do
        case $workload in
            k8s-*) mapfile -t flags < <(contract_k8s_flags "$K8S_RUN_AS_USER" "$K8S_RUN_AS_GROUP" "$K8S_FS_GROUP" "$CONTRACT_DIR/k8s-secrets" "$workload") ;;
            cloudrun-*) mapfile -t flags < <(contract_run_flags "$workload"); flags+=(-e "PORT=$CLOUDRUN_PORT") ;; # Cloud Run sets PORT
        esac
        # config check validates a server's whole configuration; the migration jobs have no use
        # for the signing secret (nor, on Cloud Run, the public address), so those are lent here
        # (migrate ignores them); every variable the job itself sets must still be known
        case $workload in
            k8s-migrate) flags+=(-e "JWT_SECRET_FILE=$K8S_SECRETS_DIR/jwt-secret") ;;
            cloudrun-migrate) flags+=(-e "JWT_SECRET_FILE=$CLOUDRUN_JWT_SECRET_FILE" -e GOGOTIME_PUBLIC_URL=https://time.example.com) ;;
        esac
        out=$(docker run --rm "${flags[@]}" "$IMAGE" config check 2>"$CONTRACT_DIR/check.err") \
            || { cat "$CONTRACT_DIR/check.err" >&3; fail "config check rejected the $workload environment"; }
        err=$(cat "$CONTRACT_DIR/check.err")
        [[ -z $err ]] || fail "config check warned about the $workload environment: $err"
        local name known=0
        while IFS='=' read -r name _; do
            [[ -n $name ]] || continue
            if [[ $name == *_FILE ]]; then
                # NAME_FILE: the secret NAME was read from that file
                grep -Eq "^${name%_FILE}=.*\(file\)$" <<<"$out" || fail "$workload: $name is not read as ${name%_FILE}'s file: $out"
            else
                grep -q "^$name=" <<<"$out" || fail "$workload: config check does not know $name"
            fi
            known=$((known + 1))
        done <"$CONTRACT_DIR/manifests/env/$workload.env"
        info "$workload: $known variables, all known; $(head -n 1 <<<"$out")"
    done
}

contract_migrations() {
    log "container contract: the migration Job (TCP) and the Cloud Run job (Unix socket) migrate"
    local flags=() out
    mapfile -t flags < <(contract_k8s_flags "$K8S_RUN_AS_USER" "$K8S_RUN_AS_GROUP" "$K8S_FS_GROUP" "$CONTRACT_DIR/k8s-secrets" k8s-migrate)
    out=$(docker run --rm "${flags[@]}" "$IMAGE" migrate up 2>&1) || { echo "$out" >&3; fail "the Kubernetes migration Job failed"; }
    info "Job: $(tail -n 1 <<<"$out" | cut -c1-200)"
    mapfile -t flags < <(contract_run_flags cloudrun-migrate)
    out=$(docker run --rm "${flags[@]}" "$IMAGE" migrate up 2>&1) || { echo "$out" >&3; fail "the Cloud Run migration job failed (Unix socket)"; }
    info "Cloud Run job over /cloudsql/$CLOUDRUN_SQL_CONNECTION: $(tail -n 1 <<<"$out" | cut -c1-200)"
}

# prints the seconds from `docker start` to the first 200 on PATH at PORT
contract_time_to_ready() { # CONTAINER PATH PORT
    local start ip
    start=$(now)
    docker start "$1" >/dev/null
    for _ in $(seq 1200); do
        ip=$(contract_ip "$1")
        if [[ -n $ip && $(contract_status "http://$ip:$3$2" 1) == 200 ]]; then
            contract_since "$start"
            return 0
        fi
        if [[ $(docker inspect -f '{{.State.Running}}' "$1") != true ]]; then
            docker logs --tail 20 "$1" >&3 2>&1
            fail "$1 stopped while starting"
        fi
        sleep 0.05
    done
    fail "$1 not ready after 60 s"
}

contract_ready_within_2s() { # WHAT SECONDS
    figure "contract: start to ready ($1)" "$2 s"
    awk -v t="$2" 'BEGIN { exit !(t < 2) }' || fail "$1 took $2 s to become ready; the contract is 2 s"
}

contract_kubernetes_pod() {
    log "container contract: the app as the Deployment runs it (uid $K8S_RUN_AS_USER, read-only, no capabilities)"
    local flags=() took ip status
    mapfile -t flags < <(contract_k8s_flags "$K8S_RUN_AS_USER" "$K8S_RUN_AS_GROUP" "$K8S_FS_GROUP" "$CONTRACT_DIR/k8s-secrets" k8s-app)
    # with the Deployment's memory limit, which the app reports for the memory alert
    docker create --name "$CONTRACT_APP" "${flags[@]}" --memory "${K8S_MEMORY_LIMIT_MIB}m" "$IMAGE" serve >/dev/null
    took=$(contract_time_to_ready "$CONTRACT_APP" "$K8S_READY_PATH" "$K8S_HTTP_PORT")
    contract_ready_within_2s "Deployment, uid $K8S_RUN_AS_USER" "$took"
    ip=$(contract_ip "$CONTRACT_APP")
    for path in "$K8S_STARTUP_PATH" "$K8S_LIVE_PATH" "$K8S_READY_PATH"; do
        status=$(contract_status "http://$ip:$K8S_HTTP_PORT$path")
        [[ $status == 200 ]] || fail "probe path $path on port $K8S_HTTP_PORT answered $status"
    done
    info "probes: startup $K8S_STARTUP_PATH, liveness $K8S_LIVE_PATH, readiness $K8S_READY_PATH: 200 on port $K8S_HTTP_PORT"
    local metrics name
    metrics=$(http "http://$ip:$K8S_METRICS_PORT/metrics") || fail "no metrics on port $K8S_METRICS_PORT"
    for name in $K8S_METRICS_RULE_NAMES; do
        grep -Eq "^${name}[{ ]" <<<"$metrics" || fail "metric $name, used by the PrometheusRule, is not exposed"
    done
    info "metrics on $K8S_METRICS_PORT/metrics expose what the alert rules query: $K8S_METRICS_RULE_NAMES"
    contract_confinement "$CONTRACT_APP" "$K8S_RUN_AS_USER" "${flags[@]}"
    docker exec "$CONTRACT_APP" "${K8S_PRESTOP%% *}" 0 || fail "the preStop command '${K8S_PRESTOP%% *}' does not run in the container"
    info "preStop command ${K8S_PRESTOP%% *} runs inside the confined container"
}

# the process's identity and confinement as the kernel reports them: PID 1 from the host (the
# image has no shell), the writes from a second container with the same flags (in_image_with)
contract_confinement() { # CONTAINER UID FLAGS...
    local container=$1 uid=$2 status err
    shift 2
    status=$(pid1_status "$container")
    grep -Eq "^Uid:\s+$uid\s" <<<"$status" || fail "$container does not run as uid $uid"
    grep -Eq '^CapEff:\s+0+$' <<<"$status" || fail "$container has effective capabilities: $(grep CapEff <<<"$status")"
    grep -Eq '^NoNewPrivs:\s+1$' <<<"$status" || fail "$container may gain privileges"
    if err=$(in_image_with "$@" -- ': >/probe' 2>&1); then fail "$container: the root filesystem is writable"; fi
    [[ $err == *"Read-only file system"* ]] || fail "$container: writing to / failed, but not because it is read-only: $err"
    in_image_with "$@" -- ': >/tmp/probe && /test/busybox rm /tmp/probe' || fail "$container: /tmp is not writable"
    info "$container: uid $uid, no capabilities (CapEff 0), no new privileges, read-only root, writable /tmp"
}

contract_arbitrary_uid() {
    log "container contract: an arbitrary uid ($CONTRACT_ANY_UID) with the same confinement"
    local flags=() took
    mapfile -t flags < <(contract_k8s_flags "$CONTRACT_ANY_UID" "$CONTRACT_ANY_UID" "$CONTRACT_ANY_UID" "$CONTRACT_DIR/any-uid-secrets" k8s-app)
    docker create --name "$CONTRACT_UID" "${flags[@]}" "$IMAGE" serve >/dev/null
    took=$(contract_time_to_ready "$CONTRACT_UID" "$K8S_READY_PATH" "$K8S_HTTP_PORT")
    contract_ready_within_2s "arbitrary uid $CONTRACT_ANY_UID" "$took"
    contract_confinement "$CONTRACT_UID" "$CONTRACT_ANY_UID" "${flags[@]}"
    docker rm -f "$CONTRACT_UID" >/dev/null
}

contract_database_outage() {
    log "container contract: PostgreSQL down: liveness stays 200, readiness turns 503, then recovers"
    local ip live ready start
    ip=$(contract_ip "$CONTRACT_APP")
    start=$(now)
    docker stop -t 10 "$CONTRACT_PG" >/dev/null
    for _ in $(seq 100); do
        ready=$(contract_status "http://$ip:$K8S_HTTP_PORT$K8S_READY_PATH" 5)
        [[ $ready == 503 ]] && break
        sleep 0.2
    done
    [[ $ready == 503 ]] || fail "readiness answered $ready with the database down"
    figure "contract: database stopped to readiness 503" "$(contract_since "$start") s"
    for _ in $(seq 5); do
        live=$(contract_status "http://$ip:$K8S_HTTP_PORT$K8S_LIVE_PATH")
        [[ $live == 200 ]] || fail "liveness answered $live with the database down"
        sleep 0.5
    done
    info "database down: liveness 200 (5 of 5), readiness 503: $(curl -s --max-time 5 "http://$ip:$K8S_HTTP_PORT$K8S_READY_PATH")"
    start=$(now)
    docker start "$CONTRACT_PG" >/dev/null
    contract_wait_database
    wait_until 60 "readiness to recover" test "$(contract_status "http://$ip:$K8S_HTTP_PORT$K8S_READY_PATH")" = 200
    figure "contract: database back to readiness 200" "$(contract_since "$start") s"
}

contract_sigterm() {
    log "container contract: preStop, then SIGTERM during a slow request"
    local ip base poller slow term code took
    ip=$(contract_ip "$CONTRACT_APP")
    base=http://$ip:$K8S_HTTP_PORT
    head -c 49152 /dev/zero | tr '\0' 'x' >"$CONTRACT_DIR/slow-body"
    # readiness as a load balancer polls it, every 100 ms (bounded), until the process is gone
    (
        for _ in $(seq 400); do
            printf '%s %s\n' "$(now)" "$(contract_status "$base$K8S_READY_PATH" 1)"
            sleep 0.1
        done
    ) >"$CONTRACT_DIR/readiness.log" &
    poller=$!
    # a slow client: 48 KiB at 4 KiB/s, so the request is still in flight when accepting stops
    curl -s -o /dev/null -w '%{http_code} %{time_total}\n' --max-time 60 --limit-rate 4k \
        -H 'content-type: application/csp-report' --data-binary @"$CONTRACT_DIR/slow-body" \
        "$base/api/system/csp-report" >"$CONTRACT_DIR/slow.txt" &
    slow=$!
    sleep 1
    # what the kubelet does on pod deletion: the preStop hook, then SIGTERM
    # shellcheck disable=SC2086 # the hook's command line, split as the kubelet runs it
    docker exec "$CONTRACT_APP" $K8S_PRESTOP || fail "the preStop hook failed"
    term=$(now)
    docker kill -s TERM "$CONTRACT_APP" >/dev/null
    code=$(timeout 60 docker wait "$CONTRACT_APP")
    took=$(contract_since "$term")
    wait "$slow" || true
    kill "$poller" 2>/dev/null || true
    wait "$poller" 2>/dev/null || true

    local slow_status slow_time
    read -r slow_status slow_time <"$CONTRACT_DIR/slow.txt"
    [[ $code == 0 ]] || fail "exit status $code after SIGTERM"
    [[ $slow_status == 204 ]] || fail "the slow request in flight at SIGTERM got $slow_status, expected 204"
    awk -v t="$slow_time" -v d="$K8S_SHUTDOWN_DELAY" 'BEGIN { exit !(t > 1 + 3 + d) }' \
        || fail "the slow request (${slow_time}s) ended before the server stopped accepting: the test proves nothing"
    awk -v t="$took" -v g="$((K8S_SHUTDOWN_DELAY + K8S_SHUTDOWN_GRACE))" 'BEGIN { exit !(t < g) }' \
        || fail "SIGTERM to exit took $took s, beyond delay + grace"
    # readiness: 200 until SIGTERM (the preStop sleep included), 503 after it while still serving
    local before after
    before=$(awk -v t="$term" '$1 < t - 0.2 && $2 != 200' "$CONTRACT_DIR/readiness.log" | wc -l)
    after=$(awk -v t="$term" '$1 > t && $2 == 503' "$CONTRACT_DIR/readiness.log" | wc -l)
    ((before == 0)) || fail "readiness was not 200 before SIGTERM: $(head -n 5 "$CONTRACT_DIR/readiness.log")"
    ((after > 0)) || fail "readiness never answered 503 after SIGTERM"
    local logs
    logs=$(docker logs "$CONTRACT_APP" 2>&1 | grep -o 'SIGTERM received\|readiness now reports 503\|stopped accepting\|shutdown complete' | tr '\n' ',')
    [[ $logs == "SIGTERM received,readiness now reports 503,stopped accepting,shutdown complete," ]] \
        || fail "shutdown steps out of order in the log: $logs"
    figure "contract: SIGTERM to exit (preStop done, slow request)" "$took s, exit status $code"
    info "slow request in flight: $slow_status after ${slow_time}s; readiness 503 answered $after times while draining"
    docker rm "$CONTRACT_APP" >/dev/null
}

contract_cloud_run() {
    log "container contract: Cloud Run: PORT=9090, Cloud SQL socket, no metrics listener"
    local flags=() took ip status term code
    mapfile -t flags < <(contract_run_flags cloudrun-service)
    docker create --name "$CONTRACT_RUN" "${flags[@]}" -e PORT=9090 "$IMAGE" serve >/dev/null
    took=$(contract_time_to_ready "$CONTRACT_RUN" "$CLOUDRUN_STARTUP_PATH" 9090)
    contract_ready_within_2s "Cloud Run, PORT=9090" "$took"
    ip=$(contract_ip "$CONTRACT_RUN")
    for path in "$CLOUDRUN_STARTUP_PATH" "$CLOUDRUN_LIVE_PATH" /api/system/health; do
        status=$(contract_status "http://$ip:9090$path")
        [[ $status == 200 ]] || fail "Cloud Run container: $path on 9090 answered $status"
    done
    for port in "$CLOUDRUN_PORT" 9100; do
        status=$(contract_status "http://$ip:$port/api/system/health/live" 1)
        [[ $status == 000 ]] || fail "Cloud Run container also listens on $port ($status)"
    done
    info "listens on PORT 9090 only (not $CLOUDRUN_PORT, no metrics on 9100); database over /cloudsql/$CLOUDRUN_SQL_CONNECTION:" \
        "$(http "http://$ip:9090/api/system/version")"
    term=$(now)
    docker kill -s TERM "$CONTRACT_RUN" >/dev/null
    code=$(timeout 30 docker wait "$CONTRACT_RUN")
    took=$(contract_since "$term")
    [[ $code == 0 ]] || fail "Cloud Run container exited $code after SIGTERM"
    awk -v t="$took" 'BEGIN { exit !(t < 10) }' || fail "Cloud Run container needed $took s after SIGTERM; Cloud Run kills at 10 s"
    figure "contract: SIGTERM to exit (Cloud Run settings)" "$took s, exit status $code"
    docker rm "$CONTRACT_RUN" >/dev/null
}

# resident set and cgroup figures of a running container, in MiB
contract_memory_of() { # CONTAINER FIELD (VmRSS|VmHWM)
    pid1_status "$1" | awk -v f="$2:" '$1 == f { printf "%.1f", $2 / 1024 }'
}
contract_cgroup_peak() { # CONTAINER: the cgroup's peak usage (v1 or v2), page cache included, from the host
    local cgroups path
    cgroups=/proc/$(docker inspect -f '{{.State.Pid}}' "$1")/cgroup
    path=$(awk -F: '$2 ~ /(^|,)memory(,|$)/ { print $3 }' "$cgroups")
    if [[ -n $path ]]; then
        cat "/sys/fs/cgroup/memory$path/memory.max_usage_in_bytes"
    else
        cat "/sys/fs/cgroup$(awk -F: '$1 == 0 { print $3 }' "$cgroups")/memory.peak"
    fi | awk '{ printf "%.1f", $1 / 1048576 }'
}

contract_memory() {
    log "container contract: memory under a bounded load (${CONTRACT_LOAD_WORKERS} clients, ${CONTRACT_LOAD_SECONDS}s), inside the Deployment's limits"
    local flags=() ip idle result peak cgroup after
    mapfile -t flags < <(contract_k8s_flags "$K8S_RUN_AS_USER" "$K8S_RUN_AS_GROUP" "$K8S_FS_GROUP" "$CONTRACT_DIR/k8s-secrets" k8s-app)
    # open registration: each load client signs up with its own account and organization
    docker create --name "$CONTRACT_LOAD" "${flags[@]}" -e GOGOTIME_REGISTRATION=open \
        --memory "${K8S_MEMORY_LIMIT_MIB}m" --memory-swap "${K8S_MEMORY_LIMIT_MIB}m" --cpus "$K8S_CPU_LIMIT" \
        "$IMAGE" serve >/dev/null
    contract_time_to_ready "$CONTRACT_LOAD" "$K8S_READY_PATH" "$K8S_HTTP_PORT" >/dev/null
    ip=$(contract_ip "$CONTRACT_LOAD")
    sleep 2
    idle=$(contract_memory_of "$CONTRACT_LOAD" VmRSS)
    result=$(timeout $((CONTRACT_LOAD_SECONDS + 120)) python3 "$REPO/deploy/tests/contract/load.py" \
        "http://$ip:$K8S_HTTP_PORT" "$CONTRACT_LOAD_SECONDS" "$CONTRACT_LOAD_WORKERS") || fail "the load generator failed"
    [[ $(docker inspect -f '{{.State.Running}} {{.State.OOMKilled}}' "$CONTRACT_LOAD") == "true false" ]] \
        || fail "the replica did not survive the load inside ${K8S_MEMORY_LIMIT_MIB} MiB: $(docker inspect -f '{{.State.Status}} OOMKilled={{.State.OOMKilled}}' "$CONTRACT_LOAD")"
    peak=$(contract_memory_of "$CONTRACT_LOAD" VmHWM)
    cgroup=$(contract_cgroup_peak "$CONTRACT_LOAD")
    after=$(contract_memory_of "$CONTRACT_LOAD" VmRSS)
    python3 - "$result" <<'EOF' || fail "requests failed under load: $result"
import json, sys
r = json.loads(sys.argv[1])
bad = {k: v for k, v in r["statuses"].items() if not 200 <= int(k) < 300}
sys.exit(1 if bad or r["errors"] or r["requests"] == 0 else 0)
EOF
    figure "contract: load ($CONTRACT_LOAD_WORKERS clients, ${CONTRACT_LOAD_SECONDS}s)" \
        "$(python3 -c 'import json, sys; r = json.loads(sys.argv[1]); print("%d requests, %s/s, statuses %s" % (r["requests"], r["rate"], r["statuses"]))' "$result")"
    figure "contract: memory idle / peak / after load" "RSS $idle MiB / peak RSS $peak MiB (cgroup peak $cgroup MiB incl. page cache) / RSS $after MiB"
    figure "contract: Deployment memory request / limit" "${K8S_MEMORY_REQUEST_MIB} / ${K8S_MEMORY_LIMIT_MIB} MiB"
    awk -v p="$peak" -v l="$K8S_MEMORY_LIMIT_MIB" 'BEGIN { exit !(p < l) }' || fail "peak RSS $peak MiB is not below the limit $K8S_MEMORY_LIMIT_MIB MiB"
    docker rm -f "$CONTRACT_LOAD" >/dev/null
}
