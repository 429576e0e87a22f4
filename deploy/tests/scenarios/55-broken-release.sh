# Scenario: a rollout to v3, whose replicas never become healthy (serve hangs on start), under
# load and readiness polling: the rollout aborts with status 1 after GOGOTIME_HEALTH_TIMEOUT, the
# v3 replicas are removed, the env file still says v2, every replica still serves v2, and no
# request or poll failed.
# shellcheck shell=bash

SCENARIOS+=(broken_release)

broken_release() {
    rel_stack_up
    if [[ $(grep '^GOGOTIME_TAG=' "$REL_ENV") != "GOGOTIME_TAG=$REL_V2" ]]; then
        rel_script rollout "$REL_V2" || fail "getting to v2 first"
    fi
    log "rollout of a broken v3 under load: aborts, v2 keeps serving"
    local env_before replicas_before
    env_before=$(sha256sum <"$REL_ENV")
    replicas_before=$(rel_replicas | sort)
    load_start broken_release
    local start took
    start=$(now)
    if rel_script rollout "$REL_V3"; then fail "the rollout of a release that never gets healthy succeeded"; fi
    took=$(elapsed "$start")
    load_stop broken_release
    grep -q 'not healthy after' "$WORK/rel-script.log" || fail "the rollout did not say which replicas stayed unhealthy"
    grep -q 'nothing changed: 3 replica(s) of '"$REL_V2"' keep serving' "$WORK/rel-script.log" || fail "no 'nothing changed' message"
    [[ $(sha256sum <"$REL_ENV") == "$env_before" ]] || fail "the env file was not restored"
    [[ $(rel_replicas | sort) == "$replicas_before" ]] || fail "the replicas changed"
    [[ -z $(docker ps -aq --filter "label=com.docker.compose.project=$REL_PROJECT" --filter "ancestor=$IMAGE_REPO:$REL_V3" --filter label=com.docker.compose.service=app) ]] \
        || fail "v3 replicas were left behind"
    replicas_report "$REL_V2_VERSION"
    figure "broken_release: rollout to v3 aborted after" "$took s (health timeout ${REL_HEALTH_TIMEOUT} s)"
}
