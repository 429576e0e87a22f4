#!/bin/sh
# The certbot service of compose.prod.yaml (runs in the official certbot/certbot image: POSIX sh,
# python3 with cryptography). Webroot mode: certbot writes challenge files into the acme-webroot
# volume, nginx serves them on port 80.
#
#   certbot.sh [run]      the service: temporary certificate → obtain → check for renewal on a schedule
#   certbot.sh renew-now  force a renewal now (nginx picks the new certificate up by itself)
#   certbot.sh status     the certificate nginx serves and the last ACME results
#
# nginx reads /etc/letsencrypt/gogotime/{fullchain,privkey,chain}.pem: a temporary self-signed
# certificate until the first issuance, then copies of certbot's lineage "gogotime" made by the
# deploy hook after every issuance or renewal. nginx reloads when fullchain.pem changes.
#
# Environment (compose.prod.yaml passes these through from the env file):
#   GOGOTIME_TLS                  letsencrypt (this script's job) | files | off (nothing to do)
#   GOGOTIME_DOMAIN               the name on the certificate
#   GOGOTIME_EXTRA_DOMAINS        more names, comma-separated (optional)
#   LETSENCRYPT_EMAIL             account address for expiry notices
#   ACME_SERVER                   ACME directory (default: Let's Encrypt production)
#   ACME_CA_BUNDLE_FILE           CA file the ACME server's own TLS certificate is checked against,
#                                 for a private ACME server (empty file: the public CAs)
#   CERTBOT_RENEW_INTERVAL_SECONDS  how often to check whether renewal is due (default 43200)
#   CERTBOT_RETRY_SECONDS         first wait after a failed attempt, doubled each time up to the
#                                 renewal interval (default 600)
set -eu

mode=${GOGOTIME_TLS:-letsencrypt}
domain=${GOGOTIME_DOMAIN:-}
extra=${GOGOTIME_EXTRA_DOMAINS:-}
email=${LETSENCRYPT_EMAIL:-}
server=${ACME_SERVER:-https://acme-v02.api.letsencrypt.org/directory}
ca_bundle=${ACME_CA_BUNDLE_FILE:-/etc/gogotime/acme-ca.pem}
interval=${CERTBOT_RENEW_INTERVAL_SECONDS:-43200}
retry=${CERTBOT_RETRY_SECONDS:-600}
here=$(cd "$(dirname "$0")" && pwd)
served=/etc/letsencrypt/gogotime
webroot=/var/www/acme
lineage=gogotime
metrics=$served/metrics.prom
state=$served/acme.state

say() { echo "gogotime-certbot: $*" >&2; }
die() { say "error: $*"; exit 1; }

# requests (certbot's HTTP client) trusts this file instead of the public CAs when it is given
if [ -s "$ca_bundle" ]; then
    export REQUESTS_CA_BUNDLE="$ca_bundle"
fi

names() { printf '%s,%s' "$domain" "$extra" | tr ',' '\n' | sed 's/^ *//; s/ *$//' | awk 'NF && !seen[$0]++'; }

check_settings() {
    case $domain in
        '' | *' '* | *://* | */*) die "GOGOTIME_DOMAIN is '$domain'; set it to the bare name users open, e.g. time.example.com" ;;
    esac
    case $email in
        ?*@?*.?*) ;;
        *) die "LETSENCRYPT_EMAIL is '$email'; set it to an address that receives Let's Encrypt's expiry notices" ;;
    esac
}

# --- state and metrics ------------------------------------------------------------------------

# acme.state holds "last_success last_failure consecutive_failures" across restarts
read_state() {
    last_success=0 last_failure=0 failures=0
    if [ -s "$state" ]; then read -r last_success last_failure failures <"$state" || true; fi
}

write_state() { echo "$last_success $last_failure $failures" >"$state.tmp" && mv "$state.tmp" "$state"; }

write_metrics() {
    read_state
    set -- 0 0 0
    if [ -s "$served/fullchain.pem" ]; then
        # shellcheck disable=SC2046 # three numbers
        set -- $(python3 "$here/certificate.py" info "$served/fullchain.pem")
    fi
    cat >"$metrics.tmp" <<METRICS
# HELP gogotime_tls_certificate_expiry_timestamp_seconds When the certificate nginx serves expires.
# TYPE gogotime_tls_certificate_expiry_timestamp_seconds gauge
gogotime_tls_certificate_expiry_timestamp_seconds $1
# HELP gogotime_tls_certificate_temporary 1 while nginx serves the temporary self-signed certificate.
# TYPE gogotime_tls_certificate_temporary gauge
gogotime_tls_certificate_temporary $3
# HELP gogotime_acme_last_success_timestamp_seconds Last ACME run that left a valid certificate (0: never).
# TYPE gogotime_acme_last_success_timestamp_seconds gauge
gogotime_acme_last_success_timestamp_seconds $last_success
# HELP gogotime_acme_last_failure_timestamp_seconds Last failed ACME run (0: never).
# TYPE gogotime_acme_last_failure_timestamp_seconds gauge
gogotime_acme_last_failure_timestamp_seconds $last_failure
# HELP gogotime_acme_consecutive_failures Failed ACME runs since the last success.
# TYPE gogotime_acme_consecutive_failures gauge
gogotime_acme_consecutive_failures $failures
METRICS
    mv "$metrics.tmp" "$metrics"
}

