# Helpers of the release scenarios (scenarios/50-…56-): the image versions, the one stack they
# share, the deploy scripts run against it, and the load that runs through nginx meanwhile.
# Sourced by run.sh through scenarios/51-release-images.sh; needs REPO, PREFIX, IMAGE, IMAGE_REPO,
# IMAGE_TAG, ENV_FILE, WORK and the helpers of deploy/tests/lib.sh.
# shellcheck shell=bash

readonly REL_PROJECT=$PREFIX-rel REL_ENV=$WORK/rel.env
readonly REL_PORT=${GOGOTIME_CI_RELEASE_PORT:-18084}
readonly REL_FILES="$REPO/compose.prod.yaml:$REPO/deploy/tests/releases/compose.alias.yaml"
# v1: the previous release's binary; v2: this checkout (the image run.sh built); v3: a broken v2
readonly REL_V1=$IMAGE_TAG-v1 REL_V2=$IMAGE_TAG-v2 REL_V3=$IMAGE_TAG-v3
# a new replica gets this long to become healthy (the broken v3 needs it to run out)
readonly REL_HEALTH_TIMEOUT=25
REL_IMAGES_READY="" REL_STACK_UP=""

rel() { COMPOSE_FILE=$REL_FILES timeout 600 docker-compose -p "$REL_PROJECT" --env-file "$REL_ENV" "$@"; }

cleanup_rel() {
    [[ -s $REL_ENV ]] && rel down --volumes --remove-orphans --timeout 10 >/dev/null 2>&1
    return 0
}
on_cleanup cleanup_rel
report_rel() {
    [[ -n $REL_STACK_UP ]] || return 0
    rel ps 2>/dev/null
    rel logs --no-color --tail 25 nginx 2>/dev/null | sed 's/^/    /'
    [[ -s $WORK/rel-script.log ]] && sed 's/^/    script | /' "$WORK/rel-script.log" | tail -n 40 >&3
    return 0
}
on_failure report_rel

# --- images ---------------------------------------------------------------------------------------

# The previous release: GOGOTIME_CI_PREVIOUS_RELEASE, else the newest v* tag below HEAD, else
# HEAD's first parent (main before this change: what production runs when this change rolls
# out, with this change's new migrations, if any, still unseen). Not an older commit: the
# production stack's services (the backup service, for one) need what main already has.
previous_release() {
    if [[ -n ${GOGOTIME_CI_PREVIOUS_RELEASE:-} ]]; then
        git -C "$REPO" rev-parse --verify "${GOGOTIME_CI_PREVIOUS_RELEASE}^{commit}"
        return
    fi
    local tag
    tag=$(git -C "$REPO" describe --tags --abbrev=0 --match 'v[0-9]*' HEAD^ 2>/dev/null || true)
    if [[ -n $tag ]]; then
        git -C "$REPO" rev-parse "$tag^{commit}"
        return
    fi
    git -C "$REPO" rev-parse --verify 'HEAD^1^{commit}'
}

cargo_version() { sed -n 's/^version *= *"\(.*\)"/\1/p' "$1/Cargo.toml" | head -n 1; }

# The previous release's binary, compiled here (debug profile, with this checkout's build
# directory so the dependencies compiled for the test suite are reused: minutes instead of a
# second cold image build). When its Cargo.toml carries the same version as this checkout (no
# release was tagged in between), it is built as VERSION-previous so the two are told apart.
build_previous_binary() {
    local commit=$1 src=$WORK/previous-src version
    rm -rf "$src"
    mkdir -p "$src"
    git -C "$REPO" archive "$commit" | tar -x -C "$src"
    version=$(cargo_version "$src")
    if [[ $version == "$(cargo_version "$REPO")" ]]; then
        local relabelled=$version-previous
        sed -i "0,/^version = \"$version\"/s//version = \"$relabelled\"/" "$src/Cargo.toml"
        awk -v v="$version" -v r="$relabelled" '
            $0 == "name = \"gogotime\"" { ours = 1 }
            ours && $0 == "version = \"" v "\"" { $0 = "version = \"" r "\""; ours = 0 }
            { print }' "$src/Cargo.lock" >"$src/Cargo.lock.new"
        mv "$src/Cargo.lock.new" "$src/Cargo.lock"
        version=$relabelled
    fi
    # intermediate artifacts in this checkout's build directory (the dependencies are reused),
    # the finished binary in a target directory of its own, so target/debug/gogotime stays this
    # checkout's and needs no re-link afterwards
    # The binary is stripped below, so the crate itself is compiled without line tables and
    # without incremental state: both only cost time in a one-off build (the dependencies keep
    # their flags, so they are still reused).
    (cd "$src" && CARGO_BUILD_BUILD_DIR=$REPO/target CARGO_TARGET_DIR=$WORK/previous-target \
        GOGOTIME_GIT_COMMIT=${commit:0:12} CARGO_INCREMENTAL=0 \
        timeout 1800 cargo build --locked --bin gogotime --config 'profile.dev.package.gogotime.debug=false' \
        >"$WORK/previous-build.log" 2>&1) \
        || { tail -n 30 "$WORK/previous-build.log" >&3; fail "building the previous release ($commit)"; }
    mkdir -p "$WORK/previous"
    strip -o "$WORK/previous/gogotime" "$WORK/previous-target/debug/gogotime"
    echo "$version"
}

