# Scenario: the production stack with the monitoring overlay (compose.monitoring.yaml), for real,
# in the production default TLS mode: certbot obtains the certificate from pebble (Let's Encrypt's
# test server, as in 30-tls-acme.sh) on the stack's own network. The kit's static checks; the
# stack comes up; every scrape target is up (replicas, exporters, probes, the backup service,
# the certificate's ACME status); the backup the service took at start, the certificate nginx
# serves and the ACME status are read back from Prometheus with their exact values; a bounded
# burst of traffic through nginx over HTTPS; every PromQL expression of every dashboard panel and
# alert rule answers from the live Prometheus, every panel with data; one request found by its
# request_id in the central log in nginx's and the app's line, and every service's log there; a
# replica killed and the instance-down alert delivered to a webhook receiver through the real
# Alertmanager, then resolved. Short scrape/evaluation intervals come from the overlay's
# variables; the rules are unchanged.
# shellcheck shell=bash

SCENARIOS+=(monitoring)

readonly MON_PROJECT=$PREFIX-mon
readonly MON_IMAGE_PREFIX=$PREFIX-monitoring
readonly MON_PROMETHEUS_PORT=${GOGOTIME_CI_PROMETHEUS_PORT:-18090}
readonly MON_ALERTMANAGER_PORT=${GOGOTIME_CI_ALERTMANAGER_PORT:-18093}
readonly MON_SYSLOG_PORT=${GOGOTIME_CI_SYSLOG_PORT:-18014}
readonly MON_RECEIVER=$PREFIX-mon-alert-receiver
readonly MON_PEBBLE=$PREFIX-mon-pebble MON_CHALLTESTSRV=$PREFIX-mon-challtestsrv
# pebble's root, fetched once the stack's pebble runs; the certificate nginx serves chains to it
readonly MON_ROOT=$WORK/mon-pebble-root.pem
# what Grafana would put for $__rate_interval at this scrape interval (4 scrapes and then some)
readonly MON_RATE_WINDOW=1m
MON_STARTED=""

mon() {
    timeout 600 docker-compose -p "$MON_PROJECT" -f "$REPO/compose.prod.yaml" -f "$REPO/compose.monitoring.yaml" \
        --env-file "$WORK/monitoring.env" "$@"
}

mon_cleanup() {
    [[ -n $MON_STARTED ]] || return 0
    # first the containers that hold an endpoint on the project's networks
    docker rm -f "$MON_RECEIVER" "$MON_PEBBLE" "$MON_CHALLTESTSRV" >/dev/null 2>&1
    mon down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
}
on_cleanup mon_cleanup

mon_failure_report() {
    [[ -n $MON_STARTED ]] || return 0
    mon ps 2>/dev/null
    echo "    --- alerts in Prometheus"
    curl -s --max-time 5 "http://127.0.0.1:$MON_PROMETHEUS_PORT/api/v1/alerts" | head -c 3000
    echo
    echo "    --- webhook receiver"
    docker logs --tail 10 "$MON_RECEIVER" 2>&1 | cut -c1-400 | sed 's/^/    /'
    local c
    for c in $(project_containers "$MON_PROJECT"); do
        echo "    --- $(docker inspect -f '{{.Name}}' "$c")"
        docker logs --tail 15 "$c" 2>&1 | sed 's/^/    /'
    done
}
on_failure mon_failure_report

monitoring() {
    mon_kit
    mon_up
    mon_targets
    mon_backup_and_certificate
    mon_series_figures idle
    mon_burst
    mon_series_figures "after the burst"
    mon_queries
    mon_central_log
    mon_alert_round_trip
    # the receiver and pebble first: they hold endpoints on the project's networks
    docker rm -f "$MON_RECEIVER" "$MON_PEBBLE" "$MON_CHALLTESTSRV" >/dev/null
    mon down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1 || fail "compose down of the monitored stack"
    MON_STARTED=""
}

