#!/usr/bin/env bash
# Static checks of the monitoring kit, each run with the tool that will read the file, inside the
# monitoring images (deploy/monitoring/images/build.sh) so nothing else needs installing:
#
#   promtool check rules + test rules   alerts.yaml, alerts.test.yaml (every alert, fires and silent)
#   promtool check config               prometheus.yml as render.sh fills it with the defaults
#   promtool check service-discovery    the targets each GOGOTIME_TLS mode gives the edge, tls and
#                                       acme jobs (scheme of the probe, targets dropped)
#   amtool check-config                 alertmanager.yml (rendered) and the email example
#   blackbox_exporter --config.check    blackbox.yml
#   rsyslogd -N1                        rsyslog.conf
#   mtail --one_shot                    nginx.mtail against a sample of the central log, and the
#                                       fields it reads present in nginx's log_format
#   prometheusrule.sh --check           the Kubernetes PrometheusRule carries alerts.yaml's groups
#   dashboards + provisioning           structure every panel must have (grafana_lint.py)
#   docker-compose config               compose.prod.yaml + compose.monitoring.yaml
#
# Usage: deploy/monitoring/check.sh   (MONITORING_IMAGE_PREFIX / _TAG as for build.sh)
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
repo=$(cd "$here/../.." && pwd)
prefix=${MONITORING_IMAGE_PREFIX:-gogotime-monitoring}
tag=${MONITORING_IMAGE_TAG:-bookworm}

ok() { printf '    %-34s ok\n' "$1" >&2; }
fail() { printf 'check.sh: %s\n' "$*" >&2; exit 1; }
run() { # IMAGE ENTRYPOINT ARGS...: the image with the kit mounted read-only at /kit
    local image=$prefix/$1:$tag entrypoint=$2
    shift 2
    docker run --rm --read-only --tmpfs /tmp --network none -v "$here:/kit:ro" \
        --entrypoint "$entrypoint" "$image" "$@"
}

