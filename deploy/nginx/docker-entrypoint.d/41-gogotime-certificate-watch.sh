#!/bin/sh
# Started by the nginx image's entrypoint before nginx. Reloads nginx (gracefully: open
# connections finish on the old workers) when the certificate file changes, i.e. after the
# certbot service renewed it or an operator replaced their own files (GOGOTIME_TLS=files).
set -eu
mode=${GOGOTIME_TLS:-letsencrypt}
poll=${GOGOTIME_CERTIFICATE_POLL_SECONDS:-10}
case $mode in
    letsencrypt) cert=/etc/letsencrypt/gogotime/fullchain.pem ;;
    files) cert=/etc/nginx/tls/fullchain.pem ;;
    *) exit 0 ;;
esac

fingerprint() { cksum "$cert" "${cert%fullchain.pem}privkey.pem" 2>/dev/null || true; }

watch() {
    last=$(fingerprint)
    while sleep "$poll"; do
        now=$(fingerprint)
        if [ -n "$now" ] && [ "$now" != "$last" ]; then
            echo "gogotime-certificate-watch: $cert changed; reloading nginx" >&2
            # a failed reload (e.g. key and certificate caught mid-copy) keeps the running
            # configuration and is retried on the next poll
            if nginx -s reload; then last=$now; fi
        fi
    done
}

watch </dev/null &
echo "gogotime-certificate-watch: watching $cert every ${poll}s (pid $!)" >&2
