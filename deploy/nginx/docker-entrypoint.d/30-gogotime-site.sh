#!/bin/sh
# Started by the nginx image's entrypoint before nginx. Writes /etc/nginx/site/gogotime.conf from
# the environment, so the TLS mode is switched by variables and never by editing tracked files:
#
#   GOGOTIME_TLS=letsencrypt  (default) certificate from the certbot service, renewed by it
#   GOGOTIME_TLS=files        your own certificate: fullchain.pem + privkey.pem in /etc/nginx/tls
#   GOGOTIME_TLS=off          plain HTTP, only behind a TLS proxy listed in NGINX_TRUSTED_PROXIES
#
#   NGINX_TRUSTED_PROXIES      comma-separated addresses/CIDRs of a proxy or load balancer in front
#                              of nginx; their X-Forwarded-For names the client (real_ip)
#   GOGOTIME_BODY_LIMIT_BYTES  the app's body limit, applied by nginx too (default 2097152)
#   GOGOTIME_TLS_WAIT_SECONDS  how long to wait for the certificate files (default 300)
#
# With a TLS mode it waits for the certificate (the certbot service writes a temporary one before
# nginx starts) instead of letting nginx fail on a missing file.
set -eu
mode=${GOGOTIME_TLS:-letsencrypt}
proxies=${NGINX_TRUSTED_PROXIES:-}
body_limit=${GOGOTIME_BODY_LIMIT_BYTES:-2097152}
wait_seconds=${GOGOTIME_TLS_WAIT_SECONDS:-300}
out_dir=${GOGOTIME_NGINX_SITE_DIR:-/etc/nginx/site}
out=$out_dir/gogotime.conf

say() { echo "gogotime-site: $*" >&2; }
die() { say "error: $*"; exit 1; }

case $body_limit in
    '' | *[!0-9]*) die "GOGOTIME_BODY_LIMIT_BYTES is '$body_limit'; expected a whole number of bytes" ;;
esac

case $mode in
    letsencrypt) dir=/etc/letsencrypt/gogotime; chain=$dir/chain.pem ;;
    files) dir=/etc/nginx/tls; chain=$dir/fullchain.pem ;;
    off)
        [ -n "$proxies" ] || die "GOGOTIME_TLS=off serves plain HTTP and is meant only behind a TLS proxy or load balancer; set NGINX_TRUSTED_PROXIES to its addresses (e.g. 10.0.0.0/8), or use GOGOTIME_TLS=letsencrypt or files"
        ;;
    *) die "GOGOTIME_TLS is '$mode'; expected letsencrypt, files or off" ;;
esac

if [ "$mode" != off ]; then
    waited=0
    until [ -s "$dir/fullchain.pem" ] && [ -s "$dir/privkey.pem" ]; do
        if [ "$waited" -ge "$wait_seconds" ]; then
            if [ "$mode" = files ]; then
                die "no certificate in $dir: mount a directory holding fullchain.pem and privkey.pem there (GOGOTIME_TLS_FILES in compose.prod.yaml)"
            fi
            die "no certificate in $dir after ${wait_seconds}s: the certbot service writes one (a temporary one first); see its logs"
        fi
        [ $((waited % 10)) -eq 0 ] && say "waiting for $dir/fullchain.pem and privkey.pem"
        sleep 1
        waited=$((waited + 1))
    done
fi

mkdir -p "$out_dir"
# shellcheck disable=SC2016 # $scheme and friends are nginx variables, written literally
{
    echo "# Written by 30-gogotime-site.sh at container start for GOGOTIME_TLS=$mode; do not edit."
    echo "client_max_body_size $body_limit;"
    if [ -n "$proxies" ]; then
        echo "# the proxy/load balancer in front reports the client in X-Forwarded-For"
        echo "$proxies" | tr ',' '\n' | while read -r cidr; do
            [ -n "$cidr" ] && echo "set_real_ip_from $cidr;"
        done
        echo "real_ip_header X-Forwarded-For;"
        echo "real_ip_recursive on;"
    fi
    if [ "$mode" = off ]; then
        echo "# TLS ends at the trusted proxy in front: the app's users are on https"
        echo 'map $scheme $gogotime_forwarded_proto { default https; }'
        echo "include /etc/nginx/sites/http.conf;"
    else
        resolver=$(awk '$1 == "nameserver" { print $2; exit }' /etc/resolv.conf 2>/dev/null || true)
        echo 'map $scheme $gogotime_forwarded_proto { default $scheme; }'
        echo "ssl_certificate $dir/fullchain.pem;"
        echo "ssl_certificate_key $dir/privkey.pem;"
        echo "# issuer chain, for verifying stapled OCSP responses"
        echo "ssl_trusted_certificate $chain;"
        # OCSP responders are looked up by name; IPv6 only when the resolver is reachable that way
        [ -n "$resolver" ] && echo "resolver $resolver valid=300s ipv6=off;"
        echo "include /etc/nginx/sites/https.conf;"
        [ "$mode" = letsencrypt ] && echo "include /etc/nginx/sites/internal.conf;"
    fi
} >"$out.tmp"
mv "$out.tmp" "$out"
say "GOGOTIME_TLS=$mode; wrote $out"
