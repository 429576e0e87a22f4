#!/usr/bin/env python3
"""Consistency checks over the rendered Kubernetes and Cloud Run manifests, and the facts the
container-contract scenario runs the real image with.

    check_manifests.py RENDERED_DIR

RENDERED_DIR holds what validate-manifests.sh rendered: k8s-staging.yaml, k8s-production.yaml,
k8s-cluster.yaml, cloudrun-service.yaml, cloudrun-migrate-job.yaml. This script
  - checks that the manifests agree with each other and with the binary's contract (probe paths,
    ports, shutdown timing, security context, secrets as files, image pinning, sizing rules);
  - writes core/*.yaml (built-in kinds, plus a Pod wrapping each Cloud Run container) for
    kubernetes-validate, custom.json (custom resources) for validate-custom-resources.mjs,
    rules.yaml for promtool;
  - writes facts.sh and env/*.env for the container-contract scenario.
Every problem is reported; the exit status is 1 when there is any.
"""

import json
import os
import re
import sys
from pathlib import Path

import yaml

# What the binary serves (src/http/mod.rs); the contract scenario probes them on the real image.
LIVE_PATH = "/api/system/health/live"
READY_PATH = "/api/system/health"
METRICS_PATH = "/metrics"
# Cloud Run kills an instance 10 s after SIGTERM (https://cloud.google.com/run/docs/container-contract).
CLOUD_RUN_KILL_AFTER = 10
CORE_GROUPS = {"v1", "apps/v1", "batch/v1", "policy/v1", "autoscaling/v2", "networking.k8s.io/v1"}
OVERLAYS = ("staging", "production")
REPO = Path(__file__).resolve().parents[3]

problems = []


def check(condition, message):
    if not condition:
        problems.append(message)
    return condition


def load(path):
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def find(docs, kind, name=None):
    found = [d for d in docs if d["kind"] == kind and (name is None or d["metadata"]["name"] == name)]
    return found[0] if len(found) == 1 else None


def one(docs, kind, where):
    found = [d for d in docs if d["kind"] == kind]
    check(len(found) == 1, f"{where}: expected one {kind}, found {len(found)}")
    return found[0] if found else {}


def cargo_version():
    match = re.search(r'^version\s*=\s*"([^"]+)"', (REPO / "Cargo.toml").read_text(), re.M)
    return match.group(1)


def bind_port(value):
    return int(value.rsplit(":", 1)[1])


def container_ports(container):
    return {p["name"]: p["containerPort"] for p in container.get("ports", [])}


def probe_port(probe, ports):
    port = probe["httpGet"]["port"]
    return ports.get(port) if isinstance(port, str) else port


def mebibytes(quantity):
    units = {"Ki": 1 / 1024, "Mi": 1, "Gi": 1024}
    for unit, factor in units.items():
        if quantity.endswith(unit):
            return float(quantity[: -len(unit)]) * factor
    raise ValueError(f"unexpected memory quantity {quantity}")


def secret_file_paths(pod_spec, container):
    """Path → (volume, key) of every secret item mounted into the container."""
    volumes = {v["name"]: v for v in pod_spec.get("volumes", [])}
    files = {}
    for mount in container.get("volumeMounts", []):
        volume = volumes.get(mount["name"], {})
        for item in volume.get("secret", {}).get("items", []):
            files[f"{mount['mountPath']}/{item['path']}"] = (volume["secret"]["secretName"], item["key"])
    return files