mon_kit() {
    log "monitoring: images from Debian's packages, then the kit's static checks"
    local start
    start=$(now)
    MONITORING_IMAGE_PREFIX=$MON_IMAGE_PREFIX timeout 1200 "$REPO/deploy/monitoring/images/build.sh"
    figure "monitoring images ready" "$(elapsed "$start") s"
    if command -v hadolint >/dev/null; then
        hadolint "$REPO"/deploy/monitoring/images/*/Dockerfile
        info "hadolint (monitoring images): ok"
    fi
    MONITORING_IMAGE_PREFIX=$MON_IMAGE_PREFIX "$REPO/deploy/monitoring/check.sh"
}

prom_query() { # EXPR: the JSON answer of an instant query
    curl -fsS --max-time 10 --get --data-urlencode "query=$1" "http://127.0.0.1:$MON_PROMETHEUS_PORT/api/v1/query"
}

prom_value() { # EXPR: the first sample's value, or nothing
    prom_query "$1" | python3 -c 'import json,sys; r=json.load(sys.stdin)["data"]["result"]; print(r[0]["value"][1] if r else "")'
}

mon_write_env() { # extra KEY=VALUE lines
    {
        # the shared env file without its plain-HTTP settings: this stack runs the default mode
        grep -v -E '^(GOGOTIME_TLS|NGINX_TRUSTED_PROXIES)=' "$ENV_FILE"
        echo "GOGOTIME_TLS=letsencrypt"
        echo "ACME_SERVER=https://pebble:14000/dir"
        echo "ACME_CA_BUNDLE=$ACME_DIR/ca.pem"
        echo "CERTBOT_RETRY_SECONDS=2"
        echo "MONITORING_IMAGE_PREFIX=$MON_IMAGE_PREFIX"
        echo "PROMETHEUS_PUBLISH=127.0.0.1:$MON_PROMETHEUS_PORT"
        echo "ALERTMANAGER_PUBLISH=127.0.0.1:$MON_ALERTMANAGER_PORT"
        echo "LOG_SYSLOG_PORT=$MON_SYSLOG_PORT"
        echo "PROMETHEUS_SCRAPE_INTERVAL=5s"
        echo "PROMETHEUS_SCRAPE_TIMEOUT=4s"
        echo "PROMETHEUS_EVALUATION_INTERVAL=5s"
        echo "PROMETHEUS_DNS_REFRESH_INTERVAL=5s"
        echo "ALERTMANAGER_GROUP_WAIT=5s"
        echo "ALERTMANAGER_GROUP_INTERVAL=10s"
        echo "ALERTMANAGER_WEBHOOK_URL=http://alert-receiver:8080/alerts/warning"
        echo "ALERTMANAGER_CRITICAL_WEBHOOK_URL=http://alert-receiver:8080/alerts/critical"
        echo "GOGOTIME_INSTALLATION=$MON_PROJECT"
        printf '%s\n' "$@"
    } >"$WORK/monitoring.env"
    chmod 600 "$WORK/monitoring.env"
}

mon_network() { echo "${MON_PROJECT}_frontend"; }
# a client on the stack's frontend network (curl, openssl, python3)
mon_tools() { docker run --rm -i --network "$(mon_network)" -v "$ACME_DIR:/acme:ro" "$TLS_TOOLS_IMAGE" "$@"; }

mon_up() {
    log "monitoring: production stack + compose.monitoring.yaml (3 replicas, HTTPS from pebble, short intervals)"
    MON_STARTED=1
    docker rm -f "$MON_RECEIVER" "$MON_PEBBLE" "$MON_CHALLTESTSRV" >/dev/null 2>&1 || true
    mon_write_env
    mon down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true
    acme_certificates
    local start
    start=$(now)
    MON_UP_EPOCH=$(date +%s)
    # rsyslog and certbot first: that creates the network pebble must join (see tls_stack_up)
    mon up -d certbot >"$WORK/mon-up.log" 2>&1 || { cat "$WORK/mon-up.log" >&2; fail "compose up certbot (monitoring)"; }
    local gateway
    gateway=$(docker network inspect -f '{{(index .IPAM.Config 0).Gateway}}' "$(mon_network)")
    # this machine is the trusted proxy in front: its X-Forwarded-For names the client
    mon_write_env "NGINX_TRUSTED_PROXIES=$gateway/32"
    mon_start_pebble
    mon up -d >>"$WORK/mon-up.log" 2>&1 &
    local up=$!
    mon_point_dns_at_nginx
    wait "$up" || { cat "$WORK/mon-up.log" >&2; fail "compose up with the monitoring overlay"; }
    wait_until 60 "pebble's root certificate" mon_pebble_root
    wait_until 180 "a valid HTTPS answer with the issued certificate" mon_https /api/system/health -f -o /dev/null
    wait_until 240 "every service of the monitored stack healthy" mon_all_healthy
    figure "monitored stack: up to all healthy (HTTPS)" "$(elapsed "$start") s"
    mon_receiver_start
}

mon_start_pebble() {
    docker run -d --name "$MON_CHALLTESTSRV" --network "$(mon_network)" --network-alias challtestsrv \
        --entrypoint pebble-challtestsrv "$PEBBLE_IMAGE" \
        -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 :8053 -http01 "" -https01 "" -tlsalpn01 "" \
        -management :8055 >/dev/null
    local dns
    dns=$(ip_on "$MON_CHALLTESTSRV" "$(mon_network)")
    docker run -d --name "$MON_PEBBLE" --network "$(mon_network)" --network-alias pebble \
        -v "$ACME_DIR:/pebble:ro" "$PEBBLE_IMAGE" -config /pebble/config.json -dnsserver "$dns:8053" >/dev/null
}

# pebble validates the challenge at whatever its DNS says: nginx, as soon as nginx has an address
mon_point_dns_at_nginx() {
    local ip="" nginx i
    for i in $(seq 2400); do
        nginx=$(project_containers "$MON_PROJECT" nginx)
        [[ -n $nginx ]] && ip=$(ip_on "$nginx" "$(mon_network)") && [[ -n $ip ]] && break
        sleep 0.1
    done
    [[ -n $ip ]] || fail "nginx got no address within $((i / 10)) s"
    mon_tools curl -fsS -X POST -d "{\"ip\":\"$ip\"}" http://challtestsrv:8055/set-default-ipv4 >/dev/null
}

mon_pebble_root() { mon_tools curl -fsS --cacert /acme/ca.pem https://pebble:15000/roots/0 >"$MON_ROOT" && [[ -s $MON_ROOT ]]; }

mon_https() { # PATH [curl args...]: from this machine through nginx's published port, verified
    local path=$1
    shift
    curl -sS --max-time 20 --cacert "$MON_ROOT" --resolve "$TLS_DOMAIN:$HTTPS_PORT:127.0.0.1" "$@" \
        "https://$TLS_DOMAIN:$HTTPS_PORT$path"
}

mon_all_healthy() {
    local c service state
    for c in $(project_containers "$MON_PROJECT"); do
        service=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$c")
        state=$(health_of "$c")
        case $service in
            migrate) [[ $(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$c") == "exited 0" ]] || return 1 ;;
            # "running" is what health_of says of a container without a health check
            *) [[ $state == healthy || $state == running ]] || return 1 ;;
        esac
    done
}

# The webhook receiver: nginx (the stand-in image already built) logging each POSTed body as a
# JSON line with its arrival time; the test reads the lines back with `docker logs`.
mon_receiver_start() {
    docker rm -f "$MON_RECEIVER" >/dev/null 2>&1 || true
    cat >"$WORK/receiver.conf" <<'CONF'
log_format alert escape=json '{"received":$msec,"uri":"$uri","body":"$request_body"}';
server {
    listen 8080;
    client_body_buffer_size 1m;
    client_max_body_size 1m;
    location /alerts/ {
        access_log /dev/stdout alert;
        # $request_body is only kept for a proxied request: answer 200 from a local server
        proxy_pass http://127.0.0.1:8081/;
    }
}
server {
    listen 127.0.0.1:8081;
    access_log off;
    return 200 "ok\n";
}
CONF
    local network
    network=$(docker network ls -q --filter "label=com.docker.compose.project=$MON_PROJECT" \
        --filter "label=com.docker.compose.network=monitoring")
    [[ -n $network ]] || fail "the monitoring network of $MON_PROJECT does not exist"
    docker run -d --name "$MON_RECEIVER" --network "$network" --network-alias alert-receiver \
        -v "$WORK/receiver.conf:/etc/nginx/conf.d/default.conf:ro" nginx:1.22 >/dev/null \
        || fail "could not start the webhook receiver"
    info "webhook receiver $MON_RECEIVER on the monitoring network"
}

mon_targets() {
    log "monitoring: every scrape target up"
    wait_until 90 "all 13 targets up" mon_targets_all_up
    prom_query 'up' | python3 -c '
import json, sys
for r in sorted(json.load(sys.stdin)["data"]["result"], key=lambda r: (r["metric"]["job"], r["metric"]["instance"])):
    print("    up{job=%r, instance=%r} = %s" % (r["metric"]["job"], r["metric"]["instance"], r["value"][1]))' >&3
}

# 3 replicas + postgres, node, nginx (mtail), edge and tls probes, acme (nginx:9180), backup,
# blackbox, alertmanager, prometheus
mon_targets_all_up() {
    [[ $(prom_value 'count(up == 1)') == 13 && $(prom_value 'count(up{job="gogotime"} == 1)') == 3 \
        && $(prom_value 'count(up == 0)') == "" ]]
}

# What the backup, certificate and ACME panels and alerts read, against the facts: the backup the
# service took when the stack started, the certificate nginx serves (its notAfter, read here with
# openssl), a probe through nginx that spoke TLS, and an ACME account without failures.
mon_backup_and_certificate() {
    log "monitoring: backup, certificate and ACME metrics equal what the stack did"
    wait_until 60 "the backup service's first backup in Prometheus" mon_backup_seen
    local backup_at
    backup_at=$(prom_value 'max(gogotime_backup_last_success_timestamp_seconds{job="backup"})')
    ((backup_at >= MON_UP_EPOCH && backup_at <= $(date +%s))) \
        || fail "gogotime_backup_last_success_timestamp_seconds is $backup_at; the stack started at $MON_UP_EPOCH"
    info "backup taken by the service at start: $(date -u -d "@$backup_at" +%FT%TZ) ($(($(date +%s) - backup_at)) s ago)"
    local not_after probe file
    not_after=$(openssl s_client -connect "127.0.0.1:$HTTPS_PORT" -servername "$TLS_DOMAIN" </dev/null 2>/dev/null \
        | openssl x509 -noout -enddate | cut -d= -f2)
    not_after=$(date -u -d "$not_after" +%s)
    wait_until 30 "the probe of the issued certificate" mon_probe_sees "$not_after"
    probe=$(prom_value 'probe_ssl_earliest_cert_expiry{job="tls"}')
    file=$(prom_value 'gogotime_tls_certificate_expiry_timestamp_seconds{job="acme"}')
    [[ $probe == "$not_after" && $file == "$not_after" ]] \
        || fail "certificate expiry: served $not_after, probe $probe, certbot's metric $file"
    info "certificate notAfter $(date -u -d "@$not_after" +%FT%TZ): served = probe_ssl_earliest_cert_expiry = gogotime_tls_certificate_expiry_timestamp_seconds"
    [[ $(prom_value 'gogotime_acme_consecutive_failures{job="acme"}') == 0 \
        && $(prom_value 'gogotime_tls_certificate_temporary{job="acme"}') == 0 ]] \
        || fail "ACME status: $(prom_query '{job="acme", __name__=~"gogotime_acme_.*|gogotime_tls_.*"}')"
    (($(prom_value 'gogotime_acme_last_success_timestamp_seconds{job="acme"}') >= MON_UP_EPOCH)) || fail "no ACME success since the stack started"
    [[ $(prom_value 'probe_http_ssl{job="edge", instance="https://nginx/api/system/health"}') == 1 \
        && $(prom_value 'probe_success{job="edge"}') == 1 ]] || fail "the edge probe did not succeed over TLS: $(prom_query 'probe_http_ssl')"
    info "ACME: 0 failures, real certificate; edge probe https://nginx/api/system/health over TLS: success"
}

mon_backup_seen() { [[ -n $(prom_value 'gogotime_backup_last_success_timestamp_seconds{job="backup"} > 0') ]]; }
mon_probe_sees() { [[ $(prom_value 'probe_ssl_earliest_cert_expiry{job="tls"}') == "$1" && $(prom_value 'gogotime_tls_certificate_expiry_timestamp_seconds{job="acme"}') == "$1" ]]; }

mon_series_figures() { # WHEN
    local when=$1 series duration
    sleep 6 # one scrape after whatever just happened
    series=$(prom_value 'max(scrape_samples_scraped{job="gogotime"})')
    duration=$(prom_value 'max(scrape_duration_seconds{job="gogotime"}) * 1000')
    figure "series per replica ($when)" "$series (max over 3 replicas)"
    figure "replica scrape duration ($when)" "$(printf '%.1f ms' "$duration")"
}

mon_api() { # METHOD PATH [TOKEN] [JSON] [curl args...]: status and body on two lines, through nginx
    local args=(-o "$WORK/api.out" -w '%{http_code}' -X "$1")
    [[ -n ${3:-} ]] && args+=(-H "Authorization: Bearer $3")
    [[ -n ${4:-} ]] && args+=(-H 'content-type: application/json' -d "$4")
    mon_https "/api/v1$2" "${args[@]}" "${@:5}"
    echo
    cat "$WORK/api.out"
}

expect() { # WANTED-STATUS METHOD PATH [TOKEN] [JSON]: the body, or fail
    local wanted=$1 out
    shift
    out=$(mon_api "$@")
    [[ $(head -n 1 <<<"$out") == "$wanted" ]] || fail "$1 $2: expected $wanted, got: $out"
    tail -n +2 <<<"$out"
}

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Every kind of product event the dashboards show, through nginx over HTTPS: registration,
# sign-ins that succeed, fail and get throttled, entries by API and timer, an export in every
# format and an import of that export into a second organization, plus plain page and API
# traffic, 404s and plain-HTTP requests that nginx redirects.
mon_burst() {
    log "monitoring: a bounded burst of traffic through nginx (HTTPS)"
    local start token org org2 i password='correct horse battery staple'
    start=$(now)
    expect 201 POST /auth/register "" "{\"email\":\"owner@example.test\",\"password\":\"$password\",\"name\":\"Owner\",\"organization_name\":\"Acme\"}" >/dev/null
    token=$(expect 200 POST /auth/token "" "{\"email\":\"owner@example.test\",\"password\":\"$password\"}" | json '["access_token"]')
    org=$(expect 200 GET /organizations "$token" | json '[0]["id"]')
    for i in $(seq 12); do
        expect 201 POST "/organizations/$org/time-entries" "$token" \
            "{\"start\":\"2026-11-$(printf %02d "$i")T09:00:00Z\",\"end\":\"2026-11-$(printf %02d "$i")T12:30:00Z\",\"description\":\"Burst $i\"}" >/dev/null
    done
    for i in 1 2 3; do
        expect 201 POST "/organizations/$org/timer/start" "$token" "{\"description\":\"Timer $i\"}" >/dev/null
    done
    expect 200 POST "/organizations/$org/timer/stop" "$token" '{}' >/dev/null
    expect 201 POST "/organizations/$org/timer/start" "$token" '{"description":"Left running"}' >/dev/null
    # 10 failures for one account, then the 11th attempt is refused without a check (by the app:
    # each from another client address, so nginx's per-client limit on sign-ins stays out of it)
    for i in $(seq 10); do
        expect 401 POST /auth/token "" '{"email":"intruder@example.test","password":"guess"}' -H "X-Forwarded-For: 198.51.100.$i" >/dev/null
    done
    expect 429 POST /auth/token "" '{"email":"intruder@example.test","password":"guess"}' -H 'X-Forwarded-For: 198.51.100.11' >/dev/null
    local range='from=2026-11-01&to=2026-11-30&tz=UTC' format
    for format in csv json xlsx; do
        mon_https "/api/v1/organizations/$org/exports/entries.$format?$range" -f -o "$WORK/export.$format" \
            -H "Authorization: Bearer $token"
    done
    mon_https "/api/v1/organizations/$org/exports/summary.pdf?$range&group=project" -f -o "$WORK/export.pdf" \
        -H "Authorization: Bearer $token"
    org2=$(expect 201 POST /organizations "$token" '{"name":"Acme Two"}' | json '["id"]')
    local import_status
    for dry_run in true false; do
        import_status=$(mon_https "/api/v1/organizations/$org2/imports?tz=UTC&dry_run=$dry_run" --max-time 60 \
            -o "$WORK/import.out" -w '%{http_code}' -H "Authorization: Bearer $token" -F "file=@$WORK/export.csv;type=text/csv")
        [[ $import_status == 20? ]] || fail "import (dry_run=$dry_run): $import_status $(cat "$WORK/import.out")"
    done
    info "imported $(json '["entries_to_create"]' <"$WORK/import.out") entries from the CSV export into a second organization"
    for i in $(seq 60); do
        mon_https /api/system/version -f -o /dev/null
        mon_https "/api/v1/organizations/$org/time-entries?limit=5" -f -o /dev/null -H "Authorization: Bearer $token"
        mon_https "/no-such-page-$i" -o /dev/null
    done
    mon_https / -f -o /dev/null
    local code
    for i in $(seq 5); do
        code=$(curl -sS --max-time 5 -o /dev/null -w '%{http_code}' -H "Host: $TLS_DOMAIN" "http://127.0.0.1:$HTTP_PORT/?plain=$i")
        [[ $code == 301 ]] || fail "plain HTTP answered $code, expected nginx's redirect (301)"
    done
    figure "monitoring burst (about 300 requests)" "$(elapsed "$start") s"
}

# Every expression of every dashboard panel and alert rule, against the live Prometheus.
mon_queries() {
    log "monitoring: every dashboard and alert query against the live Prometheus"
    sleep 8 # the burst's last requests scraped (two scrape intervals), mtail caught up
    python3 "$REPO/deploy/monitoring/grafana_lint.py" --queries "$REPO/deploy/monitoring/grafana" \
        "$REPO/deploy/monitoring/alerts.yaml" >"$WORK/queries.tsv"
    python3 - "$WORK/queries.tsv" "http://127.0.0.1:$MON_PROMETHEUS_PORT" "$MON_RATE_WINDOW" <<'PY' >&3 || fail "dashboard or alert queries"
import json, sys, urllib.parse, urllib.request

queries, base, window = sys.argv[1], sys.argv[2], sys.argv[3]
# Every panel must show data: the stack runs every source (HTTPS from pebble, the backup service).
failed = 0
counts = {"panel": 0, "rule": 0}
for line in open(queries):
    kind, where, expr = line.rstrip("\n").split("\t")
    query = expr.replace("$__rate_interval", window)
    url = base + "/api/v1/query?" + urllib.parse.urlencode({"query": query})
    try:
        answer = json.load(urllib.request.urlopen(url, timeout=10))
    except Exception as e:  # an HTTP 400 is a bad expression
        print(f"    FAIL {kind} {where}: {e}\n         {query}")
        failed += 1
        continue
    result = answer["data"]["result"]
    counts[kind] += 1
    if kind == "panel" and not result:
        print(f"    FAIL empty panel {where}\n         {query}")
        failed += 1
    elif kind == "rule":
        firing = ", ".join(sorted({json.dumps(r["metric"], sort_keys=True) for r in result})) or "-"
        print(f"    rule {where}: {len(result)} series {firing if result else ''}".rstrip())
print(f"    {counts['panel']} panel queries (none empty), {counts['rule']} rule expressions: "
      + ("ok" if not failed else f"{failed} failed"))
sys.exit(1 if failed else 0)
PY
}

# One request through nginx, found by its request id in the central log: nginx's access line and
# the app's request line, both as JSON objects carrying the same request_id.
mon_central_log() {
    log "monitoring: one request followed through the central log by its request_id"
    local id rsyslog
    id=$(mon_https /api/system/version -f -o /dev/null -D - \
        | tr -d '\r' | awk 'tolower($1) == "x-request-id:" { print $2 }')
    [[ -n $id ]] || fail "no x-request-id on the response"
    rsyslog=$(project_containers "$MON_PROJECT" rsyslog)
    wait_until 20 "request $id in nginx's and the app's central log" mon_log_has "$rsyslog" "$id"
    local service line
    for service in nginx app; do
        line=$(docker exec "$rsyslog" sh -c "grep -h -F '$id' /var/log/central/$service/*.log" | head -n 1)
        python3 -c '
import json, sys
line, id, service = sys.argv[1], sys.argv[2], sys.argv[3]
record = json.loads(line)
assert record["service"] == service, record
assert record["event"]["request_id"] == id, record
assert record["container"], record
print("    %-5s %s" % (service, json.dumps(record["event"], sort_keys=True)[:160]))' "$line" "$id" "$service" >&3 \
            || fail "the $service line for $id is not the expected JSON: $line"
    done
    # every service but rsyslog itself logs there, certbot and backup included
    local services missing="" present
    services=$(mon config --services | grep -vx rsyslog | sort)
    present=$(docker exec "$rsyslog" sh -c 'cd /var/log/central && for d in */; do ls "$d"*.log >/dev/null 2>&1 && echo "${d%/}"; done')
    for service in $services; do
        grep -qx "$service" <<<"$present" || missing+=" $service"
    done
    [[ -z $missing ]] || fail "no central log for:$missing (present: $(tr '\n' ' ' <<<"$present"))"
    info "central log files for every service: $(tr '\n' ' ' <<<"$services")"
}

