"""Computing and storing coverage snapshots (the only writer of CoverageSnapshot); requesting and building
report runs."""

import contextlib
import datetime
import hashlib
import json
import logging
import re
import time
from concurrent.futures import ThreadPoolExecutor

from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import DatabaseError, connection, transaction
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.dbstats import analyze_stale
from core.jobs import JobQueueUnavailable, enqueue
from organizations.models import Region

from . import coverage
from .definitions import REGISTRY, get_spec
from .models import COUNT_FIELDS, CoverageSnapshot, ReportDefinition, ReportRun
from core.periods import Period, parse_period
from .rendering import preview_data, render_csv, render_xlsx, table_from_json, table_to_json

logger = logging.getLogger(__name__)

# One advisory lock for every snapshot computation: two recomputes never interleave their delete/insert.
ADVISORY_LOCK_KEY = 0x434F5645  # "COVE"


# The snapshot query probes a few hashed sets of enterprise ids; give them room so PostgreSQL keeps them in memory
# at the largest tier (1M enterprises). JIT off: PostgreSQL spends seconds compiling these long statements, more
# than it saves (tier L: the cells statement 10.1 s with it, 7.3 s without). For the computation's transaction
# only; the benchmark gives the floor statements the same settings.
SETTINGS = {"work_mem": "256MB", "jit": "off"}


def tune(cursor):
    """SET LOCAL the computation's settings on a PostgreSQL cursor (inside a transaction)."""
    for name, value in SETTINGS.items():
        cursor.execute(f"SET LOCAL {name} = '{value}'")


def _lock(part=None):
    """Exclusive for a whole computation; for one part of a partitioned one (`part`: its region), shared
    with the other parts (disjoint subtrees, computed side by side) and exclusive for that region."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            if part is None:
                cursor.execute("SELECT pg_advisory_xact_lock(%s)", [ADVISORY_LOCK_KEY])
            else:
                cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [ADVISORY_LOCK_KEY])
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [ADVISORY_LOCK_KEY, part.pk])
            tune(cursor)
    # SQLite serializes writers itself.


# --- the other queries beside the enterprise cells, on a second connection -------------------------------
#
# The enterprise cells are one statement (most of the time); organizations, members, sites and instructor pairs
# are four more. On PostgreSQL the job runs those on a second connection at the same time, in a transaction
# that imports the first one's snapshot (`pg_export_snapshot` / `SET TRANSACTION SNAPSHOT`, as pg_dump's
# parallel workers do): both read exactly the same state of the register. The computation's lock is then taken
# at session level BEFORE its repeatable-read transaction starts, so the snapshot is taken once the lock is
# held (a snapshot from before the wait would not see the rows another computation just stored).

READ_BESIDE = True  # tests switch it off to compare with one connection


def _can_read_beside() -> bool:
    return READ_BESIDE and connection.vendor == "postgresql" and not connection.in_atomic_block


@contextlib.contextmanager
def _session_lock(part=None):
    """The same lock as `_lock`, held by the session around a transaction (released after its commit)."""
    keys = [("pg_advisory_lock", [ADVISORY_LOCK_KEY])] if part is None else [
        ("pg_advisory_lock_shared", [ADVISORY_LOCK_KEY]), ("pg_advisory_lock", [ADVISORY_LOCK_KEY, part.pk])]
    unlock = {"pg_advisory_lock": "pg_advisory_unlock", "pg_advisory_lock_shared": "pg_advisory_unlock_shared"}
    taken = []
    try:
        with connection.cursor() as cursor:
            for function, args in keys:
                cursor.execute(f"SELECT {function}({', '.join(['%s'] * len(args))})", args)
                taken.append((function, args))
        yield
    finally:
        try:
            with connection.cursor() as cursor:
                for function, args in reversed(taken):
                    cursor.execute(f"SELECT {unlock[function]}({', '.join(['%s'] * len(args))})", args)
        except DatabaseError:  # a lost connection: the server released the session's locks with it
            logger.warning("could not release the coverage computation's lock", exc_info=True)


def _repeatable_read():
    """The first statements of the computation's transaction: one snapshot for all its reads."""
    with connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        tune(cursor)


