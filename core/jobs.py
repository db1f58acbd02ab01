"""Every background job runs inside a persistent `Job` record (after NetBox's core.Job).

    @job_handler("coverage.compute")
    def compute(job): ...            # returns a JSON-able result dict; raising marks the job failed

    job = enqueue("coverage.compute", {"region": "431281"}, user=request.user, region_code="431281")

With no broker configured (CELERY_TASK_ALWAYS_EAGER) the job runs in-process before `enqueue` returns.
"""

import datetime
import logging
import threading
import traceback

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from .models import Job

logger = logging.getLogger(__name__)

_handlers = {}
_labels = {}

# How the jobs pages name the parameters and results jobs commonly carry; other keys show as they are.
VALUE_LABELS = {
    "region": gettext_lazy("Region"),
    "as_of": gettext_lazy("As of"),
    "year": gettext_lazy("Year"),
    "days": gettext_lazy("Days computed"),
    "subtrees": gettext_lazy("Subtrees recomputed"),
    "run": gettext_lazy("Report run"),
    "status": gettext_lazy("Status"),
    "rows": gettext_lazy("Rows"),
    "regions": gettext_lazy("Regions computed"),
    "enterprises": gettext_lazy("Enterprises"),
    "seconds": gettext_lazy("Seconds"),
    "pong": gettext_lazy("Answered"),
    "pid": gettext_lazy("Process"),
    "host": gettext_lazy("Host"),
    "slept": gettext_lazy("Seconds"),
}


class JobQueueUnavailable(Exception):
    """The broker could not take the job; the job is marked failed with a clear error."""


def job_handler(kind, label=None):
    """Register `func` as the handler of `kind`; `label` is how pages name the kind (“覆盖率计算”)."""

    def register(func):
        _handlers[kind] = func
        if label is not None:
            _labels[kind] = label
        return func

    return register


def kind_label(kind):
    if kind not in _labels:
        try:
            handler_for(kind)  # imports the apps' tasks modules, which register the labels
        except KeyError:
            pass
    return _labels.get(kind, kind)


def readable_values(values):
    """A job's parameters or result as people read them: “区域：431281；统计日期：2026-12-02”."""
    if not values:
        return ""
    if not isinstance(values, dict):
        return str(values)
    parts = []
    # in the labels' order (region before date …), whatever order the database keeps JSON keys in
    order = {key: n for n, key in enumerate(VALUE_LABELS)}
    for key, value in sorted(values.items(), key=lambda item: (order.get(item[0], len(order)), item[0])):
        if isinstance(value, bool):
            value = _("Yes") if value else _("No")
        elif isinstance(value, (list, tuple)):
            value = "、".join(str(v) for v in value)
        elif isinstance(value, dict):
            value = readable_values(value)
        parts.append(f"{VALUE_LABELS.get(key, key)}：{value}")
    return "；".join(parts)


def readable_duration(delta):
    """0:00:00.140357 → “0.1 秒”; 0:02:05 → “2 分 5 秒”; 1:02:00 → “1 小时 2 分”."""
    if delta is None:
        return ""
    seconds = delta.total_seconds()
    if seconds < 60:
        return _("%(n)s s") % {"n": f"{seconds:.1f}" if seconds < 10 else f"{seconds:.0f}"}
    minutes, secs = divmod(int(round(seconds)), 60)
    if minutes < 60:
        return _("%(m)s min %(s)s s") % {"m": minutes, "s": secs}
    hours, minutes = divmod(minutes, 60)
    return _("%(h)s h %(m)s min") % {"h": hours, "m": minutes}


def handler_for(kind):
    if kind not in _handlers:
        # Handlers live in the apps' tasks modules; Celery autodiscovery imports them in workers,
        # and AppConfig.ready does in web processes. Be robust if neither has happened yet.
        from django.apps import apps  # noqa: PLC0415
        from importlib import import_module  # noqa: PLC0415

        for config in apps.get_app_configs():
            try:
                import_module(f"{config.name}.tasks")
            except ModuleNotFoundError:
                continue
    return _handlers[kind]


def enqueue(kind, params=None, *, user=None, region_code="") -> Job:
    handler_for(kind)  # unknown kinds fail here, before a record exists
    job = Job.objects.create(kind=kind, params=params or {}, created_by=user if user and user.is_authenticated else None,
                             region_code=region_code or "")
    if settings.CELERY_TASK_ALWAYS_EAGER:
        execute(job.pk)
        job.refresh_from_db()
        return job

    from .tasks import run_job  # noqa: PLC0415

    def send():
        try:
            run_job.apply_async(args=[job.pk], retry=False)
        except Exception as exc:  # kombu OperationalError and friends: the broker is down
            logger.warning("job %s could not be queued: %s", job.pk, exc)
            Job.objects.filter(pk=job.pk).update(
                status=Job.Status.FAILED, finished_at=timezone.now(),
                error=_("The job queue is not reachable, so the job was not started. Please try again later."),
            )
            raise JobQueueUnavailable(str(exc)) from exc

    if transaction.get_connection().in_atomic_block:
        transaction.on_commit(send)
    else:
        send()
    return job


