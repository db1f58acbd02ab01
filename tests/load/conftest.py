"""The server of the load test: gunicorn as deployed (docs/operations.md: sync workers, `--workers 4
--timeout 60`), started on 127.0.0.1 against the test database, with persistent database connections."""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
WORKERS = int(os.environ.get("LOAD_WORKERS", "4"))


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def gunicorn_url(transactional_db, tmp_path):
    """Base URL of gunicorn serving the (committed) test database; stopped after the test."""
    db = connection.settings_dict
    url = (f"postgres://{db['USER']}{':' + db['PASSWORD'] if db['PASSWORD'] else ''}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{db['NAME']}")
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, DEBUG="false", LOG_LEVEL="WARNING", CONN_MAX_AGE="60",
               ALLOWED_HOSTS="127.0.0.1,localhost", AXES_ENABLED="false", REDIS_URL="",
               MEDIA_ROOT=str(tmp_path / "media"), DJANGO_SETTINGS_MODULE="config.settings")
    env.pop("DATABASE_REPLICA_URL", None)
    log = open(tmp_path / "gunicorn.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "config.wsgi:application", "--workers", str(WORKERS), "--timeout", "60",
         "--bind", f"127.0.0.1:{port}", "--log-level", "warning"],
        cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                if process.poll() is not None or time.monotonic() > deadline:
                    log.seek(0)
                    pytest.fail(f"gunicorn did not start: {log.read()[-2000:]}")
                time.sleep(0.2)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()
        log.seek(0)
        errors = [line for line in log.read().splitlines() if "Traceback" in line or "ERROR" in line]
        log.close()
        if errors:
            print("gunicorn log:", *errors[:20], sep="\n  ")
