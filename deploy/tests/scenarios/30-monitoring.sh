# Scenario: the production stack with the monitoring overlay (compose.monitoring.yaml), for real.
# The kit's static checks; the stack comes up; every scrape target is up; a bounded burst of
# traffic through nginx; every PromQL expression of every dashboard panel and alert rule answers
# from the live Prometheus (non-empty where the burst made data); one request found by its
# request_id in the central log in nginx's and the app's line; a replica killed and the
# instance-down alert delivered to a webhook receiver through the real Alertmanager, then resolved.
# Short scrape/evaluation intervals come from the overlay's variables; the rules are unchanged.
# shellcheck shell=bash

SCENARIOS+=(monitoring)

readonly MON_PROJECT=$PREFIX-mon
readonly MON_IMAGE_PREFIX=$PREFIX-monitoring
readonly MON_PROMETHEUS_PORT=${GOGOTIME_CI_PROMETHEUS_PORT:-18090}
readonly MON_ALERTMANAGER_PORT=${GOGOTIME_CI_ALERTMANAGER_PORT:-18093}
readonly MON_SYSLOG_PORT=${GOGOTIME_CI_SYSLOG_PORT:-18014}
readonly MON_RECEIVER=$PREFIX-mon-alert-receiver
# what Grafana would put for $__rate_interval at this scrape interval (4 scrapes and then some)
readonly MON_RATE_WINDOW=1m
MON_STARTED=""

mon() {
    timeout 600 docker-compose -p "$MON_PROJECT" -f "$REPO/compose.prod.yaml" -f "$REPO/compose.monitoring.yaml" \
        --env-file "$WORK/monitoring.env" "$@"
}

