"""Two recomputes of the same snapshot at the same moment leave one correct snapshot per region (PostgreSQL:
the computation takes an advisory lock and replaces the rows in one transaction)."""

import threading

import pytest
from django.db import connection, connections

from reports.models import CoverageSnapshot
from reports.services import compute_snapshots
from tests.conftest import require_service

from .test_worked_example import COUNTY_ON_D, D


def test_concurrent_recomputes_of_one_snapshot_leave_one_correct_snapshot(transactional_db, worked_example):
    require_service(connection.vendor == "postgresql", "PostgreSQL")
    county = worked_example.county
    start, errors = threading.Barrier(4), []

    def recompute():
        try:
            start.wait()
            compute_snapshots(county, D)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=recompute) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not errors, errors
    subtree = CoverageSnapshot.objects.filter(region__path__startswith=county.path, as_of=D)
    assert subtree.count() == 4  # the county, two towns and the zone: one row each, no duplicates
    assert subtree.get(region=county).counts() == COUNTY_ON_D