def check_pod_security(where, pod_spec, container):
    pod_sc = pod_spec.get("securityContext", {})
    sc = container.get("securityContext", {})
    check(pod_sc.get("runAsNonRoot") is True, f"{where}: runAsNonRoot is not true")
    check(pod_sc.get("runAsUser", 0) >= 10000, f"{where}: runAsUser should be a high non-root uid")
    check(pod_sc.get("seccompProfile", {}).get("type") == "RuntimeDefault", f"{where}: seccompProfile is not RuntimeDefault")
    check(sc.get("readOnlyRootFilesystem") is True, f"{where}: root filesystem is not read-only")
    check(sc.get("allowPrivilegeEscalation") is False, f"{where}: allowPrivilegeEscalation is not false")
    check(sc.get("capabilities", {}).get("drop") == ["ALL"], f"{where}: capabilities are not all dropped")
    check(pod_spec.get("automountServiceAccountToken") is False, f"{where}: a service-account token is mounted")
    # a Service named gogotime would otherwise inject GOGOTIME_SERVICE_HOST & co.
    check(pod_spec.get("enableServiceLinks") is False, f"{where}: enableServiceLinks is not false")
    for name, value in env_of(container).items():
        if name.endswith("_FILE"):
            check(value in secret_file_paths(pod_spec, container), f"{where}: {name}={value} is no mounted secret file")


def env_of(container):
    return {e["name"]: e.get("value", "") for e in container.get("env", [])}


def config_map_env(docs, container, where):
    data = {}
    for source in container.get("envFrom", []):
        name = source["configMapRef"]["name"]
        cm = find(docs, "ConfigMap", name)
        if check(cm is not None, f"{where}: envFrom names ConfigMap {name}, which is not rendered"):
            data.update(cm.get("data", {}))
    return data


