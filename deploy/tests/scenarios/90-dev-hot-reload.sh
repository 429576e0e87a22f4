# Scenario: the development stack (compose.yaml + deploy/docker/dev-watch.sh) reloads edits for
# real. run.sh starts the stack in the background before the other scenarios (its first debug
# build takes minutes) and this one runs last: it waits for the stack to serve, then, in the
# mounted working tree,
#   1. edits a string on a page (/system/status): the running app serves it, PostgreSQL is not
#      restarted (same container, same server start time) and the data is kept;
#   2. breaks the build: the compiler's error is in the app's log, the previous build keeps serving;
#   3. restores the file: the original page is served again;
#   4. `down` then `up`: the cargo build cache (a named volume) survives, no dependency recompiles.
# The edited file is restored whatever happens (also on failure, interruption or GOGOTIME_CI_KEEP).
# Each wait is bounded by GOGOTIME_CI_DEV_RELOAD_TIMEOUT (s, default 300).
# shellcheck shell=bash

SCENARIOS+=(dev_hot_reload)

readonly HOT_FILE=templates/system/status.html
HOT_BACKUP=""

restore_hot_file() {
    if [[ -n $HOT_BACKUP && -f $HOT_BACKUP ]]; then
        # rewritten, not `cp -p`: cargo must see the file as newer than its last build
        cat "$HOT_BACKUP" >"$REPO/$HOT_FILE" && rm -f "$HOT_BACKUP" && info "restored $HOT_FILE"
    fi
    return 0
}
# failure reports run even with GOGOTIME_CI_KEEP=1; clean-ups on success
on_failure restore_hot_file
on_cleanup restore_hot_file

dev_app() { project_containers "$DEV_PROJECT" app; }
dev_postgres() { project_containers "$DEV_PROJECT" postgres; }
dev_log() { docker logs "$(dev_app)" 2>&1; }
dev_log_count() { dev_log | grep -cF -- "$1" || true; }
dev_status_page() { http "http://127.0.0.1:$DEV_PORT/system/status"; }
dev_instance_id() { http "http://127.0.0.1:$DEV_PORT/api/system/version" | json_field instance_id; }
postgres_started_at() {
    docker exec "$(dev_postgres)" psql -U gogotime -d gogotime -tAc 'select pg_postmaster_start_time()'
}
page_has() { dev_status_page | grep -F -- "$1" >/dev/null; }
page_is_original() { # MARKER: the status page without the edit
    local page
    page=$(dev_status_page) && [[ $page == *status-title* && $page != *"$1"* ]]
}
failed_builds_above() { (($(dev_log_count 'dev-watch: build failed') > $1)); }

dev_serving() {
    local app
    app=$(dev_app)
    if [[ $(docker inspect -f '{{.State.Status}}' "$app") != running ]]; then
        docker logs --tail 30 "$app" >&3 2>&1
        fail "the development container stopped"
    fi
    http -o /dev/null "http://127.0.0.1:$DEV_PORT/api/system/health/live"
}

report_dev_hot_reload() {
    [[ -n $DEV_STARTED ]] || return 0
    dev_log | grep -E 'dev-watch|^error' | tail -n 20 | sed 's/^/    dev | /'
}
on_failure report_dev_hot_reload