mon_log_has() { # RSYSLOG ID
    docker exec "$1" sh -c "grep -q -F '$2' /var/log/central/nginx/*.log && grep -q -F '$2' /var/log/central/app/*.log"
}

receiver_alerts() { # STATUS ALERTNAME INSTANCE: notifications (arrival time) matching, one per line
    docker logs "$MON_RECEIVER" 2>/dev/null | python3 -c '
import json, sys
status, name, instance = sys.argv[1:4]
for line in sys.stdin:
    try:
        entry = json.loads(line)
        body = json.loads(entry["body"])
    except (ValueError, KeyError):
        continue
    for alert in body.get("alerts", []):
        labels = alert["labels"]
        if alert["status"] == status and labels.get("alertname") == name and labels.get("instance") == instance:
            print(entry["received"], entry["uri"], labels.get("severity"), labels.get("installation"))' "$@"
}

mon_notified() { [[ -n $(receiver_alerts "$@") ]]; }

mon_alert_round_trip() {
    log "monitoring: a replica killed; GoGoTimeInstanceDown through Alertmanager to the webhook, then resolved"
    local victim address killed arrived line
    victim=$(project_containers "$MON_PROJECT" app | head -n 1)
    address="$(ip_on "$victim" _frontend):9100"
    docker kill "$victim" >/dev/null
    killed=$(date +%s.%N)
    info "killed $(docker inspect -f '{{.Name}}' "$victim") ($address)"
    wait_until 180 "the firing GoGoTimeInstanceDown notification for $address" \
        mon_notified firing GoGoTimeInstanceDown "$address"
    line=$(receiver_alerts firing GoGoTimeInstanceDown "$address" | head -n 1)
    arrived=${line%% *}
    figure "replica killed -> alert at the webhook" "$(awk -v a="$killed" -v b="$arrived" 'BEGIN { printf "%.0f s", b - a }')"
    [[ $line == *" /alerts/warning warning $MON_PROJECT" ]] || fail "unexpected notification: $line"
    info "notification: $line (route: warning receiver; installation label present)"

    docker start "$victim" >/dev/null
    local restarted
    restarted=$(date +%s.%N)
    wait_until 180 "the resolved GoGoTimeInstanceDown notification for $address" \
        mon_notified resolved GoGoTimeInstanceDown "$address"
    line=$(receiver_alerts resolved GoGoTimeInstanceDown "$address" | head -n 1)
    figure "replica back -> resolved at the webhook" "$(awk -v a="$restarted" -v b="${line%% *}" 'BEGIN { printf "%.0f s", b - a }')"
}
