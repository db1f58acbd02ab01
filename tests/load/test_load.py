"""Load and faults: 50 concurrent clients filing and reading through the API on PostgreSQL, served by gunicorn
as deployed (tests/load/conftest.py), with p50/p95 printed per endpoint.

Most clients are instructors filing visits; every fifth client files activity records with attendance
(`POST /api/v1/activities/`): half of them branch secretaries for their own organization, half county editors
filing on behalf of one and the same organization at once.

CI runs it for LOAD_SECONDS (60 on CI, 5 locally). It fails on any 5xx, on any refused filing, and on a
lost or duplicated record: every filing the server acknowledged (201 with an id) must be stored exactly
once, with its attendance, and nothing unacknowledged may be stored. The figures are printed (run with -s to
see them).
"""

import datetime
import os
import threading
import time
from collections import Counter
from urllib.parse import urlsplit

import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from activities.models import ActivityRecord, Attendance
from instructors.models import Visit
from reports.services import compute_snapshots
from tests.conftest import ON_CI, require_service
from tests.factories import EnterpriseFactory, make_organization, make_user
from tests.instructors.helpers import assign, make_instructor
from tests.load.conftest import WORKERS
from tests.members.helpers import new_member

def quantiles(seconds):
    ordered = sorted(seconds)
    if not ordered:
        return "no requests"
    return (f"n={len(ordered)} p50 {ordered[len(ordered) // 2] * 1000:.0f} ms "
            f"p95 {ordered[min(len(ordered) - 1, int(len(ordered) * .95))] * 1000:.0f} ms")


pytestmark = [pytest.mark.load, pytest.mark.django_db(transaction=True)]

CLIENTS = 50
SECONDS = float(os.environ.get("LOAD_SECONDS", "60" if ON_CI else "5"))
ACTIVITY_EVERY = 5  # every fifth client files activity records instead of instructor visits


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
    start, deadline = threading.Barrier(CLIENTS), time.monotonic() + SECONDS

    def step(kind, what, session, n, i):
        """One request of client n; returns the response."""
        if kind == "activity":
            organization, (present, absent) = what
            if i % 2:  # file an activity record with its attendance
                topic = f"act-{n}-{i}"
                response = session.post(f"{server}/api/v1/activities/", json={
                    "organization": organization, "kind": "committee_meeting", "held_on": "2026-03-02",
                    "topic": topic, "attendance": [
                        {"member": present, "present": True},
                        {"member": absent, "present": False, "absence_reason": "出差"}]}, timeout=60)
                if response.status_code == 201:
                    with lock:
                        acknowledged_activities.append((response.json()["id"], topic))
                return response
            # read the records in the own scope
            return session.get(f"{server}/api/v1/activities/", params={"page_size": 20}, timeout=60)
        instructor, uscc = what
        if i % 2:  # file a visit
            response = session.post(f"{server}/api/v1/instructor-visits/", json={
                "instructor": instructor, "enterprise": uscc, "visited_on": "2026-03-01",
                "work_done": f"load-{n}-{i}"}, timeout=60)
            if response.status_code == 201:
                with lock:
                    acknowledged.append((response.json()["id"], f"load-{n}-{i}"))
            return response
        if i % 4 == 2:  # read the own list
            return session.get(f"{server}/api/v1/instructor-visits/?page_size=20", timeout=60)
        # staff read the statistics
        return requests.get(f"{server}/api/v1/statistics/coverage/",
                            params={"region": world.county_a.code, "as_of": "2026-06-30"},
                            headers={"Authorization": f"Token {reader}"}, timeout=60)

    def client(n):
        kind, key, *what = filers[n]

        def new_session():
            session = requests.Session()
            session.headers["Authorization"] = f"Token {key}"
            return session

        session = new_session()
        start.wait()
        i = 0
        while time.monotonic() < deadline:
            i += 1
            began = time.monotonic()
            try:
                response = step(kind, what, session, n, i)
            except requests.ConnectionError as error:
                # A server's accept backlog can overflow when 50 clients connect at once and the kernel
                # resets some connections: no answer, so nothing acknowledged; counted and shown, and the client
                # retries the same request on a fresh connection (it used to die silently here). Were a dropped
                # filing stored all the same, the checks below would see it as stored but unacknowledged.
                with lock:
                    transport_errors[type(error).__name__] += 1
                session = new_session()
                i -= 1
                continue
            except Exception as error:  # noqa: BLE001 - a dead client must fail the test, not pass silently
                with lock:
                    crashed.append(f"client {n}, request {i}: {error!r}")
                return
            with lock:
                statuses[response.status_code] += 1
                latencies.append((f"{response.request.method} {urlsplit(response.request.url).path}",
                                  time.monotonic() - began))

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)

    print(f"\nload: {CLIENTS} clients against gunicorn ({WORKERS} sync workers), {SECONDS:.0f} s, "
          f"{sum(statuses.values())} requests, statuses {dict(statuses)}, {quantiles([t for _l, t in latencies])}, "
          f"dropped connections {dict(transport_errors)}")
    for label in sorted({label for label, _t in latencies}):
        print(f"  {label:<40} {quantiles([t for l, t in latencies if l == label])}")
    assert not crashed, crashed
    assert not any(status >= 500 for status in statuses), statuses
    assert set(statuses) <= {200, 201}, statuses
    stored = list(Visit.objects.filter(work_done__startswith="load-").values_list("pk", "work_done"))
    assert len(stored) == len(set(stored)) == len(acknowledged), "lost or duplicated filings"
    assert sorted(stored) == sorted(acknowledged)
    # every visit client got through at least once
    assert {int(text.split("-")[1]) for _, text in acknowledged} == set(range(CLIENTS)) - activity_clients

    records = ActivityRecord.objects.filter(topic__startswith="act-")
    stored_activities = list(records.values_list("pk", "topic"))
    print(f"load: {len(acknowledged)} visits and {len(acknowledged_activities)} activity records acknowledged")
    assert len(stored_activities) == len(set(stored_activities)) == len(acknowledged_activities), \
        "lost or duplicated activity filings"
    assert sorted(stored_activities) == sorted(acknowledged_activities)
    # every activity client got through at least once
    assert {int(topic.split("-")[1]) for _, topic in acknowledged_activities} == activity_clients
    assert set(records.values_list("status", flat=True)) == {ActivityRecord.Status.DRAFT}
    # Each stored record has exactly its two attendance rows: one present, one absent with the reason.
    rows = Attendance.objects.filter(record__in=records)
    assert rows.count() == 2 * len(stored_activities)
    assert rows.filter(present=True, absence_reason="").count() == len(stored_activities)
    assert rows.filter(present=False, absence_reason="出差").count() == len(stored_activities)