dev_hot_reload() {
    if [[ -z $DEV_STARTED ]]; then
        info "skipped: GOGOTIME_CI_SKIP_DEV is set, the development stack was not started"
        return 0
    fi
    local bound=${GOGOTIME_CI_DEV_RELOAD_TIMEOUT:-300}
    log "development stack: waiting for http://127.0.0.1:$DEV_PORT/api/system/health/live"
    wait_until "$DEV_TIMEOUT" "the development server" dev_serving
    # shellcheck disable=SC2153 # DEV_START is set by run.sh's dev_stack_start
    figure "dev stack: up to serving (cold debug build)" "$(elapsed "$DEV_START") s"
    info "health: $(http "http://127.0.0.1:$DEV_PORT/api/system/health")"

    log "development stack: an edit is served without restarting PostgreSQL"
    local marker="hot-reload probe $RANDOM$RANDOM" original_sum
    original_sum=$(sha256sum <"$REPO/$HOT_FILE")
    grep -q '</section>' "$REPO/$HOT_FILE" || fail "$HOT_FILE has no </section> to put the probe before"
    page_is_original "$marker" || fail "/system/status does not answer with the unedited page"
    local postgres app postgres_start instance starts
    postgres=$(dev_postgres)
    app=$(dev_app)
    postgres_start=$(postgres_started_at)
    instance=$(dev_instance_id)
    starts=$(dev_log_count 'started gogotime')
    [[ -n $postgres_start && -n $instance ]] || fail "could not read PostgreSQL's start time or the instance id"

    HOT_BACKUP=$WORK/hot-reload.orig
    cp "$REPO/$HOT_FILE" "$HOT_BACKUP"
    local start
    start=$(now)
    sed "s|</section>|<p id=\"hot-reload\">$marker</p></section>|" "$HOT_BACKUP" >"$REPO/$HOT_FILE"
    wait_until "$bound" "the edit to be served on /system/status" page_has "$marker"
    figure "dev stack: edit → served (template)" "$(elapsed "$start") s ($(dev_log | grep -o 'built in [0-9]* s' | tail -n 1))"
    [[ $(dev_postgres) == "$postgres" ]] || fail "the PostgreSQL container was replaced"
    [[ $(postgres_started_at) == "$postgres_start" ]] || fail "PostgreSQL restarted (start time changed)"
    [[ $(dev_app) == "$app" ]] || fail "the app container was replaced instead of the process reloading"
    [[ $(dev_log_count 'started gogotime') -eq $((starts + 1)) ]] || fail "expected exactly one more 'started gogotime' in the log"
    [[ $(dev_instance_id) == "$instance" ]] || fail "the instance id changed: the database was not kept"
    info "served; PostgreSQL up since $postgres_start, not restarted; instance $instance kept"

    log "development stack: a compile error keeps the previous build serving"
    local failures
    failures=$(dev_log_count 'dev-watch: build failed')
    sed "s|</section>|<p id=\"hot-reload\">$marker {{ hot_reload_probe_missing_field }}</p></section>|" \
        "$HOT_BACKUP" >"$REPO/$HOT_FILE"
    wait_until "$bound" "the broken build to be reported" failed_builds_above "$failures"
    dev_log | grep 'hot_reload_probe_missing_field' >/dev/null || fail "the compiler's error is not in the app's log"
    dev_log | grep '^error' >/dev/null || fail "no compiler error line in the app's log"
    page_has "$marker" || fail "the previous build stopped serving after a failed build"
    [[ $(dev_log_count 'started gogotime') -eq $((starts + 1)) ]] || fail "the server was restarted after a failed build"
    info "log: $(dev_log | grep -m 1 -A 1 '^error' | tr -s ' \n' ' ')"
    info "log: $(dev_log | grep 'dev-watch: build failed' | tail -n 1)"

    log "development stack: the restored file is served again"
    start=$(now)
    restore_hot_file
    [[ $(sha256sum <"$REPO/$HOT_FILE") == "$original_sum" ]] || fail "$HOT_FILE differs from before the test"
    wait_until "$bound" "the restored page to be served" page_is_original "$marker"
    figure "dev stack: restore → served" "$(elapsed "$start") s"

    log "development stack: the build cache survives down and up"
    local volume=${DEV_PROJECT}_cargo-target created
    created=$(docker volume inspect -f '{{.CreatedAt}}' "$volume")
    dev down --timeout 10 >"$WORK/dev-down.log" 2>&1 || { cat "$WORK/dev-down.log" >&2; fail "dev compose down"; }
    [[ $(docker volume inspect -f '{{.CreatedAt}}' "$volume" 2>/dev/null) == "$created" ]] \
        || fail "the cargo target volume $volume did not survive docker-compose down"
    start=$(now)
    dev up -d >"$WORK/dev-up2.log" 2>&1 || { cat "$WORK/dev-up2.log" >&2; fail "dev compose up after down"; }
    wait_until "$bound" "the development server after down/up" dev_serving
    figure "dev stack: down/up to serving (warm cache)" "$(elapsed "$start") s"
    dev_log | grep 'Finished' >/dev/null || fail "no finished cargo build in the log after up"
    local recompiled
    recompiled=$(dev_log | grep -E '^ *Compiling ' | grep -v ' gogotime v' || true)
    [[ -z $recompiled ]] || fail "dependencies were compiled again after down/up: $recompiled"
    [[ $(dev_instance_id) == "$instance" ]] || fail "the database did not survive down/up"
    info "no dependency recompiled; $(dev_log | grep -o 'built in [0-9]* s' | tail -n 1); instance $instance kept"
}
