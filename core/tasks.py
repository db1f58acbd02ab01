from celery import shared_task

from .jobs import execute, job_handler, reap_stale_jobs


@shared_task(acks_late=True, reject_on_worker_lost=True, name="core.run_job")
def run_job(job_id):
    execute(job_id)


@job_handler("core.ping")
def ping(job):
    """A job that only proves a worker picked it up (operators: `enqueue("core.ping")`)."""
    import os
    import socket

    return {"pong": True, "pid": os.getpid(), "host": socket.gethostname()}


@job_handler("core.sleep")
def sleep(job):
    """Diagnostics: a job that takes `seconds` (used to test worker loss)."""
    import time

    time.sleep(min(float(job.params.get("seconds", 1)), 600))
    return {"slept": job.params.get("seconds", 1)}


@shared_task(name="core.reap_stale_jobs")
def reap_stale_jobs_task():
    return reap_stale_jobs()
