# Scenario: the files for a server without Docker and every nginx mode, checked by their own tools:
# `systemd-analyze verify` on the units (with the real binary from the image at ExecStart's path)
# and their `systemd-analyze security` exposure; `nginx -t` on the VPS site file and on the
# configuration 30-gogotime-site.sh generates for each GOGOTIME_TLS mode, including the refusal
# of plain HTTP without a trusted proxy.
# shellcheck shell=bash

SCENARIOS+=(server_files)

server_files() {
    log "systemd units: systemd-analyze verify and security"
    command -v systemd-analyze >/dev/null || fail "systemd-analyze is missing (Debian: apt-get install systemd)"
    local root=$WORK/systemd-root unit score
    mkdir -p "$root/usr/local/bin" "$root/etc/systemd/system" "$root/usr/lib/systemd"
    cp -a /usr/lib/systemd/system "$root/usr/lib/systemd/"
    local container
    container=$(docker create "$IMAGE")
    docker cp "$container:/usr/local/bin/gogotime" "$root/usr/local/bin/gogotime" >/dev/null
    docker rm "$container" >/dev/null
    cp "$REPO"/deploy/systemd/*.service "$root/etc/systemd/system/"
    for unit in gogotime.service gogotime-backup.service; do
        systemd-analyze verify --root="$root" "$root/etc/systemd/system/$unit" >"$WORK/verify.log" 2>&1 \
            || { cat "$WORK/verify.log" >&3; fail "systemd-analyze verify $unit"; }
        [[ -s $WORK/verify.log ]] && { cat "$WORK/verify.log" >&3; fail "systemd-analyze verify $unit printed warnings"; }
        score=$(systemd-analyze security --offline=yes --root="$root" "$root/etc/systemd/system/$unit" 2>&1 | sed -n 's/.*Overall exposure level for [^:]*: //p')
        figure "systemd-analyze security $unit" "$score"
        [[ $score == [0-1].* ]] || fail "$unit exposure is '$score', expected below 2.0"
    done

    log "nginx -t: every GOGOTIME_TLS mode and the VPS site file"
    local tls_dir=$WORK/nginx-tls
    mkdir -p "$tls_dir/gogotime"
    openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=time.example.test \
        -keyout "$tls_dir/gogotime/privkey.pem" -out "$tls_dir/gogotime/fullchain.pem" 2>/dev/null
    cp "$tls_dir/gogotime/fullchain.pem" "$tls_dir/gogotime/chain.pem"
    local mode
    for mode in letsencrypt files off; do
        nginx_t "$mode" "NGINX_TRUSTED_PROXIES=10.0.0.0/8" >"$WORK/nginx-t.log" 2>&1 \
            || { cat "$WORK/nginx-t.log" >&3; fail "nginx -t with GOGOTIME_TLS=$mode"; }
        info "GOGOTIME_TLS=$mode: $(grep -o 'test is successful' "$WORK/nginx-t.log")"
    done
    if nginx_t off "NGINX_TRUSTED_PROXIES=" >"$WORK/nginx-t.log" 2>&1; then
        fail "GOGOTIME_TLS=off without NGINX_TRUSTED_PROXIES was accepted"
    fi
    grep -q 'GOGOTIME_TLS=off serves plain HTTP and is meant only behind a TLS proxy' "$WORK/nginx-t.log" \
        || fail "unexpected refusal: $(cat "$WORK/nginx-t.log")"
    info "GOGOTIME_TLS=off without NGINX_TRUSTED_PROXIES: refused"

    mkdir -p "$tls_dir/live/time.example.com"
    cp "$tls_dir/gogotime/"*.pem "$tls_dir/live/time.example.com/"
    docker run --rm --read-only --tmpfs /tmp --tmpfs /run --tmpfs /var/lib/nginx \
        -v "$REPO/deploy/systemd/nginx-gogotime.conf:/etc/nginx/sites-enabled/gogotime:ro" \
        -v "$REPO/deploy/nginx/snippets:/etc/nginx/snippets:ro" \
        -v "$REPO/deploy/nginx/errors:/etc/nginx/errors:ro" \
        -v "$tls_dir:/etc/letsencrypt:ro" \
        --entrypoint sh "$NGINX_TEST_IMAGE" -c '
            printf "include /etc/nginx/snippets/gogotime-http.conf;\n" >/tmp/gogotime-http.conf
            sed -e "s|include /etc/nginx/conf.d/\*.conf;|include /tmp/gogotime-http.conf; include /etc/nginx/sites-enabled/*;|" \
                -e "s|^pid .*|pid /tmp/nginx.pid;|" /etc/nginx/nginx.conf >/tmp/nginx.conf
            nginx -t -c /tmp/nginx.conf' >"$WORK/nginx-t.log" 2>&1 \
        || { cat "$WORK/nginx-t.log" >&3; fail "nginx -t on deploy/systemd/nginx-gogotime.conf"; }
    info "deploy/systemd/nginx-gogotime.conf: $(grep -o 'test is successful' "$WORK/nginx-t.log")"
}

readonly NGINX_TEST_IMAGE=nginx:1.22

nginx_t() { # MODE EXTRA_ENV: the stack's nginx configuration as the entrypoint hook writes it
    docker run --rm --read-only --tmpfs /tmp --tmpfs /etc/nginx/site --tmpfs /var/cache/nginx --tmpfs /etc/nginx/upstream \
        --add-host app:127.0.0.1 -e "GOGOTIME_TLS=$1" -e "$2" -e GOGOTIME_TLS_WAIT_SECONDS=0 \
        -v "$REPO/deploy/nginx/nginx.conf:/etc/nginx/nginx.conf:ro" \
        -v "$REPO/deploy/nginx/conf.d:/etc/nginx/conf.d:ro" \
        -v "$REPO/deploy/nginx/sites:/etc/nginx/sites:ro" \
        -v "$REPO/deploy/nginx/snippets:/etc/nginx/snippets:ro" \
        -v "$REPO/deploy/nginx/errors:/etc/nginx/errors:ro" \
        -v "$REPO/deploy/nginx/docker-entrypoint.d/30-gogotime-site.sh:/docker-entrypoint.d/30-gogotime-site.sh:ro" \
        -v "$REPO/deploy/nginx/docker-entrypoint.d/40-gogotime-upstream-watch.sh:/docker-entrypoint.d/40-gogotime-upstream-watch.sh:ro" \
        -v "$REPO/deploy/nginx/bin/gogotime-upstream:/usr/local/bin/gogotime-upstream:ro" \
        -v "$WORK/nginx-tls:/etc/letsencrypt:ro" \
        -v "$WORK/nginx-tls/gogotime:/etc/nginx/tls:ro" \
        "$NGINX_TEST_IMAGE" nginx -t
}
