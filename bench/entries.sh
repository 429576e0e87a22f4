#!/usr/bin/env bash
# Throughput (requests/s) and p50/p99 latency of three time-entry API calls, on PostgreSQL and on
# SQLite, at concurrency 1 and 16, next to PostgreSQL's own rate for the equivalent SQL (pgbench
# custom scripts in bench/pgbench/) so GoGoTime's overhead shows as a ratio. Prints a table.
#
#   POST time-entries           a finished entry {"start","end","description":"bench"}; the
#                               organization allows overlapping entries (the default), so one fixed
#                               body can be sent over and over
#   GET  time-entries?limit=50  the newest page of an organization holding BENCH_SEED (100,000)
#                               entries, seeded with SQL straight into the database (not via the API)
#   POST timer/start            stops the caller's running timer and starts a new one, see below
#
# Everything runs on this machine, traffic goes to 127.0.0.1 only: a throwaway PostgreSQL cluster
# (initdb/pg_ctl as in scripts/test, removed at exit), a SQLite file in a temporary folder, the
# release binary, and the load generator oha (installed with `cargo install oha --locked` when
# missing; else wrk from Debian). Each load run lasts BENCH_SECONDS; the whole script takes about
# 14 * BENCH_SECONDS + 60 s once built.
#
# timer/start uses the server's real clock and starts are whole seconds: a start within the same
# second as the caller's running timer begins one second after it (so the stopped timer lasts one
# second rather than being refused as zero-length). Under load one user's timers therefore march
# ahead of the clock one second per request; every request does the full work (membership, timer
# lock, stopping the running entry, inserting the new one). The table reports every status code
# next to the rate and latency: read those rows as "the cost of a timer/start".
#
# Also, on PostgreSQL: statements per request of each hot path (create, update with If-Match,
# one entry, a page of 50, the timer's state, timer/start stopping a running timer, timer/stop),
# counted by pg_stat_statements (BEGIN and COMMIT included) over BENCH_STATEMENT_REQUESTS
# sequential requests each; and the app's resident memory idle and after the load runs.
#
# With BENCH_PIN=1 (the default on 2+ cores) the server side (PostgreSQL or the app with SQLite,
# and the app) runs on CPU 0 and the load generators (oha/wrk, pgbench's client) on CPU 1, so
# the load generator does not take the server's CPU and pgbench's ceiling is measured the same way.
#
# Usage: bench/entries.sh        (run it under `nice` on a shared machine; it saturates the cores)
# Environment:
#   BENCH_SECONDS=8       seconds per load run (oha -z / wrk -d / pgbench -T)
#   BENCH_SEED=100000     entries seeded before the GET runs
#   BENCH_TOOL=oha|wrk    load generator (default oha; wrk when oha is missing and cannot be built)
#   GOGOTIME_BIN=path     use this binary instead of `cargo build --release --locked`
#   BENCH_PIN=0|1         pin server and load generator to separate CPUs (default 1 on 2+ cores)
#   BENCH_STATEMENT_REQUESTS=50   requests per hot path for the statements-per-request count
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

secs=${BENCH_SECONDS:-8}
seed=${BENCH_SEED:-100000}
tool=${BENCH_TOOL:-}
concurrencies=(1 16)
statement_requests=${BENCH_STATEMENT_REQUESTS:-50}
case "$statement_requests" in ''|*[!0-9]*) echo "bench: BENCH_STATEMENT_REQUESTS must be a whole number" >&2; exit 2 ;; esac
if [ "$statement_requests" -lt 1 ] || [ "$statement_requests" -gt 1000 ]; then echo "bench: BENCH_STATEMENT_REQUESTS must be 1..1000" >&2; exit 2; fi
pin=${BENCH_PIN:-}
if [ -z "$pin" ]; then if [ "$(nproc)" -ge 2 ]; then pin=1; else pin=0; fi; fi
case "$pin" in 0) server_cpu=() load_cpu=() ;; 1) server_cpu=(taskset -c 0) load_cpu=(taskset -c 1) ;;
  *) echo "bench: BENCH_PIN must be 0 or 1" >&2; exit 2 ;; esac
