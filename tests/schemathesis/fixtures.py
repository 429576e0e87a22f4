#!/usr/bin/env python3
"""Creates the objects the schemathesis run works on, through the API itself, and prints them
as shell-quoted NAME=value lines, with which scripts/schemathesis fills in the ${NAME}s of
tests/schemathesis/schemathesis.toml.

The caller ("Ada") is the first user of a fresh instance: instance admin and the only owner of
the main organization, so the run cannot lock itself out (the last owner can neither leave nor
be demoted). Every DELETE gets an object of its own to delete ("doomed"), so the other
operations keep finding theirs. Usage: fixtures.py http://127.0.0.1:PORT"""
import json
import shlex
import sys
import urllib.error
import urllib.parse
import urllib.request
from datetime import datetime, timedelta, timezone

BASE = sys.argv[1].rstrip("/") + "/api/v1"
PASSWORD = "correct horse battery staple"


def call(method, path, body=None, token=None, expect=(200, 201, 204)):
    data = None if body is None else json.dumps(body).encode()
    request = urllib.request.Request(BASE + path, data=data, method=method)
    if body is not None:
        request.add_header("Content-Type", "application/json")
    if token:
        request.add_header("Authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(request) as response:
            status, text = response.status, response.read()
    except urllib.error.HTTPError as error:
        status, text = error.code, error.read()
    if status not in expect:
        sys.exit(f"fixtures: {method} {path} answered {status}: {text.decode(errors='replace')}")
    return json.loads(text) if text else None


def token_of(email):
    pair = call("POST", "/auth/token", {"email": email, "password": PASSWORD})
    return pair["access_token"]


def invite_and_join(org, token, email, name, role="member"):
    invitation = call("POST", f"/organizations/{org}/invitations", {"email": email, "role": role}, token)
    joined = call("POST", f"/invitations/{invitation['token']}/accept", {"name": name, "password": PASSWORD})
    assert joined["id"] == org, joined
    return call("GET", "/me", token=token_of(email))["id"]


def main():
    ada = call("POST", "/auth/register", {
        "email": "ada@example.org", "password": PASSWORD, "name": "Ada",
        "organization_name": "Main", "time_zone": "Europe/Berlin"})
    token = token_of("ada@example.org")
    org = call("GET", "/organizations", token=token)[0]["id"]
    o = f"/organizations/{org}"

    def pair(path, make):
        """One object to work on and one for its DELETE."""
        return call("POST", path, make("Fixture"), token)["id"], call("POST", path, make("Doomed"), token)["id"]

    client, doomed_client = pair(f"{o}/clients", lambda n: {"name": f"{n} client"})
    project, doomed_project = pair(f"{o}/projects", lambda n: {"name": f"{n} project", "client_id": client})
    task, doomed_task = pair(f"{o}/projects/{project}/tasks", lambda n: {"name": f"{n} task"})
    tag, doomed_tag = pair(f"{o}/tags", lambda n: {"name": f"{n} tag"})
    saved, doomed_saved = pair(f"{o}/reports/saved", lambda n: {
        "name": f"{n} report", "params": "from=2026-01-01&to=2026-01-31&group=project"})
    share = call("POST", f"{o}/reports/shared", {
        "name": "Fixture share", "params": "from=2026-01-01&to=2026-01-31&group=project"}, token)
    doomed_share = call("POST", f"{o}/reports/shared", {
        "name": "Doomed share", "params": "from=2026-01-01&to=2026-01-31&group=client"}, token)["id"]

    member = invite_and_join(org, token, "bob@example.org", "Bob")
    doomed_member = invite_and_join(org, token, "carol@example.org", "Carol")
    call("POST", f"{o}/projects/{project}/members", {"user_id": member}, token)
    call("POST", f"{o}/projects/{project}/members", {"user_id": doomed_member}, token)
    doomed_invitation = call("POST", f"{o}/invitations", {"email": "dan@example.org", "role": "member"}, token)["id"]
    pending = call("POST", f"{o}/invitations", {"email": "erin@example.org", "role": "manager"}, token)["token"]

    start = (datetime.now(timezone.utc) - timedelta(days=1)).replace(microsecond=0)

    def entry(hours_ago):
        begin = start - timedelta(hours=hours_ago)
        return call("POST", f"{o}/time-entries", {
            "start": begin.isoformat(), "end": (begin + timedelta(minutes=45)).isoformat(),
            "project_id": project, "task_id": task, "tags": [tag], "description": "Fixture entry"}, token)["id"]

    time_entry, doomed_entry, doomed_bulk_entry = entry(10), entry(20), entry(30)
    call("PUT", f"{o}/rates/default", {"hourly_rate": 9000}, token)
    call("PUT", f"{o}/rates/projects/{project}/members/{member}", {"hourly_rate": 12000}, token)
    call("POST", "/me/calendar-feed", token=token)
    doomed_api_token = call("POST", "/me/api-tokens", {"name": "Doomed token"}, token)["id"]
    call("POST", "/auth/session", {"email": "ada@example.org", "password": PASSWORD})
    doomed_session = call("GET", "/me/sessions", token=token)[0]["id"]
    doomed_org = call("POST", "/organizations", {"name": "Doomed organization"}, token)["id"]
    call("POST", f"{o}/timer/start", {"description": "Fixture timer", "project_id": project}, token)

    values = {
        "ST_TOKEN": token, "ST_EMAIL": "ada@example.org", "ST_PASSWORD": PASSWORD, "ST_USER": ada["id"], "ST_ORG": org, "ST_CLIENT": client, "ST_PROJECT": project,
        "ST_TASK": task, "ST_TAG": tag, "ST_ENTRY": time_entry, "ST_MEMBER": member, "ST_SAVED": saved,
        "ST_SHARE": share["id"], "ST_SHARE_TOKEN": share["url"].rsplit("/", 1)[1], "ST_INVITATION_TOKEN": pending,
        "ST_DOOMED_CLIENT": doomed_client, "ST_DOOMED_PROJECT": doomed_project, "ST_DOOMED_TASK": doomed_task,
        "ST_DOOMED_TAG": doomed_tag, "ST_DOOMED_ENTRY": doomed_entry,
        "ST_DOOMED_BULK_ENTRY": doomed_bulk_entry, "ST_DOOMED_MEMBER": doomed_member,
        "ST_DOOMED_SAVED": doomed_saved, "ST_DOOMED_SHARE": doomed_share, "ST_DOOMED_INVITATION": doomed_invitation,
        "ST_DOOMED_API_TOKEN": doomed_api_token, "ST_DOOMED_SESSION": doomed_session, "ST_DOOMED_ORG": doomed_org,
    }
    for name, value in values.items():
        print(f"{name}={shlex.quote(value)}")


if __name__ == "__main__":
    main()
