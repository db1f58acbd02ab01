"""Load and faults: 50 concurrent clients filing and reading through the API on PostgreSQL.

CI runs it for LOAD_SECONDS (60 on CI, 5 locally). It fails on any 5xx, on any refused filing, and on a
lost or duplicated record: every filing the server acknowledged (201 with an id) must be stored exactly
once, and nothing unacknowledged may be stored. The figures are printed (run with -s to see them).
"""

import datetime
import os
import threading
import time
from collections import Counter

import pytest
import requests
from django.db import connection
from rest_framework.authtoken.models import Token

from instructors.models import Visit
from reports.services import compute_snapshots
from tests.conftest import ON_CI, require_service
from tests.factories import EnterpriseFactory, make_user
from tests.instructors.helpers import assign, make_instructor

pytestmark = [pytest.mark.load, pytest.mark.django_db(transaction=True)]

CLIENTS = 50
SECONDS = float(os.environ.get("LOAD_SECONDS", "60" if ON_CI else "5"))


def test_fifty_clients_file_and_read_for_a_while_with_no_error_and_no_lost_record(live_server, world):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    filers = []
    for i in range(CLIENTS):
        person = make_instructor(world.county_a, name=f"压测指导员{i}")
        enterprise = EnterpriseFactory(region=world.town_a, name=f"压测企业{i}")
        assign(person, enterprise, datetime.date(2026, 1, 1))
        user = make_user("instructor", instructor=person, username=f"load{i}")
        filers.append((Token.objects.create(user=user).key, person.pk, enterprise.uscc))
    reader = Token.objects.create(user=world.viewer_a).key
    compute_snapshots(world.county_a, datetime.date(2026, 6, 30))

    acknowledged, statuses, latencies, lock = [], Counter(), [], threading.Lock()
    start, deadline = threading.Barrier(CLIENTS), time.monotonic() + SECONDS

    def client(n):
        key, instructor, uscc = filers[n]
        session = requests.Session()
        session.headers["Authorization"] = f"Token {key}"
        start.wait()
        i = 0
        while time.monotonic() < deadline:
            i += 1
            began = time.monotonic()
            if i % 2:  # file a visit
                response = session.post(f"{live_server.url}/api/v1/instructor-visits/", json={
                    "instructor": instructor, "enterprise": uscc, "visited_on": "2026-03-01",
                    "work_done": f"load-{n}-{i}"}, timeout=60)
                if response.status_code == 201:
                    with lock:
                        acknowledged.append((response.json()["id"], f"load-{n}-{i}"))
            elif i % 4 == 2:  # read the own list
                response = session.get(f"{live_server.url}/api/v1/instructor-visits/?page_size=20", timeout=60)
            else:  # staff read the statistics
                response = requests.get(f"{live_server.url}/api/v1/statistics/coverage/",
                                        params={"region": world.county_a.code, "as_of": "2026-06-30"},
                                        headers={"Authorization": f"Token {reader}"}, timeout=60)
            with lock:
                statuses[response.status_code] += 1
                latencies.append(time.monotonic() - began)

    threads = [threading.Thread(target=client, args=(n,)) for n in range(CLIENTS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=SECONDS + 120)

    latencies.sort()
    print(f"\nload: {CLIENTS} clients, {SECONDS:.0f} s, {sum(statuses.values())} requests, statuses {dict(statuses)}, "
          f"p50 {latencies[len(latencies) // 2] * 1000:.0f} ms, p95 {latencies[int(len(latencies) * .95)] * 1000:.0f} ms")
    assert not any(status >= 500 for status in statuses), statuses
    assert set(statuses) <= {200, 201}, statuses
    stored = list(Visit.objects.filter(work_done__startswith="load-").values_list("pk", "work_done"))
    assert len(stored) == len(set(stored)) == len(acknowledged), "lost or duplicated filings"
    assert sorted(stored) == sorted(acknowledged)
    assert len(acknowledged) >= CLIENTS  # every client got through at least once