def check_overlay(overlay, docs, cluster_docs, facts):
    where = f"overlays/{overlay}"
    version = cargo_version()
    deployment = one(docs, "Deployment", where)
    pod = deployment["spec"]["template"]
    spec = pod["spec"]
    app = spec["containers"][0]
    config = config_map_env(docs, app, where)
    ports = container_ports(app)
    labels = pod["metadata"]["labels"]

    # the release: tag = version label = Cargo.toml's version; production also pins the digest
    image = app["image"]
    tag_match = re.fullmatch(r"[^@]+:([^:@/]+)(@sha256:[0-9a-f]{64})?", image)
    check(tag_match is not None, f"{where}: image {image} is not pinned by tag")
    if tag_match:
        check(tag_match.group(1) == version, f"{where}: image tag {tag_match.group(1)} is not Cargo.toml's version {version}")
        if overlay == "production":
            check(tag_match.group(2) is not None, f"{where}: production image {image} is not pinned by digest")
    check(labels.get("app.kubernetes.io/version") == version, f"{where}: pod version label is not {version}")

    # replicas, rollout, HPA, PDB
    hpa = one(docs, "HorizontalPodAutoscaler", where)
    check(hpa.get("spec", {}).get("scaleTargetRef", {}).get("name") == deployment["metadata"]["name"], f"{where}: HPA does not target the Deployment")
    check(hpa["spec"]["minReplicas"] >= 2, f"{where}: HPA minReplicas below 2")
    check(deployment["spec"]["replicas"] == hpa["spec"]["minReplicas"], f"{where}: Deployment replicas differ from HPA minReplicas")
    check(hpa["spec"]["maxReplicas"] >= hpa["spec"]["minReplicas"], f"{where}: HPA maxReplicas below minReplicas")
    check(hpa["spec"]["metrics"][0]["resource"]["name"] == "cpu", f"{where}: HPA does not scale on CPU")
    rolling = deployment["spec"]["strategy"]["rollingUpdate"]
    check(rolling["maxUnavailable"] == 0, f"{where}: rolling update maxUnavailable is not 0")
    pdb = one(docs, "PodDisruptionBudget", where)
    check(selects(pdb["spec"]["selector"]["matchLabels"], labels), f"{where}: PDB does not select the app pods")
    topology = {c["topologyKey"] for c in spec.get("topologySpreadConstraints", [])}
    check(topology == {"kubernetes.io/hostname", "topology.kubernetes.io/zone"}, f"{where}: not spread across nodes and zones")

    # probes: the binary's endpoints on the ports GOGOTIME_BIND / GOGOTIME_METRICS_BIND open
    http_port = bind_port(config["GOGOTIME_BIND"])
    metrics_port = bind_port(config["GOGOTIME_METRICS_BIND"])
    check(ports.get("http") == http_port, f"{where}: container port http {ports.get('http')} != GOGOTIME_BIND's {http_port}")
    check(ports.get("metrics") == metrics_port, f"{where}: container port metrics != GOGOTIME_METRICS_BIND's {metrics_port}")
    for kind, path in (("startupProbe", LIVE_PATH), ("livenessProbe", LIVE_PATH), ("readinessProbe", READY_PATH)):
        probe = app.get(kind)
        if check(probe is not None, f"{where}: no {kind}"):
            check(probe["httpGet"]["path"] == path, f"{where}: {kind} path {probe['httpGet']['path']} != {path}")
            check(probe_port(probe, ports) == http_port, f"{where}: {kind} port is not the http port")
    check(app["readinessProbe"]["timeoutSeconds"] >= 2, f"{where}: readiness timeout below the app's 1.5 s database check")

    # shutdown: preStop + delay + grace fits the grace period, with at most 5 s of slack
    pre_stop = app["lifecycle"]["preStop"]["exec"]["command"]
    check(pre_stop[0] == "/bin/sleep" and len(pre_stop) == 2, f"{where}: preStop is not /bin/sleep N")
    pre_stop_seconds = int(pre_stop[1])
    delay = int(config["GOGOTIME_SHUTDOWN_DELAY_SECONDS"])
    grace = int(config["GOGOTIME_SHUTDOWN_GRACE_SECONDS"])
    total = spec["terminationGracePeriodSeconds"]
    check(pre_stop_seconds + delay + grace <= total <= pre_stop_seconds + delay + grace + 5,
          f"{where}: terminationGracePeriodSeconds {total} does not fit preStop {pre_stop_seconds} + delay {delay} + grace {grace}")
    check(config.get("GOGOTIME_AUTO_MIGRATE") == "false", f"{where}: replicas may migrate (GOGOTIME_AUTO_MIGRATE)")

    check_pod_security(f"{where} Deployment", spec, app)
    resources = app["resources"]
    for part in ("requests", "limits"):
        check({"cpu", "memory"} <= set(resources.get(part, {})), f"{where}: {part} lack cpu or memory")
    check(mebibytes(resources["requests"]["memory"]) <= mebibytes(resources["limits"]["memory"]), f"{where}: memory request above limit")

    check_apply_order(where, docs)
    check_service_and_ingress(overlay, docs, cluster_docs, config, labels, ports)
    check_network_policies(where, docs, labels)
    check_migrate_job(where, docs, deployment, version)
    check_monitoring(where, docs)
    if overlay == "production":
        check_cloudnative_pg(where, docs, spec, app, config, hpa)

    if overlay == "staging":
        facts.update({
            "K8S_HTTP_PORT": http_port,
            "K8S_METRICS_PORT": metrics_port,
            "K8S_LIVE_PATH": app["livenessProbe"]["httpGet"]["path"],
            "K8S_STARTUP_PATH": app["startupProbe"]["httpGet"]["path"],
            "K8S_READY_PATH": app["readinessProbe"]["httpGet"]["path"],
            "K8S_PRESTOP": " ".join(pre_stop),
            "K8S_TERMINATION_GRACE": total,
            "K8S_SHUTDOWN_DELAY": delay,
            "K8S_SHUTDOWN_GRACE": grace,
            "K8S_RUN_AS_USER": spec["securityContext"]["runAsUser"],
            "K8S_RUN_AS_GROUP": spec["securityContext"]["runAsGroup"],
            "K8S_FS_GROUP": spec["securityContext"]["fsGroup"],
            "K8S_MEMORY_REQUEST_MIB": int(mebibytes(resources["requests"]["memory"])),
            "K8S_MEMORY_LIMIT_MIB": int(mebibytes(resources["limits"]["memory"])),
            "K8S_CPU_LIMIT": resources["limits"]["cpu"],
            "K8S_SECRETS_DIR": secret_dir(spec, app),
            "K8S_METRICS_RULE_NAMES": " ".join(sorted(metric_names(docs))),
        })
        write_env("k8s-app", {**config, **env_of(app)})
        job = one(docs, "Job", where)["spec"]["template"]["spec"]
        write_env("k8s-migrate", {**config_map_env(docs, job["containers"][0], where), **env_of(job["containers"][0])})


