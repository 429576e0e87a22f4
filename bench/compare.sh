#!/usr/bin/env bash
# The published side-by-side benchmark (docs/performance.md): every figure of the performance
# goals in one run on one machine, each next to its ceiling or its peer.
#
#   1. entries API   bench/entries.sh: create, page of 50, timer/start at concurrency 1 and 16 on
#                    PostgreSQL and SQLite next to pgbench running the same SQL; statements per
#                    request of each hot path; the app's memory. With a baseline binary
#                    (BENCH_BASELINE_BIN) the same script runs for it too, in the same run.
#   2. HTTP ceiling  GET /api/system/health/live of `gogotime serve` (SQLite) next to a bare axum
#                    handler answering the same body (examples/bare_health.rs), concurrency 16.
#   3. reports       bench/reports.sh: the yearly summary over 1,000,000 entries vs the bare SQL
#                    aggregate, both databases.
#   4. imports       bench/import.sh: 100,000 rows, dry run, import, re-import, both databases.
#   5. image, start  bench/image.sh: image size, container start → healthy, stack up → healthy
#                    (the image BENCH_IMAGE names, else one built from this tree).
#   6. the peer      bench/timetagger.sh: TimeTagger (PyPI) creating records and reading a week of
#                    records at concurrency 16, beside GoGoTime's create and week read.
#
# Everything runs on this machine and talks to 127.0.0.1 (and containers it starts); every
# load run is bounded by BENCH_SECONDS. With 2+ cores the servers run on CPU 0 and the load
# generators on CPU 1 (BENCH_PIN). Took 13 minutes with BENCH_SECONDS=6 once built
# (docs/performance.md's run).
#
# Usage: bench/compare.sh [--only SECTION,...] [--write]
#   --only     a subset of: entries,http,reports,imports,image,peer (default: all)
#   --write    also replace the results section of docs/performance.md with this run's
# Environment: BENCH_SECONDS (8), BENCH_BASELINE_BIN (a release binary of an earlier version),
#   BENCH_IMAGE (an image to measure instead of building one with deploy/scripts/build-image),
#   BENCH_PIN, GOGOTIME_BIN (this version's binary; default: cargo build --release), and the
#   knobs of each script (BENCH_SEED, BENCH_ROWS, ...). The report is also kept in
#   target/bench/compare-<time>.md.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

sections=entries,http,reports,imports,image,peer
write=false
while [ $# -gt 0 ]; do
  case "$1" in
    --only) sections=${2:?--only needs a list, e.g. --only entries,http}; shift 2 ;;
    --write) write=true; shift ;;
    -h|--help) sed -n '2,/^set -euo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench: unknown argument '$1' (see --help)" >&2; exit 2 ;;
  esac
done
for s in ${sections//,/ }; do
  case "$s" in entries|http|reports|imports|image|peer) ;;
    *) echo "bench: unknown section '$s' in --only (entries,http,reports,imports,image,peer)" >&2; exit 2 ;;
  esac
done
want() { case ",$sections," in *",$1,"*) return 0 ;; *) return 1 ;; esac; }
log() { printf 'bench: %s\n' "$*" >&2; }
die() { log "$*"; exit 1; }

secs=${BENCH_SECONDS:-8}
case "$secs" in ''|*[!0-9]*) die "BENCH_SECONDS must be a whole number" ;; esac
pin=${BENCH_PIN:-}
if [ -z "$pin" ]; then if [ "$(nproc)" -ge 2 ]; then pin=1; else pin=0; fi; fi
case "$pin" in 0) server_cpu=() load_cpu=() ;; 1) server_cpu=(taskset -c 0) load_cpu=(taskset -c 1) ;;
  *) die "BENCH_PIN must be 0 or 1" ;; esac
export BENCH_SECONDS=$secs BENCH_PIN=$pin

bin=${GOGOTIME_BIN:-}
if [ -z "$bin" ]; then
  log "building (cargo build --release --locked, and the bare axum example)"
  timeout 3600 nice -n 10 cargo build --release --locked >&2
  bin=$root/target/release/gogotime
fi
[ -x "$bin" ] || die "no executable at $bin"
export GOGOTIME_BIN=$bin
baseline=${BENCH_BASELINE_BIN:-}
[ -z "$baseline" ] || [ -x "$baseline" ] || die "BENCH_BASELINE_BIN: no executable at $baseline"

mkdir -p target/bench
report=target/bench/compare-$(date -u +%Y%m%dT%H%M%SZ).md
work=$(mktemp -d /tmp/gogotime-compare.XXXXXX)
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; wait "$p" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

out() { printf '%s\n' "$*" >>"$report"; }
block() { out '```'; cat "$1" >>"$report"; out '```'; out ''; }
run_section() { # TITLE LOG COMMAND...: runs a script, keeps its output for the report
  local title=$1 file=$2
  shift 2
  log "$title"
  if ! "$@" >"$file" 2>"$file.err"; then
    cat "$file.err" >&2
    die "$title failed"
  fi
  out "### $title"
  out ''
  block "$file"
}

