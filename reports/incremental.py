"""Incremental coverage figures (issue 17 item 3; decisions in docs/coverage.md "Incremental figures").

Four parts:

1. **Marking.** A write that can change figures (a link, an assignment, an enterprise, a member's spans, an
   organization, a channel reach, a demonstration site, an instructor's type) is seen by the signals registered
   in `reports.apps` (`connect`): the row's state before the write (pre_save / pre_delete) is compared with its
   state when the transaction commits. When they differ, the snapshots of the affected region paths (each
   region and its ancestors) dated on or after the earliest day the write can change become stale (one UPDATE),
   and, when today is among those days, the regions are queued (`CoverageChange`) for today's recompute. Writes
   made in bulk (imports, region moves/merges/closures, synthetic and demo data, a channel or an instructor
   type switched on or off) call `bulk_changed`: every snapshot stale, a full recompute queued.
2. **The debounced job** (`schedule` → `reports.tasks.refresh_coverage`, `refresh`): takes the queue, and for
   today's snapshots rebuilds the rows of the touched regions and their ancestors bottom-up, each as what is
   registered at the region itself (`coverage.compute_figures(own_only=True)`: index lookups for that region's
   enterprises) plus its children's stored rows — the rule of the partitioned computation
   (`services.finish_partitioned`). A row is fresh again only when every child row it adds is fresh.
3. **The freshness stamp** read by the drill-down (`subtree_counts`): a snapshot row that exists and is not stale
   holds what the register gives now, so the list's length is its figure.
4. **Other dates made stale** (a backdated write, a bulk write): the job leaves them; the nightly job
   recomputes them (`stale_other_days`, `recompute_other_days`: each stored subtree with its stale days, in one
   pass per subtree).
"""

import datetime
import functools
import logging
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.db import connection, transaction
from django.db.models import Exists, FilteredRelation, OuterRef, Q
from django.db.models.functions import Length, Substr
from django.db.models.signals import post_delete, post_save, pre_delete, pre_save
from django.utils import timezone

from organizations.models import Region

from .models import COUNT_FIELDS, CoverageChange, CoverageSnapshot

logger = logging.getLogger(__name__)

ALL_DAYS = datetime.date.min  # "every date": a write whose earliest affected day is unknown or unbounded
# Beyond this many regions on the touched paths, one full recompute is cheaper than region-by-region.
MAX_PATH_REGIONS = 120
SCHEDULED_KEY = "reports:coverage-incremental:scheduled"


# --- 1. what a write changes -----------------------------------------------------------------------------

@dataclass(frozen=True)
class Source:
    """How a model's row reaches the figures: the columns that matter (`fields`, through values()), the dates
    from which a row counts (`starts`, None = always) and until which (`ends`, None = forever), the region(s)
    whose own figures it is part of (`regions`), other regions it changes (`related`: pk -> region ids),
    whether it can change distinct instructors (`instructors`: always, or when the named column changes), and
    which of a region's own counts it is part of (`parts`: the enterprise counts, the other counts)."""

    fields: tuple
    regions: tuple
    starts: tuple = ()
    ends: tuple = ()
    related: object = None
    instructors: bool | str = False
    parts: tuple = ("enterprises", "others")


ENTERPRISE_FACTS = ("enterprises",)  # what the enterprise cells read: an enterprise's links, reach, channels


def _linked_regions(pk):
    from organizations.models import CoverageLink  # noqa: PLC0415

    return CoverageLink.objects.filter(organization_id=pk).order_by().values_list(
        "enterprise__region_id", flat=True).distinct()


def _assigned_regions(pk):
    from instructors.models import Assignment  # noqa: PLC0415

    return Assignment.objects.filter(instructor_id=pk).order_by().values_list(
        "enterprise__region_id", flat=True).distinct()


