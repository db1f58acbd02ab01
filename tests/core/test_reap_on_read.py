"""A job whose worker went silent reads as failed wherever it is read, without beat or a worker (issue 18.9)."""

import datetime
import re
import subprocess
from pathlib import Path

from django.test import Client
from django.utils import timezone

from core.models import Job
from tests.conftest import api_as

BASE_DIR = Path(__file__).resolve().parents[2]


def _silent_job(user, seconds):
    now = timezone.now()
    return Job.objects.create(kind="core.sleep", status=Job.Status.RUNNING, created_by=user, started_at=now,
                              heartbeat_at=now - datetime.timedelta(seconds=seconds))


def test_a_running_job_silent_past_the_limit_reads_as_failed_in_the_api(db, world, settings):
    settings.JOB_STALE_SECONDS = 300
    job = _silent_job(world.editor_a, 301)
    data = api_as(world.editor_a).get(f"/api/v1/statistics/jobs/{job.pk}/").json()
    assert data["status"] == "failed" and data["finished_at"]
    assert "停止" in data["error"] or "stopped" in data["error"]
    job = Job.objects.get(pk=job.pk)  # and it is stored so
    assert job.status == Job.Status.FAILED


def test_a_job_with_a_recent_heartbeat_is_still_running(db, world, settings):
    settings.JOB_STALE_SECONDS = 300
    job = _silent_job(world.editor_a, 10)
    assert api_as(world.editor_a).get(f"/api/v1/statistics/jobs/{job.pk}/").json()["status"] == "running"
    assert Job.objects.get(pk=job.pk).status == Job.Status.RUNNING


def test_the_jobs_page_shows_a_silent_job_as_failed(db, world, settings):
    settings.JOB_STALE_SECONDS = 300
    job = _silent_job(world.editor_a, 3600)
    client = Client()
    client.force_login(world.editor_a)
    page = client.get(f"/jobs/{job.pk}/")
    assert page.status_code == 200
    assert Job.objects.get(pk=job.pk).status == Job.Status.FAILED
    assert "失败" in page.content.decode()


def _make_dry_run(target):
    out = subprocess.run(["make", "-n", target, "REDIS_URL=redis://127.0.0.1:6379/0", "STAMP="],
                         cwd=BASE_DIR, capture_output=True, text=True, check=True).stdout
    return [line for line in out.splitlines() if "celery" in line]


def test_make_worker_does_not_embed_beat_and_make_beat_runs_it_alone():
    worker, beat = _make_dry_run("worker"), _make_dry_run("beat")
    assert worker and not any(re.search(r"\s-B\b|--beat", line) for line in worker)
    assert beat and all(" beat" in line and " worker" not in line for line in beat)
