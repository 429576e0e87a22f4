#!/usr/bin/env bash
# Import throughput and peak memory: `gogotime import` of a BENCH_ROWS-row (100,000) GoGoTime CSV
# (20 projects under 4 clients, 5 tags, one person) into a fresh organization, dry run first and
# then for real, on SQLite and on PostgreSQL. Prints rows/s and the importing process's peak RSS
# (the whole CLI process: parsing, checking, one transaction).
#
# Everything runs on this machine: a throwaway PostgreSQL cluster, a SQLite file in a temporary
# folder, the release binary. Usage: bench/import.sh   Environment: BENCH_ROWS, GOGOTIME_BIN=path
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
rows=${BENCH_ROWS:-100000}
case "$rows" in ''|*[!0-9]*) echo "bench: BENCH_ROWS must be a whole number" >&2; exit 2 ;; esac
if [ "$rows" -gt 2000000 ]; then echo "bench: BENCH_ROWS at most 2000000" >&2; exit 2; fi
log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }
for cmd in curl jq python3 initdb pg_ctl psql timeout; do
  command -v "$cmd" >/dev/null || die "'$cmd' is not on PATH (Debian: curl jq postgresql-15)"
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
cleanup() {
  [ -n "$app_pid" ] && { kill "$app_pid" 2>/dev/null || true; wait "$app_pid" 2>/dev/null || true; }
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
  -o "-p $pg_port -k $work/pg -c listen_addresses=127.0.0.1" start >/dev/null
psql -X -q -h 127.0.0.1 -p "$pg_port" -U postgres -d postgres -c 'create database gogotime_bench'

email=bench@example.org
log "writing a $rows-row GoGoTime CSV"
python3 - "$work/import.csv" "$rows" "$email" <<'PY'
import csv, datetime, sys
path, rows, email = sys.argv[1], int(sys.argv[2]), sys.argv[3]
start = datetime.datetime(2025, 1, 1, tzinfo=datetime.timezone.utc)
tags = ["meeting", "review", "support", "travel", "research"]
with open(path, "w", newline="", encoding="utf-8") as f:
    w = csv.writer(f)
    w.writerow("id,date,start,end,duration_seconds,duration,hours,user_email,user_name,client,project,task,description,tags,billable,hourly_rate,amount,currency".split(","))
    for i in range(rows):
        s = start + datetime.timedelta(minutes=30 * i)
        e = s + datetime.timedelta(minutes=25)
        secs = 1500
        w.writerow(["", s.date().isoformat(), s.isoformat(), e.isoformat(), secs, "0:25:00", "0.42", email, "Bench",
                    f"Client {i % 4}", f"Project {i % 20}", f"Task {i % 3}", f"Work item {i}", ", ".join(tags[i % 5: i % 5 + 2]),
                    "true" if i % 2 else "false", "80.00", "33.33" if i % 2 else "0.00", "EUR"])
PY
log "$(wc -c <"$work/import.csv") bytes"

jwt_secret=$("$bin" secret generate)
# the account and organization come from the app itself (the first registration)
organization() { # DATABASE_URL
  local port base
  port=$(free_port)
  base="http://127.0.0.1:$port"
  (cd "$work" && exec env -i PATH="$PATH" HOME="$HOME" GOGOTIME_ENV=development GOGOTIME_BIND="127.0.0.1:$port" \
    GOGOTIME_METRICS_BIND= GOGOTIME_LOG=warn JWT_SECRET="$jwt_secret" DATABASE_URL="$1" "$bin" serve) >"$work/app.log" 2>&1 &
  app_pid=$!
  for _ in $(seq 1 300); do
    curl -fsS --max-time 2 -o /dev/null "$base/api/system/health/ready" 2>/dev/null && break
    sleep 0.2
  done
  curl -fsS -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"bench password 123\",\"name\":\"Bench\"}" \
    "$base/api/v1/auth/register" >/dev/null
  local token
  token=$(curl -fsS -H 'content-type: application/json' -d "{\"email\":\"$email\",\"password\":\"bench password 123\"}" \
    "$base/api/v1/auth/token" | jq -er .access_token)
  curl -fsS -H "authorization: Bearer $token" "$base/api/v1/organizations" | jq -er '.[0].id'
  kill "$app_pid"; wait "$app_pid" 2>/dev/null || true; app_pid=""
}

# runs the CLI and prints "seconds peak_rss_mib exit_code"
measure() {
  python3 - "$@" <<'PY'
import resource, subprocess, sys, time
t = time.monotonic()
r = subprocess.run(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
elapsed = time.monotonic() - t
print(f"{elapsed:.2f} {resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024:.0f} {r.returncode}")
PY
}

results=$work/results.txt
: >"$results"
for db in sqlite postgres; do
  if [ "$db" = sqlite ]; then url="sqlite://$work/sqlite/bench.db"; else url="postgres://postgres@127.0.0.1:$pg_port/gogotime_bench"; fi
  org=$(organization "$url")
  for mode in dry-run apply; do
    args=(import --org "$org" --as "$email" --tz UTC "$work/import.csv")
    [ "$mode" = dry-run ] && args+=(--dry-run)
    log "$db: $mode"
    read -r secs rss code < <(cd "$work" && measure env -i PATH="$PATH" HOME="$HOME" GOGOTIME_ENV=development \
      GOGOTIME_LOG=warn DATABASE_URL="$url" "$bin" "${args[@]}")
    [ "$code" = 0 ] || die "$db $mode exited $code"
    echo "$db $mode $secs $rss" >>"$results"
  done
  # a second import of the same file finds every row already there
  read -r secs rss code < <(cd "$work" && measure env -i PATH="$PATH" HOME="$HOME" GOGOTIME_ENV=development \
    GOGOTIME_LOG=warn DATABASE_URL="$url" "$bin" import --org "$org" --as "$email" --tz UTC "$work/import.csv")
  echo "$db re-import $secs $rss" >>"$results"
done

echo "gogotime import of $rows GoGoTime CSV rows ($(wc -c <"$work/import.csv") bytes), one person, 20 projects, 5 tags"
printf '%-10s %-10s %10s %12s %14s\n' database run seconds rows/s "peak RSS"
while read -r db mode secs rss; do
  printf '%-10s %-10s %10s %12.0f %10s MiB\n' "$db" "$mode" "$secs" "$(echo "$rows / $secs" | bc -l)" "$rss"
done <"$results"
echo "re-import: every row is recognised by its fingerprint and skipped (nothing written)"
