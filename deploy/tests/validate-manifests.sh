#!/usr/bin/env bash
# Strict offline validation of the Kubernetes and Cloud Run manifests (no cluster can run here):
#   1. render every overlay (and the cluster-wide issuers) with `kubectl kustomize`, and the Cloud
#      Run files with envsubst and example values;
#   2. consistency checks and facts for the container contract (manifests/check_manifests.py);
#   3. built-in kinds: kubernetes-validate --strict against Kubernetes 1.29, 1.30, 1.31 and 1.32
#      (Cloud Run's containers and volumes too, as a Pod);
#   4. custom resources: the @kubernetes-models packages' CRD schemas (cert-manager,
#      prometheus-operator, Knative, External Secrets) plus unknown-field checks, and our own
#      schemas for CloudNativePG, its Barman Cloud ObjectStore and Cloud Run jobs
#      (manifests/validate-custom-resources.mjs);
#   5. promtool check rules on the PrometheusRule's groups;
#   6. checkov policy scan of the rendered manifests and the Dockerfile: no failed check (skips
#      are justified where they are declared);
#   7. a self-test: every validator above must reject a known-bad copy (manifests/self_test.py).
# Needs kubectl (with kustomize), python3 with pip, node with npm, envsubst; installs the pinned
# validators it lacks (PyPI, npm, Debian's prometheus for promtool).
#
#   deploy/tests/validate-manifests.sh [OUTPUT_DIR]   # OUTPUT_DIR keeps the rendered files
#   deploy/tests/validate-manifests.sh --facts-only OUTPUT_DIR
#       render and write the facts the container-contract scenario needs (facts.sh, env/*.env)
set -euo pipefail

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
readonly REPO
readonly K8S_VERSIONS=(1.29.0 1.30.0 1.31.0 1.32.0)
readonly KUBERNETES_VALIDATE=kubernetes-validate==1.37.0 CHECKOV=checkov==3.3.30
FACTS_ONLY=""
if [[ ${1:-} == --facts-only ]]; then
    FACTS_ONLY=1
    shift
    [[ -n ${1:-} ]] || { echo "validate-manifests: --facts-only needs an output folder" >&2; exit 2; }
fi
OUT=${1:-}
if [[ -z $OUT ]]; then
    OUT=$(mktemp -d /tmp/gogotime-manifests.XXXXXX)
    trap 'rm -rf "$OUT"' EXIT
fi
mkdir -p "$OUT"

say() { printf '    %s\n' "$*" >&2; }
die() { printf 'validate-manifests: %s\n' "$*" >&2; exit 1; }

