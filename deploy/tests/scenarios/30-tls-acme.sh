# Scenario: the production stack on HTTPS with a certificate from an ACME server, for real and
# without the Internet: Debian's pebble (Let's Encrypt's test server) and pebble-challtestsrv (its
# DNS) run as containers on the stack's own network; the unchanged compose.prod.yaml, pointed at
# pebble by ACME_SERVER/ACME_CA_BUNDLE, obtains a certificate for time.example.test over HTTP-01.
# Checks: the TLS-mode guards, time from `up` to a valid HTTPS answer, redirects, HSTS, HTTP/2, a
# forced renewal served without one failed request in a request loop across the reload, and an
# ACME outage that leaves nginx serving. 31-33 reuse this stack (tls_stack_up); the last one
# that runs takes it down (and the clean-up does in any case).
# shellcheck shell=bash

SCENARIOS+=(tls_acme)

readonly TLS_PROJECT=$PREFIX-tls TLS_ENV=$WORK/tls.env ACME_DIR=$WORK/acme
readonly TLS_DOMAIN=time.example.test
readonly PEBBLE=$PREFIX-pebble CHALLTESTSRV=$PREFIX-challtestsrv
readonly PEBBLE_IMAGE=$PREFIX-pebble:bookworm TLS_TOOLS_IMAGE=$PREFIX-tls-tools:bookworm
TLS_STACK_UP=""

tls() { timeout 600 docker-compose -p "$TLS_PROJECT" -f "$REPO/compose.prod.yaml" --env-file "$TLS_ENV" "$@"; }
tls_network() { echo "${TLS_PROJECT}_frontend"; }
# a client on the stack's frontend network (curl, openssl, sslscan, python3)
tls_tools() { docker run --rm -i --network "$(tls_network)" -v "$ACME_DIR:/acme:ro" "$TLS_TOOLS_IMAGE" "$@"; }
# a client on this machine, trusting pebble's root, reaching nginx through the published port
https_get() { # PATH [curl args...]
    local path=$1
    shift
    curl -sS --max-time 10 --cacert "$ACME_DIR/root.pem" \
        --resolve "$TLS_DOMAIN:$HTTPS_PORT:127.0.0.1" "$@" "https://$TLS_DOMAIN:$HTTPS_PORT$path"
}
served_serial() {
    openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername "$TLS_DOMAIN" </dev/null 2>/dev/null \
        | openssl x509 -noout -serial 2>/dev/null | cut -d= -f2
}

cleanup_tls() {
    docker rm -f "$PEBBLE" "$CHALLTESTSRV" >/dev/null 2>&1
    [[ -s $TLS_ENV ]] && tls down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
    return 0
}
on_cleanup cleanup_tls
report_tls() {
    [[ -n $TLS_STACK_UP ]] || return 0
    tls ps 2>/dev/null
    tls logs --no-color --tail 40 certbot nginx 2>/dev/null | sed 's/^/    /'
    docker logs --tail 20 "$PEBBLE" 2>&1 | sed 's/^/    pebble | /'
}
on_failure report_tls

tls_write_env() { # extra KEY=VALUE lines replace those of the shared env file
    grep -v -E '^(GOGOTIME_TLS|NGINX_TRUSTED_PROXIES|GOGOTIME_REPLICAS)=' "$ENV_FILE" >"$TLS_ENV"
    {
        echo "GOGOTIME_TLS=letsencrypt"
        echo "GOGOTIME_REPLICAS=2"
        echo "ACME_SERVER=https://pebble:14000/dir"
        echo "ACME_CA_BUNDLE=$ACME_DIR/ca.pem"
        echo "CERTBOT_RETRY_SECONDS=2"
        echo "GOGOTIME_CERTIFICATE_POLL_SECONDS=1"
        printf '%s\n' "$@"
    } >>"$TLS_ENV"
    chmod 600 "$TLS_ENV"
}