mon_cleanup() {
    [[ -n $MON_STARTED ]] || return 0
    docker rm -f "$MON_RECEIVER" >/dev/null 2>&1
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
    mon_series_figures idle
    mon_burst
    mon_series_figures "after the burst"
    mon_queries
    mon_central_log
    mon_alert_round_trip
    # the receiver first: it holds an endpoint on the project's network
    docker rm -f "$MON_RECEIVER" >/dev/null
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

mon_up() {
    log "monitoring: production stack + compose.monitoring.yaml (3 replicas, short intervals)"
    {
        cat "$ENV_FILE"
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
    } >"$WORK/monitoring.env"
    chmod 600 "$WORK/monitoring.env"
    MON_STARTED=1
    mon down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true
    local start
    start=$(now)
    mon up -d >"$WORK/mon-up.log" 2>&1 || { cat "$WORK/mon-up.log" >&2; fail "compose up with the monitoring overlay"; }
    wait_until 240 "every service of the monitored stack healthy" mon_all_healthy
    figure "monitored stack: up to all healthy" "$(elapsed "$start") s"
    mon_receiver_start
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
    wait_until 90 "all 11 targets up" mon_targets_all_up
    prom_query 'up' | python3 -c '
import json, sys
for r in sorted(json.load(sys.stdin)["data"]["result"], key=lambda r: (r["metric"]["job"], r["metric"]["instance"])):
    print("    up{job=%r, instance=%r} = %s" % (r["metric"]["job"], r["metric"]["instance"], r["value"][1]))' >&3
}

# 3 replicas + postgres, node, nginx (mtail), edge and tls probes, blackbox, alertmanager, prometheus
mon_targets_all_up() {
    [[ $(prom_value 'count(up == 1)') == 11 && $(prom_value 'count(up{job="gogotime"} == 1)') == 3 \
        && $(prom_value 'count(up == 0)') == "" ]]
}

mon_series_figures() { # WHEN
    local when=$1 series duration
    sleep 6 # one scrape after whatever just happened
    series=$(prom_value 'max(scrape_samples_scraped{job="gogotime"})')
    duration=$(prom_value 'max(scrape_duration_seconds{job="gogotime"}) * 1000')
    figure "series per replica ($when)" "$series (max over 3 replicas)"
    figure "replica scrape duration ($when)" "$(printf '%.1f ms' "$duration")"
}

api() { # METHOD PATH [TOKEN] [JSON]: status and body on two lines, through nginx
    local args=(-sS --max-time 20 -o "$WORK/api.out" -w '%{http_code}' -X "$1" "http://127.0.0.1:$HTTP_PORT/api/v1$2")
    [[ -n ${3:-} ]] && args+=(-H "Authorization: Bearer $3")
    [[ -n ${4:-} ]] && args+=(-H 'content-type: application/json' -d "$4")
    curl "${args[@]}"
    echo
    cat "$WORK/api.out"
}

expect() { # WANTED-STATUS METHOD PATH [TOKEN] [JSON]: the body, or fail
    local wanted=$1 out
    shift
    out=$(api "$@")
    [[ $(head -n 1 <<<"$out") == "$wanted" ]] || fail "$1 $2: expected $wanted, got: $out"
    tail -n +2 <<<"$out"
}

json() { python3 -c "import json,sys; print(json.load(sys.stdin)$1)"; }

# Every kind of product event the dashboards show, through nginx: registration, sign-ins that
# succeed, fail and get throttled, entries by API and timer, an export in every format and an
# import of that export into a second organization, plus plain page and API traffic and 404s.
mon_burst() {
    log "monitoring: a bounded burst of traffic through nginx"
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
    # 10 failures for one account, then the 11th attempt is refused without a check
    for i in $(seq 10); do expect 401 POST /auth/token "" '{"email":"intruder@example.test","password":"guess"}' >/dev/null; done
    expect 429 POST /auth/token "" '{"email":"intruder@example.test","password":"guess"}' >/dev/null
    local range='from=2026-11-01&to=2026-11-30&tz=UTC' format
    for format in csv json xlsx; do
        curl -fsS --max-time 20 -o "$WORK/export.$format" -H "Authorization: Bearer $token" \
            "http://127.0.0.1:$HTTP_PORT/api/v1/organizations/$org/exports/entries.$format?$range"
    done
    curl -fsS --max-time 20 -o "$WORK/export.pdf" -H "Authorization: Bearer $token" \
        "http://127.0.0.1:$HTTP_PORT/api/v1/organizations/$org/exports/summary.pdf?$range&group=project"
    org2=$(expect 201 POST /organizations "$token" '{"name":"Acme Two"}' | json '["id"]')
    local import_status
    for dry_run in true false; do
        import_status=$(curl -sS --max-time 60 -o "$WORK/import.out" -w '%{http_code}' -H "Authorization: Bearer $token" \
            -F "file=@$WORK/export.csv;type=text/csv" \
            "http://127.0.0.1:$HTTP_PORT/api/v1/organizations/$org2/imports?tz=UTC&dry_run=$dry_run")
        [[ $import_status == 20? ]] || fail "import (dry_run=$dry_run): $import_status $(cat "$WORK/import.out")"
    done
    info "imported $(json '["entries_to_create"]' <"$WORK/import.out") entries from the CSV export into a second organization"
    for i in $(seq 60); do
        http -o /dev/null "http://127.0.0.1:$HTTP_PORT/api/system/version"
        http -o /dev/null -H "Authorization: Bearer $token" "http://127.0.0.1:$HTTP_PORT/api/v1/organizations/$org/time-entries?limit=5"
        curl -s -o /dev/null --max-time 5 "http://127.0.0.1:$HTTP_PORT/no-such-page-$i"
    done
    http -o /dev/null "http://127.0.0.1:$HTTP_PORT/"
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
# Panels that may be empty after the burst, and why; every other panel must show data.
MAY_BE_EMPTY = {
    "Certificate validity left": "nginx serves plain HTTP in this stack (no certificate to probe yet)",
    "Last successful backup": "the backup service is not part of this stack",
}
failed = 0
counts = {"panel": 0, "rule": 0, "empty": 0}
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
    title = where.split(" / ")[1]
    if kind == "panel" and not result:
        if title in MAY_BE_EMPTY:
            counts["empty"] += 1
            print(f"    empty (expected: {MAY_BE_EMPTY[title]}): {where}")
        else:
            print(f"    FAIL empty panel {where}\n         {query}")
            failed += 1
    elif kind == "rule":
        firing = ", ".join(sorted({json.dumps(r["metric"], sort_keys=True) for r in result})) or "-"
        print(f"    rule {where}: {len(result)} series {firing if result else ''}".rstrip())
print(f"    {counts['panel']} panel queries ({counts['empty']} empty as expected), {counts['rule']} rule expressions: "
      + ("ok" if not failed else f"{failed} failed"))
sys.exit(1 if failed else 0)
PY
}

# One request through nginx, found by its request id in the central log: nginx's access line and
# the app's request line, both as JSON objects carrying the same request_id.
mon_central_log() {
    log "monitoring: one request followed through the central log by its request_id"
    local id rsyslog
    id=$(curl -fsS --max-time 5 -o /dev/null -D - "http://127.0.0.1:$HTTP_PORT/api/system/version" \
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
    info "central log files: $(docker exec "$rsyslog" sh -c 'cd /var/log/central && ls -d */ | tr -d / | tr "\n" " "')"
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
