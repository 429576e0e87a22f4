# Scenario: rolling update v1 → v2 with deploy/scripts/rollout on the release stack, under a
# bounded mixed load through nginx (20 requests/s, a quarter of them writes) and a client polling
# readiness through nginx (5/s): no failed request, no failed poll, every acknowledged write
# present afterwards, every replica on v2, the previous version recorded.
# shellcheck shell=bash

SCENARIOS+=(rolling_update)

rolling_update() {
    rel_stack_up
    replicas_report "$REL_V1_VERSION"
    log "rolling update v1 → v2 under load"
    load_start rolling_update
    local start
    start=$(now)
    rel_script rollout "$REL_V2" || fail "rollout $REL_V2 failed"
    local took
    took=$(elapsed "$start")
    load_stop rolling_update
    replicas_report "$REL_V2_VERSION"
    [[ $(grep '^GOGOTIME_TAG=' "$REL_ENV") == "GOGOTIME_TAG=$REL_V2" ]] || fail "GOGOTIME_TAG was not recorded"
    [[ $(grep '^GOGOTIME_PREVIOUS_TAG=' "$REL_ENV") == "GOGOTIME_PREVIOUS_TAG=$REL_V1" ]] || fail "GOGOTIME_PREVIOUS_TAG was not recorded"
    [[ $(rel_replicas | wc -l) -eq 3 ]] || fail "the old replicas were not removed"
    figure "rolling_update: rollout v1 → v2" "$took s (script: $(grep -o 'took .*' "$WORK/rel-script.log" | tail -n 1))"
}