# A derived image: the runtime of IMAGE with another binary and the labels that binary reports.
image_with_binary() { # TAG BINARY_DIR VERSION COMMIT
    cat >"$2/Dockerfile" <<DOCKERFILE
FROM $IMAGE
COPY gogotime /usr/local/bin/gogotime
LABEL org.opencontainers.image.version="$3" org.opencontainers.image.revision="$4"
DOCKERFILE
    docker build --quiet --force-rm -t "$IMAGE_REPO:$1" "$2" >/dev/null
}

# label, --version and /api/system/version of one image must agree
versions_agree() { # IMAGE
    local label revision line
    label=$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}}' "$1")
    revision=$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.revision"}}' "$1")
    line=$(docker run --rm "$1" --version)
    [[ -n $label ]] || fail "$1 has no org.opencontainers.image.version label"
    [[ $line == "gogotime $label (commit $revision)" || $line == "gogotime $label" ]] \
        || fail "$1: label says $label (commit $revision), the binary says '$line'"
    echo "$label"
}

rel_images() {
    [[ -n $REL_IMAGES_READY ]] && return 0
    log "release images: v1 (previous release), v2 (this checkout), v3 (broken)"
    local start commit
    start=$(now)
    commit=$(previous_release)
    REL_V1_VERSION=$(build_previous_binary "$commit")
    image_with_binary "$REL_V1" "$WORK/previous" "$REL_V1_VERSION" "${commit:0:12}"
    figure "release images: previous release built" "$(elapsed "$start") s (commit ${commit:0:12}, version $REL_V1_VERSION)"
    docker tag "$IMAGE" "$IMAGE_REPO:$REL_V2"
    REL_V2_VERSION=$(versions_agree "$IMAGE_REPO:$REL_V2")
    [[ $REL_V2_VERSION == "$(cargo_version "$REPO")" ]] || fail "the image says $REL_V2_VERSION, Cargo.toml $(cargo_version "$REPO")"
    [[ $(versions_agree "$IMAGE_REPO:$REL_V1") == "$REL_V1_VERSION" ]] || fail "v1 labels"
    # v3: this release with a serve that never comes up (a start-up hang), so its preflight and
    # migration pass but no replica ever becomes healthy. The image has no shell: this test-only
    # image adds a static busybox for its entrypoint (case/echo/exec are the shell's own).
    mkdir -p "$WORK/broken"
    cp /bin/busybox "$WORK/broken/busybox"
    cat >"$WORK/broken/Dockerfile" <<DOCKERFILE
FROM $IMAGE_REPO:$REL_V2
COPY busybox /test/busybox
ENTRYPOINT ["/test/busybox", "sh", "-c", "case \"\$1\" in serve) echo 'serve: hanging on start (broken test release)' >&2; exec sleep 3600;; esac; exec gogotime \"\$@\"", "gogotime"]
DOCKERFILE
    docker build --quiet --force-rm -t "$IMAGE_REPO:$REL_V3" "$WORK/broken" >/dev/null
    info "v1 $IMAGE_REPO:$REL_V1 = $REL_V1_VERSION; v2 $IMAGE_REPO:$REL_V2 = $REL_V2_VERSION; v3 $IMAGE_REPO:$REL_V3 = v2 hanging on start"
    REL_IMAGES_READY=1
}