def check_apply_order(where, docs):
    """The documented order (docs/deployment/kubernetes.md) applies in three label-selected steps:
    everything but the app and the Job, then the Job, then the rest. Each step must hold what its
    objects need, and the app's objects must all carry the server label."""
    component = lambda d: d["metadata"].get("labels", {}).get("app.kubernetes.io/component")
    first = [d for d in docs if component(d) not in ("server", "migrate")]
    kinds = {d["kind"] for d in first}
    check({"Namespace", "ConfigMap", "ServiceAccount", "NetworkPolicy"} <= kinds,
          f"{where}: the first apply step lacks what the migration Job needs: {sorted(kinds)}")
    check([d["kind"] for d in docs if component(d) == "migrate"] == ["Job"], f"{where}: the migrate step is not exactly the Job")
    server = sorted(d["kind"] for d in docs if component(d) == "server")
    check(server == ["Deployment", "HorizontalPodAutoscaler", "Ingress", "PodDisruptionBudget", "Service"],
          f"{where}: the server step holds {server}")


def selects(selector, labels):
    return all(labels.get(k) == v for k, v in selector.items())


def secret_dir(spec, container):
    dirs = {path.rsplit("/", 1)[0] for path in secret_file_paths(spec, container) if "database-ca" not in path}
    check(len(dirs) == 1, f"secret files of {container['name']} are not in one folder: {dirs}")
    return dirs.pop() if dirs else ""


def check_service_and_ingress(overlay, docs, cluster_docs, config, labels, ports):
    where = f"overlays/{overlay}"
    service = one(docs, "Service", where)
    check(selects(service["spec"]["selector"], labels), f"{where}: Service does not select the app pods")
    service_ports = {p["name"]: p for p in service["spec"]["ports"]}
    for name, port in service_ports.items():
        check(port["targetPort"] in ports, f"{where}: Service port {name} targets unknown container port {port['targetPort']}")
    ingress = one(docs, "Ingress", where)
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    check(backend["name"] == service["metadata"]["name"] and backend["port"]["name"] in service_ports,
          f"{where}: Ingress backend is not the Service's http port")
    host = config["GOGOTIME_PUBLIC_URL"].split("/")[2]
    check(config["GOGOTIME_PUBLIC_URL"].startswith("https://"), f"{where}: GOGOTIME_PUBLIC_URL is not https")
    check(ingress["spec"]["rules"][0]["host"] == host and ingress["spec"]["tls"][0]["hosts"] == [host],
          f"{where}: Ingress host/certificate name is not GOGOTIME_PUBLIC_URL's host {host}")
    check(ingress["spec"]["ingressClassName"] == "nginx", f"{where}: Ingress class is not nginx")
    issuer = ingress["metadata"]["annotations"]["cert-manager.io/cluster-issuer"]
    check(issuer == f"letsencrypt-{overlay}", f"{where}: Ingress uses issuer {issuer}")
    check(find(cluster_docs, "ClusterIssuer", issuer) is not None, f"{where}: ClusterIssuer {issuer} is not in deploy/kubernetes/cluster")


def check_network_policies(where, docs, labels):
    policies = [d for d in docs if d["kind"] == "NetworkPolicy"]
    ingress_ports, egress_ports = set(), set()
    for policy in policies:
        if not selects(policy["spec"]["podSelector"]["matchLabels"], labels):
            continue
        for rule in policy["spec"].get("ingress", []):
            check(len(rule.get("from", [])) > 0, f"{where}: {policy['metadata']['name']} admits ingress from anywhere")
            for port in rule["ports"]:
                ingress_ports.add(port["port"])
        for rule in policy["spec"].get("egress", []):
            check(len(rule.get("to", [])) > 0, f"{where}: {policy['metadata']['name']} allows egress anywhere")
            for port in rule["ports"]:
                egress_ports.add((port["port"], port["protocol"]))
    check(ingress_ports == {"http", "metrics"}, f"{where}: NetworkPolicy ingress ports are {ingress_ports}")
    check(egress_ports == {(53, "UDP"), (53, "TCP"), (5432, "TCP")}, f"{where}: NetworkPolicy egress is {egress_ports}, expected DNS and PostgreSQL only")
    types = {t for p in policies for t in p["spec"]["policyTypes"]}
    check(types == {"Ingress", "Egress"}, f"{where}: NetworkPolicies do not restrict both directions")


