#!/usr/bin/env python3
"""Checks the Grafana dashboards and provisioning files (Grafana itself cannot run here), and
lists every PromQL expression of the dashboards and alert rules for the live test.

  grafana_lint.py GRAFANA_DIR                  check; exit 1 with one line per problem
  grafana_lint.py --queries GRAFANA_DIR RULES  print "kind<TAB>where<TAB>expr" per query

Every panel must carry a title, a description, a unit and at least one query against the
dashboard's data source variable; queries may use only Grafana's $__rate_interval, which the
live test replaces with a window of its own.
"""

import json
import re
import sys
from pathlib import Path

try:
    import yaml  # PyYAML: a dependency of docker-compose, which the deployment tests install
except ImportError:
    sys.exit("grafana_lint.py: PyYAML is missing (apt-get install python3-yaml)")

DATASOURCE = {"type": "prometheus", "uid": "${datasource}"}
ALLOWED_VARIABLES = {"$__rate_interval"}


def panels(dashboard):
    for panel in dashboard.get("panels", []):
        yield panel
        yield from panel.get("panels", [])  # panels of a collapsed row


def check_dashboard(path):
    problems = []
    try:
        dashboard = json.loads(path.read_text())
    except ValueError as e:
        return [f"{path.name}: not JSON: {e}"]
    for key in ("uid", "title", "description", "schemaVersion"):
        if not dashboard.get(key):
            problems.append(f"{path.name}: no {key}")
    variables = [v.get("name") for v in dashboard.get("templating", {}).get("list", [])]
    if variables != ["datasource"]:
        problems.append(f"{path.name}: expected exactly the 'datasource' variable, found {variables}")
    ids = set()
    for panel in panels(dashboard):
        where = f"{path.name} panel {panel.get('id')} ({panel.get('title')!r})"
        if panel.get("id") in ids:
            problems.append(f"{where}: duplicate id")
        ids.add(panel.get("id"))
        grid = panel.get("gridPos", {})
        if not grid or grid.get("x", 0) + grid.get("w", 0) > 24:
            problems.append(f"{where}: gridPos missing or wider than 24 columns")
        if panel.get("type") == "row":
            continue
        if not panel.get("title"):
            problems.append(f"{where}: no title")
        if len(panel.get("description", "")) < 20:
            problems.append(f"{where}: no description")
        if not panel.get("fieldConfig", {}).get("defaults", {}).get("unit"):
            problems.append(f"{where}: no unit")
        if panel.get("datasource") != DATASOURCE:
            problems.append(f"{where}: data source is not the dashboard's variable")
        targets = panel.get("targets", [])
        if not targets:
            problems.append(f"{where}: no query")
        for target in targets:
            expr = target.get("expr", "")
            if not expr.strip():
                problems.append(f"{where}: empty query {target.get('refId')}")
            if target.get("datasource", DATASOURCE) != DATASOURCE:
                problems.append(f"{where}: query {target.get('refId')} has another data source")
            for variable in set(re.findall(r"\$\{?\w+\}?", expr)) - ALLOWED_VARIABLES:
                problems.append(f"{where}: unknown variable {variable} in {expr}")
    return problems


def check_provisioning(grafana):
    problems = []
    datasources = yaml.safe_load((grafana / "provisioning/datasources/prometheus.yaml").read_text())
    sources = datasources.get("datasources", [])
    if datasources.get("apiVersion") != 1 or len(sources) != 1 or sources[0].get("type") != "prometheus":
        problems.append("provisioning/datasources: expected apiVersion 1 and one prometheus data source")
    providers = yaml.safe_load((grafana / "provisioning/dashboards/gogotime.yaml").read_text())
    provider = (providers.get("providers") or [{}])[0]
    if providers.get("apiVersion") != 1 or provider.get("type") != "file" or not provider.get("options", {}).get("path"):
        problems.append("provisioning/dashboards: expected apiVersion 1 and a file provider with a path")
    return problems


def queries(grafana, rules):
    for path in sorted((grafana / "dashboards").glob("*.json")):
        dashboard = json.loads(path.read_text())
        for panel in panels(dashboard):
            for target in panel.get("targets", []):
                where = f"{dashboard['uid']} / {panel['title']} / {target['refId']}"
                yield "panel", where, target["expr"]
    for group in yaml.safe_load(Path(rules).read_text())["groups"]:
        for rule in group["rules"]:
            name = rule.get("alert") or rule.get("record")
            severity = rule.get("labels", {}).get("severity", "recording")
            yield "rule", f"{group['name']} / {name} / {severity}", rule["expr"]


def main(argv):
    if len(argv) == 4 and argv[1] == "--queries":
        for kind, where, expr in queries(Path(argv[2]), argv[3]):
            print(f"{kind}\t{where}\t{' '.join(expr.split())}")
        return 0
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    grafana = Path(argv[1])
    dashboards = sorted((grafana / "dashboards").glob("*.json"))
    problems = [] if dashboards else ["no dashboards"]
    for path in dashboards:
        problems += check_dashboard(path)
    problems += check_provisioning(grafana)
    for problem in problems:
        print(f"grafana_lint.py: {problem}", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
