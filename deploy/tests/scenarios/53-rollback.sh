# Scenario: deploy/scripts/rollback. With no recorded previous version it changes nothing and
# says so; then v2 → v1 under the same load and readiness polling as the rolling update, with no
# failed request. Afterwards the previous release's binary serves the schema the newer release
# migrated (expand/contract): its own `migrate status` lists the newer migrations and the current
# `gogotime smoke` passes against it through nginx.
# shellcheck shell=bash

SCENARIOS+=(rollback_release)

rollback_release() {
    rel_stack_up
    if [[ $(grep '^GOGOTIME_TAG=' "$REL_ENV") != "GOGOTIME_TAG=$REL_V2" ]]; then
        rel_script rollout "$REL_V2" || fail "getting to v2 first"
    fi
    log "rollback without a recorded previous version: refused, nothing changed"
    local bare=$WORK/rel-no-previous.env before after replicas
    grep -v '^GOGOTIME_PREVIOUS_TAG=' "$REL_ENV" >"$bare"
    chmod 600 "$bare"
    before=$(sha256sum <"$bare")
    replicas=$(rel_replicas | sort)
    if GOGOTIME_ENV_FILE=$bare rel_script_env rollback; then fail "rollback succeeded without a previous version"; fi
    grep -q 'no previous version recorded (GOGOTIME_PREVIOUS_TAG is not set in' "$WORK/rel-script.log" || fail "unexpected message"
    after=$(sha256sum <"$bare")
    [[ $before == "$after" ]] || fail "the env file changed"
    [[ $(rel_replicas | sort) == "$replicas" ]] || fail "the replicas changed"
    info "refused: $(grep -o 'no previous version recorded.*' "$WORK/rel-script.log" | cut -c1-120)…"

    log "rollback v2 → v1 under load"
    load_start rollback
    local start took
    start=$(now)
    rel_script rollback || fail "rollback failed"
    took=$(elapsed "$start")
    load_stop rollback
    replicas_report "$REL_V1_VERSION"
    [[ $(grep '^GOGOTIME_PREVIOUS_TAG=' "$REL_ENV") == "GOGOTIME_PREVIOUS_TAG=$REL_V2" ]] || fail "the version left was not recorded"
    figure "rollback: v2 → v1" "$took s (script: $(grep -o 'took .*' "$WORK/rel-script.log" | tail -n 1))"

    log "expand/contract: the previous release on the newer schema"
    local status newer
    # a replica the rollback started (they are numbered on from the ones it replaced)
    status=$(docker exec "$(rel_replicas | head -n 1)" gogotime migrate status 2>&1) || fail "migrate status in a v1 replica: $status"
    newer=$(grep -c ' newer ' <<<"$status" || true)
    info "v1's migrate status: $(tail -n 1 <<<"$status"), $newer newer than v1: $(grep ' newer ' <<<"$status" | awk '{ print $1, $3 }' | tr '\n' ' ')"
    ((newer > 0)) || info "note: the previous release has the same migrations as this checkout; the check holds trivially"
    rel_smoke "$REL_V1_VERSION" >"$WORK/smoke-v1.log" 2>&1 || { cat "$WORK/smoke-v1.log" >&3; fail "smoke against v1 on the newer schema"; }
    sed 's/^/      /' "$WORK/smoke-v1.log" >&3
    figure "expand/contract: v1 on the newer schema" "$newer newer migration(s); $(tail -n 1 "$WORK/smoke-v1.log")"
}

# rel_script with GOGOTIME_ENV_FILE from the caller (the env file without a previous version)
rel_script_env() {
    local status=0
    COMPOSE_PROJECT_NAME=$REL_PROJECT COMPOSE_FILE=$REL_FILES \
        timeout 600 "$REPO/deploy/scripts/$1" "${@:2}" >"$WORK/rel-script.log" 2>&1 || status=$?
    sed 's/^/      /' "$WORK/rel-script.log" >&3
    return "$status"
}

# this checkout's `gogotime smoke` (the v2 image) through nginx, on the stack's network
rel_smoke() { # EXPECTED_VERSION
    docker run --rm --network "${REL_PROJECT}_frontend" -e GOGOTIME_SMOKE_TOKEN="$REL_TOKEN" \
        "$IMAGE_REPO:$REL_V2" smoke --url http://nginx --org "$REL_SMOKE_ORG" --expect-version "$1"
}
