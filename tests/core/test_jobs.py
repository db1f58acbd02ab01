import datetime
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import redis
from django.db import connection

from config.celery import app as celery_app
from core.jobs import enqueue, job_handler, reap_stale_jobs
from core.models import Job
from tests.conftest import require_service

BASE_DIR = Path(__file__).resolve().parents[2]


@job_handler("test.fails")
def _fails(job):
    raise ValueError("the data was inconsistent")


def test_eager_job_runs_in_process_and_is_recorded(db, admin_user):
    job = enqueue("core.ping", {"x": 1}, user=admin_user, region_code="431281")
    assert job.status == Job.Status.DONE
    assert job.result["pid"] == os.getpid()
    assert job.started_at and job.finished_at and job.created_by == admin_user


def test_failed_job_records_the_error_without_raising(db):
    job = enqueue("test.fails")
    assert job.status == Job.Status.FAILED
    assert "inconsistent" in job.error


def test_unknown_job_kind_is_refused_before_a_record_exists(db):
    with pytest.raises(KeyError):
        enqueue("no.such.kind")
    assert not Job.objects.exists()


def _redis_up(url):
    try:
        return redis.Redis.from_url(url, socket_connect_timeout=1).ping()
    except redis.RedisError:
        return False


BROKER = "redis://127.0.0.1:6379/15"


def use_broker(**conf):
    """Point the Celery app at another broker, dropping connections pooled for the previous one."""
    from kombu import pools

    old = {key: celery_app.conf[key] for key in conf}
    pools.reset()
    celery_app._pool = None
    celery_app.amqp._producer_pool = None
    celery_app.conf.update(**conf)
    return old


@pytest.fixture
def real_worker(settings):
    """A separate `celery worker` process on the test database and Redis (not eager)."""
    require_service(connection.vendor == "postgresql", "PostgreSQL (the worker must share the test database)")
    require_service(_redis_up(BROKER), "Redis")
    redis.Redis.from_url(BROKER).flushdb()
    db = connection.settings_dict
    env = {**os.environ, "REDIS_URL": BROKER, "JOB_HEARTBEAT_SECONDS": "0.5",
           "DATABASE_URL": f"postgres://{db['USER'] or 'root'}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"}
    worker = subprocess.Popen([sys.executable, "-m", "celery", "-A", "config", "worker", "--pool=solo", "-l", "warning",
                               "--without-gossip", "--without-mingle", "--without-heartbeat"],
                              cwd=BASE_DIR, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = use_broker(broker_url=BROKER, task_always_eager=False)
    try:
        yield worker
    finally:
        use_broker(**old)
        if worker.poll() is None:
            worker.terminate()
            try:
                worker.wait(timeout=20)
            except subprocess.TimeoutExpired:
                worker.kill()


def wait_for(job, statuses, seconds=60):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        job.refresh_from_db()
        if job.status in statuses:
            return job
        time.sleep(0.2)
    return job


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_runs_a_queued_job_through_redis(real_worker):
    """Not eager: the job goes through Redis to a separate `celery worker` process and back."""
    job = wait_for(enqueue("core.ping", {"probe": True}), {Job.Status.DONE, Job.Status.FAILED})
    assert job.status == Job.Status.DONE, (job.status, job.error)
    assert job.result["pid"] != os.getpid()


@pytest.mark.service
@pytest.mark.django_db(transaction=True)
def test_a_job_whose_worker_is_killed_is_marked_failed_not_left_running(real_worker):
    job = wait_for(enqueue("core.sleep", {"seconds": 60}), {Job.Status.RUNNING})
    assert job.status == Job.Status.RUNNING
    time.sleep(1.2)
    job.refresh_from_db()
    assert job.heartbeat_at > job.started_at  # the worker shows signs of life while it runs
    real_worker.kill()
    real_worker.wait(timeout=10)
    time.sleep(1.5)
    assert reap_stale_jobs(max_silence=datetime.timedelta(seconds=1)) == 1
    job.refresh_from_db()
    # the reason is written in the portal's language (Chinese by default)
    assert job.status == Job.Status.FAILED and ("stopped" in job.error or "停止" in job.error)


@pytest.mark.django_db(transaction=True)
def test_broker_down_gives_a_clear_error_and_a_failed_job_record(settings, world):
    """Redis unreachable when a recompute is requested: 503 with a clear message, the request is recorded."""
    from tests.conftest import api_as

    settings.CELERY_TASK_ALWAYS_EAGER = False
    old = use_broker(broker_url="redis://127.0.0.1:1/0", task_always_eager=False)
    try:
        response = api_as(world.editor_a).post("/api/v1/statistics/coverage/compute/", {"region": "431281"},
                                               format="json")
    finally:
        use_broker(**old)
    assert response.status_code == 503
    job = Job.objects.get()
    assert job.status == Job.Status.FAILED and job.error


def test_a_trend_jobs_parameters_and_result_read_in_chinese():
    from django.utils import translation

    from core.jobs import readable_values

    with translation.override("zh-hans"):
        text = readable_values({"region": "431281", "year": 2025, "days": 12})
    assert text == "区域：431281；年度：2025；计算日期：12"