@functools.cache
def sources() -> dict:
    from instructors.models import Assignment, DemonstrationSite, Instructor  # noqa: PLC0415
    from organizations.models import ChannelReach, CoverageLink, Enterprise, PartyOrganization  # noqa: PLC0415

    return {
        # moving one moves its assignments' instructors between regions
        Enterprise: Source(("region_id", "founded_on", "closed_on"), ("region_id",), ("founded_on",), ("closed_on",),
                           instructors="region_id", parts=ENTERPRISE_FACTS),
        CoverageLink: Source(("organization_id", "enterprise_id", "valid_from", "valid_to"), ("enterprise__region_id",),
                             ("valid_from",), ("valid_to",), parts=ENTERPRISE_FACTS),
        Assignment: Source(("instructor_id", "enterprise_id", "start_on", "end_on"), ("enterprise__region_id",),
                           ("start_on",), ("end_on",), instructors=True, parts=ENTERPRISE_FACTS),
        ChannelReach: Source(("channel_id", "enterprise_id", "valid_from", "valid_to"), ("enterprise__region_id",),
                             ("valid_from",), ("valid_to",), parts=ENTERPRISE_FACTS),
        DemonstrationSite: Source(("region_id", "level", "designated_on", "revoked_on"), ("region_id",),
                                  ("designated_on",), ("revoked_on",), parts=("others",)),
        # its region (organizations, members held in it) and, through its links, its enterprises' regions
        PartyOrganization: Source(("region_id", "kind", "formation_mode", "established_on", "dissolved_on"),
                                  ("region_id",), ("established_on",), ("dissolved_on",), related=_linked_regions),
        # its type decides whether its assignments reach their enterprises
        Instructor: Source(("type_id",), (), related=_assigned_regions, instructors=True, parts=ENTERPRISE_FACTS),
    }


def _row_state(model, source, pk):
    """(the row's relevant columns, its regions), or (None, set()) when there is no row."""
    names = tuple(dict.fromkeys(source.fields + source.starts + source.ends + source.regions))
    row = model._default_manager.filter(pk=pk).order_by().values(*names).first()
    if row is None:
        return None, set()
    return row, {row[name] for name in source.regions if row[name] is not None}


def earliest_day(source, old, new):
    """The earliest date whose figures the change old → new (rows as dicts, None: no row) can alter; None when
    it alters none. Starts: None means "always" (-inf); ends: None means "forever" (+inf)."""
    if old == new:
        return None
    others = [f for f in source.fields if f not in source.starts and f not in source.ends]
    if old is None or new is None or any(old[f] != new[f] for f in others):
        # the row counts (or counted) from its start: every day from the earliest start changes
        starts = [row[f] for row in (old, new) if row is not None for f in source.starts]
        return min(starts) if starts and None not in starts else ALL_DAYS
    days = []
    for f in source.starts:
        if old[f] != new[f]:
            if old[f] is None or new[f] is None:
                return ALL_DAYS
            days.append(min(old[f], new[f]))
    for f in source.ends:
        if old[f] != new[f]:
            days.append(min(d for d in (old[f], new[f]) if d is not None))
    return min(days) if days else None


def _member_state(pk):
    """A member's spans (what every figure reads of members): (organization, employer, start, end, full) with the
    regions of the organization and the employer."""
    from members.models import MemberSpan  # noqa: PLC0415

    return set(MemberSpan.objects.filter(member_id=pk).order_by().values_list(
        "organization_id", "employer_id", "start_on", "end_on", "full_on",
        "organization__region_id", "employer__region_id"))


def _member_change(before, after):
    """(regions, earliest day) of a change of a member's spans."""
    differing = before ^ after
    if not differing:
        return set(), None
    regions = {region for span in differing for region in span[5:] if region is not None}
    return regions, min(span[2] for span in differing)


# --- marking ----------------------------------------------------------------------------------------------

def _path_ids(region_ids):
    """The ids of the regions and all their ancestors (one query for the paths, one for the ids)."""
    steplen = Region.steplen
    paths = Region.objects.filter(pk__in=list(region_ids)).order_by().values_list("path", flat=True)
    prefixes = {path[:n] for path in paths for n in range(steplen, len(path) + 1, steplen)}
    return Region.objects.filter(path__in=prefixes).order_by().values("pk")


def changed(region_ids, since: datetime.date, *, instructors=False, parts=("enterprises", "others"), queue=True):
    """Figures of `region_ids` (their own; `parts`: which of their counts) may have changed on every day from
    `since`: their paths' snapshots become stale and, when today is affected, the regions are queued for the
    incremental job."""
    region_ids = {r for r in region_ids if r is not None}
    if not region_ids or since is None:
        return
    CoverageSnapshot.objects.filter(region__in=_path_ids(region_ids), as_of__gte=since, stale=False).update(stale=True)
    if queue and since <= timezone.localdate():
        CoverageChange.objects.bulk_create([
            CoverageChange(region_id=r, instructors=instructors, enterprises="enterprises" in parts,
                           others="others" in parts) for r in region_ids])
        schedule()


