#!/bin/sh
# Started by the nginx image's entrypoint before nginx. Watches the IPs behind the app's service
# name in Docker's DNS and reloads nginx when they change (replicas scaled, recreated or gone),
# so the `server app:8080` upstream is re-resolved (see conf.d/gogotime.conf for why).
set -eu
host=${GOGOTIME_UPSTREAM_HOST:-app}
poll=${GOGOTIME_UPSTREAM_POLL_SECONDS:-2}

addresses() {
    getent ahostsv4 "$host" 2>/dev/null | awk '{print $1}' | sort -u | tr '\n' ' '
}

watch() {
    last=$(addresses)
    while sleep "$poll"; do
        now=$(addresses)
        # nothing resolvable: keep the last known set rather than fail the reload
        if [ -n "$now" ] && [ "$now" != "$last" ]; then
            echo "gogotime-upstream-watch: $host is now [${now% }] (was [${last% }]); reloading nginx" >&2
            if nginx -s reload; then last=$now; fi
        fi
    done
}

watch </dev/null &
echo "gogotime-upstream-watch: watching $host every ${poll}s (pid $!)" >&2