# --- the certificate nginx serves -------------------------------------------------------------

ensure_served_certificate() {
    mkdir -p "$served" "$webroot/.well-known/acme-challenge"
    if [ -s "$served/fullchain.pem" ] && [ -s "$served/privkey.pem" ]; then return; fi
    # shellcheck disable=SC2046 # one argument per name
    python3 "$here/certificate.py" temporary "$served" $(names)
    say "wrote a temporary self-signed certificate for $(names | tr '\n' ' ') so nginx can start on https"
}

# certbot's deploy hook (also saved in the lineage's renewal settings, so `certbot renew` run by
# hand uses it too): copy the new certificate where nginx reads it, key first.
deploy_hook() {
    lineage_dir=${RENEWED_LINEAGE:-/etc/letsencrypt/live/$lineage}
    for f in privkey.pem chain.pem fullchain.pem; do
        cp "$lineage_dir/$f" "$served/$f.tmp"
        chmod "$( [ $f = privkey.pem ] && echo 600 || echo 644)" "$served/$f.tmp"
        mv "$served/$f.tmp" "$served/$f"
    done
    say "installed the certificate of $lineage_dir for nginx (serial $(python3 "$here/certificate.py" info "$served/fullchain.pem" | cut -d' ' -f2))"
}

# Obtains the certificate when there is none (or the names changed), renews it when it is due
# (certbot's default: 30 days before expiry), does nothing otherwise.
acme_run() {
    set -- certonly --non-interactive --agree-tos --email "$email" --server "$server" \
        --webroot --webroot-path "$webroot" --cert-name "$lineage" \
        --keep-until-expiring --expand \
        --deploy-hook "/bin/sh $here/certbot.sh deploy-hook"
    for name in $(names); do set -- "$@" --domain "$name"; done
    certbot "$@"
}

record() { # ok|failed
    read_state
    now=$(date +%s)
    if [ "$1" = ok ]; then
        last_success=$now failures=0
    else
        last_failure=$now failures=$((failures + 1))
    fi
    write_state
    write_metrics
}

# nginx must answer the challenge path before asking the ACME server: a failed validation counts
# against Let's Encrypt's rate limits, a local check costs nothing.
wait_for_nginx() {
    probe=gogotime-probe-$$
    echo "$probe" >"$webroot/.well-known/acme-challenge/$probe"
    tries=0
    until python3 - "$probe" <<'PY' 2>/dev/null
import sys, urllib.request
probe = sys.argv[1]
with urllib.request.urlopen(f"http://nginx/.well-known/acme-challenge/{probe}", timeout=3) as r:
    sys.exit(0 if r.read().decode().strip() == probe else 1)
PY
    do
        tries=$((tries + 1))
        if [ "$tries" -ge 120 ]; then
            say "nginx does not serve $webroot yet; trying anyway"
            break
        fi
        sleep 1
    done
    rm -f "$webroot/.well-known/acme-challenge/$probe"
}

run() {
    if [ "$mode" != letsencrypt ]; then
        say "GOGOTIME_TLS=$mode: certificates do not come from ACME; nothing to do"
        mkdir -p "$served" && touch "$served/.idle"
        while :; do sleep 86400; done
    fi
    check_settings
    ensure_served_certificate
    write_metrics
    say "ACME directory $server; names $(names | tr '\n' ' ')"
    wait_for_nginx
    wait=$retry
    while :; do
        if acme_run; then
            record ok
            wait=$retry
            sleep "$interval"
        else
            record failed
            say "ACME run failed (see above); nginx keeps serving the current certificate; retrying in ${wait}s"
            sleep "$wait"
            wait=$((wait * 2))
            [ "$wait" -le "$interval" ] || wait=$interval
        fi
    done
}

renew_now() {
    check_settings
    # asked for now: no random delay (certbot spreads unattended renewals over minutes)
    if certbot renew --non-interactive --cert-name "$lineage" --force-renewal --no-random-sleep-on-renew; then
        record ok
    else
        record failed
        exit 1
    fi
}

status() {
    # shellcheck disable=SC2046 # three numbers
    set -- $(python3 "$here/certificate.py" info "$served/fullchain.pem")
    echo "serving: serial $2, expires $(date -u -d "@$1" 2>/dev/null || echo "$1"), temporary=$3"
    cat "$metrics"
}

case ${1:-run} in
    run) run ;;
    renew-now) renew_now ;;
    deploy-hook) deploy_hook ;;
    status) status ;;
    *) die "unknown command '$1'; expected run, renew-now or status" ;;
esac