@contextlib.contextmanager
def _computation(part=None):
    """The transaction of a computation, locked (`part`: see `_lock`) and tuned; yields the runner for the
    queries beside the enterprise statement (`_beside`), or None where they run on the one connection."""
    beside = _can_read_beside()
    with _session_lock(part) if beside else contextlib.nullcontext():
        with transaction.atomic():
            if beside:
                _repeatable_read()
            else:
                _lock(part)
            yield _beside if beside else None


SNAPSHOT_ID = re.compile(r"^[0-9A-F]+-[0-9A-F]+(-[0-9]+)?$")


def _beside(function):
    """Run `function` on a second connection reading this transaction's snapshot; returns a future."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
    if not SNAPSHOT_ID.match(snapshot):
        raise ValueError(snapshot)

    def run():
        from django.db import connections  # noqa: PLC0415 — this thread's own connection

        try:
            with transaction.atomic():
                with connections["default"].cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
                    cursor.execute(f"SET TRANSACTION SNAPSHOT '{snapshot}'")
                    tune(cursor)
                return function()
        finally:
            connections.close_all()

    executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="coverage-beside")
    future = executor.submit(run)
    executor.shutdown(wait=False)
    return future


def compute_snapshots(root: Region, day: datetime.date, *, job=None, part=False) -> dict:
    """Compute and store the snapshots of every region of `root`'s subtree on `day`, replacing earlier ones.

    One transaction: lock, compute (a constant number of queries), delete the old rows, insert the new.
    `part`: one subtree of a partitioned computation (runs beside the other parts; see compute_partitioned).
    On PostgreSQL, outside a caller's transaction, the queries other than the enterprise cells run at the same
    time on a second connection that reads the same snapshot of the database (`_beside`).
    Returns {"regions": n, "enterprises": n, "seconds": s}.
    """
    started = time.monotonic()
    # A bulk load since the last ANALYZE leaves the planner blind (a 100 000-row table taken for an empty one,
    # 3–5× slower plans): refresh the statistics that are stale first (one catalogue query when none is).
    analyze_stale(coverage.SOURCE_MODELS)
    with _computation(root if part else None) as concurrently:
        figures = coverage.compute_figures(root, day, concurrently=concurrently)
        stored = _store(figures, day, job, CoverageSnapshot.objects.filter(region__path__startswith=root.path))
    root_counts = figures[0][1] if figures else {"enterprises": 0}
    return {
        "regions": stored,
        "enterprises": root_counts["enterprises"],
        "seconds": round(time.monotonic() - started, 3),
    }


def compute_snapshots_for_days(root: Region, days, *, job=None) -> dict:
    """compute_snapshots for several days in one pass (reports.trends: a year's month-ends at a few times the
    cost of one day): one transaction under the same lock, each day's snapshots replacing that day's old ones.
    Returns {"days": n, "regions": n (of the subtree), "enterprises": n (the root's, on the last day), "seconds": s}."""
    from .trends import compute_figures_for_days  # noqa: PLC0415

    started = time.monotonic()
    days = sorted(set(days))
    analyze_stale(coverage.SOURCE_MODELS)
    with _computation() as concurrently:
        by_day = compute_figures_for_days(root, days, concurrently=concurrently)
        source = coverage.source_state()
        replaced = CoverageSnapshot.objects.filter(region__path__startswith=root.path)
        for day in days:
            _store(by_day[day], day, job, replaced, source=source)
    last = by_day[days[-1]] if days else []
    return {
        "days": len(days),
        "regions": len(last),
        "enterprises": last[0][1]["enterprises"] if last else 0,
        "seconds": round(time.monotonic() - started, 3),
    }


def _store(figures, day, job, replaced, source=None) -> int:
    """Replace the snapshots `replaced` (on `day`) with `figures`; returns the number of rows written. `source`:
    the register's state when the caller has it already (several days stored in one transaction)."""
    source = coverage.source_state() if source is None else source
    computed_at = timezone.now()
    replaced.filter(as_of=day).delete()
    if figures and figures[0][0]["depth"] > 1:
        from .incremental import owe_ancestors  # noqa: PLC0415

        owe_ancestors(figures[0][0]["path"], day)
    if connection.vendor == "postgresql":
        _insert_json(figures, CoverageSnapshot(as_of=day, computed_at=computed_at, job=job, source=source))
    else:
        CoverageSnapshot.objects.bulk_create([
            CoverageSnapshot(
                region_id=region["id"], as_of=day, computed_at=computed_at, job=job, source=source,
                **{name: counts[name] for name in PER_REGION_FIELDS},
            )
            for region, counts in figures
        ])
    return len(figures)


# What differs from one region's snapshot to the next; every other column is the same for the whole batch.
PER_REGION_FIELDS = [*COUNT_FIELDS, *coverage.BREAKDOWNS]


def _insert_json(figures, template: CoverageSnapshot):
    """INSERT one row per (region, figures) in ONE statement with two parameters for the varying part: the
    regions' figures as a JSON array unpacked by `jsonb_to_recordset`, and the batch's common columns
    (day, time, job, source stamp, defaults) from `template`. Adapting a province's ~90,000 values one by one
    (bulk_create) took half a second; the JSON text takes milliseconds."""
    if not figures:
        return
    quote = connection.ops.quote_name
    varying = {"region_id": "bigint"} | {
        f.column: f.db_type(connection) for f in CoverageSnapshot._meta.concrete_fields if f.name in PER_REGION_FIELDS}
    columns, selected, params = [], [], []
    for field in CoverageSnapshot._meta.concrete_fields:
        if field.primary_key:
            continue
        columns.append(quote(field.column))
        if field.column in varying:
            selected.append(f"x.{quote(field.column)}")
        else:  # the same for every row: one parameter
            selected.append(f"%s::{field.db_type(connection)}")
            params.append(field.get_db_prep_save(field.value_from_object(template), connection))
    rows = [{"region_id": region["id"], **{name: counts[name] for name in PER_REGION_FIELDS}}
            for region, counts in figures]
    record = ", ".join(f"{quote(column)} {kind}" for column, kind in varying.items())
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(CoverageSnapshot._meta.db_table)} ({', '.join(columns)}) "
            f"SELECT {', '.join(selected)} FROM jsonb_to_recordset(%s::jsonb) AS x({record})",
            [*params, json.dumps(rows, separators=(",", ":"), ensure_ascii=False)])