# The defaults compose.monitoring.yaml gives render.sh, read from the file itself so the two
# cannot drift; the webhook URLs have none (the operator must set them), so example ones stand in.
defaults=()
while IFS= read -r pair; do defaults+=(-e "$pair"); done < <(
    grep -oE '[A-Z_]+: \$\{[A-Z_]+:-[^}]*\}' "$repo/compose.monitoring.yaml" \
        | sed -E 's/^([A-Z_]+): \$\{[A-Z_]+:-([^}]*)\}$/\1=\2/' | sort -u
)
defaults+=(-e ALERTMANAGER_WEBHOOK_URL=https://hooks.example.com/warning
    -e ALERTMANAGER_CRITICAL_WEBHOOK_URL=https://hooks.example.com/critical)

out=$(run prometheus promtool check rules /kit/alerts.yaml 2>&1) || fail "promtool check rules: $out"
ok "promtool check rules"
out=$(run prometheus sh -c 'cd /kit && promtool test rules alerts.test.yaml' 2>&1) || fail "promtool test rules: $out"
ok "promtool test rules ($(grep -c '^  - name:' "$here/alerts.test.yaml") cases)"

prometheus_rendered() { # ENV... -- COMMAND...: COMMAND with the rendered /tmp/prometheus.yml
    local env=()
    while [[ $1 != -- ]]; do env+=(-e "$1"); shift; done
    shift
    docker run --rm --read-only --tmpfs /tmp --network none "${defaults[@]}" "${env[@]}" \
        -v "$here/render.sh:/etc/gogotime/render.sh:ro" \
        -v "$here/prometheus/prometheus.yml:/etc/gogotime/prometheus.yml:ro" \
        -v "$here/alerts.yaml:/etc/prometheus/alerts.yaml:ro" \
        --entrypoint /bin/sh "$prefix/prometheus:$tag" /etc/gogotime/render.sh \
        /etc/gogotime/prometheus.yml /tmp/prometheus.yml -- "$@"
}
out=$(prometheus_rendered -- promtool check config /tmp/prometheus.yml 2>&1) || fail "promtool check config: $out"
ok "promtool check config"

# What each TLS mode scrapes, after relabelling: "JOB=probe target or address", one per target.
discovered() { # GOGOTIME_TLS
    local job
    for job in edge tls acme; do
        prometheus_rendered "GOGOTIME_TLS=$1" -- promtool check service-discovery --timeout=2s /tmp/prometheus.yml "$job" \
            | python3 -c '
import json, sys
for target in json.load(sys.stdin):
    labels = target["labels"]
    if labels:  # a dropped target is listed with no labels
        print("%s=%s" % (sys.argv[1], labels.get("__param_target", labels["__address__"])))' "$job"
    done | paste -sd' '
}
for expected in \
    "letsencrypt:edge=https://nginx/api/system/health tls=nginx:443 acme=nginx:9180" \
    "files:edge=https://nginx/api/system/health tls=nginx:443" \
    "off:edge=http://nginx/api/system/health"; do
    mode=${expected%%:*}
    out=$(discovered "$mode" 2>&1) || fail "promtool check service-discovery (GOGOTIME_TLS=$mode): $out"
    [[ $out == "${expected#*:}" ]] || fail "GOGOTIME_TLS=$mode scrapes '$out', expected '${expected#*:}'"
done
ok "targets per GOGOTIME_TLS mode (3)"

out=$(docker run --rm --read-only --tmpfs /tmp --network none "${defaults[@]}" \
    -v "$here/render.sh:/etc/gogotime/render.sh:ro" \
    -v "$here/alertmanager/alertmanager.yml:/etc/gogotime/alertmanager.yml:ro" \
    --entrypoint /bin/sh "$prefix/alertmanager:$tag" /etc/gogotime/render.sh \
    /etc/gogotime/alertmanager.yml /tmp/alertmanager.yml -- amtool check-config /tmp/alertmanager.yml 2>&1) \
    || fail "amtool check-config alertmanager.yml: $out"
out=$(run alertmanager amtool check-config /kit/alertmanager/alertmanager.email.example.yml 2>&1) \
    || fail "amtool check-config (email example): $out"
ok "amtool check-config (2 files)"

out=$(run blackbox-exporter prometheus-blackbox-exporter --config.file=/kit/blackbox/blackbox.yml --config.check 2>&1) \
    || fail "blackbox config: $out"
ok "blackbox_exporter --config.check"

out=$(run rsyslog rsyslogd -N1 -f /kit/rsyslog/rsyslog.conf 2>&1) || fail "rsyslogd -N1: $out"
ok "rsyslogd -N1"

# two access lines (200 and 502) and one error-log line, which must not count
out=$(run mtail mtail --progs /kit/mtail --logs /kit/mtail/nginx.test.log --one_shot --one_shot_format prometheus 2>&1) \
    || fail "mtail: $out"
for expected in 'nginx_http_requests_total{prog="nginx.mtail",status="200"} 1' \
    'nginx_http_requests_total{prog="nginx.mtail",status="502"} 1' \
    'nginx_http_response_bytes_total{prog="nginx.mtail"} 133' \
    'nginx_http_request_duration_seconds_count{prog="nginx.mtail"} 2' \
    'nginx_http_request_duration_seconds_bucket{prog="nginx.mtail",le="1"} 1'; do
    grep -qxF "$expected" <<<"$out" || fail "mtail one-shot lacks '$expected':
$out"
done
[[ $(grep -c '^nginx_http_requests_total' <<<"$out") -eq 2 ]] || fail "mtail counted the error-log line: $out"
# the fields mtail reads, as nginx writes them (deploy/nginx/nginx.conf's log_format json)
# shellcheck disable=SC2016 # nginx variables, literally
for field in '"request_id":"$request_id"' '"status":$status' '"bytes_sent":$body_bytes_sent' '"request_time":$request_time'; do
    grep -qF "$field" "$repo/deploy/nginx/nginx.conf" || fail "nginx's log_format no longer writes $field, which nginx.mtail reads"
done
ok "mtail nginx.mtail (one-shot; log_format fields)"

"$here/prometheusrule.sh" --check || fail "the Kubernetes PrometheusRule differs from alerts.yaml"
ok "PrometheusRule = alerts.yaml's groups"

python3 "$here/grafana_lint.py" "$here/grafana" || fail "Grafana dashboards"
ok "Grafana dashboards and provisioning"

printf 'GOGOTIME_TAG=lint\nPOSTGRES_PASSWORD=x\nJWT_SECRET=x\nGOGOTIME_DOMAIN=x.test\nLETSENCRYPT_EMAIL=x@x.test\nALERTMANAGER_WEBHOOK_URL=https://hooks.example.com/w\nALERTMANAGER_CRITICAL_WEBHOOK_URL=https://hooks.example.com/c\n' \
    >"${TMPDIR:-/tmp}/gogotime-monitoring-lint.env"
out=$(docker-compose -f "$repo/compose.prod.yaml" -f "$repo/compose.monitoring.yaml" \
    --env-file "${TMPDIR:-/tmp}/gogotime-monitoring-lint.env" config -q 2>&1) || fail "docker-compose config: $out"
rm -f "${TMPDIR:-/tmp}/gogotime-monitoring-lint.env"
ok "docker-compose config (prod + monitoring)"
