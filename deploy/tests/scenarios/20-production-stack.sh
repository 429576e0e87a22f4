# Scenario: the production Compose stack (PostgreSQL, migrate, 3 replicas, nginx): the guard on a
# missing secret, start from nothing, every replica serves, compression and caching, a replica
# killed under load, scaling, and data kept across down/up.
# shellcheck shell=bash

SCENARIOS+=(production_stack)

production_stack() {
    prod_guard
    prod_stack
    prod down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
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
        if docker logs "$app" 2>&1 | grep -i 'applied migrations' >/dev/null; then fail "replica $app ran migrations"; fi
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

