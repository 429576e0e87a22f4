#!/usr/bin/env bash
# Throughput (requests/s) and p50/p99 latency of TimeTagger (PyPI `timetagger`, the installable
# peer of issue 16) doing what bench/entries.sh measures GoGoTime doing: create one record, and
# read one week of records out of BENCH_SEED (100,000), at concurrency 1 and 16. Prints a table.
#
#   PUT /api/v2/records            a JSON list holding one new finished record per request
#                                  ({"key","mt","t1","t2","ds"}); every request gets its own key
#                                  and start (a wrk Lua script builds each body), so every request
#                                  inserts a row. TimeTagger answers 200 even when it refuses an
#                                  item (it lists it under "failed"): the table counts a create as
#                                  "stored" only when the answer is 200 with "failed": [], and the
#                                  records in the created range are counted through the API after
#                                  the runs and printed next to that number.
#   GET /api/v2/records?timerange=<t1>-<t2>
#                                  one week (Monday to Monday, UTC) in the middle of the seeded
#                                  span; the number of records it returns is printed. TimeTagger's
#                                  query ((t2 >= t1' AND t1 <= t2') OR (t1 == t2 AND t1 <= t2'))
#                                  runs on its t1 index bounded above only (SQLite's plan:
#                                  "SEARCH records USING INDEX idx_records_t1 (t1<?)"), so it reads
#                                  every record that starts before the week's end: about half the
#                                  table for this week, all of it for the latest week.
#   GET /api/v2/version            the smallest authenticated call (token check, no records): the
#                                  floor under both calls above.
#
# Seeding: BENCH_SEED records through TimeTagger's own API (PUT /api/v2/records, 1,000 records
# per request), one an hour, each lasting 30 minutes, from 2024-01-01T00:00:00Z on: any week holds
# 168 of them, as in bench/entries.sh, whose week read is the GoGoTime side of this comparison.
# Created records start in 2020-2021, before the seeded span, so they never fall in the read week.
#
# Authentication is TimeTagger's own: the server runs with TIMETAGGER_CREDENTIALS=bench:<bcrypt
# hash of a random password> and the script exchanges the password for a web token at
# POST /api/v2/bootstrap_authentication (body: base64 of {"method":"usernamepassword",...}, as its
# login page sends it); every API request carries that token in the `authtoken` header.
#
# The server is started the way TimeTagger's own Docker image starts it (`python -m timetagger`:
# one uvicorn process, one event loop) with the optional uvicorn speed-ups that image installs
# (uvloop, httptools; TIMETAGGER_SPEEDUPS= measures the bare `pip install timetagger`).
#
# Everything runs on this machine, traffic goes to 127.0.0.1 only: a Python virtual environment
# and TimeTagger's data folder in a temporary folder (removed at exit), on a port picked free at
# run time. pip downloads from PyPI (its cache is reused). Each load run lasts BENCH_SECONDS; the
# whole script takes about 6 * BENCH_SECONDS + the install (~10 s with a warm pip cache) + the
# seeding (~30 s for 100,000 records).
#
# Usage: bench/timetagger.sh     (run it under `nice` on a shared machine; it saturates the cores)
# Environment:
#   BENCH_SECONDS=8            seconds per load run (wrk -d), 1..120
#   BENCH_SEED=100000          records seeded before the runs, 2,000..1,000,000
#   TIMETAGGER_VERSION=26.1.3  the timetagger release installed from PyPI
#   TIMETAGGER_SPEEDUPS="uvloop==0.23.0 httptools==0.9.0"
#                              extra packages installed next to it (empty: none)
#   BENCH_SERVER_CPUS, BENCH_LOAD_CPUS
#                              optional CPU lists (taskset -c) for the server and for wrk, to pin
#                              them apart like the table in issue 16; empty: no pinning
# Exit codes: 0 done, 1 a step failed (the message says which), 2 bad arguments or environment.
set -euo pipefail

