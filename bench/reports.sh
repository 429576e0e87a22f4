#!/usr/bin/env bash
# Summary report latency over a large organization, next to the bare SQL aggregate that reads the
# same rows, on PostgreSQL and SQLite, in the same run.
#
#   data    BENCH_ROWS (1,000,000) finished, billable entries spread evenly over 2026 (one every
#           ~31 s, 25 minutes long, rate 80.00), over 20 projects, seeded with SQL straight into
#           the database after the app created the account, organization and projects
#   report  GET reports/summary?from=2026-01-01&to=2026-12-31&group=project&subgroup=month&tz=UTC
#           (the app streams every entry, splits at local midnights, rounds and prices each one)
#   SQL     the aggregate a hand-written query would run over the same rows: per project and
#           month, the sum of durations and the count (no splitting, no rounding, no amounts)
#
# Each is timed BENCH_RUNS (5) times after one warm-up; the table shows the median and the best.
# Everything runs on this machine: a throwaway PostgreSQL cluster, a SQLite file in a temporary
# folder, the release binary on 127.0.0.1.
#
# Usage: bench/reports.sh   Environment: BENCH_ROWS, BENCH_RUNS, GOGOTIME_BIN=path
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rows=${BENCH_ROWS:-1000000}
runs=${BENCH_RUNS:-5}
case "$rows" in ''|*[!0-9]*) echo "bench: BENCH_ROWS must be a whole number" >&2; exit 2 ;; esac
case "$runs" in ''|*[!0-9]*) echo "bench: BENCH_RUNS must be a whole number" >&2; exit 2 ;; esac
if [ "$rows" -gt 5000000 ] || [ "$runs" -gt 50 ] || [ "$runs" -lt 1 ]; then
  echo "bench: BENCH_ROWS at most 5000000, BENCH_RUNS 1..50" >&2; exit 2
fi

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
for cmd in curl jq sqlite3 python3 initdb pg_ctl psql timeout; do
  command -v "$cmd" >/dev/null || die "'$cmd' is not on PATH (Debian: curl jq sqlite3 postgresql-15)"
done

bin=${GOGOTIME_BIN:-}
if [ -z "$bin" ]; then
  log "building (cargo build --release --locked)"
  timeout 3600 nice -n 10 cargo build --release --locked >&2
  bin=$root/target/release/gogotime
fi
[ -x "$bin" ] || die "no executable at $bin"

as_postgres() { if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi; }
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }

