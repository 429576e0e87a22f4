# Scenario: nginx's own behaviour on the HTTPS stack of 30-tls-acme.sh: gzip of what the app sends
# uncompressed, the client address the app sees behind a trusted proxy (real_ip) and that an
# untrusted peer cannot forge it, rate limits (429 + Retry-After, problem+json), body limits that
# match the app's (2 MiB JSON, 100 MiB imports spooled to disk), and security headers on the
# responses nginx makes itself (redirects, 413, 429, 502).
# shellcheck shell=bash

SCENARIOS+=(nginx_hardening)

json_get() { python3 -c 'import json,sys; v=json.load(sys.stdin); [v:=v[int(k)] if isinstance(v,list) else v[k] for k in sys.argv[1:]]; print(v)' "$@"; }

# The first account of the HTTPS stack (production allows exactly one self-registration) and its
# organization; written once, reused by 33-backup-restore.sh.
tls_owner() {
    if [[ ! -s $WORK/tls-owner ]]; then
        local body
        body='{"email":"owner@example.test","password":"correct horse battery staple","name":"Owner","organization_name":"Drill One"}'
        https_get /api/v1/auth/register -f -o /dev/null -H 'Content-Type: application/json' -d "$body" || fail "registering the owner"
        local token org
        token=$(https_get /api/v1/auth/token -f -H 'Content-Type: application/json' -H 'X-Forwarded-For: 192.0.2.200' \
            -d '{"email":"owner@example.test","password":"correct horse battery staple"}' | json_get access_token)
        org=$(https_get /api/v1/organizations -f -H "Authorization: Bearer $token" | json_get 0 id)
        printf '%s %s\n' "$token" "$org" >"$WORK/tls-owner"
    fi
    read -r OWNER_TOKEN OWNER_ORG <"$WORK/tls-owner"
}

# the client address the app logged for the request nginx logged with URI containing $1
app_client_ip() {
    local marker=$1 request_id
    request_id=$(tls logs --no-color nginx | grep -F "$marker" | grep -o '"request_id":"[0-9a-f]*"' | tail -n 1 | cut -d'"' -f4)
    [[ -n $request_id ]] || return 1
    tls logs --no-color app | grep -F "\"request_id\":\"$request_id\"" | grep -o '"client_ip":"[^"]*"' | tail -n 1 | cut -d'"' -f4
}

nginx_hardening() {
    tls_stack_up
    tls_owner
    hardening_gzip
    hardening_real_ip
    hardening_rate_limit
    hardening_body_limits
    hardening_bad_gateway
}