# --- the stack ------------------------------------------------------------------------------------

rel_api() { # METHOD PATH [JSON]: as the owner (personal API token), through nginx
    local args=(-fsS --max-time 10 -X "$1" -H "Authorization: Bearer $REL_TOKEN" -H 'Content-Type: application/json')
    [[ -n ${3:-} ]] && args+=(-d "$3")
    curl "${args[@]}" "http://127.0.0.1:$REL_PORT$2"
}

rel_stack_up() {
    [[ -n $REL_STACK_UP ]] && return 0
    rel_images
    log "release stack: 3 replicas of v1 behind nginx"
    grep -v -E '^(GOGOTIME_TAG|GOGOTIME_REPLICAS|NGINX_HTTP_PUBLISH|NGINX_HTTPS_PUBLISH)=' "$ENV_FILE" >"$REL_ENV"
    {
        echo "GOGOTIME_TAG=$REL_V1"
        echo "GOGOTIME_REPLICAS=3"
        echo "NGINX_HTTP_PUBLISH=127.0.0.1:$REL_PORT"
        # HTTPS is not used here: any free loopback port, so no other stack's port is taken
        echo "NGINX_HTTPS_PUBLISH=127.0.0.1:"
    } >>"$REL_ENV"
    chmod 600 "$REL_ENV"
    rel down --volumes --remove-orphans --timeout 5 >/dev/null 2>&1 || true
    REL_STACK_UP=1
    local start
    start=$(now)
    if ! { rel build --quiet backup && rel up -d; } >"$WORK/rel-up.log" 2>&1; then
        cat "$WORK/rel-up.log" >&3
        fail "release stack up"
    fi
    wait_until 180 "the release stack healthy" rel_all_healthy
    wait_until 30 "nginx to answer" http -o /dev/null "http://127.0.0.1:$REL_PORT/api/system/health"
    figure "release stack: up to all healthy" "$(elapsed "$start") s"
    local body token
    body='{"email":"owner@example.test","password":"correct horse battery staple","name":"Owner","organization_name":"Load"}'
    curl -fsS -o /dev/null -H 'Content-Type: application/json' -d "$body" "http://127.0.0.1:$REL_PORT/api/v1/auth/register" \
        || fail "registering the owner"
    token=$(curl -fsS -H 'Content-Type: application/json' -d '{"email":"owner@example.test","password":"correct horse battery staple"}' \
        "http://127.0.0.1:$REL_PORT/api/v1/auth/token" | json_value access_token)
    REL_TOKEN=$token
    REL_TOKEN=$(rel_api POST /api/v1/me/api-tokens '{"name":"release tests"}' | json_value secret)
    REL_ORG=$(rel_api GET /api/v1/organizations | json_value 0 id)
    rel_api PATCH "/api/v1/organizations/$REL_ORG" '{"allow_overlap":true}' >/dev/null
    REL_SMOKE_ORG=$(rel_api POST /api/v1/organizations '{"name":"Smoke"}' | json_value id)
    info "owner, organizations Load ($REL_ORG) and Smoke ($REL_SMOKE_ORG), a personal API token"
}

rel_all_healthy() {
    local c service
    for c in $(project_containers "$REL_PROJECT"); do
        service=$(docker inspect -f '{{index .Config.Labels "com.docker.compose.service"}}' "$c")
        if [[ $service == migrate ]]; then
            [[ $(docker inspect -f '{{.State.Status}} {{.State.ExitCode}}' "$c") == "exited 0" ]] || return 1
        else
            is_healthy "$c" || return 1
        fi
    done
}

json_value() { python3 -c 'import json,sys; v=json.load(sys.stdin); [v:=v[int(k)] if isinstance(v,list) else v[k] for k in sys.argv[1:]]; print(v)' "$@"; }

# The running replicas of the app service (not one-off containers).
rel_replicas() {
    docker ps -q --filter "label=com.docker.compose.project=$REL_PROJECT" --filter label=com.docker.compose.service=app \
        --filter label=com.docker.compose.oneoff=False
}

# every replica answers /api/system/version with VERSION (asked directly, not through nginx)
replicas_report() { # VERSION
    local c ip got n=0
    for c in $(rel_replicas); do
        ip=$(ip_on "$c" _frontend)
        got=$(http "http://$ip:8080/api/system/version" | json_value version)
        [[ $got == "$1" ]] || fail "replica $(docker inspect -f '{{.Name}}' "$c") reports $got, expected $1"
        n=$((n + 1))
    done
    ((n == 3)) || fail "expected 3 replicas, found $n"
    info "all $n replicas report $1"
}

