"""Computing and storing coverage snapshots (the only writer of CoverageSnapshot)."""

import datetime
import time

from django.db import connection, transaction
from django.utils import timezone

from organizations.models import Region

from . import coverage
from .models import COUNT_FIELDS, CoverageSnapshot

# One advisory lock for every snapshot computation: two recomputes never interleave their delete/insert.
ADVISORY_LOCK_KEY = 0x434F5645  # "COVE"


# The snapshot query probes a few hashed sets of enterprise ids; give them room so PostgreSQL keeps them
# in memory at the largest tier (1M enterprises) — for this transaction only.
WORK_MEM = "256MB"


def _lock():
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            cursor.execute(f"SET LOCAL work_mem = '{WORK_MEM}'")
    # SQLite serializes writers itself.


def compute_snapshots(root: Region, day: datetime.date, *, job=None) -> dict:
    """Compute and store the snapshots of every region of `root`'s subtree on `day`, replacing earlier ones.

    One transaction: lock, compute (a constant number of queries), delete the old rows, insert the new.
    Returns {"regions": n, "enterprises": n, "seconds": s}.
    """
    started = time.monotonic()
    with transaction.atomic():
        _lock()
        figures = coverage.compute_figures(root, day)
        source = coverage.source_state()
        computed_at = timezone.now()
        rows = []
        for region, counts in figures:
            rows.append(CoverageSnapshot(
                region_id=region["id"], as_of=day, computed_at=computed_at, job=job, source=source,
                organizations_by_kind=counts["organizations_by_kind"],
                demonstration_sites_by_level=counts["demonstration_sites_by_level"],
                **{name: counts[name] for name in COUNT_FIELDS},
            ))
        CoverageSnapshot.objects.filter(region__path__startswith=root.path, as_of=day).delete()
        CoverageSnapshot.objects.bulk_create(rows)
    root_counts = figures[0][1] if figures else {"enterprises": 0}
    return {
        "regions": len(rows),
        "enterprises": root_counts["enterprises"],
        "seconds": round(time.monotonic() - started, 3),
    }


def root_regions():
    return Region.objects.get_root_nodes()