hardening_gzip() {
    log "gzip: a response the app sends uncompressed arrives compressed"
    local direct proxied
    direct=$(tls_tools curl -sS -o /dev/null -D - -H 'Accept-Encoding: gzip' http://app:8080/no-such-page | tr -d '\r')
    grep -qi '^content-encoding:' <<<"$direct" && fail "the app compressed its error page itself; pick another response: $direct"
    proxied=$(https_get /no-such-page -o /dev/null -D - -H 'Accept-Encoding: gzip' | tr -d '\r')
    grep -qi '^content-encoding: gzip' <<<"$proxied" || fail "nginx did not gzip the app's uncompressed page: $proxied"
    info "GET /no-such-page: app → no Content-Encoding; through nginx → Content-Encoding: gzip"
}

hardening_real_ip() {
    log "real_ip: the app sees the client behind the trusted proxy, and only there"
    local marker ip tools_ip
    marker="realip=$RANDOM$RANDOM"
    https_get "/system/status?$marker" -f -o /dev/null -H 'X-Forwarded-For: 203.0.113.7'
    wait_until 10 "the app's log line" app_client_ip "$marker"
    ip=$(app_client_ip "$marker")
    [[ $ip == 203.0.113.7 ]] || fail "behind the trusted proxy the app saw $ip, expected 203.0.113.7"
    info "via the trusted proxy (X-Forwarded-For: 203.0.113.7): the app logged client_ip $ip"
    marker="realip=$RANDOM$RANDOM"
    tools_ip=$(tls_tools sh -c "curl -sk -o /dev/null -H 'X-Forwarded-For: 203.0.113.8' 'https://nginx/system/status?$marker'; hostname -i" | tail -n 1)
    wait_until 10 "the app's log line" app_client_ip "$marker"
    ip=$(app_client_ip "$marker")
    [[ $ip == "$tools_ip" ]] || fail "an untrusted peer claimed 203.0.113.8 and the app saw $ip (peer $tools_ip)"
    info "from an untrusted peer ($tools_ip) claiming 203.0.113.8: the app logged client_ip $ip"
}

hardening_rate_limit() {
    log "rate limit on sign-in: 429 with Retry-After and problem+json"
    local client=198.51.100.$((RANDOM % 200 + 1)) code codes="" headers
    for _ in $(seq 10); do
        code=$(https_get /api/v1/auth/token -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
            -H "X-Forwarded-For: $client" -d '{"email":"nobody@example.test","password":"wrong password here"}')
        codes+="$code "
    done
    # burst 5 after the first: 6 reach the app (401), the rest are nginx's
    [[ $(grep -o 429 <<<"$codes" | wc -l) -eq 4 ]] || fail "expected 4 of 10 rapid sign-ins limited, got: $codes"
    headers=$(https_get /api/v1/auth/token -D - -H 'Content-Type: application/json' -H "X-Forwarded-For: $client" \
        -d '{"email":"nobody@example.test","password":"wrong password here"}' | tr -d '\r')
    grep -q '^HTTP/2 429' <<<"$headers" || fail "not limited: $headers"
    grep -qi '^retry-after: 60' <<<"$headers" || fail "429 without Retry-After: $headers"
    grep -qi '^content-type: application/problem+json' <<<"$headers" || fail "429 is not problem+json: $headers"
    grep -q '"status":429' <<<"$headers" || fail "429 body: $headers"
    grep -qi '^x-content-type-options: nosniff' <<<"$headers" || fail "429 lacks the security headers"
    grep -qi '^strict-transport-security:' <<<"$headers" || fail "429 lacks HSTS"
    code=$(https_get /api/v1/auth/token -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' \
        -H 'X-Forwarded-For: 198.51.100.250' -d '{"email":"nobody@example.test","password":"wrong password here"}')
    [[ $code == 401 ]] || fail "another client was limited too ($code)"
    code=$(https_get /sign-in -o /dev/null -w '%{http_code}' -H "X-Forwarded-For: $client")
    [[ $code == 200 ]] || fail "GET /sign-in was limited ($code): only POSTs count"
    info "10 rapid sign-ins from one client: $codes; another client: 401; GET /sign-in: 200"
}

hardening_body_limits() {
    log "body limits: 2 MiB JSON, 100 MiB imports (through nginx's disk buffer)"
    local big=$WORK/body
    head -c $((2 * 1024 * 1024 + 1)) /dev/zero | tr '\0' 'a' >"$big"
    local headers
    headers=$(https_get /api/v1/auth/token --http1.1 -D - -H 'Content-Type: application/json' -H 'X-Forwarded-For: 192.0.2.1' --data-binary "@$big" | tr -d '\r')
    grep -q '^HTTP/1.1 413' <<<"$headers" || fail "2 MiB + 1 byte of JSON was not refused: $(head -n 1 <<<"$headers")"
    grep -qi '^content-type: application/problem+json' <<<"$headers" || fail "413 is not problem+json: $headers"
    grep -q '"status":413' <<<"$headers" || fail "413 body: $headers"
    grep -qi '^x-content-type-options: nosniff' <<<"$headers" || fail "413 lacks the security headers"
    # over HTTP/2 nginx 1.22 answers a too-large body with its built-in page (error_page does not
    # apply there); the security headers are on it all the same
    headers=$(https_get /api/v1/auth/token -D - -o /dev/null -H 'Content-Type: application/json' -H 'X-Forwarded-For: 192.0.2.1' --data-binary "@$big" | tr -d '\r')
    grep -q '^HTTP/2 413' <<<"$headers" || fail "HTTP/2: 2 MiB + 1 byte was not refused: $(head -n 1 <<<"$headers")"
    grep -qi '^x-frame-options: DENY' <<<"$headers" || fail "HTTP/2 413 lacks the security headers: $headers"
    grep -qi '^strict-transport-security:' <<<"$headers" || fail "HTTP/2 413 lacks HSTS"
    truncate -s $((2 * 1024 * 1024 - 1024)) "$big"
    local code
    code=$(https_get /api/v1/auth/token -o /dev/null -w '%{http_code}' -H 'Content-Type: application/json' -H 'X-Forwarded-For: 192.0.2.2' --data-binary "@$big")
    [[ $code == 400 ]] || fail "just under 2 MiB should reach the app (400 for bad JSON), got $code"
    info "JSON: 2 MiB + 1 byte → 413 from nginx (problem+json over HTTP/1.1, security headers on both); 2 MiB - 1 KiB → the app's 400"

    local upload=$WORK/import.csv
    # (yes ends on SIGPIPE once head has enough; that is the point, not an error)
    { echo "this,is,not,a,known,export"; yes '1,2,3,4,5,6' | head -c $((90 * 1024 * 1024)) || true; } >"$upload"
    local start body
    start=$(now)
    body=$(https_get "/api/v1/organizations/$OWNER_ORG/imports?tz=UTC" -H "Authorization: Bearer $OWNER_TOKEN" \
        -H 'X-Forwarded-For: 192.0.2.3' -F "file=@$upload;type=text/csv" -w '\n%{http_code}' --max-time 120)
    code=$(tail -n 1 <<<"$body")
    [[ $code == 422 ]] || fail "a 90 MiB import should reach the app and be refused as unreadable (422), got $code: $(head -c 300 <<<"$body")"
    info "90 MiB import → the app's 422 after $(elapsed "$start") s ($(head -n 1 <<<"$body" | json_get detail))"
    truncate -s $((100 * 1024 * 1024 + 128 * 1024)) "$upload"
    code=$(https_get "/api/v1/organizations/$OWNER_ORG/imports?tz=UTC" -o /dev/null -w '%{http_code}' -H "Authorization: Bearer $OWNER_TOKEN" \
        -H 'X-Forwarded-For: 192.0.2.4' -F "file=@$upload;type=text/csv" --max-time 120)
    [[ $code == 413 ]] || fail "a 100.1 MiB import should be refused by nginx (413), got $code"
    rm -f "$upload" "$big"
    info "100 MiB + 128 KiB import → 413 from nginx"
}

hardening_bad_gateway() {
    log "no replica: nginx's 502/504 is problem+json with the security headers"
    tls stop -t 30 app >/dev/null 2>&1
    local headers
    headers=$(https_get /api/system/version -D - | tr -d '\r')
    tls start app >/dev/null 2>&1
    # 502 (refused) or 504 (the stopped replicas' addresses no longer answer): nginx's own error
    grep -qE '^HTTP/2 50[24]' <<<"$headers" || fail "expected 502 or 504 without replicas: $(head -n 1 <<<"$headers")"
    local status
    status=$(head -n 1 <<<"$headers" | awk '{ print $2 }')
    grep -qi '^content-type: application/problem+json' <<<"$headers" || fail "$status is not problem+json: $headers"
    grep -q "\"status\":$status" <<<"$headers" || fail "$status body: $headers"
    grep -qi '^x-frame-options: DENY' <<<"$headers" || fail "$status lacks the security headers: $headers"
    grep -qi '^strict-transport-security:' <<<"$headers" || fail "$status lacks HSTS"
    wait_until 120 "the replicas back" tls_all_healthy
    wait_until 30 "nginx to reach the replicas again" https_get /api/system/health -f -o /dev/null
    info "$status problem+json with CSP, X-Frame-Options, nosniff, HSTS; replicas back"
}
