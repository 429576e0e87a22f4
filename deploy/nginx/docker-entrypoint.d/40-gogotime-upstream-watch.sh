#!/bin/sh
# Started by the nginx image's entrypoint before nginx: writes the upstream's servers (every
# replica behind GOGOTIME_UPSTREAM_HOST) and keeps them current in the background, reloading
# nginx when replicas come and go. Deploy scripts pin the servers during a switch instead.
# See bin/gogotime-upstream and conf.d/upstream.conf for why.
set -eu
gogotime-upstream init
gogotime-upstream watch </dev/null &
echo "gogotime-upstream-watch: watching ${GOGOTIME_UPSTREAM_HOST:-app} every ${GOGOTIME_UPSTREAM_POLL_SECONDS:-2}s (pid $!)" >&2
