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