work=$(mktemp -d /tmp/gogotime-bench.XXXXXX)
chmod 755 "$work"
app_pid=""
pg_started=false
stop_app() {
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
  fi
}
cleanup() {
  stop_app
  if [ "$pg_started" = true ]; then as_postgres pg_ctl -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

mkdir "$work/pg" "$work/sqlite"
[ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
pg_port=$(free_port)
as_postgres initdb -D "$work/pg/data" -U postgres -A trust --no-sync >"$work/initdb.log" 2>&1 || { cat "$work/initdb.log" >&2; exit 1; }
pg_started=true
as_postgres pg_ctl -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c shared_buffers=512MB" start >/dev/null
psql_bench() { timeout 900 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"; }
psql_bench -d postgres -c 'create database gogotime_bench'

jwt_secret=$("$bin" secret generate)
base=""
start_app() { # DATABASE_URL NAME
  local port
  port=$(free_port)
  base="http://127.0.0.1:$port"
  (cd "$work" && exec env -i PATH="$PATH" HOME="$HOME" GOGOTIME_ENV=development GOGOTIME_BIND="127.0.0.1:$port" \
    GOGOTIME_METRICS_BIND= GOGOTIME_LOG=warn GOGOTIME_REQUEST_TIMEOUT_SECONDS=600 JWT_SECRET="$jwt_secret" \
    DATABASE_URL="$1" "$bin" serve) >"$work/app-$2.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 300); do
    if curl -fsS --max-time 2 -o /dev/null "$base/api/system/health/ready" 2>/dev/null; then return 0; fi
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.2
  done
  cat "$work/app-$2.log" >&2
  die "the app did not become ready on $base"
}
api() { # METHOD PATH [BODY] [TOKEN]
  local args=(--silent --show-error --fail-with-body --max-time 600 -X "$1" -H 'content-type: application/json')
  if [ -n "${4:-}" ]; then args+=(-H "authorization: Bearer $4"); fi
  if [ -n "${3:-}" ]; then args+=(--data "$3"); fi
  curl "${args[@]}" "$base$2"
}

# median and best of a list of seconds, as "median_ms best_ms"
stats() { sort -n | awk '{ v[NR] = $1 } END { printf "%.0f %.0f\n", v[int((NR + 1) / 2)] * 1000, v[1] * 1000 }'; }

results=$work/results.txt
: >"$results"
report_query="from=2026-01-01&to=2026-12-31&group=project&subgroup=month&tz=UTC"

bench_db() { # NAME DATABASE_URL
  local db=$1
  log "$db: starting the app"
  start_app "$2" "$db"
  api POST /api/v1/auth/register '{"email":"bench@example.org","password":"bench password 123","name":"Bench"}' >/dev/null
  local token org user
  token=$(api POST /api/v1/auth/token '{"email":"bench@example.org","password":"bench password 123"}' | jq -er .access_token)
  org=$(api GET /api/v1/organizations "" "$token" | jq -er '.[0].id')
  user=$(api GET /api/v1/me "" "$token" | jq -er '.id')
  for i in $(seq 1 20); do
    api POST "/api/v1/organizations/$org/projects" "{\"name\":\"Project $i\"}" "$token" >/dev/null
  done
  log "$db: seeding $rows entries with SQL"
  local started seeded
  started=$(date +%s)
  if [ "$db" = postgres ]; then
    psql_bench -d gogotime_bench -v org="$org" -v usr="$user" -v n="$rows" <<'EOF'
create temporary table bench_projects as
  select id, row_number() over (order by id) - 1 as k from projects where organization_id = :'org';
insert into time_entries (id, organization_id, user_id, project_id, task_id, description, start_at,
                          end_at, billable, hourly_rate, version, created_at, updated_at)
select gen_random_uuid(), :'org', :'usr', p.id, null, 'seeded ' || g,
       timestamptz '2026-01-01 00:00:00+00' + (g * 31.5) * interval '1 second',
       timestamptz '2026-01-01 00:00:00+00' + (g * 31.5) * interval '1 second' + interval '25 minutes',
       true, 8000, 1, now(), now()
from generate_series(0, :n - 1) g join bench_projects p on p.k = g % 20;
analyze time_entries;
EOF
    seeded=$(psql_bench -d gogotime_bench -Atc 'select count(*) from time_entries')
  else
    local org_hex=${org//-/} user_hex=${user//-/}
    # instants are integer microseconds since the epoch; 1767225600 = 2026-01-01T00:00:00Z
    timeout 900 sqlite3 "$work/sqlite/bench.db" <<EOF
.bail on
.timeout 10000
create temporary table bench_projects as
  select id, row_number() over (order by id) - 1 as k from projects where organization_id = X'$org_hex';
with recursive g(n) as (select 0 union all select n + 1 from g where n < $rows - 1)
insert into time_entries (id, organization_id, user_id, project_id, task_id, description, start_at,
                          end_at, billable, hourly_rate, version, created_at, updated_at)
select randomblob(16), X'$org_hex', X'$user_hex', p.id, null, 'seeded ' || n,
       1767225600000000 + n * 31500000, 1767225600000000 + n * 31500000 + 1500000000,
       1, 8000, 1, 1767225600000000, 1767225600000000
from g join bench_projects p on p.k = g.n % 20;
analyze;
EOF
    seeded=$(sqlite3 "$work/sqlite/bench.db" 'select count(*) from time_entries')
  fi
  [ "$seeded" -ge "$rows" ] || die "$db: seeding failed ($seeded rows)"
  log "$db: $seeded entries seeded in $(( $(date +%s) - started )) s"

  local url="$base/api/v1/organizations/$org/reports/summary?$report_query" body
  body=$(curl -fsS --max-time 600 -H "authorization: Bearer $token" "$url")
  local entries groups
  entries=$(jq -er '.totals.entries' <<<"$body")
  groups=$(jq -er '[.groups[].subgroups | length] | add' <<<"$body")
  [ "$entries" -eq "$rows" ] || die "$db: the report counted $entries entries, not $rows"
  local api_times=() sql_times=()
  for _ in $(seq 1 "$runs"); do
    api_times+=("$(curl -fsS --max-time 600 -o /dev/null -w '%{time_total}' -H "authorization: Bearer $token" "$url")")
  done
  local sql
  if [ "$db" = postgres ]; then
    sql="select project_id, date_trunc('month', start_at at time zone 'UTC') as month, sum(extract(epoch from end_at - start_at))::bigint, count(*) from time_entries where organization_id = '$org' and deleted_at is null and start_at >= '2026-01-01T00:00:00Z' and start_at < '2027-01-01T00:00:00Z' group by 1, 2"
    psql_bench -d gogotime_bench -Atc "$sql" >/dev/null
    for _ in $(seq 1 "$runs"); do
      local ms
      ms=$(timeout 900 psql -X -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres -d gogotime_bench \
        -At -c '\timing on' -c "$sql" | sed -n 's/^Time: \([0-9.]*\) ms.*/\1/p')
      sql_times+=("$(echo "$ms / 1000" | bc -l)")
    done
  else
    sql="select project_id, strftime('%Y-%m', start_at / 1000000, 'unixepoch') as month, sum((end_at - start_at) / 1000000), count(*) from time_entries where organization_id = X'${org//-/}' and deleted_at is null and start_at >= 1767225600000000 and start_at < 1798761600000000 group by 1, 2"
    sqlite3 "$work/sqlite/bench.db" "$sql" >/dev/null
    for _ in $(seq 1 "$runs"); do
      sql_times+=("$(printf '.timer on\n%s;\n' "$sql" | sqlite3 "$work/sqlite/bench.db" | sed -n 's/^Run Time: real \([0-9.]*\).*/\1/p')")
    done
  fi
  local rss
  rss=$(awk '/^VmHWM:/ { printf "%.0f", $2 / 1024 }' "/proc/$app_pid/status")
  printf '%s %s %s %s %s\n' "$db" "$(printf '%s\n' "${api_times[@]}" | stats)" \
    "$(printf '%s\n' "${sql_times[@]}" | stats)" "$groups" "$rss" >>"$results"
  stop_app
}

bench_db postgres "postgres://postgres@127.0.0.1:$pg_port/gogotime_bench"
bench_db sqlite "sqlite://$work/sqlite/bench.db"

echo "summary report over $rows entries (one year, 20 projects × 12 months), $runs runs each after a warm-up"
printf '%-10s %14s %12s %14s %12s %8s %14s\n' database "report median" "report best" "SQL median" "SQL best" groups "app peak RSS"
while read -r db am ab sm sb groups rss; do
  printf '%-10s %11s ms %9s ms %11s ms %9s ms %8s %10s MiB\n' "$db" "$am" "$ab" "$sm" "$sb" "$groups" "$rss"
done <"$results"
echo "report = GET reports/summary?$report_query over loopback HTTP (curl time_total)"
printf '%s\n' 'SQL = the bare per-project-per-month aggregate over the same rows, timed by psql \timing / sqlite3 .timer (server-side execution, no HTTP)'