: >"$report"
out "Run $(date -u +%Y-%m-%dT%H:%M:%SZ) on $(nproc) cores ($(awk -F': ' '/model name/ { print $2; exit }' /proc/cpuinfo 2>/dev/null || echo '?')), $(awk '/MemTotal/ { printf "%.0f GiB", $2 / 1048576 }' /proc/meminfo) RAM, $(uname -sr)."
out "GoGoTime: $("$bin" --version)$([ -n "$baseline" ] && echo "; baseline: $("$baseline" --version)"). BENCH_SECONDS=$secs, pinned: $([ "$pin" = 1 ] && echo "servers on CPU 0, load generators on CPU 1" || echo no)."
out ''

if want entries; then
  run_section "Entries API, this version" "$work/entries.txt" bench/entries.sh
  if [ -n "$baseline" ]; then
    run_section "Entries API, baseline" "$work/entries-baseline.txt" env GOGOTIME_BIN="$baseline" bench/entries.sh
  fi
fi

if want http; then
  log "HTTP ceiling: health/live vs a bare axum handler"
  command -v wrk >/dev/null || timeout 600 apt-get install -y wrk >&2 || die "wrk is not available"
  timeout 1800 nice -n 10 cargo build --release --locked --example bare_health >&2
  bare=$root/target/release/examples/bare_health
  free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
  wait_up() { for _ in $(seq 1 100); do curl -fs -o /dev/null "$1" && return 0; sleep 0.1; done; die "no answer from $1"; }
  rate() { # URL: requests/s at concurrency 16
    timeout $((secs + 30)) "${load_cpu[@]}" wrk -t 1 -c 16 -d "${secs}s" "$1" | awk '/^Requests\/sec/ { print $2 }'
  }
  stop_last() { kill "${pids[-1]}"; wait "${pids[-1]}" 2>/dev/null || true; unset 'pids[-1]'; }
  port=$(free_port)
  mkdir "$work/health"
  (cd "$work/health" && exec "${server_cpu[@]}" env -i PATH="$PATH" HOME="$HOME" GOGOTIME_ENV=development \
    GOGOTIME_BIND="127.0.0.1:$port" GOGOTIME_METRICS_BIND= GOGOTIME_LOG=warn \
    JWT_SECRET="$("$bin" secret generate)" DATABASE_URL="sqlite://$work/health/app.db" "$bin" serve) \
    >"$work/health/app.log" 2>&1 &
  pids+=($!)
  wait_up "http://127.0.0.1:$port/api/system/health/live"
  app_rate=$(rate "http://127.0.0.1:$port/api/system/health/live")
  stop_last
  port=$(free_port)
  "${server_cpu[@]}" "$bare" "127.0.0.1:$port" >"$work/health/bare.log" 2>&1 &
  pids+=($!)
  wait_up "http://127.0.0.1:$port/api/system/health/live"
  bare_rate=$(rate "http://127.0.0.1:$port/api/system/health/live")
  stop_last
  {
    printf '%-44s %12s\n' "GET /api/system/health/live, concurrency 16" "requests/s"
    printf '%-44s %12.0f\n' "gogotime serve (every middleware)" "$app_rate"
    printf '%-44s %12.0f\n' "bare axum handler (examples/bare_health.rs)" "$bare_rate"
    awk -v a="$app_rate" -v b="$bare_rate" 'BEGIN { printf "%-44s %12.2f\n", "ratio", a / b }'
  } >"$work/http.txt"
  out "### HTTP ceiling"
  out ''
  block "$work/http.txt"
fi

want reports && run_section "Reports" "$work/reports.txt" bench/reports.sh
want imports && run_section "Imports" "$work/imports.txt" bench/import.sh
if want image; then
  image_args=()
  [ -n "${BENCH_IMAGE:-}" ] && image_args=("$BENCH_IMAGE")
  run_section "Image and start" "$work/image.txt" bench/image.sh "${image_args[@]}"
fi
if want peer; then
  peer_cpus=()
  [ "$pin" = 1 ] && peer_cpus=(BENCH_SERVER_CPUS=0 BENCH_LOAD_CPUS=1)
  run_section "TimeTagger, the installable peer" "$work/peer.txt" env "${peer_cpus[@]}" bench/timetagger.sh
fi

cat "$report"
log "report kept in $report"
if [ "$write" = true ]; then
  python3 - docs/performance.md "$report" <<'PY'
import sys
doc, new = sys.argv[1], open(sys.argv[2], encoding="utf-8").read()
text = open(doc, encoding="utf-8").read()
start, end = "<!-- results: bench/compare.sh --write -->", "<!-- end of results -->"
if start not in text or end not in text:
    sys.exit(f"bench: {doc} has no results markers ({start} … {end})")
head, rest = text.split(start, 1)
_, tail = rest.split(end, 1)
open(doc, "w", encoding="utf-8").write(f"{head}{start}\n\n{new}\n{end}{tail}")
PY
  log "docs/performance.md updated"
fi