def check_migrate_job(where, docs, deployment, version):
    job = one(docs, "Job", where)
    check(job["metadata"]["name"] == f"gogotime-migrate-{version}", f"{where}: migration Job is not named after the release")
    spec = job["spec"]["template"]["spec"]
    container = spec["containers"][0]
    check(container["args"] == ["migrate", "up"], f"{where}: Job does not run `migrate up`")
    check(container["image"] == deployment["spec"]["template"]["spec"]["containers"][0]["image"], f"{where}: Job image differs from the Deployment's")
    check("JWT_SECRET_FILE" not in env_of(container), f"{where}: the Job gets the JWT secret it does not need")
    check_pod_security(f"{where} Job", spec, container)


def metric_names(docs):
    """The app's own metrics the rules query: those selected with job="gogotime". Other gogotime_*
    families in the rules (the backup service's, certbot's) come from other processes."""
    rule = find(docs, "PrometheusRule")
    expressions = " ".join(r["expr"] for g in rule["spec"]["groups"] for r in g["rules"])
    return set(re.findall(r"\b(gogotime_[a-z_]+)\{[^}]*\bjob=\"gogotime\"", expressions))


def check_monitoring(where, docs):
    service = one(docs, "Service", where)
    monitor = one(docs, "ServiceMonitor", where)
    check(selects(monitor["spec"]["selector"]["matchLabels"], service["metadata"]["labels"]), f"{where}: ServiceMonitor does not select the Service")
    endpoint = monitor["spec"]["endpoints"][0]
    check(endpoint["port"] in {p["name"] for p in service["spec"]["ports"]}, f"{where}: ServiceMonitor port is not a Service port")
    check(endpoint["path"] == METRICS_PATH, f"{where}: ServiceMonitor path is not {METRICS_PATH}")
    # the rules select the app as job="gogotime": the ServiceMonitor takes the job from a label
    job = service["metadata"]["labels"].get(monitor["spec"].get("jobLabel", ""), service["metadata"]["name"])
    check(job == "gogotime", f"{where}: Prometheus would name the app's job {job!r}; the alert rules expect 'gogotime'")
    rule = one(docs, "PrometheusRule", where)
    shared = REPO / "deploy/monitoring/alerts.yaml"
    if shared.exists():
        groups = yaml.safe_load(shared.read_text())["groups"]
        check(rule["spec"]["groups"] == groups, f"{where}: PrometheusRule groups differ from deploy/monitoring/alerts.yaml")


