#!/usr/bin/env python3
"""Bounded mixed load through the proxy while a release changes, and what it saw.

    load.py BASE_URL MARKER OUT.json [--rate 20] [--readiness 5] [--max-seconds 300]

Reads the bearer token and organization id from the environment (LOAD_TOKEN, LOAD_ORG). Sends
RATE requests per second, each on a new connection (so a proxy reload never leaves a stale
keep-alive connection on our side): in turn POST a time entry (description "MARKER n"), GET
/api/system/version, GET the newest 20 entries, GET /api/system/version. With --readiness, a
second client polls GET /api/system/health that many times per second. Runs until the file
OUT.json.stop exists (or MAX_SECONDS), lets the requests in flight finish, then lists every entry
whose description holds MARKER and compares them with the writes that were acknowledged (201).

Writes OUT.json: sent, failed (status not 2xx, or no answer), slowest, statuses, errors,
readiness polls, acknowledged/missing writes, and for every version read its start time and
the version that answered. Talks only to BASE_URL (the scenario's own stack on 127.0.0.1).
"""

import argparse
import http.client
import json
import os
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor


class Client:
    def __init__(self, base, token):
        url = urllib.parse.urlsplit(base)
        self.host, self.port, self.token = url.hostname, url.port or 80, token

    def request(self, method, path, body=None, auth=True):
        headers = {"content-type": "application/json", "connection": "close"}
        if auth:
            headers["authorization"] = f"Bearer {self.token}"
        conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
        try:
            conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
            response = conn.getresponse()
            return response.status, response.read()
        finally:
            conn.close()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("base")
    parser.add_argument("marker")
    parser.add_argument("out")
    parser.add_argument("--rate", type=float, default=20)
    parser.add_argument("--readiness", type=float, default=0)
    parser.add_argument("--max-seconds", type=float, default=300)
    args = parser.parse_args()
    client = Client(args.base, os.environ["LOAD_TOKEN"])
    org = os.environ["LOAD_ORG"]
    stop_file = args.out + ".stop"
    lock = threading.Lock()
    records, polls, acknowledged = [], [], []
    counter = iter(range(1_000_000))

    def timed(kind, method, path, body=None, auth=True):
        started = time.time()
        status, data, error = 0, b"", None
        try:
            status, data = client.request(method, path, body, auth)
        except (OSError, http.client.HTTPException) as e:
            error = f"{type(e).__name__}: {e}"
        return {"kind": kind, "start": started, "seconds": time.time() - started, "status": status, "error": error}, data

    def one(n):
        turn = n % 4
        if turn == 0:
            with lock:
                slot = next(counter)
            start = 1_577_836_800 + slot * 3600
            entry = {
                "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
                "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 1800)),
                "description": f"{args.marker} {slot}",
            }
            record, data = timed("write", "POST", f"/api/v1/organizations/{org}/time-entries", entry)
            if record["status"] == 201:
                record["id"] = json.loads(data)["id"]
        elif turn == 2:
            record, _ = timed("list", "GET", f"/api/v1/organizations/{org}/time-entries?limit=20")
        else:
            record, data = timed("version", "GET", "/api/system/version", auth=False)
            if record["status"] == 200:
                record["version"] = json.loads(data)["version"]
                record["commit"] = json.loads(data)["commit"]
        with lock:
            records.append(record)

    def readiness():
        interval = 1 / args.readiness
        next_at = time.monotonic()
        while not stopping.is_set():
            record, _ = timed("readiness", "GET", "/api/system/health", auth=False)
            polls.append(record)
            next_at += interval
            time.sleep(max(0, next_at - time.monotonic()))

    stopping = threading.Event()
    poller = threading.Thread(target=readiness) if args.readiness > 0 else None
    if poller:
        poller.start()
    began = time.monotonic()
    with ThreadPoolExecutor(max_workers=32) as pool:
        n, next_at = 0, time.monotonic()
        while not os.path.exists(stop_file) and time.monotonic() - began < args.max_seconds:
            pool.submit(one, n)
            n += 1
            next_at += 1 / args.rate
            time.sleep(max(0, next_at - time.monotonic()))
        stopping.set()
    if poller:
        poller.join()
    seconds = time.monotonic() - began

    # every acknowledged write must be there: list the marker's entries, page by page
    found, cursor = set(), None
    for _ in range(1000):
        query = urllib.parse.urlencode({"q": args.marker, "limit": 500, **({"cursor": cursor} if cursor else {})})
        status, data = client.request("GET", f"/api/v1/organizations/{org}/time-entries?{query}")
        if status != 200:
            raise SystemExit(f"listing the written entries answered {status}: {data[:300]!r}")
        page = json.loads(data)
        found.update(item["id"] for item in page["items"])
        cursor = page.get("next_cursor")
        if not cursor:
            break
    acknowledged = [r["id"] for r in records if r.get("id")]
    failed = [r for r in records if not (200 <= r["status"] < 300)]
    failed_polls = [r for r in polls if r["status"] != 200]
    statuses = {}
    for r in records:
        statuses[str(r["status"] or r["error"])] = statuses.get(str(r["status"] or r["error"]), 0) + 1
    summary = {
        "seconds": round(seconds, 1),
        "sent": len(records),
        "failed": len(failed),
        "slowest": round(max((r["seconds"] for r in records), default=0), 3),
        "statuses": statuses,
        "failures": [{k: r[k] for k in ("kind", "start", "status", "error")} for r in failed[:10]],
        "readiness_sent": len(polls),
        "readiness_failed": len(failed_polls),
        "readiness_failures": [{k: r[k] for k in ("start", "status", "error")} for r in failed_polls[:10]],
        "writes_acknowledged": len(acknowledged),
        "writes_missing": sorted(set(acknowledged) - found),
        "versions": [[round(r["start"], 3), r["version"], r["commit"]] for r in sorted(records, key=lambda r: r["start"]) if r.get("version")],
    }
    with open(args.out, "w") as f:
        json.dump(summary, f)


if __name__ == "__main__":
    main()
