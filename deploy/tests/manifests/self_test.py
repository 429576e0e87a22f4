#!/usr/bin/env python3
"""Proves the manifest validators are not vacuous: each must reject a known-bad copy of the
rendered manifests, naming the problem.

    self_test.py RENDERED_DIR

Mutations (one per validator layer): a misspelled field in a built-in kind (kubernetes-validate),
a misspelled field in a cert-manager ClusterIssuer (TypeScript excess-property check), a wrong
type in a ServiceMonitor (the package's CRD schema), an unknown field in the CloudNativePG
Cluster (our schema), a grace period shorter than preStop + delay + grace and a readiness probe
on the wrong path (consistency checks).
"""

import copy
import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


def run(args):
    result = subprocess.run(args, capture_output=True, text=True)
    return result.returncode, result.stdout + result.stderr


def expect_rejection(name, args, *needles):
    code, output = run(args)
    missing = [n for n in needles if n not in output]
    if code == 0 or missing:
        print(f"self-test: {name}: expected a rejection naming {missing or needles}, got exit {code}:\n{output[-2000:]}", file=sys.stderr)
        return False
    return True


def main(rendered):
    work = rendered / "self-test"
    shutil.rmtree(work, ignore_errors=True)
    ok = True

    # built-in kinds: a misspelled securityContext field
    docs = list(yaml.safe_load_all((rendered / "core/staging.yaml").read_text()))
    deployment = next(d for d in docs if d["kind"] == "Deployment")
    deployment["spec"]["template"]["spec"]["containers"][0]["securityContext"]["readOnlyRootFilesytem"] = True
    work.mkdir()
    (work / "core.yaml").write_text(yaml.safe_dump_all(docs))
    ok &= expect_rejection("kubernetes-validate", ["kubernetes-validate", "--strict", "--quiet", "-k", "1.32.0", str(work / "core.yaml")],
                           "readOnlyRootFilesytem")

    # custom resources: one mutation per layer
    entries = json.loads((rendered / "custom.json").read_text())
    bad = copy.deepcopy(entries)
    for entry in bad:
        o = entry["object"]
        if o["kind"] == "ClusterIssuer" and o["metadata"]["name"] == "letsencrypt-production":
            o["spec"]["acme"]["solvers"][0]["http01"]["ingress"]["ingressClasName"] = "nginx"
        elif o["kind"] == "ServiceMonitor":
            o["spec"]["endpoints"][0]["interval"] = 30
        elif o["kind"] == "Cluster":
            o["spec"]["instance"] = 3
    (work / "custom.json").write_text(json.dumps(bad))
    ok &= expect_rejection("custom resources", ["node", str(HERE / "validate-custom-resources.mjs"), str(work / "custom.json")],
                           "'\"ingressClasName\"' does not exist", "interval must be string", '"additionalProperty":"instance"')

    # consistency: the grace period and a probe path
    for path in rendered.glob("*.yaml"):
        shutil.copy(path, work / path.name)
    docs = list(yaml.safe_load_all((work / "k8s-staging.yaml").read_text()))
    pod = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    pod["terminationGracePeriodSeconds"] = 10
    pod["containers"][0]["readinessProbe"]["httpGet"]["path"] = "/healthz"
    (work / "k8s-staging.yaml").write_text(yaml.safe_dump_all(docs))
    ok &= expect_rejection("consistency", [sys.executable, str(HERE / "check_manifests.py"), str(work)],
                           "terminationGracePeriodSeconds 10 does not fit", "readinessProbe path /healthz != /api/system/health")

    shutil.rmtree(work, ignore_errors=True)
    if not ok:
        return 1
    print("self-test: every validator rejected its known-bad copy (kubernetes-validate, CRD schema, "
          "unknown field, own schema, consistency)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    sys.exit(main(Path(sys.argv[1])))
