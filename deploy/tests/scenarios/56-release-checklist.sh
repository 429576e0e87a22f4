# Scenario: the checklist commands on the healthy release stack (v2), as an operator runs them:
# `gogotime preflight` inside the stack (the app service's configuration, the backup service's
# metrics, a replica's metrics) and `gogotime smoke` through nginx. Both must pass; their output
# is printed. Then the release stack is taken down.
# shellcheck shell=bash

SCENARIOS+=(release_checklist)

release_checklist() {
    rel_stack_up
    log "preflight and smoke on the healthy stack"
    local version
    version=$(http "http://127.0.0.1:$REL_PORT/api/system/version" | json_value version)
    rel run --rm --no-deps -T app preflight --env production \
        --backup-metrics http://backup:9100/metrics --metrics-url http://app:9100/metrics >"$WORK/preflight.log" 2>&1 \
        || { cat "$WORK/preflight.log" >&3; fail "preflight on the healthy stack"; }
    sed 's/^/      /' "$WORK/preflight.log" >&3
    grep -q '^✗' "$WORK/preflight.log" && fail "preflight printed a ✗ line"
    rel_smoke "$version" >"$WORK/smoke.log" 2>&1 || { cat "$WORK/smoke.log" >&3; fail "smoke on the healthy stack"; }
    sed 's/^/      /' "$WORK/smoke.log" >&3
    local last
    last=$(tail -n 1 "$WORK/preflight.log")
    figure "release_checklist: preflight" "${last#preflight: }"
    last=$(tail -n 1 "$WORK/smoke.log")
    figure "release_checklist: smoke" "${last#smoke: }"
    rel down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
    # shellcheck disable=SC2034 # read by releases/lib.sh
    REL_STACK_UP=""
}
