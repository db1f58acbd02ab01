"""gunicorn's settings for the web process, the one place for them: production runs
`gunicorn -c config/gunicorn.py config.wsgi:application`, and so does the load test (tests/load/conftest.py).

Each setting can be overridden from the environment (a unit's EnvironmentFile) without editing this file.
The defaults are the ones measured on the reference machine (2 cores; docs/performance.md, "Issue 17, item 7";
docs/operations.md, "Web process").
"""

import os


def _int(name, default):
    return int(os.environ.get(name, default))


bind = os.environ.get("GUNICORN_BIND", "127.0.0.1:8001")
# Threaded workers: a worker answers the next request on a kept-alive connection while another of its
# threads waits on PostgreSQL; the sync worker closes every connection after one response.
worker_class = os.environ.get("GUNICORN_WORKER_CLASS", "gthread")
workers = _int("GUNICORN_WORKERS", 2 * (os.cpu_count() or 1))
threads = _int("GUNICORN_THREADS", 4)
# Idle keep-alive connections are kept this long (seconds): longer than a client's pause between requests,
# shorter than the proxy's own keep-alive towards us would be pointless.
keepalive = _int("GUNICORN_KEEPALIVE", 75)
# A request may take at most this long (exports and imports are jobs; docs/operations.md).
timeout = _int("GUNICORN_TIMEOUT", 60)
graceful_timeout = _int("GUNICORN_GRACEFUL_TIMEOUT", 30)
# Connections waiting to be accepted: 50 clients connecting at once must not overflow it (default 2048).
backlog = _int("GUNICORN_BACKLOG", 2048)
# A worker is replaced after this many requests (with jitter), which bounds any slow leak.
max_requests = _int("GUNICORN_MAX_REQUESTS", 10000)
max_requests_jitter = _int("GUNICORN_MAX_REQUESTS_JITTER", 1000)
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")
accesslog = os.environ.get("GUNICORN_ACCESS_LOG") or None  # "-" for stdout; off by default
errorlog = "-"
