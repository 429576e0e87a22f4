# Scenario: the Kubernetes (deploy/kubernetes) and Cloud Run (deploy/cloudrun) manifests, strictly
# validated offline by validate-manifests.sh: rendered, schema-checked (Kubernetes 1.29-1.32 and
# the custom resources' schemas), consistent with each other and with the binary, policy-scanned.
# No cluster runs here; 40-container-contract.sh runs the image the way these files configure it.
# shellcheck shell=bash

SCENARIOS+=(kubernetes_manifests)

kubernetes_manifests() {
    log "Kubernetes and Cloud Run manifests: render, strict schemas, consistency, policy scan"
    "$REPO/deploy/tests/validate-manifests.sh" "$WORK/manifests" 2>&1 | tee "$WORK/manifests.log" >&3
    [[ ${PIPESTATUS[0]} -eq 0 ]] || fail "manifest validation (deploy/tests/validate-manifests.sh)"
    local overlay
    for overlay in staging production cluster cloudrun; do
        figure "manifests: rendered $overlay" "$(sed -n "s/^ *rendered $overlay: \([0-9]* objects\).*/\1/p" "$WORK/manifests.log")"
    done
    figure "manifests: kubernetes-validate --strict" "$(sed -n 's/^ *kubernetes-validate --strict: //p' "$WORK/manifests.log")"
    figure "manifests: custom resources" "$(sed -n 's/^ *custom resources: \([0-9]* objects valid\).*/\1/p' "$WORK/manifests.log")"
    figure "manifests: checkov (kubernetes)" "$(sed -n 's/^ *checkov kubernetes: //p' "$WORK/manifests.log")"
    figure "manifests: checkov (Dockerfile)" "$(sed -n 's/^ *checkov dockerfile: //p' "$WORK/manifests.log")"
}
