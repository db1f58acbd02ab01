"""Statistics reads on a real streaming replica (core/routers.py): a primary and its hot standby started on
this machine (scripts/replica_pair.py: initdb + pg_basebackup -R), the test database's schema and rows copied
into the primary. Writes, authentication and read-after-write stay on the primary; the statistics API reads
the replica — shown by pausing the replica's WAL replay: the API keeps answering what the replica has.
Skipped locally when PostgreSQL or its server binaries are missing; on CI that is a failure."""

import datetime
import shutil
import subprocess
import time
from pathlib import Path

import pytest
from django.db import DEFAULT_DB_ALIAS, DatabaseError, connections, transaction
from django.test.utils import CaptureQueriesContext, override_settings
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.routers import ReplicaRouter, replica_reads
from organizations.models import Region
from reports.models import CoverageSnapshot
from scripts import replica_pair
from tests.conftest import require_service
from tests.factories import make_region, make_user

PRIMARY, REPLICA = "pp_primary", "pp_replica"
D = datetime.date(2026, 6, 30)


class PairRouter(ReplicaRouter):
    primary, replica = PRIMARY, REPLICA


def _available():
    return (connections["default"].vendor == "postgresql" and replica_pair.pg_bin() is not None
            and shutil.which("pg_dump") and shutil.which("psql"))


@pytest.fixture(scope="module")
def pair(django_db_setup, django_db_blocker, tmp_path_factory):
    require_service(bool(_available()), "PostgreSQL server binaries (initdb, pg_basebackup) for a replica")
    base = Path("/tmp") / f"pp_replica_test_{tmp_path_factory.getbasetemp().name}"
    port = replica_pair.free_port_pair()
    try:
        urls = replica_pair.start(base, port)
    except (RuntimeError, subprocess.SubprocessError, OSError) as error:
        replica_pair.stop(base)
        shutil.rmtree(base, ignore_errors=True)
        detail = getattr(error, "stderr", "") or ""
        require_service(False, f"a streaming replica on ports {port}/{port + 1} ({error} {detail})")
    default = connections["default"].settings_dict
    try:
        subprocess.run(["psql", urls["primary"], "-qc", "CREATE DATABASE portal"], check=True, capture_output=True)
        dump = subprocess.run(["pg_dump", "-h", default["HOST"] or "127.0.0.1", "-p", str(default["PORT"] or 5432),
                               "-U", default["USER"], "--no-owner", "--no-privileges", default["NAME"]],
                              check=True, capture_output=True)
        subprocess.run(["psql", urls["primary"].rsplit("/", 1)[0] + "/portal", "-q", "-v", "ON_ERROR_STOP=1"],
                       input=dump.stdout, check=True, capture_output=True)
        for alias, alias_port in ((PRIMARY, port), (REPLICA, port + 1)):
            connections.settings[alias] = dict(default, NAME="portal", HOST="127.0.0.1", PORT=alias_port, USER="root",
                                               PASSWORD="", CONN_MAX_AGE=0)
        with django_db_blocker.unblock(), override_settings(DATABASE_ROUTERS=[PairRouter()]):
            wait_replayed()
            yield urls
    finally:
        for alias in (PRIMARY, REPLICA):
            if alias in connections.settings:
                connections[alias].close()
                del connections[alias]
                del connections.settings[alias]
        # These tests reach the database outside pytest-django's per-test handling (no `db`), and the writes'
        # on-commit hooks open the default connection: close it, or it outlives the run and the test database
        # cannot be dropped at the end ("being accessed by other users").
        connections[DEFAULT_DB_ALIAS].close()
        replica_pair.stop(base)
        shutil.rmtree(base, ignore_errors=True)


def scalar(alias, sql):
    with connections[alias].cursor() as cursor:
        cursor.execute(sql)
        return cursor.fetchone()[0]


def wait_replayed(seconds=20):
    """Until the replica has replayed everything the primary has written so far."""
    target = scalar(PRIMARY, "SELECT pg_current_wal_insert_lsn()")  # not the write position
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if scalar(REPLICA, f"SELECT pg_last_wal_replay_lsn() >= '{target}'::pg_lsn"):
            return
        time.sleep(0.05)
    raise AssertionError("the replica did not catch up")


def test_the_replica_is_a_streaming_standby_that_refuses_writes(pair):
    assert scalar(REPLICA, "SELECT pg_is_in_recovery()") is True
    assert scalar(PRIMARY, "SELECT pg_is_in_recovery()") is False
    assert scalar(PRIMARY, "SELECT count(*) FROM pg_stat_replication WHERE state = 'streaming'") == 1
    with pytest.raises(DatabaseError, match="read-only"):
        Region.objects.using(REPLICA).filter(pk=0).update(name="x")


def test_reads_go_to_the_replica_only_inside_a_replica_section_and_never_after_a_write(pair):
    region = make_region("RPL01", name="副本区")  # a write: on the primary
    assert Region.objects.filter(code="RPL01").db == PRIMARY
    wait_replayed()
    with replica_reads():
        rows = Region.objects.filter(code="RPL01")
        assert rows.db == REPLICA and rows.get().name == "副本区"  # replicated, read from the standby
        Region.objects.filter(pk=region.pk).update(name="改名")  # a write inside the section …
        after = Region.objects.filter(code="RPL01")
        assert after.db == PRIMARY and after.get().name == "改名"  # … so what follows reads the primary
    with replica_reads(), transaction.atomic(using=PRIMARY):
        assert Region.objects.filter(code="RPL01").db == PRIMARY  # an open transaction reads its own writes
    assert Region.objects.filter(code="RPL01").db == PRIMARY


def test_the_statistics_api_reads_the_replica_and_authenticates_on_the_primary(pair):
    county = make_region("RPL02", name="统计县")
    user = make_user("region_viewer", region=county, username="replica-reader")
    token = Token.objects.create(user=user)
    CoverageSnapshot.objects.create(region=county, as_of=D, enterprises=7, computed_at=datetime.datetime.now(
        datetime.timezone.utc), source={})
    wait_replayed()
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    scalar(REPLICA, "SELECT pg_wal_replay_pause()")  # from now on the replica keeps what it has
    try:
        CoverageSnapshot.objects.filter(region=county, as_of=D).update(enterprises=9)  # on the primary only
        with CaptureQueriesContext(connections[REPLICA]) as on_replica, \
                CaptureQueriesContext(connections[PRIMARY]) as on_primary:
            response = client.get("/api/v1/statistics/coverage/", {"region": "RPL02", "as_of": D.isoformat()})
        assert response.status_code == 200, response.content
        assert response.json()["enterprises"] == 7  # the replica's figure: the read was served there
        assert any("reports_coveragesnapshot" in q["sql"] for q in on_replica.captured_queries)
        assert not any("reports_coveragesnapshot" in q["sql"] for q in on_primary.captured_queries)
        assert any("authtoken_token" in q["sql"] for q in on_primary.captured_queries)  # authentication
        assert CoverageSnapshot.objects.get(region=county, as_of=D).enterprises == 9  # other reads: primary
    finally:
        scalar(REPLICA, "SELECT pg_wal_replay_resume()")
    wait_replayed()
    response = client.get("/api/v1/statistics/coverage/", {"region": "RPL02", "as_of": D.isoformat()})
    assert response.json()["enterprises"] == 9
