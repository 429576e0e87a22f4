#!/usr/bin/env python3
"""Bounded load against one GoGoTime container, to measure its memory (container contract).

    load.py BASE_URL SECONDS WORKERS

WORKERS threads, each on its own keep-alive connection and with its own account and
organization (the server must allow registration), register and sign in all at once (a morning
burst: argon2id costs 19 MiB per hash), then loop until SECONDS are over: a sign-in every 25th
round, create a time entry, list the newest 50, and in turn a summary report, a CSV export of
the organization's entries and the OpenAPI document. Prints one JSON line: requests, rate,
statuses, errors, seconds. Only talks to BASE_URL, which the scenario points at its own container.
"""

import http.client
import json
import sys
import threading
import time
import urllib.parse
from collections import Counter

PASSWORD = "load password 123"


class Client:
    def __init__(self, base):
        url = urllib.parse.urlsplit(base)
        self.host, self.port = url.hostname, url.port
        self.conn = None
        self.token = None

    def request(self, method, path, body=None):
        headers = {"content-type": "application/json"}
        if self.token:
            headers["authorization"] = f"Bearer {self.token}"
        for attempt in (1, 2):  # a keep-alive connection the server closed is reopened once
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=15)
            try:
                self.conn.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
                response = self.conn.getresponse()
                data = response.read()
                return response.status, data
            except (http.client.HTTPException, OSError):
                self.conn.close()
                self.conn = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def sign_in(self, email):
        self.token = None
        status, data = self.request("POST", "/api/v1/auth/token", {"email": email, "password": PASSWORD})
        if status == 200:
            self.token = json.loads(data)["access_token"]
        return status


def main(base, seconds, workers):
    statuses, errors, lock = Counter(), Counter(), threading.Lock()
    burst = threading.Barrier(workers)
    deadline = time.monotonic() + seconds

    def worker(n):
        client = Client(base)
        local, failures = Counter(), Counter()
        email = f"load{n}@example.org"

        def call(method, path, body=None):
            try:
                local[client.request(method, path, body)[0]] += 1
            except (http.client.HTTPException, OSError) as e:
                failures[type(e).__name__] += 1

        burst.wait()
        call("POST", "/api/v1/auth/register", {"email": email, "password": PASSWORD, "name": f"Load {n}", "organization_name": f"Load {n}"})
        org = None
        round_ = 0
        while time.monotonic() < deadline:
            if round_ % 25 == 0 or client.token is None:
                try:
                    local[client.sign_in(email)] += 1
                except (http.client.HTTPException, OSError) as e:
                    failures[type(e).__name__] += 1
            if org is None:
                try:
                    status, data = client.request("GET", "/api/v1/organizations")
                except (http.client.HTTPException, OSError) as e:
                    failures[type(e).__name__] += 1
                    break
                local[status] += 1
                if status != 200:
                    break
                org = json.loads(data)[0]["id"]
            # finished half-hour entries from 2020 on, one per round (in the past, never overlapping)
            start = 1_577_836_800 + round_ * 3600
            entry = {
                "start": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start)),
                "end": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(start + 1800)),
                "description": f"load {n}/{round_}",
            }
            call("POST", f"/api/v1/organizations/{org}/time-entries", entry)
            call("GET", f"/api/v1/organizations/{org}/time-entries?limit=50")
            turn = round_ % 3
            if turn == 0:
                call("GET", f"/api/v1/organizations/{org}/reports/summary?from=2020-01-01&to=2020-12-31&tz=UTC&group=month")
            elif turn == 1:
                call("GET", f"/api/v1/organizations/{org}/exports/entries.csv?from=2020-01-01&to=2020-12-31&tz=UTC")
            else:
                call("GET", "/api/openapi.json")
            round_ += 1
        with lock:
            statuses.update(local)
            errors.update(failures)

    started = time.monotonic()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(seconds + 60)
    elapsed = time.monotonic() - started
    total = sum(statuses.values())
    print(json.dumps({
        "requests": total,
        "seconds": round(elapsed, 1),
        "rate": round(total / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "errors": dict(errors),
    }))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]))