def update_rows(rows, names):
    """UPDATE the fields `names` of these snapshot rows. On PostgreSQL in ONE statement from a JSON array
    (`jsonb_to_recordset`, as `_insert_json`): Django's bulk_update builds a CASE per field and row, which took
    most of the incremental job's time; elsewhere one UPDATE per row."""
    if not rows:
        return
    fields = [CoverageSnapshot._meta.get_field(name) for name in names]
    if connection.vendor != "postgresql":
        for row in rows:
            CoverageSnapshot.objects.filter(pk=row.pk).update(**{f.name: getattr(row, f.attname) for f in fields})
        return
    quote = connection.ops.quote_name
    record = ", ".join(["id bigint", *(f"{quote(f.column)} {f.db_type(connection)}" for f in fields)])
    data = [{"id": row.pk, **{f.column: _json_value(getattr(row, f.attname)) for f in fields}} for row in rows]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {quote(CoverageSnapshot._meta.db_table)} AS t SET "
            + ", ".join(f"{quote(f.column)} = x.{quote(f.column)}" for f in fields)
            + f" FROM jsonb_to_recordset(%s::jsonb) AS x({record}) WHERE t.id = x.id",
            [json.dumps(data, separators=(",", ":"), ensure_ascii=False)])


def _json_value(value):
    return value.isoformat() if isinstance(value, (datetime.date, datetime.datetime)) else value


# --- one province split by child subtree (cities) across workers -------------------------------------------
#
# Each child's subtree is an ordinary computation of its own (compute_snapshots(child, part=True)); the
# province row is then what is registered at the province itself plus the sum of its children's stored rows
# (rates are ratios of those sums), and its distinct instructors one count over the whole province.
# reports.tasks.compute_partitioned runs the children as a Celery group and this as the chord's callback.



