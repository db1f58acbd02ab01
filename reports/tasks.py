"""Background work of the reports app: thin wrappers around reports.services."""

import datetime

from celery import shared_task
from django.utils import timezone

from core.jobs import enqueue, job_handler
from organizations.models import Region

from . import services


@job_handler("coverage.compute")
def compute_coverage(job):
    """params: {"region": code, "as_of": "YYYY-MM-DD"}; both optional (every root region, today)."""
    params = job.params or {}
    day = datetime.date.fromisoformat(params["as_of"]) if params.get("as_of") else timezone.localdate()
    code = params.get("region")
    roots = [Region.objects.get(code=code)] if code else list(services.root_regions())
    results = [services.compute_snapshots(root, day, job=job) for root in roots]
    return {
        "as_of": day.isoformat(),
        "regions": sum(r["regions"] for r in results),
        "enterprises": sum(r["enterprises"] for r in results),
        "seconds": round(sum(r["seconds"] for r in results), 3),
    }


@shared_task(name="reports.compute_coverage_nightly")
def compute_coverage_nightly():
    """Celery beat (02:00): today's snapshot for every root region, one job each."""
    today = timezone.localdate().isoformat()
    for root in services.root_regions():
        enqueue("coverage.compute", {"region": root.code, "as_of": today}, region_code=root.code)
