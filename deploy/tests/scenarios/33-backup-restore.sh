# Scenario: the restore drill on the production stack's PostgreSQL, as docs/operations/
# backup-restore.md tells an operator to run it: data written through the API (two
# organizations, tags, rates, entries, audit log) → `gogotime backup` in the backup service while
# requests keep writing → the database dropped → `gogotime restore` into a new empty one → every
# table's row count and SHA-256 (computed here with psql and sha256sum, independently of
# GoGoTime's code) equal the backup's manifest, and the app serves the restored entries. Also the
# backup service's metric and a restore refused into a non-empty database. Uses the stack of
# 30-tls-acme.sh and takes it down at the end.
# shellcheck shell=bash

SCENARIOS+=(backup_restore)

api() { # METHOD PATH [JSON [curl args...]]: as the owner, through nginx
    local args=(-f -X "$1" -H "Authorization: Bearer $OWNER_TOKEN" -H 'Content-Type: application/json' -H 'X-Forwarded-For: 192.0.2.50')
    [[ -n ${3:-} ]] && args+=(-d "$3")
    https_get "$2" "${args[@]}" "${@:4}"
}

psql_in_stack() { tls exec -T postgres psql -U gogotime -v ON_ERROR_STOP=1 -At "$@"; }

drill_seed() {
    local second tag day
    second=$(api POST /api/v1/organizations '{"name":"Drill Two"}' | json_get id)
    for org in "$OWNER_ORG" "$second"; do
        tag=$(api POST "/api/v1/organizations/$org/tags" '{"name":"billable-work"}' | json_get id)
        api PUT "/api/v1/organizations/$org/rates/default" '{"hourly_rate":9500}' >/dev/null
        for day in $(seq 10 29); do
            api POST "/api/v1/organizations/$org/time-entries" \
                "{\"start\":\"2026-03-${day}T09:00:00Z\",\"end\":\"2026-03-${day}T12:30:00Z\",\"description\":\"drill $day\",\"tags\":[\"$tag\"]}" >/dev/null
        done
    done
}

# table → "rows sha256", computed by PostgreSQL and sha256sum alone
independent_fingerprints() {
    local table
    for table in $(psql_in_stack -d gogotime -c "select tablename from pg_tables where schemaname = 'public' order by 1"); do
        printf '%s %s %s\n' "$table" \
            "$(psql_in_stack -d gogotime -c "select count(*) from \"$table\"")" \
            "$(psql_in_stack -d gogotime -c "select t::text from \"$table\" t order by t::text collate \"C\"" | sha256sum | cut -d' ' -f1)"
    done
}

backup_restore() {
    tls_stack_up
    tls_owner
    log "restore drill on PostgreSQL: seed through the API"
    drill_seed
    local writes=$WORK/drill-writes.txt
    : >"$writes"
    (
        for i in $(seq 200); do
            api POST "/api/v1/organizations/$OWNER_ORG/time-entries" \
                "{\"start\":\"2026-04-01T08:00:00Z\",\"end\":\"2026-04-01T08:0$((i % 10)):01Z\",\"description\":\"during backup $i\"}" \
                -o /dev/null -w '%{http_code}\n' >>"$writes" 2>/dev/null || echo 000 >>"$writes"
        done
    ) &
    local loop=$!
    sleep 1
    log "backup while requests keep writing"
    local out name start
    start=$(now)
    out=$(tls exec -T backup gogotime backup --to /backups 2>&1) || fail "gogotime backup: $out"
    figure "restore drill: backup (postgres, in the stack)" "$(elapsed "$start") s"
    info "$out"
    name=$(sed -n 's|^backup /backups/\([^:]*\):.*|\1|p' <<<"$out")
    [[ -n $name ]] || fail "no backup directory in: $out"
    wait "$loop"
    [[ $(grep -vc '^201$' "$writes") -eq 0 ]] || fail "writes failed during the backup: $(sort "$writes" | uniq -c)"
    info "$(wc -l <"$writes") entries written while the backup ran"
    local manifest=$WORK/manifest.json
    tls exec -T backup cat "/backups/$name/manifest.json" >"$manifest"

    log "wipe the database, restore into a new empty one"
    if tls run --rm --no-deps backup restore "/backups/$name" >"$WORK/restore-refused.log" 2>&1; then
        fail "restore into the live (non-empty) database succeeded"
    fi
    grep -q 'is not empty' "$WORK/restore-refused.log" || fail "unexpected refusal: $(cat "$WORK/restore-refused.log")"
    info "into the live database: $(grep -o 'error: the target database[^(]*' "$WORK/restore-refused.log")"
    tls stop -t 30 app backup >/dev/null 2>&1
    psql_in_stack -d postgres -c 'drop database gogotime with (force)' >/dev/null
    psql_in_stack -d postgres -c 'create database gogotime' >/dev/null
    start=$(now)
    out=$(tls run --rm --no-deps backup restore "/backups/$name" 2>&1) || fail "gogotime restore: $out"
    figure "restore drill: restore (postgres, in the stack)" "$(elapsed "$start") s"
    info "$out"

    local found=$WORK/drill-found.txt expected=$WORK/drill-expected.txt
    independent_fingerprints >"$found"
    python3 -c 'import json,sys; [print(t["name"], t["rows"], t["sha256"]) for t in sorted(json.load(open(sys.argv[1]))["tables"], key=lambda t: t["name"])]' "$manifest" >"$expected"
    diff -u "$expected" "$found" >&3 || fail "the restored tables differ from the backup's manifest"
    local entries
    entries=$(awk '$1 == "time_entries" { print $2 }' "$found")
    ((entries >= 40)) || fail "only $entries entries restored"
    figure "restore drill: tables / rows equal to manifest" "$(wc -l <"$found") / $(awk '{ n += $2 } END { print n }' "$found")"
    figure "restore drill: time_entries sha256" "$(awk '$1 == "time_entries" { print $3 }' "$found")"
    figure "restore drill: audit_log sha256" "$(awk '$1 == "audit_log" { print $3 }' "$found")"

    log "the app serves the restored data"
    tls start app backup >/dev/null 2>&1
    wait_until 120 "the replicas back" tls_all_healthy
    wait_until 30 "nginx to reach the replicas again" https_get /api/system/health -f -o /dev/null
    local served in_db
    served=$(api GET "/api/v1/organizations/$OWNER_ORG/time-entries?limit=500" | python3 -c 'import json,sys; v=json.load(sys.stdin); print(len(v["items"] if isinstance(v, dict) else v))')
    in_db=$(psql_in_stack -d gogotime -c "select count(*) from time_entries where organization_id = '$OWNER_ORG' and deleted_at is null")
    [[ $served == "$in_db" ]] || fail "the API lists $served entries of the first organization, the database holds $in_db"
    info "the API serves the $served restored entries of the first organization"

    log "backup service metric"
    local metric
    wait_until 60 "the backup service's metrics" tls_tools curl -fsS http://backup:9100/metrics
    metric=$(tls_tools curl -fsS http://backup:9100/metrics | awk '$1 == "gogotime_backup_last_success_timestamp_seconds" { print $2 }')
    ((metric > $(date +%s) - 600)) || fail "gogotime_backup_last_success_timestamp_seconds is $metric"
    info "gogotime_backup_last_success_timestamp_seconds $metric"
    tls_stack_down
}