def check_cloudnative_pg(where, docs, spec, app, config, hpa):
    cluster = one(docs, "Cluster", where)
    name = cluster["metadata"]["name"]
    check(cluster["spec"]["instances"] == 3, f"{where}: the database cluster does not have 3 instances")
    policy = find(docs, "NetworkPolicy", "gogotime-database-egress")
    check(policy["spec"]["egress"][0]["to"][0]["podSelector"]["matchLabels"] == {"cnpg.io/cluster": name},
          f"{where}: database egress does not select the {name} instances")
    ca = [v for v in spec["volumes"] if v["name"] == "database-ca"][0]["secret"]["secretName"]
    check(ca == f"{name}-ca", f"{where}: the database CA volume is {ca}, CloudNativePG names it {name}-ca")
    store = one(docs, "ObjectStore", where)
    check(cluster["spec"]["plugins"][0]["parameters"]["barmanObjectName"] == store["metadata"]["name"], f"{where}: the WAL archiver names another ObjectStore")
    check(one(docs, "ScheduledBackup", where)["spec"]["cluster"]["name"] == name, f"{where}: the ScheduledBackup backs up another cluster")
    owner = [d for d in docs if d["kind"] == "ExternalSecret" and d["spec"]["target"]["name"] == cluster["spec"]["bootstrap"]["initdb"]["secret"]["name"]]
    check(len(owner) == 1, f"{where}: nothing provides the database owner secret")
    app_secret = [d for d in docs if d["kind"] == "ExternalSecret" and d["spec"]["target"]["name"] == "gogotime"]
    if check(len(app_secret) == 1, f"{where}: no ExternalSecret provides Secret gogotime"):
        url = app_secret[0]["spec"]["target"]["template"]["data"]["database-url"]
        mount = [m["mountPath"] for m in app["volumeMounts"] if m["name"] == "database-ca"][0]
        check(f"@{name}-rw:5432/" in url, f"{where}: database-url does not name the {name}-rw service")
        check(f"sslmode=verify-full&sslrootcert={mount}/ca.crt" in url, f"{where}: database-url does not verify the server against the mounted CA")
    max_connections = int(cluster["spec"]["postgresql"]["parameters"]["max_connections"])
    needed = hpa["spec"]["maxReplicas"] * int(config["DATABASE_MAX_CONNECTIONS"])
    check(needed <= max_connections - 20, f"{where}: {needed} app connections leave no room below max_connections {max_connections}")
    check(store["spec"]["configuration"]["destinationPath"].startswith(("s3://", "gs://", "https://")), f"{where}: backups go nowhere")


def check_cloud_run(service, job, facts):
    where = "deploy/cloudrun"
    spec = service["spec"]["template"]["spec"]
    annotations = service["spec"]["template"]["metadata"]["annotations"]
    container = spec["containers"][0]
    env = env_of(container)
    port = container["ports"][0]["containerPort"]
    check(container["ports"][0]["name"] in ("http1", "h2c"), f"{where}: port name is not http1/h2c")
    check("PORT" not in env, f"{where}: sets PORT, which Cloud Run reserves")
    for kind in ("startupProbe", "livenessProbe"):
        probe = container[kind]
        check(probe["httpGet"]["path"] == LIVE_PATH and probe["httpGet"]["port"] == port, f"{where}: {kind} is not {LIVE_PATH} on {port}")
    shutdown = int(env["GOGOTIME_SHUTDOWN_DELAY_SECONDS"]) + int(env["GOGOTIME_SHUTDOWN_GRACE_SECONDS"])
    check(shutdown < CLOUD_RUN_KILL_AFTER, f"{where}: shutdown delay + grace {shutdown} s exceeds Cloud Run's {CLOUD_RUN_KILL_AFTER} s")
    check(env.get("GOGOTIME_METRICS_BIND") == "", f"{where}: metrics listener enabled on Cloud Run")
    check(env.get("GOGOTIME_AUTO_MIGRATE") == "false", f"{where}: the service may migrate")
    instances = int(annotations["autoscaling.knative.dev/maxScale"])
    check(instances * int(env["DATABASE_MAX_CONNECTIONS"]) <= 80, f"{where}: max instances x pool exceeds a small Cloud SQL tier's connections")
    socket = annotations["run.googleapis.com/cloudsql-instances"]
    job_template = job["spec"]["template"]
    check(job_template["metadata"]["annotations"]["run.googleapis.com/cloudsql-instances"] == socket, f"{where}: the job reaches another Cloud SQL instance")
    job_container = job_template["spec"]["template"]["spec"]["containers"][0]
    check(job_container["args"] == ["migrate", "up"] and job_container["image"] == container["image"], f"{where}: the job does not run `migrate up` on the same image")
    for name, pod_spec, c in (("service", spec, container), ("job", job_template["spec"]["template"]["spec"], job_container)):
        for var, value in env_of(c).items():
            if var.endswith("_FILE"):
                check(value in secret_file_paths(pod_spec, c), f"{where} {name}: {var}={value} is no mounted secret file")
    facts.update({
        "CLOUDRUN_PORT": port,
        "CLOUDRUN_STARTUP_PATH": container["startupProbe"]["httpGet"]["path"],
        "CLOUDRUN_LIVE_PATH": container["livenessProbe"]["httpGet"]["path"],
        "CLOUDRUN_SQL_CONNECTION": socket,
        "CLOUDRUN_MEMORY_LIMIT_MIB": int(mebibytes(container["resources"]["limits"]["memory"])),
        "CLOUDRUN_DATABASE_URL_FILE": env["DATABASE_URL_FILE"],
        "CLOUDRUN_JWT_SECRET_FILE": env["JWT_SECRET_FILE"],
    })
    write_env("cloudrun-service", env)
    write_env("cloudrun-migrate", env_of(job_container))


