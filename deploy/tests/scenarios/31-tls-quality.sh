# Scenario: the TLS configuration nginx serves, as a scanner sees it (sslscan from Debian, on the
# stack's network): TLS 1.2 and 1.3 only, and only the ciphers of Mozilla's "intermediate"
# profile; a TLS 1.1 handshake is refused by the server. Uses the stack of 30-tls-acme.sh.
# shellcheck shell=bash

SCENARIOS+=(tls_quality)

# Mozilla intermediate (deploy/nginx/snippets/gogotime-tls.conf) plus the TLS 1.3 suites
readonly MOZILLA_INTERMEDIATE="ECDHE-ECDSA-AES128-GCM-SHA256 ECDHE-RSA-AES128-GCM-SHA256 ECDHE-ECDSA-AES256-GCM-SHA384 ECDHE-RSA-AES256-GCM-SHA384 ECDHE-ECDSA-CHACHA20-POLY1305 ECDHE-RSA-CHACHA20-POLY1305 DHE-RSA-AES128-GCM-SHA256 DHE-RSA-AES256-GCM-SHA384 DHE-RSA-CHACHA20-POLY1305 TLS_AES_128_GCM_SHA256 TLS_AES_256_GCM_SHA384 TLS_CHACHA20_POLY1305_SHA256"

tls_quality() {
    tls_stack_up
    log "TLS scan (sslscan) of nginx:443"
    local scan=$WORK/sslscan.txt
    tls_tools sslscan --no-colour --sni-name="$TLS_DOMAIN" nginx:443 >"$scan" 2>&1 || { cat "$scan" >&3; fail "sslscan"; }
    local protocol state
    for protocol in SSLv2 SSLv3 TLSv1.0 TLSv1.1 TLSv1.2 TLSv1.3; do
        state=$(awk -v p="$protocol" '$1 == p && ($2 == "enabled" || $2 == "disabled") { print $2 }' "$scan")
        case $protocol in
            TLSv1.2 | TLSv1.3) [[ $state == enabled ]] || fail "$protocol is '$state', expected enabled" ;;
            *) [[ $state == disabled ]] || fail "$protocol is '$state', expected disabled" ;;
        esac
    done
    local accepted cipher bad=""
    accepted=$(awk '$1 == "Accepted" || $1 == "Preferred" { print $2 " " $5 }' "$scan")
    [[ -n $accepted ]] || fail "sslscan listed no accepted cipher: $(head -n 40 "$scan")"
    while read -r _ cipher; do
        [[ " $MOZILLA_INTERMEDIATE " == *" $cipher "* ]] || bad+=" $cipher"
    done <<<"$accepted"
    [[ -z $bad ]] || fail "ciphers outside Mozilla intermediate accepted:$bad"
    grep -q 'TLS renegotiation' "$scan" && info "$(grep -A1 'TLS renegotiation' "$scan" | tail -n 1 | sed 's/^ *//')"
    local summary
    summary="TLSv1.2+1.3 only; $(wc -l <<<"$accepted") ciphers, all Mozilla intermediate: $(awk '{ print $2 }' <<<"$accepted" | sort -u | paste -sd' ')"
    figure "TLS scan" "$summary"
    grep -A3 'SSL Certificate' "$scan" | sed 's/^/    /' >&3 || true

    # the server, not the client, must be what refuses TLS 1.1: the client allows it explicitly
    local out
    if out=$(tls_tools python3 - "$TLS_DOMAIN" 2>&1 <<'PY'
import socket, ssl, sys
ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE
ctx.set_ciphers("ALL:@SECLEVEL=0")
ctx.minimum_version = ssl.TLSVersion.TLSv1_1
ctx.maximum_version = ssl.TLSVersion.TLSv1_1
with socket.create_connection(("nginx", 443), timeout=5) as sock:
    with ctx.wrap_socket(sock, server_hostname=sys.argv[1]) as tls:
        print("negotiated", tls.version())
PY
    ); then
        fail "a TLS 1.1 handshake succeeded: $out"
    fi
    grep -qiE 'protocol version|unsupported protocol|handshake failure' <<<"$out" || fail "TLS 1.1 failed for another reason: $out"
    info "TLS 1.1 handshake refused by the server: $(tail -n 1 <<<"$out")"
}