# 26.1.3 is the release this script was written and run against (December 2026); its API
# (v2 records, bootstrap_authentication, the authtoken header) is what the script relies on.
tt_version=${TIMETAGGER_VERSION:-26.1.3}
# what TimeTagger's own Docker image (deploy/repo.Dockerfile upstream) adds to make uvicorn
# faster; pinned to the versions measured with
speedups=${TIMETAGGER_SPEEDUPS-uvloop==0.23.0 httptools==0.9.0}
secs=${BENCH_SECONDS:-8}
seed=${BENCH_SEED:-100000}
server_cpus=${BENCH_SERVER_CPUS:-}
load_cpus=${BENCH_LOAD_CPUS:-}
concurrencies=(1 16)

usage() { echo "usage: bench/timetagger.sh   (settings come from the environment, see the top of the script)" >&2; }
if [ "$#" -gt 0 ]; then usage; exit 2; fi
case "$secs" in ''|*[!0-9]*) echo "bench: BENCH_SECONDS must be a whole number" >&2; exit 2 ;; esac
case "$seed" in ''|*[!0-9]*) echo "bench: BENCH_SEED must be a whole number" >&2; exit 2 ;; esac
if [ "$secs" -lt 1 ] || [ "$secs" -gt 120 ]; then echo "bench: BENCH_SECONDS must be 1..120" >&2; exit 2; fi
if [ "$seed" -lt 2000 ] || [ "$seed" -gt 1000000 ]; then
  echo "bench: BENCH_SEED must be 2000..1000000 (the read week lies in the middle of the seeded span)" >&2; exit 2
fi
case "$tt_version" in ''|*[!0-9.]*) echo "bench: TIMETAGGER_VERSION must be a release number such as 26.1.3" >&2; exit 2 ;; esac

log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

for cmd in curl jq python3 timeout; do
  command -v "$cmd" >/dev/null || { log "'$cmd' is not on PATH (Debian: curl jq python3 python3-venv coreutils)"; exit 2; }
done
if [ -n "$server_cpus$load_cpus" ] && ! command -v taskset >/dev/null; then
  log "BENCH_SERVER_CPUS/BENCH_LOAD_CPUS need taskset (Debian: util-linux)"; exit 2
fi
if ! command -v wrk >/dev/null; then
  log "installing wrk (apt-get install -y wrk)"
  timeout 600 apt-get install -y wrk >&2 || die "wrk is missing and could not be installed (Debian: apt-get install wrk)"
fi
# command prefixes that pin the server and wrk to their CPUs (empty: no pinning)
pin_server=()
pin_load=()
if [ -n "$server_cpus" ]; then pin_server=(taskset -c "$server_cpus"); fi
if [ -n "$load_cpus" ]; then pin_load=(taskset -c "$load_cpus"); fi

# ---- scratch space, cleanup -----------------------------------------------------------------
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

work=$(mktemp -d /tmp/timetagger-bench.XXXXXX)
app_pid=""
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
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- TimeTagger in a throwaway virtual environment ------------------------------------------
log "installing timetagger==$tt_version ${speedups:+and $speedups }into a virtual environment"
python3 -m venv "$work/venv" >"$work/venv.log" 2>&1 \
  || { cat "$work/venv.log" >&2; die "python3 -m venv failed (Debian: apt-get install python3-venv)"; }
py=$work/venv/bin/python
# shellcheck disable=SC2086 # speedups is a list of requirement specifiers
timeout 600 "$py" -m pip install --disable-pip-version-check --quiet \
  "timetagger==$tt_version" $speedups >"$work/pip.log" 2>&1 \
  || { cat "$work/pip.log" >&2; die "pip install timetagger==$tt_version failed (is PyPI reachable, and is there such a release?)"; }
installed=$("$py" -c 'import importlib.metadata as m; print(m.version("timetagger"))')
[ "$installed" = "$tt_version" ] || die "pip installed timetagger $installed, not $tt_version"

