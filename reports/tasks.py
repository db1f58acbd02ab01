"""Background work of the reports app: thin wrappers around reports.services."""

import datetime

from celery import chord, shared_task
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.jobs import enqueue, job_handler
from organizations.models import Region

from . import services
from .models import CoverageSnapshot


@job_handler("coverage.compute", label=_("Coverage computation"))
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


def trend_days(params) -> list:
    """The days of a trend computation: {"year": YYYY} → its 12 month-ends (for the running year: those that have
    passed, and today for the running month); {"days": [dates]} → those."""
    from django.utils.translation import gettext  # noqa: PLC0415

    from .trends import MAX_TREND_DAYS, month_ends  # noqa: PLC0415

    if params.get("year") not in (None, ""):
        try:
            year = int(params["year"])
            if not 1900 <= year <= 9999:
                raise ValueError
        except (TypeError, ValueError):
            raise ValueError(gettext("“%(value)s” is not a year.") % {"value": params["year"]}) from None
        today = timezone.localdate()
        if year > today.year:
            raise ValueError(gettext("The period %(period)s has not begun yet.") % {"period": year})
        # the running year: its months so far, the running month as of today (as the trend report reads them)
        return sorted({min(day, today) for day in month_ends(year)})
    days = params.get("days")
    if isinstance(days, str):
        days = [part for part in days.split(",") if part.strip()]
    if not days:
        raise ValueError(gettext("Give a year or a list of days."))
    try:
        days = sorted({datetime.date.fromisoformat(str(day).strip()) for day in days})
    except ValueError:
        raise ValueError(gettext("Days are dates YYYY-MM-DD, not %(value)s.") % {"value": ", ".join(map(str, days))}) from None
    if len(days) > MAX_TREND_DAYS:
        raise ValueError(gettext("At most %(n)s days at once.") % {"n": MAX_TREND_DAYS})
    return days


@job_handler("coverage.compute_trend", label=_("Coverage trend computation"))
def compute_coverage_trend(job):
    """params: {"region": code, "year": YYYY} (the 12 month-ends of the year) or {"region": code, "days": [dates]};
    region optional (every root region). The snapshots of all the days in one pass (reports.trends)."""
    params = job.params or {}
    days = trend_days(params)
    code = params.get("region")
    roots = [Region.objects.get(code=code)] if code else list(services.root_regions())
    results = [services.compute_snapshots_for_days(root, days, job=job) for root in roots]
    return {
        "days": len(days),
        "regions": sum(r["regions"] for r in results),
        "enterprises": sum(r["enterprises"] for r in results),
        "seconds": round(sum(r["seconds"] for r in results), 3),
    }


@shared_task(name="reports.compute_coverage_part", ignore_result=False, acks_late=True)
def compute_coverage_part(code, as_of):
    """One child subtree of a partitioned computation (a chord's part)."""
    return services.compute_snapshots(Region.objects.get(code=code), datetime.date.fromisoformat(as_of), part=True)


@shared_task(name="reports.finish_coverage_partitioned", ignore_result=False)
def finish_coverage_partitioned(parts, code, as_of):
    """The chord's callback: the province row from its own figures and its children's rows."""
    result = services.finish_partitioned(Region.objects.get(code=code), datetime.date.fromisoformat(as_of))
    return {"regions": result["regions"] + sum(p["regions"] for p in parts), "enterprises": result["enterprises"],
            "parts": len(parts)}


def compute_partitioned(root: Region, day: datetime.date, queue: str | None = None):
    """A province's computation split by child subtree (cities) across workers: a Celery chord of one task
    per child and the province row at the end. `queue`: e.g. one queue per province (docs/operations.md).
    Returns the chord's AsyncResult (eager mode: already done)."""
    options = {"queue": queue} if queue else {}
    children = Region.objects.filter(path__startswith=root.path, depth=root.depth + 1).order_by("path")
    parts = [compute_coverage_part.s(child.code, day.isoformat()).set(**options) for child in children]
    return chord(parts)(finish_coverage_partitioned.s(root.code, day.isoformat()).set(**options))


@shared_task(name="reports.compute_coverage_nightly")
def compute_coverage_nightly():
    """Celery beat (02:00): today's snapshot for every root region, one job each."""
    today = timezone.localdate()
    for root in services.root_regions():
        enqueue("coverage.compute", {"region": root.code, "as_of": today.isoformat()}, region_code=root.code)
    # then the other dates writes made stale (a backdated link, an import), so that their figures agree with
    # their lists again by morning (docs/coverage.md "Incremental figures")
    if CoverageSnapshot.objects.filter(stale=True).exclude(as_of=today).exists():
        enqueue("coverage.recompute_stale")


@job_handler("coverage.recompute_stale", label=_("Recomputation of stale dates"))
def recompute_stale_days(job):
    """No params. Every stored date other than today that writes made stale, recomputed: each stored subtree's
    stale days in one pass (reports.incremental.recompute_other_days)."""
    from . import incremental  # noqa: PLC0415

    return incremental.recompute_other_days(job=job)


@shared_task(name="reports.refresh_coverage", ignore_result=True)
def refresh_coverage():
    """The debounced incremental job (reports.incremental): today's snapshots of the regions writes touched."""
    from . import incremental  # noqa: PLC0415

    return incremental.run()


@job_handler("reports.build", label=_("Report build"))
def build_report(job):
    """params: {"run": id} — builds that ReportRun (reports.services.request_run records it first)."""
    from .models import ReportRun  # noqa: PLC0415

    run = ReportRun.objects.select_related("definition", "region").get(pk=job.params["run"])
    run = services.build_run(run, job=job)
    return {"run": run.pk, "status": run.status, "rows": run.rows}


@shared_task(name="reports.build_periodic_reports")
def build_periodic_reports(period_type):
    """Celery beat (reports/migrations/0005): when a period ends, the draft runs of every active definition of
    that period type, for every region at the definition's reporting levels (counties and above by default),
    so each unit opens a ready table; one job each. Idempotent: a region that already has a run of the
    definition for the period is skipped."""
    from core.periods import just_ended  # noqa: PLC0415

    return create_draft_runs(period_type, just_ended(timezone.localdate(), period_type).code)


def create_draft_runs(period_type, period_code):
    from .approval import reporting_regions  # noqa: PLC0415
    from .models import ReportRun  # noqa: PLC0415

    from core.periods import parse_period  # noqa: PLC0415

    end = parse_period(period_code).end
    requested = []
    for definition in services.offered_definitions().filter(period_type=period_type):
        have = ReportRun.objects.filter(definition=definition, period=period_code).values("region_id")
        regions = reporting_regions(definition, period_end=end).exclude(pk__in=have)
        for region in regions:
            run = services.request_run(definition, region, period_code)
            requested.append(run.pk)
    return requested