def owe_ancestors(path: str, day: datetime.date):
    """A subtree's rows were just replaced (a recompute of a region that is not a root, a part of a partitioned
    computation): today's rows of its ancestors may no longer add up to their children's. They are queued to
    be counted by the next run (which then does not move them by what their children moved). Their distinct
    instructors need no recount for it: a write that changed them is still queued with that flag (a run that
    took it brought the rows up to date before the recompute)."""
    if day != timezone.localdate():
        return
    steplen = Region.steplen
    above = [path[:n] for n in range(steplen, len(path), steplen)]
    CoverageChange.objects.bulk_create([CoverageChange(region_id=region_id) for region_id in
                                        Region.objects.filter(path__in=above).values_list("pk", flat=True)])


def bulk_changed(*models):
    """A write in bulk (no signals; or one that changes every region): on commit, every snapshot stale and a
    full recompute of today's queued. `models`: what was written — only when the figures read one of them
    (none given: always)."""
    if models and not set(models) & BULK_MODELS():
        return
    transaction.on_commit(_mark_everything)


def _mark_everything():
    CoverageSnapshot.objects.filter(stale=False).update(stale=True)
    CoverageChange.objects.create(region=None)
    schedule()


@functools.cache
def BULK_MODELS():  # noqa: N802 - a constant, built lazily (the models import late)
    from instructors.models import InstructorType  # noqa: PLC0415
    from members.models import Member, MemberEvent, MemberSpan  # noqa: PLC0415
    from organizations.channels import WorkChannel  # noqa: PLC0415

    return frozenset({*sources(), Member, MemberEvent, MemberSpan, InstructorType, WorkChannel, Region})


# --- the signals ------------------------------------------------------------------------------------------

def _before(sender, instance, raw=False, **kwargs):
    if raw or instance.pk is None:
        instance._coverage_before = None
        return
    instance._coverage_before = _state_of(sender, instance.pk)


def _state_of(model, pk):
    from members.models import Member  # noqa: PLC0415

    if model is Member:
        return _member_state(pk)
    return _row_state(model, sources()[model], pk)


def _after(sender, instance, raw=False, created=False, **kwargs):
    if raw:
        return
    before = getattr(instance, "_coverage_before", None)
    pk = instance.pk
    # compared with the state at commit (a member's spans follow the row in later receivers of the same save)
    transaction.on_commit(lambda: _compare(sender, pk, before))


def _after_delete(sender, instance, **kwargs):
    before, pk = getattr(instance, "_coverage_before", None), instance.pk  # the pk is cleared after the delete
    transaction.on_commit(lambda: _compare(sender, pk, before, deleted=True))


def _compare(model, pk, before, deleted=False):
    from members.models import Member  # noqa: PLC0415

    if model is Member:
        after = set() if deleted else _member_state(pk)
        regions, since = _member_change(before or set(), after)
        changed(regions, since)
        return
    source = sources()[model]
    old, old_regions = before if before is not None else (None, set())
    new, new_regions = (None, set()) if deleted else _row_state(model, source, pk)
    since = earliest_day(source, old, new)
    if since is None:
        return
    regions = old_regions | new_regions
    if source.related is not None:
        regions |= set(source.related(pk))
    instructors = source.instructors
    if isinstance(instructors, str):
        instructors = (old or {}).get(instructors) != (new or {}).get(instructors)
    changed(regions, since, instructors=instructors, parts=source.parts)


def _switched(field):
    """For a configuration row (a channel, an instructor type): switching `field` changes every region."""
    def before(sender, instance, raw=False, **kwargs):
        old = None if raw or instance.pk is None else (
            sender._default_manager.filter(pk=instance.pk).values_list(field, flat=True).first())
        instance._coverage_switch = old

    def after(sender, instance, raw=False, created=False, **kwargs):
        if not raw and not created and getattr(instance, "_coverage_switch", None) not in (None, getattr(instance,
                                                                                                      field)):
            bulk_changed()
    return before, after