# ---- the server -----------------------------------------------------------------------------
user=bench
password=$("$py" -c 'import secrets; print(secrets.token_urlsafe(18))')
pw_hash=$(BENCH_PASSWORD=$password "$py" -c \
  'import bcrypt, os; print(bcrypt.hashpw(os.environ["BENCH_PASSWORD"].encode(), bcrypt.gensalt()).decode())')
port=$(free_port)
base="http://127.0.0.1:$port/timetagger"
mkdir "$work/data"
# a clean environment: no TIMETAGGER_* from the caller; cwd=$work
(cd "$work" && exec env -i PATH="$PATH" HOME="$work" \
  TIMETAGGER_BIND="127.0.0.1:$port" TIMETAGGER_DATADIR="$work/data" TIMETAGGER_LOG_LEVEL=warning \
  TIMETAGGER_CREDENTIALS="$user:$pw_hash" ${pin_server[@]+"${pin_server[@]}"} "$py" -m timetagger) \
  >"$work/server.log" 2>&1 &
app_pid=$!
ready=false
for _ in $(seq 1 150); do
  if curl -fsS --max-time 2 -o /dev/null "$base/status" 2>/dev/null; then ready=true; break; fi
  kill -0 "$app_pid" 2>/dev/null || break
  sleep 0.2
done
[ "$ready" = true ] || { cat "$work/server.log" >&2; die "TimeTagger did not answer on $base/status within 30 s"; }

login=$(jq -nc --arg u "$user" --arg p "$password" '{method: "usernamepassword", username: $u, password: $p}' | base64 -w0)
token=$(curl --silent --show-error --fail-with-body --max-time 30 -X POST --data "$login" \
  "$base/api/v2/bootstrap_authentication" | jq -er .token) || die "login at /api/v2/bootstrap_authentication failed"

api_get() { # PATH: prints the response body, fails on a non-2xx answer
  curl --silent --show-error --fail-with-body --max-time 120 -H "authtoken: $token" "$base$1"
}
count_records() { # T1 T2: records the API returns for that time range
  api_get "/api/v2/records?timerange=$1-$2" | jq -er '.records | length'
}

# ---- seeding through the API ----------------------------------------------------------------
seed_t0=1704067200 # 2024-01-01T00:00:00Z, a Monday
spacing=3600
duration=1800
seed_end=$((seed_t0 + (seed - 1) * spacing + duration))
week=604800
week_t1=$((seed_t0 + (seed * spacing / 2) / week * week))
week_t2=$((week_t1 + week))
create_t0=1577836800 # 2020-01-01T00:00:00Z; created records start from here on (see wrk.lua)
create_t2=$((seed_t0 - 1))

log "seeding $seed records through PUT /api/v2/records (1,000 per request)"
seed_started=$(date +%s)
BENCH_URL="$base/api/v2/records" BENCH_TOKEN=$token BENCH_SEED=$seed BENCH_T0=$seed_t0 \
  BENCH_SPACING=$spacing BENCH_DURATION=$duration timeout 1800 "$py" - <<'EOF' || die "seeding failed"
import json, os, sys, time, urllib.request

