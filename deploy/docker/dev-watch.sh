#!/usr/bin/env bash
# Development hot reload for compose.yaml: builds the mounted working tree, runs `gogotime serve`,
# and rebuilds + restarts whenever a build input changes. It polls file metadata every
# DEV_WATCH_INTERVAL seconds instead of using inotify, because inotify events do not cross bind
# mounts from Docker Desktop (macOS/Windows) hosts, and cargo-watch would cost minutes to compile
# on a fresh machine. A failed build keeps the previous server (if any) and waits for the next edit.
# The same script reloads outside Docker (`make watch`: DEV_WATCH_DIR=. with the local toolchain).
# deploy/tests/scenarios/90-dev-hot-reload.sh proves edit → served, a failed build, and the cache.
set -euo pipefail

cd "${DEV_WATCH_DIR:-/src}"
interval=${DEV_WATCH_INTERVAL:-1}
bin=${CARGO_TARGET_DIR:-target}/debug/gogotime
read -r -a watch_paths <<<"${DEV_WATCH_PATHS:-Cargo.toml Cargo.lock build.rs askama.toml src migrations templates static}"
server=""

snapshot() {
    # optional paths (build.rs, askama.toml) may not exist: find's complaint is not an error here
    { find "${watch_paths[@]}" -type f -printf '%p %T@ %s\n' 2>/dev/null || true; } | sort | md5sum
}

stop_server() {
    if [[ -n $server ]] && kill -0 "$server" 2>/dev/null; then
        kill -TERM "$server" 2>/dev/null || true
        wait "$server" 2>/dev/null || true
    fi
    server=""
}

trap 'stop_server; exit 0' TERM INT

while true; do
    seen=$(snapshot)
    echo "dev-watch: building" >&2
    started=$SECONDS
    if cargo build --locked --bin gogotime; then
        stop_server
        "$bin" serve &
        server=$!
        echo "dev-watch: built in $((SECONDS - started)) s; started gogotime (pid $server)" >&2
    else
        echo "dev-watch: build failed after $((SECONDS - started)) s; ${server:+the previous build keeps serving; }waiting for changes" >&2
    fi
    # `sleep & wait` keeps the TERM trap responsive
    while [[ $(snapshot) == "$seen" ]]; do
        sleep "$interval" & wait $! || true
        if [[ -n $server ]] && ! kill -0 "$server" 2>/dev/null; then
            echo "dev-watch: gogotime exited; restarting after the next change" >&2
            server=""
        fi
    done
    echo "dev-watch: change detected" >&2
done
