"""Load and faults: 50 concurrent clients filing and reading through the API on PostgreSQL, served by gunicorn
as deployed (tests/load/conftest.py, config/gunicorn.py), with p50/p95 printed per endpoint.

Most clients are instructors filing visits; every fifth client files activity records with attendance
(`POST /api/v1/activities/`): half of them branch secretaries for their own organization, half county editors
filing on behalf of one and the same organization at once.

The run has two phases of LOAD_SECONDS / 2 each (LOAD_SECONDS is 60 on CI, 6 by default locally), with the same 50 clients
and the same server (docs/decisions.md, "What 50 clients means"):
1. saturated: a closed loop with no think time, each client sends its next request as soon as it has the
   answer. That measures the server's capacity (requests/s); its latency is clients ÷ throughput.
2. with think time: each client pauses `LOAD_THINK` seconds (uniform, default 1–3 s) after every answer, as a
   user does who reads a list or fills in a form (and faster than any real one). The p95 < 300 ms target is
   judged on this phase.

The generator is cheap so that it measures the server, not itself: one persistent `http.client` connection
per client (gunicorn's threaded workers keep it alive), and the client process's own CPU per request is
printed beside the figures.

It fails on any 5xx, on any refused filing, and on a lost or duplicated record: every filing the server
acknowledged (201 with an id) must be stored exactly once, with its attendance, and nothing unacknowledged
may be stored. The figures are printed (run with -s to see them).
"""

import datetime
import http.client
import json
import os
import random
import threading
import time
from collections import Counter
from urllib.parse import urlencode, urlsplit

import pytest
from django.db import connection
from rest_framework.authtoken.models import Token

from activities.models import ActivityRecord, Attendance
from instructors.models import Visit
from reports.services import compute_snapshots
from tests.conftest import ON_CI, require_service
from tests.factories import EnterpriseFactory, make_organization, make_user
from tests.instructors.helpers import assign, make_instructor
from tests.load.conftest import server_settings
from tests.members.helpers import new_member

pytestmark = [pytest.mark.load, pytest.mark.django_db(transaction=True)]

CLIENTS = 50
SECONDS = float(os.environ.get("LOAD_SECONDS", "60" if ON_CI else "6"))
THINK = tuple(float(x) for x in os.environ.get("LOAD_THINK", "1-3").split("-"))  # seconds, uniform
ACTIVITY_EVERY = 5  # every fifth client files activity records instead of instructor visits
PHASES = (("saturated", (0.0, 0.0)), (f"think {THINK[0]:g}-{THINK[-1]:g} s", (THINK[0], THINK[-1])))


def quantiles(seconds):
    ordered = sorted(seconds)
    if not ordered:
        return "no requests"
    return (f"n={len(ordered):<5} p50 {ordered[len(ordered) // 2] * 1000:5.0f} ms "
            f"p95 {ordered[min(len(ordered) - 1, int(len(ordered) * .95))] * 1000:5.0f} ms")


class Answer:
    def __init__(self, method, path, status, body):
        self.method, self.path, self.status_code, self.body = method, path, status, body

    def json(self):
        return json.loads(self.body)


class Connection:
    """One client's persistent HTTP/1.1 connection (reopened when the server closes it)."""

    def __init__(self, server):
        parts = urlsplit(server)
        self.host, self.port, self.http = parts.hostname, parts.port, None

    def request(self, method, path, token, payload=None, params=None):
        if params:
            path = f"{path}?{urlencode(params)}"
        headers = {"Authorization": f"Token {token}", "Accept": "application/json"}
        body = None
        if payload is not None:
            body = json.dumps(payload).encode()
            headers["Content-Type"] = "application/json"
        if self.http is None:
            self.http = http.client.HTTPConnection(self.host, self.port, timeout=60)
        try:
            self.http.request(method, path, body=body, headers=headers)
            response = self.http.getresponse()
            data = response.read()
        except BaseException:
            self.close()
            raise
        if response.will_close:
            self.close()
        return Answer(method, path.split("?")[0], response.status, data)

    def close(self):
        if self.http is not None:
            self.http.close()
            self.http = None


