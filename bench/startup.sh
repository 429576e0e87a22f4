#!/usr/bin/env bash
# Prints: release binary size, time from process start to the first healthy response, and
# idle RSS of `gogotime serve` on SQLite. Bounded: 5 runs, each waiting at most 10 s.
# Usage: bench/startup.sh [runs]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-5}
cargo build --release --locked --quiet
export JWT_SECRET=$(target/release/gogotime secret generate)
bin=target/release/gogotime
printf 'release binary: %s bytes (%.1f MiB)\n' "$(stat -c %s "$bin")" "$(echo "$(stat -c %s "$bin") / 1048576" | bc -l)"

work=$(mktemp -d)
trap 'kill "${pid:-0}" 2>/dev/null || true; rm -rf "$work"' EXIT
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')

for i in $(seq 1 "$runs"); do
  # first run creates and migrates the database; later runs start on an existing one
  start=$(date +%s%N)
  (cd "$work" && GOGOTIME_BIND="127.0.0.1:$port" GOGOTIME_METRICS_BIND= GOGOTIME_LOG=warn \
     exec "$OLDPWD/$bin" serve) &
  pid=$!
  deadline=$(( start + 10000000000 ))
  until curl -fs -o /dev/null "http://127.0.0.1:$port/api/system/health"; do
    [ "$(date +%s%N)" -lt "$deadline" ] || { echo "not healthy within 10 s" >&2; exit 1; }
    sleep 0.005
  done
  end=$(date +%s%N)
  label=$([ "$i" = 1 ] && echo "new database" || echo "existing database")
  printf 'run %d (%s): first healthy response after %.1f ms\n' "$i" "$label" "$(echo "($end - $start) / 1000000" | bc -l)"
  if [ "$i" = "$runs" ]; then
    for _ in $(seq 1 20); do curl -fs -o /dev/null "http://127.0.0.1:$port/api/system/health"; done
    sleep 2
    printf 'idle RSS after 20 health requests: %s KiB\n' "$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")"
  fi
  kill -TERM "$pid"; wait "$pid" || true
done