case "$secs" in ''|*[!0-9]*) echo "bench: BENCH_SECONDS must be a whole number" >&2; exit 2 ;; esac
case "$seed" in ''|*[!0-9]*) echo "bench: BENCH_SEED must be a whole number" >&2; exit 2 ;; esac
if [ "$secs" -lt 1 ] || [ "$secs" -gt 120 ]; then echo "bench: BENCH_SECONDS must be 1..120" >&2; exit 2; fi
if [ "$seed" -gt 10000000 ]; then echo "bench: BENCH_SEED must be at most 10000000" >&2; exit 2; fi

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

for cmd in curl jq sqlite3 python3 initdb pg_ctl psql pgbench timeout taskset; do
  command -v "$cmd" >/dev/null || die "'$cmd' is not on PATH (Debian: curl jq sqlite3 postgresql-15; add /usr/lib/postgresql/15/bin to PATH)"
done

# ---- load generator -------------------------------------------------------------------------
if [ -z "$tool" ] || [ "$tool" = oha ]; then
  if ! command -v oha >/dev/null && [ -x "${CARGO_HOME:-$HOME/.cargo}/bin/oha" ]; then
    PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  fi
  if ! command -v oha >/dev/null; then
    log "installing oha (cargo install oha --locked)"
    timeout 1800 nice -n 10 cargo install oha --locked >&2 || log "cargo install oha failed"
    PATH="${CARGO_HOME:-$HOME/.cargo}/bin:$PATH"
  fi
  if command -v oha >/dev/null; then
    tool=oha
  elif [ "$tool" = oha ]; then
    die "oha is not available"
  fi
fi
if [ -z "$tool" ] || [ "$tool" = wrk ]; then
  if ! command -v wrk >/dev/null; then
    log "installing wrk (apt-get install -y wrk)"
    timeout 600 apt-get install -y wrk >&2 || die "neither oha nor wrk is available"
  fi
  tool=wrk
fi
case "$tool" in oha|wrk) ;; *) die "BENCH_TOOL must be oha or wrk" ;; esac

# ---- the binary -----------------------------------------------------------------------------
bin=${GOGOTIME_BIN:-}
if [ -z "$bin" ]; then
  log "building (cargo build --release --locked)"
  timeout 3600 nice -n 10 cargo build --release --locked >&2
  bin=$root/target/release/gogotime
fi
[ -x "$bin" ] || die "no executable at $bin"

# ---- scratch space, cleanup -----------------------------------------------------------------
as_postgres() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