url, token, n = os.environ["BENCH_URL"], os.environ["BENCH_TOKEN"], int(os.environ["BENCH_SEED"])
t0, spacing, duration = (int(os.environ[k]) for k in ("BENCH_T0", "BENCH_SPACING", "BENCH_DURATION"))
mt = int(time.time())
for start in range(0, n, 1000):
    batch = [
        {"key": f"seed{i:07d}", "mt": mt, "t1": t0 + i * spacing, "t2": t0 + i * spacing + duration,
         "ds": f"seeded record {i} #bench"}
        for i in range(start, min(start + 1000, n))
    ]
    req = urllib.request.Request(url, data=json.dumps(batch).encode(), method="PUT",
                                 headers={"authtoken": token, "content-type": "application/json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        answer = json.load(resp)
    if answer["failed"] or len(answer["accepted"]) != len(batch):
        sys.exit(f"batch at {start}: {len(answer['accepted'])} accepted, errors {answer['errors'][:3]}")
EOF
seed_secs=$(( $(date +%s) - seed_started ))
seeded=$(count_records "$seed_t0" "$seed_end")
[ "$seeded" = "$seed" ] || die "the API lists $seeded seeded records, expected $seed"
week_records=$(count_records "$week_t1" "$week_t2")
week_bytes=$(api_get "/api/v2/records?timerange=$week_t1-$week_t2" | wc -c)
log "seeded $seeded records in ${seed_secs}s; the read week holds $week_records records ($week_bytes bytes of JSON)"

# ---- one load run ---------------------------------------------------------------------------
# wrk sends what the environment says. For creates (BENCH_CREATE=run name) request() builds a new
# record per request: key "<run>-<thread>-<n>", a start 64 s after the thread's previous one.
# response() counts status codes, and for creates the 200 answers whose "failed" list is empty.
cat >"$work/wrk.lua" <<'EOF'
local method = os.getenv("BENCH_METHOD")
local token = os.getenv("BENCH_TOKEN")
local create = os.getenv("BENCH_CREATE") or ""
local create_t0 = tonumber(os.getenv("BENCH_CREATE_T0") or "0")
local threads = {}
local next_id = 0
function setup(thread)
  next_id = next_id + 1
  thread:set("id", next_id)
  table.insert(threads, thread)
end
codes = {}
stored = 0
local n = 0
local headers = { ["authtoken"] = token, ["Content-Type"] = "application/json" }
function request()
  if create == "" then return wrk.format(method, nil, headers, nil) end
  n = n + 1
  -- threads (at most 64) interleave their seconds so their records never share a start
  local t1 = create_t0 + n * 64 + id
  local body = string.format(
    '[{"key":"%s-%d-%d","mt":%d,"t1":%d,"t2":%d,"ds":"bench create #bench"}]',
    create, id, n, os.time(), t1, t1 + 1800)
  return wrk.format(method, nil, headers, body)
end
function response(status, hdrs, body)
  codes[status] = (codes[status] or 0) + 1
  if create ~= "" and status == 200 and body:find('"failed": []', 1, true) then stored = stored + 1 end
end
function done(summary, latency, requests)
  local total, total_stored = {}, 0
  for _, t in ipairs(threads) do
    for status, c in pairs(t:get("codes")) do total[status] = (total[status] or 0) + c end
    total_stored = total_stored + t:get("stored")
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
  io.write(string.format("BENCH %.2f %.3f %.3f %s %d\n",
    summary.requests / (summary.duration / 1e6),
    latency:percentile(50) / 1000, latency:percentile(99) / 1000, table.concat(parts, ","),
    total_stored))
end
EOF

# Prints "requests/s p50_ms p99_ms statuses stored_creates".
load() { # NAME CONCURRENCY METHOD PATH [CREATE-RUN-NAME]
  local name=$1 c=$2 threads=$2 out=$work/$1.out
  if [ "$threads" -gt "$(nproc)" ]; then threads=$(nproc); fi
  BENCH_METHOD=$3 BENCH_TOKEN=$token BENCH_CREATE=${5:-} BENCH_CREATE_T0=$create_t0 \
    timeout $((secs + 60)) ${pin_load[@]+"${pin_load[@]}"} wrk -t "$threads" -c "$c" -d "${secs}s" --timeout 10s \
    -s "$work/wrk.lua" "$base$4" >"$out" || { cat "$out" >&2; die "wrk $name failed"; }
  sed -n 's/^BENCH //p' "$out" | grep . || { cat "$out" >&2; die "no figures in wrk $name output"; }
}

# ---- the runs -------------------------------------------------------------------------------
results=$work/results.txt
: >"$results"
stored_total=0
for c in "${concurrencies[@]}"; do
  log "create: PUT /api/v2/records (one new record), c=$c"
  figures=$(load "create-$c" "$c" PUT /api/v2/records "c$c")
  echo "PUT_records_(create_one) $c $figures" >>"$results"
  stored_total=$((stored_total + $(echo "$figures" | awk '{print $5}')))
done
for c in "${concurrencies[@]}"; do
  log "range read: GET /api/v2/records?timerange=<one week>, c=$c"
  figures=$(load "read-$c" "$c" GET "/api/v2/records?timerange=$week_t1-$week_t2")
  echo "GET_records?timerange=week $c $figures" >>"$results"
done
for c in "${concurrencies[@]}"; do
  log "authenticated no-op: GET /api/v2/version, c=$c"
  figures=$(load "version-$c" "$c" GET /api/v2/version)
  echo "GET_version $c $figures" >>"$results"
done
created=$(count_records "$create_t0" "$create_t2")
rss_kib=$(awk '/^VmRSS:/ { print $2 }' "/proc/$app_pid/status" 2>/dev/null || echo 0)
# TimeTagger leaves both at SQLite's defaults: read them from its database file
journal=$("$py" -c 'import glob, sqlite3, sys
db = sqlite3.connect(glob.glob(sys.argv[1] + "/users/*.db")[0])
print("journal_mode=%s synchronous=%s" % (db.execute("pragma journal_mode").fetchone()[0],
      {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}[db.execute("pragma synchronous").fetchone()[0]]))' "$work/data")
stop_app

# ---- the table ------------------------------------------------------------------------------
echo
echo "TimeTagger API benchmark: $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo "machine: $(nproc) cores, $(uname -sr), $(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo '?')"
echo "timetagger $installed ($("$py" -m pip --disable-pip-version-check list 2>/dev/null \
  | awk '$1 ~ /^(uvicorn|uvloop|httptools|itemdb|asgineer)$/ { printf "%s%s %s", sep, $1, $2; sep = ", " }')) on $("$py" --version 2>&1)"
echo "server: python -m timetagger, one process; SQLite via itemdb ($journal), one database file per user"
echo "load: $(wrk -v 2>&1 | head -n 1 | sed 's/ Copyright.*//'), ${secs}s per run${load_cpus:+, wrk on CPUs $load_cpus}${server_cpus:+, server on CPUs $server_cpus}"
echo "data: $seeded records seeded through the API in ${seed_secs}s (one every ${spacing}s from 2024-01-01); the read week $(date -u -d "@$week_t1" +%F)..$(date -u -d "@$week_t2" +%F) holds $week_records records ($week_bytes bytes)"
echo
printf '%-28s %3s %10s %9s %9s  %-20s %8s\n' call c 'req/s' 'p50 ms' 'p99 ms' 'status codes' 'stored'
while read -r call c rps p50 p99 codes stored; do
  if [ "${call#PUT}" = "$call" ]; then stored=--; fi
  printf '%-28s %3s %10.1f %9.2f %9.2f  %-20s %8s\n' "${call//_/ }" "$c" "$rps" "$p50" "$p99" "$codes" "$stored"
done <"$results"
echo
in_flight=0
for c in "${concurrencies[@]}"; do in_flight=$((in_flight + c)); done
echo "creates: $stored_total answered 200 with nothing failed; the API lists $created records in the created range"
echo "(wrk stops with up to one request per connection in flight, $in_flight over the create runs: the"
echo "server may still store those without wrk counting their answers)"
echo "server resident memory after the runs: $((rss_kib / 1024)) MiB"
if [ "$created" -lt "$stored_total" ] || [ "$created" -gt $((stored_total + in_flight)) ]; then
  die "the API lists $created created records, but $stored_total creates were acknowledged (+ at most $in_flight in flight)"
fi
