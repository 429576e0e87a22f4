# Scenario: the versions the release scenarios deploy, built once: v1 is the previous release's
# binary (releases/lib.sh: previous_release), v2 this checkout's image as run.sh built it, v3 a
# broken v2 whose serve hangs on start. For the real image and for v1, the OCI version label,
# `gogotime --version` and (once served) /api/system/version agree. Shared helpers: releases/lib.sh.
# shellcheck shell=bash
# shellcheck source=deploy/tests/releases/lib.sh
source "$REPO/deploy/tests/releases/lib.sh"

SCENARIOS+=(release_images)

release_images() {
    rel_images
    local label
    label=$(docker image inspect -f '{{index .Config.Labels "org.opencontainers.image.version"}} {{index .Config.Labels "org.opencontainers.image.revision"}}' "$IMAGE")
    figure "image $IMAGE: label / --version" "$label / $(docker run --rm "$IMAGE" --version)"
}