def cloud_run_pod(name, pod_spec):
    """Cloud Run containers and volumes are Kubernetes core types: validate them strictly as a Pod."""
    keep = {k: v for k, v in pod_spec.items() if k in ("containers", "volumes", "serviceAccountName")}
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": keep}


def write_env(name, env):
    path = OUT / "env" / f"{name}.env"
    path.parent.mkdir(exist_ok=True)
    path.write_text("".join(f"{k}={v}\n" for k, v in sorted(env.items())))


def main():
    rendered = {name: load(OUT / f"k8s-{name}.yaml") for name in (*OVERLAYS, "cluster")}
    service = load(OUT / "cloudrun-service.yaml")[0]
    job = load(OUT / "cloudrun-migrate-job.yaml")[0]

    for path in sorted(OUT.glob("*.yaml")):
        text = yaml.safe_dump_all(load(path))  # comments may mention ${…}; the objects may not
        for leftover in ("${", "set-by-", ".invalid"):
            check(leftover not in text, f"{path.name}: '{leftover}' left after rendering")

    facts = {}
    for overlay in OVERLAYS:
        check_overlay(overlay, rendered[overlay], rendered["cluster"], facts)
    check_cloud_run(service, job, facts)

    core, custom = [], []
    for source, docs in rendered.items():
        for doc in docs:
            (core if doc["apiVersion"] in CORE_GROUPS else custom).append((source, doc))
    custom += [("cloudrun", service), ("cloudrun", job)]
    core += [("cloudrun", cloud_run_pod("cloudrun-service", service["spec"]["template"]["spec"])),
             ("cloudrun", cloud_run_pod("cloudrun-migrate-job", job["spec"]["template"]["spec"]["template"]["spec"]))]
    (OUT / "core").mkdir(exist_ok=True)
    for source in {s for s, _ in core}:
        docs = [d for s, d in core if s == source]
        (OUT / "core" / f"{source}.yaml").write_text(yaml.safe_dump_all(docs, sort_keys=False))
    (OUT / "custom.json").write_text(json.dumps([{"source": s, "object": d} for s, d in custom], indent=1))
    rule = find(rendered["production"], "PrometheusRule")
    (OUT / "rules.yaml").write_text(yaml.safe_dump({"groups": rule["spec"]["groups"]}, sort_keys=False))
    (OUT / "facts.sh").write_text("".join(f"{k}='{v}'\n" for k, v in sorted(facts.items())))

    for source, docs in rendered.items():
        kinds = {}
        for doc in docs:
            kinds[doc["kind"]] = kinds.get(doc["kind"], 0) + 1
        summary = ", ".join(f"{n} {k}" for k, n in sorted(kinds.items()))
        print(f"rendered {source}: {len(docs)} objects ({summary})")
    print(f"rendered cloudrun: 2 objects (1 Service (serving.knative.dev/v1), 1 Job (run.googleapis.com/v1))")
    if problems:
        print(f"consistency: {len(problems)} problem(s)", file=sys.stderr)
        for problem in problems:
            print(f"  - {problem}", file=sys.stderr)
        return 1
    print("consistency: ok (probes, ports, shutdown timing, security context, secret files, image pins, "
          "selectors, network policy, migration job, monitoring, database wiring, Cloud Run limits)")
    return 0


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit(__doc__)
    OUT = Path(sys.argv[1])
    sys.exit(main())