tls_guard() {
    log "TLS mode: a missing GOGOTIME_DOMAIN or LETSENCRYPT_EMAIL stops \`up\`"
    tls_write_env
    local variable out
    for variable in GOGOTIME_DOMAIN LETSENCRYPT_EMAIL; do
        grep -v "^$variable=" "$TLS_ENV" >"$WORK/tls-missing.env"
        if out=$(timeout 60 docker-compose -p "$TLS_PROJECT" -f "$REPO/compose.prod.yaml" --env-file "$WORK/tls-missing.env" up -d 2>&1); then
            fail "up succeeded without $variable"
        fi
        grep -q "set $variable in the env file" <<<"$out" || fail "unexpected message without $variable: $out"
        [[ -z $(project_containers "$TLS_PROJECT") ]] || fail "containers were created without $variable"
        info "refused without $variable: $(grep -o "set ${variable} in the env file[^}(]*" <<<"$out" | head -n 1)"
    done
}

# pebble's own listener certificate, from a CA made here; certbot trusts that CA (ACME_CA_BUNDLE)
acme_certificates() {
    mkdir -p "$ACME_DIR"
    (
        cd "$ACME_DIR" || exit 1
        openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
            -subj "/CN=GoGoTime test ACME CA" -keyout ca.key -out ca.pem 2>/dev/null
        openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=pebble" \
            -keyout key.pem -out pebble.csr 2>/dev/null
        printf 'subjectAltName=DNS:pebble\nextendedKeyUsage=serverAuth\n' >ext.cnf
        openssl x509 -req -in pebble.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 2 \
            -extfile ext.cnf -out cert.pem 2>/dev/null
        cat >config.json <<'JSON'
{"pebble": {"listenAddress": "0.0.0.0:14000", "managementListenAddress": "0.0.0.0:15000",
  "certificate": "/pebble/cert.pem", "privateKey": "/pebble/key.pem",
  "httpPort": 80, "tlsPort": 443, "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
        chmod 644 ./*.pem config.json
    )
}

start_pebble() {
    docker rm -f "$PEBBLE" "$CHALLTESTSRV" >/dev/null 2>&1 || true
    # DNS for pebble's validation: every name answers with nginx's address (set once nginx runs)
    docker run -d --name "$CHALLTESTSRV" --network "$(tls_network)" --network-alias challtestsrv \
        --entrypoint pebble-challtestsrv "$PEBBLE_IMAGE" \
        -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 :8053 -http01 "" -https01 "" -tlsalpn01 "" \
        -management :8055 >/dev/null
    local dns
    dns=$(ip_on "$CHALLTESTSRV" "$(tls_network)")
    docker run -d --name "$PEBBLE" --network "$(tls_network)" --network-alias pebble \
        -v "$ACME_DIR:/pebble:ro" "$PEBBLE_IMAGE" -config /pebble/config.json -dnsserver "$dns:8053" >/dev/null
}

nginx_address() {
    local ip
    ip=$(ip_on "$(project_containers "$TLS_PROJECT" nginx)" "$(tls_network)")
    [[ -n $ip ]] && echo "$ip"
}

point_dns_at_nginx() {
    local ip="" i
    # poll fast: certbot asks pebble as soon as nginx answers, which is moments after this
    for i in $(seq 2400); do
        ip=$(nginx_address 2>/dev/null) && break
        sleep 0.1
    done
    [[ -n $ip ]] || fail "nginx got no address within $((i / 10)) s"
    tls_tools curl -fsS -X POST -d "{\"ip\":\"$ip\"}" http://challtestsrv:8055/set-default-ipv4 >/dev/null
    info "challtestsrv: every name resolves to nginx ($ip)"
}

pebble_root() { tls_tools curl -fsS --cacert /acme/ca.pem https://pebble:15000/roots/0 >"$ACME_DIR/root.pem" && [[ -s $ACME_DIR/root.pem ]]; }
valid_https() { https_get /api/system/health -f -o /dev/null; }

# Starts the HTTPS stack (once per run; the scenarios 31-33 call this too).
tls_stack_up() {
    [[ -n $TLS_STACK_UP ]] && return 0
    log "HTTPS stack with pebble as the ACME server"
    cleanup_tls
    acme_certificates
    tls_write_env
    local start
    start=$(now)
    # certbot first: it has no dependencies, so this creates the network pebble must join (`up
    # --no-start` would wait forever on the health conditions); it writes the temporary
    # certificate and waits for nginx before it asks the ACME server
    TLS_STACK_UP=1
    tls up -d --no-deps certbot >"$WORK/tls-up.log" 2>&1 || { cat "$WORK/tls-up.log" >&3; fail "compose up certbot"; }
    local gateway
    gateway=$(docker network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$(tls_network)")
    # this machine plays the TLS-terminating proxy in front: requests through the published port
    # come from the network's gateway, whose X-Forwarded-For nginx then believes
    tls_write_env "NGINX_TRUSTED_PROXIES=$gateway/32"
    start_pebble
    tls up -d >"$WORK/tls-up.log" 2>&1 &
    local up=$!
    point_dns_at_nginx
    wait "$up" || { cat "$WORK/tls-up.log" >&3; fail "compose up (TLS)"; }
    wait_until 60 "pebble's root certificate" pebble_root
    wait_until 180 "a valid HTTPS answer with the issued certificate" valid_https
    figure "TLS: up to valid HTTPS (fresh certificate)" "$(elapsed "$start") s"
    wait_until 120 "every service healthy" tls_all_healthy
    info "issuer: $(openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername "$TLS_DOMAIN" </dev/null 2>/dev/null | openssl x509 -noout -issuer)"
}

tls_all_healthy() {
    local c service
    for c in $(project_containers "$TLS_PROJECT"); do
        service=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$c")
        if [[ $service == migrate ]]; then
            [[ $(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$c") == "exited 0" ]] || return 1
        else
            is_healthy "$c" || return 1
        fi
    done
}

tls_stack_down() {
    [[ -n $TLS_STACK_UP ]] || return 0
    cleanup_tls
    TLS_STACK_UP=""
}

tls_acme() {
    tls_guard
    tls_stack_up
    tls_redirects_and_headers
    tls_renewal
    tls_acme_outage
}

tls_redirects_and_headers() {
    log "HTTP redirects to HTTPS; HSTS and HTTP/2 on HTTPS"
    local headers
    headers=$(curl -sS -o /dev/null -D - -H "Host: $TLS_DOMAIN" "http://127.0.0.1:$HTTP_PORT/system/status?x=1" | tr -d '\r')
    grep -q '^HTTP/1.1 301' <<<"$headers" || fail "GET over http is not a 301: $headers"
    grep -qx "location: https://$TLS_DOMAIN/system/status?x=1" <<<"${headers,,}" || fail "wrong redirect target: $headers"
    grep -qi '^x-content-type-options: nosniff' <<<"$headers" || fail "nginx's redirect lacks the security headers: $headers"
    headers=$(curl -sS -o /dev/null -D - -X POST -H "Host: $TLS_DOMAIN" "http://127.0.0.1:$HTTP_PORT/api/v1/auth/token" | tr -d '\r')
    grep -q '^HTTP/1.1 308' <<<"$headers" || fail "POST over http is not a 308: $headers"
    local code
    code=$(curl -sS -o /dev/null -w '%{http_code}' -H "Host: $TLS_DOMAIN" "http://127.0.0.1:$HTTP_PORT/.well-known/acme-challenge/nothing-here")
    [[ $code == 404 ]] || fail "the ACME challenge path answered $code, expected 404 (never a redirect)"
    info "http: GET → 301, POST → 308 to https://$TLS_DOMAIN…, challenge path served on port 80"
    headers=$(https_get /system/status -o /dev/null -D - -w '%{http_version}\n' | tr -d '\r')
    grep -qi '^strict-transport-security: max-age=31536000; includeSubDomains' <<<"$headers" || fail "no HSTS over https: $headers"
    [[ $(tail -n 1 <<<"$headers") == 2 ]] || fail "HTTP/2 was not negotiated: $headers"
    info "https: HTTP/2, Strict-Transport-Security: max-age=31536000; includeSubDomains"
}

tls_renewal() {
    local before after total=400 out=$WORK/renewal.txt
    before=$(served_serial)
    [[ -n $before ]] || fail "no certificate served"
    log "forced renewal while $total requests run (each a new TLS connection)"
    : >"$out"
    (
        for _ in $(seq "$total"); do
            https_get /api/system/version -o /dev/null -w '%{http_code}\n' >>"$out" 2>/dev/null || echo 000 >>"$out"
            sleep 0.03
        done
    ) &
    local loop=$!
    sleep 2
    tls exec -T certbot /bin/sh /gogotime/certbot/certbot.sh renew-now >"$WORK/renew.log" 2>&1 \
        || { kill "$loop" 2>/dev/null; cat "$WORK/renew.log" >&3; fail "certbot renew-now"; }
    wait_until 60 "nginx to serve the renewed certificate" sh -c "[ \"\$(openssl s_client -connect 127.0.0.1:$HTTPS_PORT -servername $TLS_DOMAIN </dev/null 2>/dev/null | openssl x509 -noout -serial | cut -d= -f2)\" != '$before' ]"
    after=$(served_serial)
    local at
    at=$(wc -l <"$out")
    ((at < total)) || fail "the renewal finished only after the request loop ($at requests)"
    info "renewed during the loop after $at requests"
    wait "$loop"
    local sent failed
    sent=$(wc -l <"$out")
    failed=$(grep -vc '^200$' "$out" || true)
    figure "TLS renewal: requests sent / failed" "$sent / $failed (serial $before → $after)"
    ((failed == 0)) || fail "$failed requests failed across the renewal: $(sort "$out" | uniq -c)"
    tls logs --no-color nginx >"$WORK/nginx.log" 2>&1
    grep -q 'gogotime-certificate-watch: .* changed; reloading nginx' "$WORK/nginx.log" || fail "nginx did not log the reload"
    https_get /api/system/health -f -o /dev/null || fail "the renewed certificate does not verify against pebble's root"
}

acme_metric() { tls_tools curl -fsS http://nginx:9180/metrics | awk -v m="$1" '$1 == m { print $2 }'; }

tls_acme_outage() {
    log "ACME server gone: nginx keeps serving, the failure is logged and counted"
    docker stop "$PEBBLE" >/dev/null
    local failures_before
    failures_before=$(acme_metric gogotime_acme_consecutive_failures)
    # a forced renewal against the missing server fails the way a scheduled one would
    if tls exec -T certbot /bin/sh /gogotime/certbot/certbot.sh renew-now >"$WORK/renew-fail.log" 2>&1; then
        fail "renewal succeeded without an ACME server"
    fi
    local failures
    failures=$(acme_metric gogotime_acme_consecutive_failures)
    ((failures == failures_before + 1)) || fail "gogotime_acme_consecutive_failures is $failures, expected $((failures_before + 1))"
    [[ $(acme_metric gogotime_acme_last_failure_timestamp_seconds) -gt 0 ]] || fail "no failure time in the metrics"
    [[ $(acme_metric gogotime_tls_certificate_temporary) == 0 ]] || fail "the metrics report the temporary certificate"
    https_get /api/system/health -f -o /dev/null || fail "nginx stopped serving HTTPS after the ACME failure"
    [[ $(docker inspect -f '{{.RestartCount}}' "$(project_containers "$TLS_PROJECT" certbot)") == 0 ]] || fail "certbot restarted"
    info "renewal failed ($(grep -m1 -io 'failed[^.]*' "$WORK/renew-fail.log" || echo 'see log')); HTTPS still served; consecutive failures $failures"
    docker start "$PEBBLE" >/dev/null
}
