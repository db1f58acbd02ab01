from celery import shared_task
from django.utils.translation import gettext_lazy as _

from .jobs import execute, job_handler, reap_stale_jobs


@shared_task(acks_late=True, reject_on_worker_lost=True, name="core.run_job")
def run_job(job_id):
    execute(job_id)


@job_handler("core.ping", label=_("Worker check"))
def ping(job):
    """A job that only proves a worker picked it up (operators: `enqueue("core.ping")`)."""
    import os
    import socket

    return {"pong": True, "pid": os.getpid(), "host": socket.gethostname()}


@job_handler("core.sleep", label=_("Diagnostic pause"))
def sleep(job):
    """Diagnostics: a job that takes `seconds` (used to test worker loss)."""
    import time

    time.sleep(min(float(job.params.get("seconds", 1)), 600))
    return {"slept": job.params.get("seconds", 1)}


@shared_task(name="core.reap_stale_jobs")
def reap_stale_jobs_task():
    return reap_stale_jobs()


@job_handler("core.import")
def import_file(job):
    """Confirming an import on the page: validate the pending upload again and write it (core.import_views)."""
    from django.utils import translation  # noqa: PLC0415

    from .import_views import import_job  # noqa: PLC0415

    with translation.override(job.params.get("language") or None):
        return import_job(job)


@job_handler("core.import_preview")
def check_import_file(job):
    """An uploaded import file checked as a whole (a dry run) before the user confirms it."""
    from django.utils import translation  # noqa: PLC0415

    from .import_views import import_job  # noqa: PLC0415

    with translation.override(job.params.get("language") or None):
        return import_job(job, dry_run=True)


@job_handler("core.export")
def export_list(job):
    """A large list export (core.views.ObjectListView): the file is written to private storage for its
    requester to download from the job page."""
    from django.utils import translation  # noqa: PLC0415

    from .views import export_job  # noqa: PLC0415

    with translation.override(job.params.get("language") or None):
        return export_job(job)