# A deploy script against the release stack; its output is kept (and shown indented).
rel_script() { # NAME ARGS...
    local status=0
    GOGOTIME_ENV_FILE=$REL_ENV COMPOSE_PROJECT_NAME=$REL_PROJECT COMPOSE_FILE=$REL_FILES \
        GOGOTIME_HEALTH_TIMEOUT=$REL_HEALTH_TIMEOUT GOGOTIME_SMOKE_TOKEN=$REL_TOKEN GOGOTIME_SMOKE_ORG=$REL_SMOKE_ORG \
        timeout 600 "$REPO/deploy/scripts/$1" "${@:2}" >"$WORK/rel-script.log" 2>&1 || status=$?
    sed 's/^/      /' "$WORK/rel-script.log" >&3
    return "$status"
}

# the "took …" seconds the script printed for PART (e.g. "switch")
script_seconds() { grep -o "$1 [0-9.]* s" "$WORK/rel-script.log" | tail -n 1 | awk '{ print $(NF - 1) }'; }

# --- load -----------------------------------------------------------------------------------------

load_start() { # NAME: mixed load at 20 requests/s plus 5 readiness polls/s, through nginx
    LOAD_OUT=$WORK/load-$1.json
    rm -f "$LOAD_OUT" "$LOAD_OUT.stop"
    LOAD_TOKEN=$REL_TOKEN LOAD_ORG=$REL_ORG python3 "$REPO/deploy/tests/releases/load.py" \
        "http://127.0.0.1:$REL_PORT" "load-$1" "$LOAD_OUT" --rate 20 --readiness 5 --max-seconds 300 \
        2>"$WORK/load-$1.err" &
    LOAD_PID=$!
    sleep 2
}

load_stop() { # NAME: stop, then assert 0 failed requests and every acknowledged write present
    sleep 2
    touch "$LOAD_OUT.stop"
    wait "$LOAD_PID" || { cat "$WORK/load-$1.err" >&3; fail "the load generator failed"; }
    python3 - "$LOAD_OUT" "$1" <<'PY' >&3 || fail "requests failed during $1 (above)"
import json, sys
s = json.load(open(sys.argv[1]))
print(f"    load: {s['sent']} requests in {s['seconds']} s, {s['failed']} failed, slowest {s['slowest']} s; "
      f"readiness polls {s['readiness_sent']}, {s['readiness_failed']} failed; "
      f"writes acknowledged {s['writes_acknowledged']}, missing {len(s['writes_missing'])}")
bad = s["failed"] or s["readiness_failed"] or s["writes_missing"] or not s["writes_acknowledged"]
if bad:
    print("    failures:", s["failures"], s["readiness_failures"], "missing:", s["writes_missing"][:10])
sys.exit(1 if bad else 0)
PY
    local line
    line=$(python3 -c 'import json,sys; s=json.load(open(sys.argv[1])); print("%s sent, %s failed, slowest %s s; readiness %s/%s failed; writes %s, missing %d" % (s["sent"], s["failed"], s["slowest"], s["readiness_sent"], s["readiness_failed"], s["writes_acknowledged"], len(s["writes_missing"])))' "$LOAD_OUT")
    figure "$1: requests" "$line"
}

# Between AT and UNTIL (epoch seconds; "inf" for the end of the load), every version read through
# nginx answered VERSION. A read counts by when it started: one that began before AT may still
# have answered the old set.
only_version_between() { # AT UNTIL VERSION
    python3 - "$LOAD_OUT" "$1" "$2" "$3" <<'PY' >&3
import json, sys
s = json.load(open(sys.argv[1]))
at, until, want = float(sys.argv[2]), float(sys.argv[3]), sys.argv[4]
window = [v for v in s["versions"] if at <= v[0] < until]
wrong = [v for v in window if v[1] != want]
if wrong:
    print(f"    {len(wrong)} of {len(window)} reads after the switch to {want} answered another version: {wrong[:5]}")
else:
    print(f"    {len(window)} version reads between the switch to {want} and the next command, all {want}")
sys.exit(1 if wrong or not window else 0)
PY
}