def finish_partitioned(root: Region, day: datetime.date, *, job=None) -> dict:
    """Store `root`'s snapshot from its own figures and its children's snapshots (computed just before)."""
    started = time.monotonic()
    with transaction.atomic():
        _lock()
        (region, counts), = coverage.compute_figures(root, day, own_only=True)
        children = CoverageSnapshot.objects.filter(as_of=day, region__depth=root.depth + 1,
                                                   region__path__startswith=root.path)
        for child in children:
            coverage.add_figures(counts, {name: getattr(child, name) for name in PER_REGION_FIELDS})
        _store([(region, counts)], day, job, CoverageSnapshot.objects.filter(region=root))
    return {"regions": 1, "enterprises": counts["enterprises"], "seconds": round(time.monotonic() - started, 3)}


def root_regions():
    return Region.objects.get_root_nodes()


# --- periodic reports --------------------------------------------------------------------------------
#
# A run is requested (a ReportRun row, the next version for its definition, region and period), then built
# by a job ("reports.build", reports.tasks) or directly (manage.py build_report). Building renders the
# definition's table to XLSX and CSV in the private report storage and records their SHA-256 checksums.

PREVIEW_ROWS = 500  # rows kept for the HTML preview; the files have them all


def sync_definitions() -> int:
    """Create the ReportDefinition row of every definition in the code registry that has none yet
    (a new report is one class in reports/definitions.py; its row appears at the next migrate)."""
    created = 0
    with translation.override(settings.LANGUAGE_CODE):
        for code, spec in REGISTRY.items():
            _row, made = ReportDefinition.objects.get_or_create(
                code=code, defaults={"title": str(spec.title), "period_type": spec.period_type,
                                     "schema_version": spec.schema_version})
            created += made
    return created


def offered_definitions():
    """Active definitions that the code knows how to build."""
    return ReportDefinition.objects.filter(active=True, code__in=list(REGISTRY)).order_by("code")


def definition_by_code(code) -> ReportDefinition:
    definition = offered_definitions().filter(code=str(code or "").strip()).first()
    if definition is None:
        raise ValidationError({"definition": _("There is no report “%(code)s”. Choose one of: %(codes)s.") % {
            "code": code, "codes": ", ".join(offered_definitions().values_list("code", flat=True))}})
    return definition


def period_for_run(text, today=None) -> Period:
    """A period to report on: well-formed and already begun (a running period is reported up to today)."""
    try:
        period = parse_period(text)
    except ValidationError as error:
        raise ValidationError({"period": error.messages}) from error
    today = today or timezone.localdate()
    if period.start > today:
        raise ValidationError({"period": _("The period %(period)s has not begun yet.") % {"period": period.code}})
    return period


def request_run(definition: ReportDefinition, region: Region, period_text, *, user=None, run_now=False) -> ReportRun:
    """Record the next version of (definition, region, period) and build it: by a job (the default), or
    right here (`run_now`, for the management command). Raises ValidationError for a bad period and
    core.jobs.JobQueueUnavailable when the broker is down (the run is then marked failed)."""
    today = timezone.localdate()
    period = period_for_run(period_text, today)
    with transaction.atomic():
        # Lock the definition row: two requests for the same report get consecutive versions, not a clash.
        ReportDefinition.objects.select_for_update().filter(pk=definition.pk).first()
        previous = (ReportRun.objects.filter(definition=definition, region=region, period=period.code)
                    .order_by("-version").first())
        if previous is not None and previous.approval in (ReportRun.Approval.SUBMITTED, ReportRun.Approval.APPROVED):
            raise ValidationError(
                _("Version %(version)s of this report for %(region)s, %(period)s is %(state)s; a new run can only "
                  "be built once it is returned (or unlocked by the approving level).") % {
                    "version": previous.version, "region": region.name, "period": period.code,
                    "state": previous.get_approval_display()})
        latest = previous.version if previous is not None else 0
        run = ReportRun.objects.create(
            definition=definition, region=region, period=period.code, period_start=period.start,
            period_end=period.end, as_of=period.as_of(today), version=latest + 1,
            schema_version=definition.schema_version,
            requested_by=user if user is not None and user.is_authenticated else None,
        )
    if run_now:
        build_run(run)
        return run
    try:
        job = enqueue("reports.build", {"run": run.pk}, user=user, region_code=region.code)
    except JobQueueUnavailable:
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.FAILED, finished_at=timezone.now(),
            error=_("The job queue is not reachable, so the report was not started. Please try again later."))
        raise
    ReportRun.objects.filter(pk=run.pk, job__isnull=True).update(job=job)
    run.refresh_from_db()
    return run