ensure_tools() {
    command -v kubectl >/dev/null || die "kubectl (with kustomize) is needed: https://kubernetes.io/docs/tasks/tools/"
    { command -v node >/dev/null && command -v npm >/dev/null; } || die "node and npm are needed (Debian: apt-get install nodejs npm)"
    local missing=()
    command -v envsubst >/dev/null || missing+=(gettext-base)
    command -v promtool >/dev/null || missing+=(prometheus)
    if ((${#missing[@]})); then
        say "installing ${missing[*]} (Debian)"
        timeout 300 apt-get update -qq
        DEBIAN_FRONTEND=noninteractive timeout 600 apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
    fi
    if ! python3 -c 'import kubernetes_validate' 2>/dev/null || ! command -v checkov >/dev/null; then
        say "installing $KUBERNETES_VALIDATE $CHECKOV (PyPI)"
        timeout 900 python3 -m pip install --quiet --disable-pip-version-check "$KUBERNETES_VALIDATE" "$CHECKOV"
    fi
    local npm_dir=$REPO/deploy/tests/manifests
    if [[ ! -d $npm_dir/node_modules || $npm_dir/package-lock.json -nt $npm_dir/node_modules ]]; then
        say "installing the npm validators (package-lock.json)"
        (cd "$npm_dir" && timeout 600 npm ci --no-audit --no-fund --loglevel=error)
    fi
}

render() {
    local overlay
    for overlay in staging production; do
        kubectl kustomize "$REPO/deploy/kubernetes/overlays/$overlay" >"$OUT/k8s-$overlay.yaml"
    done
    kubectl kustomize "$REPO/deploy/kubernetes/cluster" >"$OUT/k8s-cluster.yaml"
    # the example values of docs/deployment/cloud-run.md
    local version
    version=$(sed -n 's/^version *= *"\(.*\)"/\1/p' "$REPO/Cargo.toml" | head -n 1)
    (
        export PROJECT_ID=example-project REGION=europe-west1 SQL_INSTANCE=gogotime \
            PUBLIC_URL=https://time.example.com \
            IMAGE="europe-west1-docker.pkg.dev/example-project/gogotime/gogotime:$version"
        # shellcheck disable=SC2016 # envsubst's list of the variables it may replace, unexpanded
        local vars='$PROJECT_ID $REGION $IMAGE $SQL_INSTANCE $PUBLIC_URL'
        envsubst "$vars" <"$REPO/deploy/cloudrun/service.yaml" >"$OUT/cloudrun-service.yaml"
        envsubst "$vars" <"$REPO/deploy/cloudrun/migrate-job.yaml" >"$OUT/cloudrun-migrate-job.yaml"
    )
}

validate_core() {
    local version file docs
    docs=$(cat "$OUT"/core/*.yaml | grep -c '^kind:')
    for version in "${K8S_VERSIONS[@]}"; do
        for file in "$OUT"/core/*.yaml; do
            kubernetes-validate --strict --quiet -k "$version" "$file" \
                || die "kubernetes-validate --strict -k $version rejected $(basename "$file")"
        done
    done
    say "kubernetes-validate --strict: $docs objects valid against Kubernetes ${K8S_VERSIONS[*]}"
}

policy_scan() {
    local report=$OUT/checkov.json
    # --skip-download: no call to the vendor's service; the built-in checks are complete offline
    checkov --skip-download --framework kubernetes -o json \
        -f "$OUT/k8s-staging.yaml" -f "$OUT/k8s-production.yaml" -f "$OUT/k8s-cluster.yaml" >"$report" || true
    checkov --skip-download --framework dockerfile -o json \
        -f "$REPO/Dockerfile" >"$OUT/checkov-dockerfile.json" || true
    python3 - "$report" "$OUT/checkov-dockerfile.json" <<'EOF'
import json, sys
failed = 0
for path in sys.argv[1:]:
    reports = json.load(open(path))
    for report in reports if isinstance(reports, list) else [reports]:
        s = report["summary"]
        results = report["results"]
        print(f"    checkov {report['check_type']}: {s['passed']} passed, {s['failed']} failed, "
              f"{s['skipped']} skipped (justified in place), {s['parsing_errors']} parsing errors", file=sys.stderr)
        for check in results.get("skipped_checks", []):
            print(f"      skipped {check['check_id']} on {check['resource']}: {check['check_result'].get('suppress_comment', '')}", file=sys.stderr)
        for check in results.get("failed_checks", []):
            print(f"      FAILED {check['check_id']} {check['check_name']} on {check['resource']} ({check['file_path']})", file=sys.stderr)
        failed += s["failed"] + s["parsing_errors"]
sys.exit(1 if failed else 0)
EOF
}

main() {
    if [[ -n $FACTS_ONLY ]]; then
        command -v envsubst >/dev/null || die "envsubst is needed (Debian: apt-get install gettext-base)"
        python3 -c 'import yaml' 2>/dev/null || timeout 300 python3 -m pip install --quiet --disable-pip-version-check pyyaml
        render
        python3 "$REPO/deploy/tests/manifests/check_manifests.py" "$OUT" >/dev/null || die "consistency checks failed (run without --facts-only)"
        return
    fi
    ensure_tools
    render
    python3 "$REPO/deploy/tests/manifests/check_manifests.py" "$OUT" | sed 's/^/    /' >&2
    [[ ${PIPESTATUS[0]} -eq 0 ]] || die "consistency checks failed"
    validate_core
    node "$REPO/deploy/tests/manifests/validate-custom-resources.mjs" "$OUT/custom.json" 2>&1 | sed 's/^/    /' >&2
    [[ ${PIPESTATUS[0]} -eq 0 ]] || die "custom resources failed validation"
    promtool check rules "$OUT/rules.yaml" | sed 's/^/    promtool: /' >&2
    [[ ${PIPESTATUS[0]} -eq 0 ]] || die "promtool rejected the PrometheusRule's groups"
    policy_scan || die "checkov found failed checks"
    # and the validators themselves: each must reject a known-bad copy
    python3 "$REPO/deploy/tests/manifests/self_test.py" "$OUT" | sed 's/^/    /' >&2
    [[ ${PIPESTATUS[0]} -eq 0 ]] || die "a validator accepted a known-bad manifest"
    say "manifests: all checks passed"
}

main "$@"