work=$(mktemp -d /tmp/gogotime-bench.XXXXXX)
chmod 755 "$work"
app_pid=""
pg_started=false
stop_app() {
  if [ -n "$app_pid" ]; then
    kill "$app_pid" 2>/dev/null || true
    for _ in $(seq 1 50); do kill -0 "$app_pid" 2>/dev/null || break; sleep 0.2; done
    kill -9 "$app_pid" 2>/dev/null || true
    wait "$app_pid" 2>/dev/null || true
    app_pid=""
  fi
}
cleanup() {
  stop_app
  if [ "$pg_started" = true ]; then
    as_postgres pg_ctl -D "$work/pg/data" -m immediate stop >/dev/null 2>&1 || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- PostgreSQL: a throwaway cluster with the server's default durability settings ----------
mkdir "$work/pg"
[ "$(id -u)" = 0 ] && chown postgres: "$work/pg"
pg_port=$(free_port)
as_postgres initdb -D "$work/pg/data" -U postgres -A trust --no-sync >"$work/initdb.log" 2>&1 \
  || { cat "$work/initdb.log" >&2; exit 1; }
pg_started=true
# pg_stat_statements counts the statements per request (its overhead falls on the app and on
# pgbench alike); the server's processes inherit pg_ctl's CPU affinity
as_postgres "${server_cpu[@]}" pg_ctl -D "$work/pg/data" -l "$work/pg/server.log" -w -t 60 \
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1 -c max_connections=100 -c shared_preload_libraries=pg_stat_statements -c pg_stat_statements.track_utility=on" start >/dev/null
psql_bench() {
  timeout 300 psql -X -q -v ON_ERROR_STOP=1 -h 127.0.0.1 -p "$pg_port" -U postgres "$@"
}
psql_bench -d postgres -c 'create database gogotime_bench'
psql_bench -d gogotime_bench -c 'create extension pg_stat_statements'
pg_url="postgres://postgres@127.0.0.1:$pg_port/gogotime_bench"
sqlite_url="sqlite://$work/sqlite/bench.db"

# ---- the app --------------------------------------------------------------------------------
jwt_secret=$("$bin" secret generate)
base=""
start_app() { # DATABASE_URL NAME
  local port
  port=$(free_port)
  base="http://127.0.0.1:$port"
  # a clean environment: no PORT, DATABASE_URL or GOGOTIME_* from the caller, no .env (cwd=$work)
  (cd "$work" && exec "${server_cpu[@]}" env -i PATH="$PATH" HOME="$HOME" \
    GOGOTIME_ENV=development GOGOTIME_BIND="127.0.0.1:$port" GOGOTIME_METRICS_BIND= \
    GOGOTIME_LOG=warn JWT_SECRET="$jwt_secret" DATABASE_URL="$1" "$bin" serve) \
    >"$work/app-$2.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 300); do
    if curl -fsS --max-time 2 -o /dev/null "$base/api/system/health/ready" 2>/dev/null; then return 0; fi
    kill -0 "$app_pid" 2>/dev/null || break
    sleep 0.2
  done
  cat "$work/app-$2.log" >&2
  die "the app did not become ready on $base"
}

api() { # METHOD PATH [BODY] [TOKEN]: prints the response body, fails on a non-2xx answer
  local args=(--silent --show-error --fail-with-body --max-time 10 -X "$1"
    -H 'content-type: application/json')
  if [ -n "${4:-}" ]; then args+=(-H "authorization: Bearer $4"); fi
  if [ -n "${3:-}" ]; then args+=(--data "$3"); fi
  curl "${args[@]}" "$base$2"
}

email=bench@example.org
password='bench password 123'
token=""
fresh_token() { # access tokens last 15 minutes: one per load run
  token=$(api POST /api/v1/auth/token "{\"email\":\"$email\",\"password\":\"$password\"}" | jq -er .access_token)
}

# ---- one load run ---------------------------------------------------------------------------
# Prints "requests/s p50_ms p99_ms statuses" (statuses like 201:1234,422:5).
load() { # NAME CONCURRENCY METHOD PATH [BODY]
  local name=$1 c=$2 method=$3 url=$base$4 body=${5:-} out=$work/$1.out
  fresh_token
  if [ "$tool" = oha ]; then
    local args=(--no-tui --output-format json -z "${secs}s" -w -c "$c" -t 10s -m "$method"
      -H "authorization: Bearer $token")
    if [ -n "$body" ]; then args+=(-T application/json -d "$body"); fi
    timeout $((secs + 60)) "${load_cpu[@]}" oha "${args[@]}" "$url" >"$out"
    jq -er '[ .summary.requestsPerSec,
              (.latencyPercentiles.p50 * 1000), (.latencyPercentiles.p99 * 1000),
              ((.statusCodeDistribution // {}) | to_entries | sort_by(.key)
                | map("\(.key):\(.value)") | join(",")
                | if . == "" then "none" else . end)
              + ((.errorDistribution // {}) | if length > 0 then ",errors:\(([.[]] | add))" else "" end)
            ] | "\(.[0]) \(.[1]) \(.[2]) \(.[3])"' "$out"
  else
    local threads=$c
    if [ "$threads" -gt "$(nproc)" ]; then threads=$(nproc); fi
    BENCH_METHOD=$method BENCH_BODY=$body BENCH_TOKEN=$token \
      timeout $((secs + 60)) "${load_cpu[@]}" wrk -t "$threads" -c "$c" -d "${secs}s" --timeout 10s \
      -s "$work/wrk.lua" "$url" >"$out"
    sed -n 's/^BENCH //p' "$out"
  fi
}

if [ "$tool" = wrk ]; then
  # wrk cannot rotate bodies either; this sends the method, body and token from the environment
  # and counts status codes per thread, summed in done()
  cat >"$work/wrk.lua" <<'EOF'
wrk.method = os.getenv("BENCH_METHOD")
local body = os.getenv("BENCH_BODY")
if body ~= nil and body ~= "" then
  wrk.body = body
  wrk.headers["Content-Type"] = "application/json"
end
wrk.headers["Authorization"] = "Bearer " .. os.getenv("BENCH_TOKEN")
local threads = {}
function setup(thread) table.insert(threads, thread) end
codes = {}
function response(status, headers, body) codes[status] = (codes[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("codes")) do total[status] = (total[status] or 0) + n end
  end
  local keys = {}
  for status in pairs(total) do table.insert(keys, status) end
  table.sort(keys)
  local parts = {}
  for _, status in ipairs(keys) do table.insert(parts, status .. ":" .. total[status]) end
  local e = summary.errors
  local errors = e.connect + e.read + e.write + e.timeout
  if errors > 0 then table.insert(parts, "errors:" .. errors) end
  if #parts == 0 then table.insert(parts, "none") end
  io.write(string.format("BENCH %.2f %.3f %.3f %s\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, table.concat(parts, ",")))
end
EOF
fi

# ---- one pgbench run ------------------------------------------------------------------------
# Prints "transactions/s p50_ms p99_ms" (latencies from pgbench's per-transaction log).
sql_load() { # NAME CONCURRENCY SCRIPT
  local name=$1 c=$2 script=$3 threads=$2
  if [ "$threads" -gt "$(nproc)" ]; then threads=$(nproc); fi
  mkdir -p "$work/pgbench-$name"
  timeout $((secs + 60)) "${load_cpu[@]}" pgbench -n -M prepared -h 127.0.0.1 -p "$pg_port" -U postgres \
    -T "$secs" -c "$c" -j "$threads" -D "org=$org" -D "usr=$user" -D "from=$week_from" -D "to=$week_to" -f "$script" \
    -l --log-prefix="$work/pgbench-$name/log" gogotime_bench >"$work/pgbench-$name.out" 2>&1 \
    || { cat "$work/pgbench-$name.out" >&2; die "pgbench $name failed"; }
  local tps
  tps=$(sed -n 's/^tps = \([0-9.]*\) .*/\1/p' "$work/pgbench-$name.out" | head -n 1)
  [ -n "$tps" ] || { cat "$work/pgbench-$name.out" >&2; die "no tps in pgbench $name output"; }
  # log lines: client_id transaction_no latency_us script_no epoch_s epoch_us
  cat "$work/pgbench-$name"/log* | awk '{print $3}' | sort -n | awk -v tps="$tps" '
    { v[NR] = $1 }
    END {
      if (NR == 0) { print tps, "nan", "nan"; exit }
      i50 = int(NR * 0.50); if (i50 < 1) i50 = 1
      i99 = int(NR * 0.99); if (i99 < 1) i99 = 1
      printf "%s %.3f %.3f\n", tps, v[i50] / 1000, v[i99] / 1000
    }'
}

# ---- statements per request (PostgreSQL) ----------------------------------------------------
statements_file=$work/statements.txt
: >"$statements_file"
statements_so_far() {
  psql_bench -d gogotime_bench -Atc \
    "select coalesce(sum(calls), 0) from pg_stat_statements where query not like '%pg_stat_statements%'"
}
# Runs "$@" (one request) BENCH_STATEMENT_REQUESTS times and records the statements it cost.
count_statements() { # NAME COMMAND...
  local name=$1 before after i
  shift
  before=$(statements_so_far)
  for i in $(seq 1 "$statement_requests"); do "$@" "$i" >/dev/null; done
  after=$(statements_so_far)
  # the count itself is one statement, left out by the filter above
  echo "$name $(awk -v a="$after" -v b="$before" -v n="$statement_requests" 'BEGIN { printf "%.2f", (a - b) / n }')" >>"$statements_file"
}
entry_id=""
entry_version=1
create_one() { api POST "/api/v1/organizations/$org/time-entries" "$entry_body" "$token"; }
update_one() {
  local v
  v=$(curl --silent --show-error --fail-with-body --max-time 10 -X PATCH \
    -H 'content-type: application/json' -H "authorization: Bearer $token" -H "if-match: \"$entry_version\"" \
    --data "{\"description\":\"changed $1\"}" "$base/api/v1/organizations/$org/time-entries/$entry_id" | jq -er .version)
  entry_version=$v
}
get_one() { api GET "/api/v1/organizations/$org/time-entries/$entry_id" "" "$token"; }
get_page() { api GET "/api/v1/organizations/$org/time-entries?limit=50" "" "$token"; }
get_timer() { api GET "/api/v1/organizations/$org/timer" "" "$token"; }
start_timer() { api POST "/api/v1/organizations/$org/timer/start" '{"description":"bench"}' "$token"; }
start_and_stop() { start_timer >/dev/null; api POST "/api/v1/organizations/$org/timer/stop" "" "$token"; }
statements_per_request() {
  fresh_token
  entry_id=$(create_one | jq -er .id)
  entry_version=1
  count_statements "POST_time-entries" create_one
  count_statements "PATCH_time-entries/{id}_(If-Match)" update_one
  count_statements "GET_time-entries/{id}" get_one
  count_statements "GET_time-entries?limit=50" get_page
  start_timer >/dev/null
  count_statements "GET_timer_(running)" get_timer
  count_statements "POST_timer/start_(stops_the_running_one)" start_timer
  api POST "/api/v1/organizations/$org/timer/stop" "" "$token" >/dev/null
  # a start (nothing running) and a stop per request: half of it is the stop
  count_statements "POST_timer/start+POST_timer/stop" start_and_stop
}
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$app_pid/status"; }
hwm_kib() { awk '/^VmHWM/ { print $2 }' "/proc/$app_pid/status"; }
memory_file=$work/memory.txt
: >"$memory_file"

# ---- the runs -------------------------------------------------------------------------------
results=$work/results.txt
: >"$results"
record() { # DB CALL CONCURRENCY "app figures" ["sql figures"]
  local sql=${5:--- -- --}
  echo "$1 $2 $3 $4 $sql" >>"$results"
}

week_from=2011-06-06T00:00:00Z
week_to=2011-06-13T00:00:00Z
week_query="from=$week_from&to=$week_to&limit=500&sort=start"
# finished entries: fixed start/end (overlap is allowed), before the seeded range
entry_body='{"start":"2009-06-01T09:00:00Z","end":"2009-06-01T09:30:00Z","description":"bench"}'

bench_db() { # NAME URL
  local db=$1 c app sql
  log "$db: starting the app"
  start_app "$2" "$db"
  api POST /api/v1/auth/register \
    "{\"email\":\"$email\",\"password\":\"$password\",\"name\":\"Bench\"}" >/dev/null
  fresh_token
  org=$(api GET /api/v1/organizations "" "$token" | jq -er '.[0].id')
  user=$(api GET /api/v1/me "" "$token" | jq -er '.id')
  sleep 2
  local idle_rss
  idle_rss=$(rss_kib)

  log "$db: seeding $seed entries with SQL"
  if [ "$db" = postgres ]; then
    psql_bench -d gogotime_bench -v org="$org" -v usr="$user" -v n="$seed" <<'EOF'
insert into time_entries (id, organization_id, user_id, project_id, task_id, description, start_at,
                          end_at, billable, hourly_rate, version, created_at, updated_at)
select gen_random_uuid(), :'org', :'usr', null, null, 'seeded ' || g,
       timestamptz '2010-01-01 00:00:00+00' + g * interval '1 hour',
       timestamptz '2010-01-01 00:00:00+00' + g * interval '1 hour' + interval '30 minutes',
       false, null, 1, now(), now()
from generate_series(1, :n) g;
analyze time_entries;
EOF
  else
    local org_hex user_hex
    org_hex=${org//-/}
    user_hex=${user//-/}
    # instants are integer microseconds since the epoch; 1262304000 = 2010-01-01T00:00:00Z
    timeout 300 sqlite3 "$work/sqlite/bench.db" <<EOF
.bail on
.timeout 10000
with recursive g(n) as (select 1 union all select n + 1 from g where n < $seed)
insert into time_entries (id, organization_id, user_id, project_id, task_id, description, start_at,
                          end_at, billable, hourly_rate, version, created_at, updated_at)
select randomblob(16), X'$org_hex', X'$user_hex', null, null, 'seeded ' || n,
       (1262304000 + n * 3600) * 1000000, (1262304000 + n * 3600 + 1800) * 1000000,
       0, null, 1, cast(unixepoch('now') as integer) * 1000000, cast(unixepoch('now') as integer) * 1000000
from g;
EOF
  fi
  local rows page
  if [ "$db" = postgres ]; then
    rows=$(psql_bench -d gogotime_bench -Atc 'select count(*) from time_entries')
  else
    rows=$(sqlite3 "$work/sqlite/bench.db" 'select count(*) from time_entries')
  fi
  page=$(api GET "/api/v1/organizations/$org/time-entries?limit=500" "" "$token" | jq -er '.items | length')
  log "$db: $rows entries in the table; the API lists $page on a page of 500"
  [ "$rows" -ge "$seed" ] || die "$db: seeding failed"
  week=$(api GET "/api/v1/organizations/$org/time-entries?$week_query" "" "$token" | jq -er '.items | length')
  [ "$seed" -lt 20000 ] || [ "$week" = 168 ] || die "$db: a week should hold 168 seeded entries, the API lists $week"

  for c in "${concurrencies[@]}"; do
    log "$db: POST time-entries, c=$c"
    app=$(load "$db-post-$c" "$c" POST "/api/v1/organizations/$org/time-entries" "$entry_body")
    sql=""
    if [ "$db" = postgres ]; then sql=$(sql_load "insert-$c" "$c" "$root/bench/pgbench/insert_entry.sql"); fi
    record "$db" "POST_time-entries" "$c" "$app" "$sql"
  done
  for c in "${concurrencies[@]}"; do
    log "$db: GET time-entries?limit=50, c=$c"
    app=$(load "$db-get-$c" "$c" GET "/api/v1/organizations/$org/time-entries?limit=50")
    sql=""
    if [ "$db" = postgres ]; then sql=$(sql_load "select-$c" "$c" "$root/bench/pgbench/select_page.sql"); fi
    record "$db" "GET_time-entries?limit=50" "$c" "$app" "$sql"
  done
  # a week of entries out of the seeded ones (one an hour: 168), oldest first, on one page:
  # what a week view or a sync client reads, and what bench/timetagger.sh asks of TimeTagger
  for c in "${concurrencies[@]}"; do
    log "$db: GET time-entries for a week, c=$c"
    app=$(load "$db-week-$c" "$c" GET "/api/v1/organizations/$org/time-entries?$week_query")
    sql=""
    if [ "$db" = postgres ]; then sql=$(sql_load "week-$c" "$c" "$root/bench/pgbench/select_week.sql"); fi
    record "$db" "GET_time-entries_(a_week,_168)" "$c" "$app" "$sql"
  done
  for c in "${concurrencies[@]}"; do
    log "$db: POST timer/start, c=$c"
    app=$(load "$db-timer-$c" "$c" POST "/api/v1/organizations/$org/timer/start" '{"description":"bench"}')
    record "$db" "POST_timer/start" "$c" "$app"
  done
  echo "$db $idle_rss $(rss_kib) $(hwm_kib)" >>"$memory_file"
  if [ "$db" = postgres ]; then
    log "$db: statements per request ($statement_requests requests per call)"
    statements_per_request
  fi
  stop_app
}

bench_db postgres "$pg_url"
bench_db sqlite "$sqlite_url"

# ---- the table ------------------------------------------------------------------------------
pg_version=$(psql_bench -d postgres -Atc 'show server_version')
lib_sqlite=$(awk '/^name = "libsqlite3-sys"/ { getline; gsub(/"/, "", $3); print $3 }' "$root/Cargo.lock" | head -n 1)
if [ "$tool" = oha ]; then tool_version=$(oha --version | head -n 1); else tool_version=$(wrk -v 2>&1 | head -n 1 | sed "s/ Copyright.*//" || true); fi

echo
echo "GoGoTime time-entry API benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(uname -sr), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo '?')"
echo "app: $("$bin" --version 2>/dev/null | head -n 1 || echo gogotime) ($(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo '?')$(git -C "$root" diff --quiet HEAD -- src 2>/dev/null || echo ', src modified')); pool DATABASE_MAX_CONNECTIONS default (10)"
echo "postgresql $pg_version (defaults: fsync on, synchronous_commit on); sqlite via libsqlite3-sys $lib_sqlite (WAL, synchronous=NORMAL)"
echo "load: $tool_version, ${secs}s per run; $(pgbench --version); seeded $seed entries with SQL"
if [ "$pin" = 1 ]; then echo "pinned: PostgreSQL and the app on CPU 0, the load generator and pgbench's client on CPU 1"; else echo "not pinned (BENCH_PIN=0)"; fi
echo
printf '%-9s %-26s %3s %10s %9s %9s  %-26s %10s %9s %9s %8s\n' \
  db call c 'req/s' 'p50 ms' 'p99 ms' 'status codes' 'SQL tx/s' 'SQL p50' 'SQL p99' 'SQL/app'
while read -r db call c rps p50 p99 codes stps sp50 sp99; do
  ratio=--
  if [ "$stps" != -- ]; then ratio=$(awk -v a="$rps" -v s="$stps" 'BEGIN { if (a > 0) printf "%.1fx", s / a; else print "--" }'); fi
  if [ "$stps" != -- ]; then
    stps=$(printf '%.1f' "$stps"); sp50=$(printf '%.2f' "$sp50"); sp99=$(printf '%.2f' "$sp99")
  fi
  printf '%-9s %-26s %3s %10.1f %9.2f %9.2f  %-26s %10s %9s %9s %8s\n' \
    "$db" "${call//_/ }" "$c" "$rps" "$p50" "$p99" "$codes" "$stps" "$sp50" "$sp99" "$ratio"
done <"$results"
echo
echo
echo "statements per request on PostgreSQL (pg_stat_statements calls, BEGIN/COMMIT included; $statement_requests sequential requests each):"
while read -r call n; do printf '  %-48s %s\n' "${call//_/ }" "$n"; done <"$statements_file"
echo
echo "app resident memory (MiB): idle after start, after the load runs, peak"
while read -r db idle after peak; do
  awk -v db="$db" -v i="$idle" -v a="$after" -v p="$peak" \
    'BEGIN { printf "  %-9s idle %6.1f   after load %6.1f   peak %6.1f\n", db, i / 1024, a / 1024, p / 1024 }'
done <"$memory_file"
echo
echo "SQL = pgbench -M prepared on the same server and data: bench/pgbench/insert_entry.sql for POST"
echo "time-entries, bench/pgbench/select_page.sql for the page of 50, bench/pgbench/select_week.sql"
echo "for the week (one statement per transaction, no BEGIN/COMMIT); SQL/app = SQL tx/s divided by"
echo "API req/s. Load generator, app and database share the same $(nproc) cores. timer/start: each"
echo "request stops the running timer and starts the next one second, see the comment at the top of"
echo "bench/entries.sh."