def _file_name(run: ReportRun, extension: str) -> str:
    return f"{run.definition.code}_{run.region.code}_{run.period}_v{run.version}.{extension}"


def build_run(run: ReportRun, *, job=None) -> ReportRun:
    """Build the run's table and files. On error the run is marked failed with the reason, and the error
    is raised again (so the job is marked failed too)."""
    claimed = ReportRun.objects.filter(pk=run.pk, status__in=[ReportRun.Status.QUEUED, ReportRun.Status.RUNNING])
    updates = {"status": ReportRun.Status.RUNNING, "error": ""}
    if job is not None:
        updates["job"] = job
    if not claimed.update(**updates):
        return run  # already done or failed: a redelivered message changes nothing
    run.refresh_from_db()
    try:
        spec = get_spec(run.definition.code)
        period = parse_period(run.period)
        # Files are official documents in the portal's language, whoever asked for them.
        with translation.override(settings.LANGUAGE_CODE):
            table = spec.build(run.region, period, run.as_of)
            generated = timezone.localtime()
            subtitle = _("Region: %(region)s (%(code)s)    Period: %(period)s    Figures as of: %(day)s") % {
                "region": run.region.name, "code": run.region.code, "period": period.label,
                "day": run.as_of.isoformat()}
            generated_at = _("Generated %(when)s, version %(version)s") % {
                "when": generated.strftime("%Y-%m-%d %H:%M"), "version": run.version}
            run.preview = {"subtitle": subtitle, "generated_at": generated_at}
            run.figures = spec.figures(table, run.region)
        run.table_file.save(_file_name(run, "json"), ContentFile(table_to_json(table)), save=False)
        render_files(run, table)
        run.rows = len(table.rows)
        run.status = ReportRun.Status.DONE
        run.finished_at = timezone.now()
        run.save(update_fields=["xlsx_file", "csv_file", "table_file", "xlsx_sha256", "csv_sha256", "rows", "preview",
                                "figures", "status", "finished_at"])
    except Exception as error:
        logger.exception("report run %s failed", run.pk)
        ReportRun.objects.filter(pk=run.pk).update(
            status=ReportRun.Status.FAILED, finished_at=timezone.now(), error=str(error) or error.__class__.__name__)
        run.refresh_from_db()
        raise
    return run


def _when(moment) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def person_name(user) -> str:
    """The user's full name (Chinese names family name first, without a space), else the username."""
    if user is None:
        return ""
    first, last = (user.first_name or "").strip(), (user.last_name or "").strip()
    if any("\u4e00" <= ch <= "\u9fff" for ch in first + last):
        return f"{last}{first}"
    return user.get_full_name().strip() or user.username


_person = person_name


def cover_lines(run: ReportRun) -> list:
    """The official cover block as text lines (in the current language): 填报单位, 单位负责人, 联系电话;
    填表人, 报出日期; and the approval chain (submitted by/at, approved by/at) once there is one."""
    from .models import ReportingUnit  # noqa: PLC0415

    unit = ReportingUnit.objects.filter(region_id=run.region_id).first()
    gap = "\u3000\u3000"
    lines = [
        gap.join([_("Reporting unit: %(name)s") % {"name": run.region.name},
                  _("Head of the unit: %(head)s") % {"head": unit.head if unit else ""},
                  _("Telephone: %(phone)s") % {"phone": unit.phone if unit else ""}]),
        gap.join([_("Filled in by: %(name)s") % {"name": _person(run.submitted_by)},
                  _("Reported on: %(day)s") % {"day": timezone.localtime(run.submitted_at).date().isoformat()
                                                if run.submitted_at else ""}]),
    ]
    if run.submitted_at:
        chain = [_("Submitted by %(name)s at %(when)s") % {"name": _person(run.submitted_by),
                                                            "when": _when(run.submitted_at)}]
        if run.approved_at:
            chain.append(_("approved by %(name)s (%(region)s) at %(when)s") % {
                "name": _person(run.approved_by), "when": _when(run.approved_at),
                "region": run.approved_by.scope_region.name if run.approved_by and run.approved_by.scope_region_id
                else _("administrator")})
        lines.append(_("Approval: %(chain)s") % {"chain": "; ".join(chain)})
    return lines