def test_fifty_clients_file_and_read_for_a_while_with_no_error_and_no_lost_record(gunicorn_url, world):
    server = gunicorn_url
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    filers, attendees = [], {}
    for i in range(CLIENTS):
        if i % ACTIVITY_EVERY == 0:
            k = i // ACTIVITY_EVERY
            if k % 2 == 0:  # a branch secretary files for their own organization
                organization = make_organization(f"LD{k:02d}", world.town_a, name=f"压测党支部{k}")
                user = make_user("branch_secretary", organization=organization, username=f"load{i}")
            else:  # county editors file on behalf of org_a, several at the same time
                organization = world.org_a
                user = make_user("region_editor", region=world.county_a, username=f"load{i}")
            if organization.pk not in attendees:
                attendees[organization.pk] = [new_member(organization, name=f"压测党员{organization.code}{j}").pk
                                              for j in range(2)]
            filers.append(("activity", Token.objects.create(user=user).key, organization.code,
                           attendees[organization.pk]))
            continue
        person = make_instructor(world.county_a, name=f"压测指导员{i}")
        enterprise = EnterpriseFactory(region=world.town_a, name=f"压测企业{i}")
        assign(person, enterprise, datetime.date(2026, 1, 1))
        user = make_user("instructor", instructor=person, username=f"load{i}")
        filers.append(("visit", Token.objects.create(user=user).key, person.pk, enterprise.uscc))
    activity_clients = {n for n, filer in enumerate(filers) if filer[0] == "activity"}
    reader = Token.objects.create(user=world.viewer_a).key
    compute_snapshots(world.county_a, datetime.date(2026, 6, 30))

    acknowledged, acknowledged_activities, statuses, latencies, lock = [], [], Counter(), [], threading.Lock()
    transport_errors, crashed = Counter(), []
    phase_seconds = SECONDS / len(PHASES)

    def step(kind, key, what, conn, n, i):
        """One request of client n; returns the answer."""
        if kind == "activity":
            organization, (present, absent) = what
            if i % 2:  # file an activity record with its attendance
                topic = f"act-{n}-{i}"
                response = conn.request("POST", "/api/v1/activities/", key, {
                    "organization": organization, "kind": "committee_meeting", "held_on": "2026-03-02",
                    "topic": topic, "attendance": [
                        {"member": present, "present": True},
                        {"member": absent, "present": False, "absence_reason": "出差"}]})
                if response.status_code == 201:
                    with lock:
                        acknowledged_activities.append((response.json()["id"], topic))
                return response
            # read the records in the own scope
            return conn.request("GET", "/api/v1/activities/", key, params={"page_size": 20})
        instructor, uscc = what
        if i % 2:  # file a visit
            response = conn.request("POST", "/api/v1/instructor-visits/", key, {
                "instructor": instructor, "enterprise": uscc, "visited_on": "2026-03-01",
                "work_done": f"load-{n}-{i}"})
            if response.status_code == 201:
                with lock:
                    acknowledged.append((response.json()["id"], f"load-{n}-{i}"))
            return response
        if i % 4 == 2:  # read the own list
            return conn.request("GET", "/api/v1/instructor-visits/", key, params={"page_size": 20})
        # staff read the statistics
        return conn.request("GET", "/api/v1/statistics/coverage/", reader,
                            params={"region": world.county_a.code, "as_of": "2026-06-30"})

    def client(n, phase, think, start, deadline):
        kind, key, *what = filers[n]
        conn = Connection(server)
        pause = random.Random(n)
        start.wait()
        if think[1]:  # users do not start in step: each begins somewhere in its first pause
            time.sleep(pause.uniform(0, think[1]))
        i = phase * 1_000_000  # request numbers differ across the phases: each filing's text is unique
        while time.monotonic() < deadline:
            i += 1
            began = time.monotonic()
            try:
                response = step(kind, key, what, conn, n, i)
            except (ConnectionError, http.client.HTTPException) as error:
                # A connection the server closed or reset: no answer, so nothing acknowledged; counted and
                # shown, and the client retries the same request on a fresh connection. Were a dropped filing
                # stored all the same, the checks below would see it as stored but unacknowledged.
                with lock:
                    transport_errors[type(error).__name__] += 1
                i -= 1
                continue
            except Exception as error:  # noqa: BLE001 - a dead client must fail the test, not pass silently
                with lock:
                    crashed.append(f"client {n}, request {i}: {error!r}")
                return
            elapsed = time.monotonic() - began
            with lock:
                statuses[response.status_code] += 1
                latencies.append((phase, f"{response.method} {response.path}", elapsed))
            if think[1]:
                wait = pause.uniform(*think)
                if time.monotonic() + wait >= deadline:
                    break
                time.sleep(wait)
        conn.close()

    settings = server_settings()
    print(f"\nload: {CLIENTS} clients against gunicorn ({settings['workers']} {settings['worker_class']} workers"
          f"{' × ' + str(settings['threads']) + ' threads' if settings['worker_class'] == 'gthread' else ''}, "
          f"keep-alive {settings['keepalive']} s), {len(PHASES)} phases of {phase_seconds:.0f} s, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    for phase, (label, think) in enumerate(PHASES):
        start = threading.Barrier(CLIENTS)
        began, cpu = time.monotonic(), time.process_time()
        deadline = began + phase_seconds
        threads = [threading.Thread(target=client, args=(n, phase, think, start, deadline)) for n in range(CLIENTS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=phase_seconds + 120)
        wall, cpu = time.monotonic() - began, time.process_time() - cpu
        own = [(l, t) for p, l, t in latencies if p == phase]
        print(f"  phase {label}: {len(own)} requests in {wall:.1f} s = {len(own) / wall:.1f} requests/s, "
              f"{quantiles([t for _l, t in own])}; client CPU {cpu / max(1, len(own)) * 1000:.2f} ms/request")
        for name in sorted({name for name, _t in own}):
            print(f"    {name:<36} {quantiles([t for l, t in own if l == name])}")
    print(f"load: statuses {dict(statuses)}, dropped connections {dict(transport_errors)}, "
          f"load average {' '.join(f'{x:.1f}' for x in os.getloadavg())}")
    assert not crashed, crashed
    assert not any(status >= 500 for status in statuses), statuses
    assert set(statuses) <= {200, 201}, statuses
    stored = list(Visit.objects.filter(work_done__startswith="load-").values_list("pk", "work_done"))
    assert len(stored) == len(set(stored)) == len(acknowledged), "lost or duplicated filings"
    assert len({text for _pk, text in stored}) == len(stored), "a filing stored twice"
    assert sorted(stored) == sorted(acknowledged)
    # every visit client got through at least once
    assert {int(text.split("-")[1]) for _, text in acknowledged} == set(range(CLIENTS)) - activity_clients

    records = ActivityRecord.objects.filter(topic__startswith="act-")
    stored_activities = list(records.values_list("pk", "topic"))
    print(f"load: {len(acknowledged)} visits and {len(acknowledged_activities)} activity records acknowledged")
    assert len(stored_activities) == len(set(stored_activities)) == len(acknowledged_activities), \
        "lost or duplicated activity filings"
    assert len({topic for _pk, topic in stored_activities}) == len(stored_activities), "a record stored twice"
    assert sorted(stored_activities) == sorted(acknowledged_activities)
    # every activity client got through at least once
    assert {int(topic.split("-")[1]) for _, topic in acknowledged_activities} == activity_clients
    assert set(records.values_list("status", flat=True)) == {ActivityRecord.Status.DRAFT}
    # Each stored record has exactly its two attendance rows: one present, one absent with the reason.
    rows = Attendance.objects.filter(record__in=records)
    assert rows.count() == 2 * len(stored_activities)
    assert rows.filter(present=True, absence_reason="").count() == len(stored_activities)
    assert rows.filter(present=False, absence_reason="出差").count() == len(stored_activities)