def connect():
    """Register the receivers (reports.apps.ReportsConfig.ready)."""
    from instructors.models import InstructorType  # noqa: PLC0415
    from members.models import Member  # noqa: PLC0415
    from organizations.channels import WorkChannel  # noqa: PLC0415

    for model in (*sources(), Member):
        uid = f"reports.incremental.{model._meta.label_lower}"
        pre_save.connect(_before, sender=model, dispatch_uid=uid + ".pre_save")
        post_save.connect(_after, sender=model, dispatch_uid=uid + ".post_save")
        pre_delete.connect(_before, sender=model, dispatch_uid=uid + ".pre_delete")
        post_delete.connect(_after_delete, sender=model, dispatch_uid=uid + ".post_delete")
    for model, field in ((WorkChannel, "enabled"), (InstructorType, "counts_for_work_coverage")):
        before, after = _switched(field)
        uid = f"reports.incremental.{model._meta.label_lower}"
        pre_save.connect(before, sender=model, dispatch_uid=uid + ".pre_save", weak=False)
        post_save.connect(after, sender=model, dispatch_uid=uid + ".post_save", weak=False)


# --- 2. the debounced job ---------------------------------------------------------------------------------

def schedule():
    """Run the job once in the next few seconds (one per burst of writes: the first write of a burst schedules
    it, the job lifts the mark when it starts). Without a broker (eager tasks) it runs right here."""
    from .tasks import refresh_coverage  # noqa: PLC0415

    delay = getattr(settings, "COVERAGE_INCREMENTAL_DELAY", 5)
    if not cache.add(SCHEDULED_KEY, 1, timeout=max(60, delay * 12)):
        return
    if settings.CELERY_TASK_ALWAYS_EAGER:  # no broker (as core.jobs.enqueue): in-process, now
        run()
        return
    try:
        refresh_coverage.apply_async(countdown=delay, retry=False)
    except Exception:  # broker down: the rows stay stale (lists count live) and the nightly job recomputes
        cache.delete(SCHEDULED_KEY)
        logger.warning("could not schedule the incremental coverage job", exc_info=True)


