"""The coverage job, the nightly schedule and `manage.py compute_coverage`."""

import io
import json

import pytest
from django.core.management import CommandError, call_command
from django_celery_beat.models import PeriodicTask

from core.jobs import enqueue
from core.models import Job
from reports.models import CoverageSnapshot
from reports.tasks import compute_coverage_nightly

from .conftest import D


def test_compute_coverage_command_prints_json_summary_last(worked_example):
    out = io.StringIO()
    call_command("compute_coverage", "--region", "431281", "--as-of", "2026-06-30", stdout=out)
    summary = json.loads(out.getvalue().strip().splitlines()[-1])
    assert summary["regions"] == 4 and summary["enterprises"] == 9 and summary["seconds"] >= 0
    assert CoverageSnapshot.objects.filter(as_of=D).count() == 4


def test_compute_coverage_command_rejects_unknown_region_and_bad_date(worked_example):
    with pytest.raises(CommandError, match="No region"):
        call_command("compute_coverage", "--region", "999999", stdout=io.StringIO())
    with pytest.raises(CommandError, match="YYYY-MM-DD"):
        call_command("compute_coverage", "--as-of", "30.06.2026", stdout=io.StringIO())


def test_coverage_job_records_its_result(worked_example):
    job = enqueue("coverage.compute", {"region": "431281", "as_of": "2026-06-30"}, region_code="431281")
    assert job.status == Job.Status.DONE
    assert job.result["enterprises"] == 9 and job.result["regions"] == 4


def test_coverage_job_for_an_unknown_region_fails_with_an_error(worked_example):
    job = enqueue("coverage.compute", {"region": "000000"})
    assert job.status == Job.Status.FAILED and job.error


def test_nightly_schedule_runs_at_two_and_computes_today_for_every_root(worked_example, monkeypatch):
    task = PeriodicTask.objects.get(task="reports.compute_coverage_nightly")
    assert (task.crontab.hour, task.crontab.minute, task.enabled) == ("2", "0", True)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a, **k: D)
    compute_coverage_nightly()
    job = Job.objects.get(kind="coverage.compute")
    assert job.status == Job.Status.DONE and job.region_code == "431281"
    assert CoverageSnapshot.objects.get(region=worked_example.county, as_of=D).enterprises == 9
