# Scenario: deploy/scripts/bluegreen on the release stack under load and readiness polling: v2 is
# deployed as a second complete set beside the live v1, health-checked and smoke-tested, then
# nginx switches to it in one reload; `switch` goes back to v1 and forth to v2 again, each in one
# reload; `finish` removes the idle set. No failed request or poll; after each switch returned,
# every request got the new set's version; each switch took effect within one second.
# shellcheck shell=bash

SCENARIOS+=(blue_green)

# runs a bluegreen command that switches to EXPECTED_VERSION and checks that the switch the script
# measured took less than a second; records when it started and returned, for the reads' check
bluegreen_step() { # EXPECTED_VERSION ARGS...
    local want=$1
    shift
    STEP_STARTS+=("$(date +%s.%N)")
    rel_script bluegreen "$@" || fail "bluegreen $* failed"
    local returned switch
    returned=$(date +%s.%N)
    switch=$(grep -o 'switched nginx to .* in [0-9.]* s' "$WORK/rel-script.log" | grep -o '[0-9.]* s$' | cut -d' ' -f1)
    [[ -n $switch ]] || fail "bluegreen $* printed no switch time"
    awk -v s="$switch" 'BEGIN { exit !(s < 1.0) }' || fail "the switch took $switch s"
    sleep 1.5
    SWITCHES+=("bluegreen $*: ${switch} s")
    SWITCH_CHECKS+=("$returned $want")
}

blue_green() {
    rel_stack_up
    if [[ $(grep '^GOGOTIME_TAG=' "$REL_ENV") != "GOGOTIME_TAG=$REL_V1" ]]; then
        rel_script rollout "$REL_V1" || fail "getting to v1 first"
    fi
    log "blue-green: v2 beside v1, switch, back, forth, finish; under load"
    SWITCHES=() SWITCH_CHECKS=() STEP_STARTS=()
    load_start blue_green
    local start
    start=$(now)
    bluegreen_step "$REL_V2_VERSION" deploy "$REL_V2"
    local deploy_took
    deploy_took=$(elapsed "$start")
    grep -q '✓ cleanup' "$WORK/rel-script.log" || fail "the smoke run before the switch did not complete"
    rel_script bluegreen status || fail "bluegreen status"
    grep -q "^live: 3 × $IMAGE_REPO:$REL_V2 " "$WORK/rel-script.log" || fail "v2 is not live"
    grep -q "^idle: 3 × $IMAGE_REPO:$REL_V1 " "$WORK/rel-script.log" || fail "v1 is not idle"
    bluegreen_step "$REL_V1_VERSION" switch
    bluegreen_step "$REL_V2_VERSION" switch
    rel_script bluegreen finish || fail "bluegreen finish"
    load_stop blue_green
    # each switch's reads: from its return until the next switch began (the last: to the end)
    local i at want until
    for i in "${!SWITCH_CHECKS[@]}"; do
        read -r at want <<<"${SWITCH_CHECKS[$i]}"
        until=${STEP_STARTS[$((i + 1))]:-inf}
        only_version_between "$at" "$until" "$want" || fail "requests after a switch reached the old set"
    done
    replicas_report "$REL_V2_VERSION"
    [[ $(grep '^GOGOTIME_TAG=' "$REL_ENV") == "GOGOTIME_TAG=$REL_V2" ]] || fail "GOGOTIME_TAG is not v2 after switching forth"
    [[ $(grep '^GOGOTIME_PREVIOUS_TAG=' "$REL_ENV") == "GOGOTIME_PREVIOUS_TAG=$REL_V1" ]] || fail "GOGOTIME_PREVIOUS_TAG is not v1"
    figure "blue_green: deploy (start, health, smoke, switch)" "$deploy_took s"
    figure "blue_green: switch durations" "$(IFS=';'; echo "${SWITCHES[*]}")"
}
