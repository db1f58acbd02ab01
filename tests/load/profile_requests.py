"""Where one request of each kind of the load test spends its time, in-process: queries, time in SQL, and
cProfile's top functions. Not part of the suite (no test_ prefix); run it explicitly, on PostgreSQL:

    DATABASE_URL=postgres://root@127.0.0.1:5432/wt_x .venv/bin/python -m pytest tests/load/profile_requests.py -s -q

PROFILE_ROUNDS (default 50) requests of each kind are timed, then profiled (cProfile's PROFILE_TOP functions by
own time, default 25; 0 skips the profile), after 5 warm-up requests.
"""

import cProfile
import io
import os
import pstats
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.load.requests_of_the_load import load_requests

ROUNDS = int(os.environ.get("PROFILE_ROUNDS", "50"))
TOP = int(os.environ.get("PROFILE_TOP", "25"))


@pytest.mark.django_db
def test_profile_one_request_of_each_kind(world):
    for name, send in load_requests(world).items():
        for _ in range(5):
            assert send().status_code in (200, 201)
        with CaptureQueriesContext(connection) as queries:
            send()
        began = time.perf_counter()
        sql = 0.0
        for _ in range(ROUNDS):
            with CaptureQueriesContext(connection) as timed:
                send()
            sql += sum(float(q["time"]) for q in timed.captured_queries)
        wall = (time.perf_counter() - began) / ROUNDS
        print(f"\n===== {name}: {len(queries)} queries, {wall * 1000:.1f} ms per request, "
              f"of which SQL {sql / ROUNDS * 1000:.1f} ms")
        for query in queries.captured_queries:
            print(f"    {query['sql'][:150]}")
        if not TOP:
            continue
        profile = cProfile.Profile()
        profile.enable()
        for _ in range(ROUNDS):
            send()
        profile.disable()
        out = io.StringIO()
        pstats.Stats(profile, stream=out).sort_stats("tottime").print_stats(TOP)
        print("\n".join(line[:170] for line in out.getvalue().splitlines()[6:]))