def _take_queue():
    """Take every queued change at once (DELETE … RETURNING: nothing committed meanwhile is lost)."""
    table = connection.ops.quote_name(CoverageChange._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {table} RETURNING region_id, instructors, enterprises, others")
        return cursor.fetchall()


def refresh(day: datetime.date | None = None) -> dict:
    """Bring today's snapshots of the queued regions' paths up to date. Returns what it did.

    Only the queued regions' own figures are counted (and of those, only the parts their changes can alter);
    every other row of the paths moves by what its children's rows moved: a row is what its region holds itself
    plus its children's rows, and what an ancestor holds itself did not change (else it would be queued)."""
    from . import coverage, services  # noqa: PLC0415

    day = day or timezone.localdate()
    started = time.monotonic()
    result = {"as_of": day.isoformat(), "mode": "none", "regions": 0, "still_stale": 0}
    with transaction.atomic():
        services._lock()
        taken = _take_queue()
        if not taken:
            return result | {"seconds": round(time.monotonic() - started, 3)}
        touched = {region_id for region_id, *_flags in taken}
        # distinct instructors are recounted (over each subtree: most of the cost at the province) only when an
        # assignment, an instructor's type or an enterprise's region changed; otherwise the stored count holds.
        # Likewise the enterprise counts and the other counts: a changed link recounts only the former.
        recount, cells, others = (any(change[i] for change in taken) for i in (1, 2, 3))
        counted = [*(coverage.ENTERPRISE_FIGURES if cells else ()), *(coverage.OTHER_FIGURES if others else ())]
        path = []
        if None not in touched:
            path = list(Region.objects.filter(pk__in=_path_ids(touched)).order_by("-depth", "path"))
        if None in touched or len(path) > MAX_PATH_REGIONS:
            roots = [root for root in services.root_regions()
                     if CoverageSnapshot.objects.filter(region=root, as_of=day).exists()]
            for root in roots:
                services.compute_snapshots(root, day)
            return result | {"mode": "full", "regions": len(roots), "seconds": round(time.monotonic() - started, 3)}
        if connection.vendor == "postgresql":
            # a few index lookups per region: parallel workers cost more to start than they save (measured at
            # tier L: the path's own figures in 36 ms instead of 80 ms)
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL max_parallel_workers_per_gather = 0")
        children = {}  # parent id -> child ids
        child_q = Q(pk__in=[])
        for region in path:
            child_q |= Q(path__startswith=region.path, depth=region.depth + 1)
        for child_id, child_path in Region.objects.filter(child_q).order_by().values_list("pk", "path"):
            parent = next(r for r in path if r.path == child_path[:-Region.steplen])
            children.setdefault(parent.pk, []).append(child_id)
        ids = {region.pk for region in path} | {c for kids in children.values() for c in kids}
        rows = {row.region_id: row for row in CoverageSnapshot.objects.filter(as_of=day, region_id__in=ids)}
        before = {region_id: _figures(row) for region_id, row in rows.items()}
        own = coverage.own_figures([r for r in touched if r in rows], day,  # 1 or 2 queries
                                   enterprises=cells, others=others)
        updated, unsure, done = [], [], set()
        for region in path:  # deepest first: a parent adds its children's rows as just brought up to date
            row = rows.get(region.pk)
            if row is None:
                continue  # nothing stored for it (its ancestors then stay stale: a child row is missing)
            kids = [rows.get(c) for c in children.get(region.pk, [])]
            if any(kid is None or kid.stale for kid in kids):
                row.stale = True  # it adds a row that is missing or stale: it cannot be fresh either
                unsure.append(row)
                continue
            counts = _figures(row)  # (its stored figures; `before` keeps them for its parent)
            moved = [kid for kid in kids if kid.region_id in done]
            for kid in moved:  # what its children's rows moved
                coverage.add_figures(counts, _figures(kid))
                coverage.add_figures(counts, before[kid.region_id], sign=-1)
            if region.pk in own:  # queued: what it holds itself, counted, plus its children's rows
                mine = own[region.pk]
                for kid in kids:
                    coverage.add_figures(mine, _figures(kid))
                counts.update({name: mine[name] for name in counted})
            counts["instructors"] = coverage.subtree_instructors(region, day) if recount else row.instructors
            for name in COUNT_FIELDS:
                setattr(row, name, counts[name])
            for name in coverage.BREAKDOWNS:
                setattr(row, name, {key: n for key, n in sorted(counts[name].items()) if n})
            row.stale = False
            updated.append(row)
            done.add(region.pk)
        if updated:
            # the state of the register the rows now stand for (about a millisecond: ids, not counts)
            now, source = timezone.now(), coverage.source_state()
            for row in updated:
                row.source, row.computed_at = source, now
            services.update_rows(updated, [*COUNT_FIELDS, *coverage.BREAKDOWNS, "stale", "source", "computed_at"])
        if unsure:
            CoverageSnapshot.objects.filter(pk__in=[row.pk for row in unsure], stale=False).update(stale=True)
            # what this run could not bring in stays owed: the next run that reaches these rows counts them
            # itself (their stored figures no longer add up to their children's)
            CoverageChange.objects.bulk_create([CoverageChange(region_id=row.region_id, instructors=recount)
                                                for row in unsure])
        # a write committed while this ran is queued again: its paths stay (or become again) stale
        pending = set(CoverageChange.objects.order_by().values_list("region_id", flat=True))  # (stale, any part)
        if None in pending:
            CoverageSnapshot.objects.filter(stale=False).update(stale=True)
        elif pending:
            changed(pending, day, queue=False)
    return result | {"mode": "incremental", "regions": len(updated),
                     "still_stale": sum(1 for r in path if r.pk in rows and rows[r.pk].stale),
                     "seconds": round(time.monotonic() - started, 3)}


def _figures(row) -> dict:
    """A stored row's additive figures as a dict (breakdowns copied: they are added to)."""
    from .coverage import BREAKDOWNS  # noqa: PLC0415
    from .services import PER_REGION_FIELDS  # noqa: PLC0415

    figures = {name: getattr(row, name) for name in PER_REGION_FIELDS}
    for name in BREAKDOWNS:
        figures[name] = dict(figures[name])
    return figures


def run() -> dict:
    """The job's body: lift the debounce mark first (a write from now on schedules the next run), then refresh."""
    cache.delete(SCHEDULED_KEY)
    return refresh()


# --- 3. the freshness stamp -------------------------------------------------------------------------------

def subtree_counts(region, day: datetime.date, category: str):
    """(the ids of the region's subtree in path order, [(region id, its own count of `category`)] or None), in one
    query: the own counts come from the snapshots on `day` when every region of the subtree has one and all are
    fresh, else None. Own = the row less its children's rows (every enterprise count adds up)."""
    rows = list(Region.objects.filter(path__startswith=region.path).order_by("path")
                .annotate(snapshot=FilteredRelation("coverage_snapshots",
                                                    condition=Q(coverage_snapshots__as_of=day)))
                .values_list("pk", "path", "snapshot__stale", f"snapshot__{category}"))
    region_ids = [region_id for region_id, _path, _stale, _n in rows]
    if any(stale is not False for _id, _path, stale, _n in rows):  # stale, or no snapshot (None)
        return region_ids, None
    own = {path: n for _id, path, _stale, n in rows}
    for _id, path, _stale, n in rows:
        parent = path[:-Region.steplen]
        if parent in own and len(path) > len(region.path):
            own[parent] -= n
    return region_ids, [(region_id, own[path]) for region_id, path, _stale, _n in rows]


class RowsByRegion:
    """The drill-down's rows as a sliceable list for the paginator: a slice [start, stop) is read only from the
    regions it falls in (their own counts are known), with the offset counted from the first of them.

    The rows are in (region path, name, id) order. A slice inside one region is read in (name, id) order, the
    same order there: the index on (region, name, id) then yields the region's enterprises in order and the
    query stops at the slice's end, testing the count's condition on no more enterprises than it must."""

    def __init__(self, rows, own):
        self.rows, self.own = rows, own  # rows(region ids) -> the queryset of those regions' rows (values())

    def __getitem__(self, window):
        start, stop = window.start or 0, window.stop
        regions, before, seen = [], None, 0
        for region_id, n in self.own:
            if n and seen + n > start and seen < stop:
                before = seen if before is None else before
                regions.append(region_id)
            seen += n
            if seen >= stop:
                break
        if not regions:
            return []
        order = ("name", "id") if len(regions) == 1 else ("region__path", "name", "id")
        return list(self.rows(regions).order_by(*order)[start - before:stop - before])

    def __len__(self):
        return sum(n for _region_id, n in self.own)


def sees_whole_subtree(user, region) -> bool:
    """Whether the user's visible enterprises include every enterprise of the region's subtree (so a figure of
    the region is also the length of the user's list): unrestricted users, and region-scoped staff whose scope
    contains the region. Secretaries and instructors see fewer (their lists are counted live)."""
    from core.roles import REGION_ROLES  # noqa: PLC0415
    from core.scoping import user_is_unrestricted  # noqa: PLC0415

    if user_is_unrestricted(user):
        return True
    return (getattr(user, "role", None) in REGION_ROLES and bool(user.scope_region_id)
            and region.path.startswith(user.scope_region.path))


# --- 4. other dates made stale -----------------------------------------------------------------------------

def stale_other_days(today: datetime.date | None = None) -> list[tuple[Region, list[datetime.date]]]:
    """[(region, its days)] to recompute so that no stored date other than today stays stale: for each day, the
    top of each subtree stored on it (a row whose parent region has no row that day) when that top is stale. A
    stale row makes its whole path stale (`changed`), so a stale top covers every stale row beneath it. Today is
    the debounced job's. In path order; the days ascending."""
    today = today or timezone.localdate()
    path = OuterRef("region__path")
    parent_row = CoverageSnapshot.objects.filter(
        as_of=OuterRef("as_of"), region__path=Substr(path, 1, Length(path) - Region.steplen))
    rows = (CoverageSnapshot.objects.filter(stale=True).exclude(as_of=today).filter(~Exists(parent_row))
            .order_by("region__path", "as_of").values_list("region_id", "as_of"))
    days = {}
    for region_id, day in rows:
        days.setdefault(region_id, []).append(day)
    regions = Region.objects.in_bulk(list(days))
    return [(regions[region_id], region_days) for region_id, region_days in days.items()]


def recompute_other_days(today: datetime.date | None = None, *, job=None) -> dict:
    """Recompute every stale date other than today (`stale_other_days`): a subtree's days in one pass
    (`services.compute_snapshots_for_days`, at most `trends.MAX_TREND_DAYS` at once), a single day as one
    computation. Returns {"regions": n (rows written), "enterprises": n (each pass's root on its last day),
    "seconds": s, "subtrees": n, "days": n (subtree-days)}: compute_coverage's summary, plus what was done."""
    from . import services  # noqa: PLC0415
    from .trends import MAX_TREND_DAYS  # noqa: PLC0415

    started = time.monotonic()
    todo = stale_other_days(today)
    regions = enterprises = 0
    for region, days in todo:
        for i in range(0, len(days), MAX_TREND_DAYS):
            chunk = days[i:i + MAX_TREND_DAYS]
            if len(chunk) == 1:
                result = services.compute_snapshots(region, chunk[0], job=job)
            else:
                result = services.compute_snapshots_for_days(region, chunk, job=job)
            regions += result["regions"] * len(chunk)
            enterprises += result["enterprises"]
    return {"regions": regions, "enterprises": enterprises, "seconds": round(time.monotonic() - started, 3),
            "subtrees": len(todo), "days": sum(len(days) for _region, days in todo)}
