# Scenario: one container on SQLite, read-only root, named volume; start, stop, recreate.
# shellcheck shell=bash

SCENARIOS+=(single_container)

cleanup_single() {
    docker rm -f "$SINGLE" >/dev/null 2>&1
    docker volume rm "$SINGLE_VOLUME" >/dev/null 2>&1
    return 0
}
on_cleanup cleanup_single
report_single() { docker logs --tail 40 "$SINGLE" 2>/dev/null | sed 's/^/    single | /'; }
on_failure report_single

single_container() {
    log "single container with SQLite (--read-only --tmpfs /tmp, named volume)"
    local jwt
    jwt=$(secret)
    [[ ${#jwt} -eq 43 ]] || fail "secret generate printed ${#jwt} characters, expected 43"
    docker rm -f "$SINGLE" >/dev/null 2>&1 || true
    docker volume rm "$SINGLE_VOLUME" >/dev/null 2>&1 || true
    docker volume create "$SINGLE_VOLUME" >/dev/null
    # the confinement, shared by the probe container below
    local confined=(--read-only --tmpfs /tmp -v "$SINGLE_VOLUME:/data")
    run_single() {
        docker run -d --name "$SINGLE" "${confined[@]}" \
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

    # the image has no shell: PID 1's identity from the host, the writes from a second container
    # of the image with the same flags and volume (busybox mounted in; see in_image_with)
    local uid ids err
    ids=$(pid1_status "$SINGLE" | grep -E '^(Uid|Gid):')
    grep -Eq '^Uid:\s+10001\s+10001\s+10001\s+10001$' <<<"$ids" || fail "PID 1 does not run as uid 10001: $ids"
    grep -Eq '^Gid:\s+10001\s+10001\s+10001\s+10001$' <<<"$ids" || fail "PID 1 does not run as gid 10001: $ids"
    uid=$(in_image_with "${confined[@]}" -- '/test/busybox id -u')
    [[ $uid == 10001 ]] || fail "the image's user is uid $uid"
    info "runs as uid $uid (non-root): PID 1's real, effective, saved and file-system uid and gid"
    # EROFS, not just EACCES: uid 10001 could not write to / even if it were writable
    if err=$(in_image_with "${confined[@]}" -- '/test/busybox touch /probe' 2>&1); then fail "root filesystem is writable"; fi
    [[ $err == *"Read-only file system"* ]] || fail "writing to / failed, but not because it is read-only: $err"
    in_image_with "${confined[@]}" -- '/test/busybox touch /tmp/probe /data/probe && /test/busybox rm /tmp/probe /data/probe' \
        || fail "/tmp or /data not writable"
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

