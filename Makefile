# The two commands: `make run` and `make test`. Everything else is for operators and developers.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
# Two stamps: `make run` installs what running needs; `make test` adds the test extras (pytest, playwright,
# schemathesis, ...). Each is redone when pyproject.toml changes.
STAMP := $(VENV)/.installed-run
TEST_STAMP := $(VENV)/.installed-test
HOST ?= 127.0.0.1
PORT ?= 8000
# `make run` serves the portal's own Chinese 404/403/500 pages (DEBUG off, static files through whitenoise).
# `make run DEBUG=true` brings back Django's debug pages with tracebacks, for developers.
DEBUG ?= false

.PHONY: run test install worker beat bench replica replica-stop messages check-deploy clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e .
	touch $(STAMP)

$(TEST_STAMP): $(STAMP)
	$(PY) -m pip install -q -e ".[test]"
	touch $(TEST_STAMP)

install: $(STAMP)

run: $(STAMP)
	DEBUG=$(DEBUG) $(PY) manage.py migrate --noinput
	DEBUG=$(DEBUG) $(PY) manage.py seed_demo
	DEBUG=$(DEBUG) $(PY) manage.py runserver $(HOST):$(PORT)

test: $(TEST_STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) -m pytest $(PYTEST_ARGS)

# A real Celery worker against REDIS_URL (set it, e.g. REDIS_URL=redis://127.0.0.1:6379/0), and beat as its
# own process beside it (`make worker` and `make beat` in two terminals; exactly one beat per deployment).
# Beat is never embedded in the worker (-B): the stale-job reaper and the schedules must run whether or not
# a worker is up (docs/operations.md).
worker: $(STAMP)
	@test -n "$(REDIS_URL)" || (echo "Set REDIS_URL to run a real worker." && exit 2)
	$(VENV)/bin/celery -A config worker -l info --concurrency 2

beat: $(STAMP)
	@test -n "$(REDIS_URL)" || (echo "Set REDIS_URL to run beat." && exit 2)
	$(VENV)/bin/celery -A config beat -l info

bench: $(STAMP)
	$(PY) -m bench $(BENCH_ARGS)

# A PostgreSQL primary on REPLICA_PORT (default 5433) and its streaming replica on the next port (docs/operations.md).
REPLICA_PORT ?= 5433
replica: $(STAMP)
	$(PY) scripts/replica_pair.py start --port $(REPLICA_PORT)

replica-stop: $(STAMP)
	$(PY) scripts/replica_pair.py stop

messages: $(STAMP)
	$(PY) manage.py makemessages -l zh_Hans --no-location --no-wrap --ignore=.venv --ignore=static --ignore=tests --ignore=bench
	$(PY) manage.py compilemessages --ignore=.venv

check-deploy: $(STAMP)
	DJANGO_ENV=production SECRET_KEY=$$($(PY) -c 'import secrets;print(secrets.token_urlsafe(60))') \
	  ALLOWED_HOSTS=portal.example.org $(PY) manage.py check --deploy --fail-level WARNING

clean:
	rm -rf $(VENV) staticfiles test-artifacts
