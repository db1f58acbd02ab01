"""The server of the load test: gunicorn as deployed, with the deployment's own settings file
(`config/gunicorn.py`, docs/operations.md "Web process"), started on 127.0.0.1 against the test database.

The environment is production's where it changes the cost of a request: persistent database connections
(the settings' default `CONN_MAX_AGE`), django-axes on, and the shared Redis cache when the run has a
`REDIS_URL` (CI does). `LOAD_WORKERS`, `LOAD_THREADS` and `LOAD_WORKER_CLASS` override the file's worker
settings for a measurement; they are unset on CI.
"""

import os
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
GUNICORN_CONFIG = ROOT / "config" / "gunicorn.py"
OVERRIDES = {"LOAD_WORKERS": "GUNICORN_WORKERS", "LOAD_THREADS": "GUNICORN_THREADS",
             "LOAD_WORKER_CLASS": "GUNICORN_WORKER_CLASS", "LOAD_KEEPALIVE": "GUNICORN_KEEPALIVE"}


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def server_settings():
    """The worker settings gunicorn runs with in this test: config/gunicorn.py read with the test's environment."""
    env = dict(os.environ, **{target: os.environ[source] for source, target in OVERRIDES.items()
                              if source in os.environ})
    code = subprocess.run([sys.executable, "-c", "import runpy, json, sys; s = runpy.run_path(sys.argv[1]); "
                           "print(json.dumps({k: s[k] for k in ('worker_class', 'workers', 'threads', 'keepalive')}))",
                           str(GUNICORN_CONFIG)], env=env, capture_output=True, text=True, check=True)
    import json

    return json.loads(code.stdout)


@pytest.fixture
def gunicorn_url(transactional_db, tmp_path):
    """Base URL of gunicorn serving the (committed) test database; stopped after the test."""
    db = connection.settings_dict
    url = (f"postgres://{db['USER']}{':' + db['PASSWORD'] if db['PASSWORD'] else ''}@{db['HOST'] or '127.0.0.1'}:"
           f"{db['PORT'] or 5432}/{db['NAME']}")
    port = _free_port()
    env = dict(os.environ, DATABASE_URL=url, DEBUG="false", LOG_LEVEL="WARNING", GUNICORN_LOG_LEVEL="warning",
               GUNICORN_BIND=f"127.0.0.1:{port}", ALLOWED_HOSTS="127.0.0.1,localhost",
               MEDIA_ROOT=str(tmp_path / "media"), DJANGO_SETTINGS_MODULE="config.settings")
    env.update({target: os.environ[source] for source, target in OVERRIDES.items() if source in os.environ})
    for name in ("DATABASE_REPLICA_URL", "GUNICORN_ACCESS_LOG", "AXES_ENABLED"):
        env.pop(name, None)
    log = open(tmp_path / "gunicorn.log", "w+")
    process = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", str(GUNICORN_CONFIG), "config.wsgi:application"],
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