def claim(job_id) -> bool:
    """Conditional UPDATE so that only one worker runs a job (healthchecks' sendalerts idea).

    A job left "running" by a worker that died is claimed again when its message is redelivered.
    """
    now = timezone.now()
    updated = Job.objects.filter(pk=job_id, status__in=[Job.Status.QUEUED, Job.Status.RUNNING]).update(
        status=Job.Status.RUNNING, started_at=now, heartbeat_at=now, attempts=F("attempts") + 1,
    )
    return updated == 1


class Heartbeat:
    """Marks the job alive every few seconds from a side thread while its handler runs."""

    def __init__(self, job_id):
        self.job_id = job_id
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True, name=f"job-{job_id}-heartbeat")

    def run(self):
        from django.db import connection  # noqa: PLC0415

        try:
            while not self.stop.wait(settings.JOB_HEARTBEAT_SECONDS):
                Job.objects.filter(pk=self.job_id, status=Job.Status.RUNNING).update(heartbeat_at=timezone.now())
        finally:
            connection.close()

    def __enter__(self):
        if not settings.CELERY_TASK_ALWAYS_EAGER:
            self.thread.start()
        return self

    def __exit__(self, *exc):
        self.stop.set()
        if self.thread.is_alive():
            self.thread.join(timeout=5)


def stale_error():
    return _("The worker running this job stopped before finishing (it was killed or lost). "
             "Nothing of this run is kept; request the job again.")


def stale_cutoff(max_silence=None):
    silence = max_silence if max_silence is not None else datetime.timedelta(seconds=settings.JOB_STALE_SECONDS)
    return timezone.now() - silence


def reap_stale_jobs(max_silence=None) -> int:
    """Jobs left "running" by a worker that died (no heartbeat for `max_silence`) are marked failed.

    Beat runs this every 2 minutes; `reap_on_read` does the same for one job whenever it is loaded, so a job
    reads as failed even when no beat (or no worker at all) is up.
    """
    return Job.objects.filter(status=Job.Status.RUNNING, heartbeat_at__lt=stale_cutoff(max_silence)).update(
        status=Job.Status.FAILED, finished_at=timezone.now(), error=stale_error(),
    )


def reap_on_read(job: Job) -> Job:
    """Called by `Job.from_db` for every job read from the database (API, pages, report runs following their
    job): a running job silent past JOB_STALE_SECONDS is marked failed there and then (one conditional
    UPDATE, so a heartbeat arriving at the same moment wins), and the instance reads as failed."""
    if job.status != Job.Status.RUNNING or job.heartbeat_at is None:
        return job
    cutoff = stale_cutoff()
    if job.heartbeat_at >= cutoff:
        return job
    now = timezone.now()
    error = stale_error()
    if Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING, heartbeat_at__lt=cutoff).update(
            status=Job.Status.FAILED, finished_at=now, error=error):
        job.status, job.finished_at, job.error = Job.Status.FAILED, now, error
    return job


def set_progress(job, percent):
    """A running job's progress (0–100), kept in its result until the handler returns the real result;
    the job page's bar polls it (core.views.JobProgressView)."""
    percent = max(0, min(int(percent), 99))
    Job.objects.filter(pk=job.pk, status=Job.Status.RUNNING).update(result={"progress": percent},
                                                                     heartbeat_at=timezone.now())


def progress_of(job) -> int:
    if job.status in (Job.Status.DONE, Job.Status.FAILED):
        return 100
    value = (job.result or {}).get("progress", 0) if isinstance(job.result, dict) else 0
    return value if isinstance(value, int) else 0


def execute(job_id):
    if not claim(job_id):
        return
    job = Job.objects.get(pk=job_id)
    try:
        with Heartbeat(job.pk):
            result = handler_for(job.kind)(job) or {}
    except Exception as exc:  # the record says what went wrong; the traceback goes to the log only
        logger.exception("job %s (%s) failed", job.pk, job.kind)
        Job.objects.filter(pk=job.pk).update(
            status=Job.Status.FAILED, finished_at=timezone.now(), error=str(exc) or exc.__class__.__name__,
            log=traceback.format_exc(limit=5),
        )
        return
    Job.objects.filter(pk=job.pk).update(status=Job.Status.DONE, finished_at=timezone.now(), result=result, error="")
