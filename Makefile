# The two commands: `make run` and `make test`. Everything else is for operators and developers.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install worker bench replica replica-stop messages check-deploy clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: $(STAMP)
	$(PY) manage.py compilemessages --ignore=.venv -v 0
	$(PY) -m pytest $(PYTEST_ARGS)

# A real Celery worker and beat against REDIS_URL (set it, e.g. REDIS_URL=redis://127.0.0.1:6379/0).
worker: $(STAMP)
	@test -n "$(REDIS_URL)" || (echo "Set REDIS_URL to run a real worker." && exit 2)
	$(VENV)/bin/celery -A config worker -B -l info --concurrency 2

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