def render_files(run: ReportRun, table) -> None:
    """Render the run's XLSX, CSV and preview from its table with the cover block as the run stands now
    (not saved: the caller saves). Old files stay in the storage; the run points to the new ones."""
    with translation.override(settings.LANGUAGE_CODE):
        texts = {"title": run.definition.title, "subtitle": run.preview.get("subtitle", ""),
                 "generated_at": run.preview.get("generated_at", ""), "cover": cover_lines(run)}
        xlsx = render_xlsx(table, **texts)
        csv_bytes = render_csv(table, **texts)
        run.preview = preview_data(table, PREVIEW_ROWS) | texts
    run.xlsx_file.save(_file_name(run, "xlsx"), ContentFile(xlsx), save=False)
    run.csv_file.save(_file_name(run, "csv"), ContentFile(csv_bytes), save=False)
    run.xlsx_sha256 = hashlib.sha256(xlsx).hexdigest()
    run.csv_sha256 = hashlib.sha256(csv_bytes).hexdigest()


def stored_table(run: ReportRun):
    """The table the run was built from (None for runs built before tables were stored)."""
    if not run.table_file:
        return None
    try:
        with run.table_file.open("rb") as handle:
            return table_from_json(handle.read())
    except (FileNotFoundError, ValueError):
        return None


FIGURES_CACHE_SECONDS = 60


def figures_changed(run: ReportRun) -> list:
    """Names of the run's frozen figures whose live value differs: the definition rebuilt now for the run's
    region and data date (`as_of`). [] when none differ or the run has no figures. Rebuilding is a report's
    worth of queries, so it is done for one run's read (never per row of a list) and cached for a minute
    per state of the register (coverage.source_state)."""
    if run.status != ReportRun.Status.DONE or not run.figures:
        return []
    key = "reports:figures:%s:%s" % (run.pk, hashlib.sha256(
        json.dumps(coverage.source_state(), sort_keys=True, default=str).encode()).hexdigest()[:16])
    live = cache.get(key)
    if live is None:
        spec = get_spec(run.definition.code)
        try:
            with translation.override(settings.LANGUAGE_CODE):
                table = spec.build(run.region, parse_period(run.period), run.as_of)
                live = spec.figures(table, run.region)
        except Exception:  # a read never fails because the comparison does; the run itself is intact
            logger.exception("figures_changed of run %s could not be computed", run.pk)
            return []
        cache.set(key, live, FIGURES_CACHE_SECONDS)
    return [name for name, value in run.figures.items() if live.get(name) != value]


def figure_labels(run: ReportRun) -> dict:
    table = stored_table(run)
    if table is None:
        return {}
    with translation.override(settings.LANGUAGE_CODE):
        return get_spec(run.definition.code).figure_labels(table)


def follow_job(run: ReportRun) -> ReportRun:
    """A run whose job was lost (worker killed, reaped as failed) is failed too, with the job's reason."""
    if run.status in (ReportRun.Status.QUEUED, ReportRun.Status.RUNNING) and run.job_id:
        job = run.job
        if job.status == job.Status.FAILED:
            ReportRun.objects.filter(pk=run.pk, status=run.status).update(
                status=ReportRun.Status.FAILED, error=job.error, finished_at=job.finished_at or timezone.now())
            run.refresh_from_db()
    return run


def file_checksum_ok(run: ReportRun, fmt: str) -> bool:
    field, expected = (run.xlsx_file, run.xlsx_sha256) if fmt == "xlsx" else (run.csv_file, run.csv_sha256)
    digest = hashlib.sha256()
    with field.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 16), b""):
            digest.update(chunk)
    return digest.hexdigest() == expected
