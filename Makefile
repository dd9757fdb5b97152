# Waypoint: two commands matter. `make run` (a running demo) and `make test` (the whole suite).
SHELL := /bin/sh
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
PYTEST_WORKERS ?= auto

.PHONY: run test install lint typecheck migrations-check deploy-check pytest bench clean

# Create the virtual environment with a Python >= 3.12 found by scripts/find-python.
$(VENV)/bin/python:
	@PYTHON=$$(scripts/find-python) || exit 1; \
	echo "Creating $(VENV) with $$PYTHON"; \
	"$$PYTHON" -m venv $(VENV)

# Re-install only when the pinned requirements change, so a second `make run` is fast.
$(VENV)/.installed: $(VENV)/bin/python requirements/base.txt requirements/dev.txt
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements/dev.txt
	@touch $@

install: $(VENV)/.installed

# The real OpenID Connect provider the SSO browser tests start (tests/sso, ADR 0030),
# from the committed package-lock.json. Without npm those tests are skipped locally, with
# the reason printed; .ci/run installs Node and requires them.
SSO_NODE_MODULES := tests/sso/node_modules/.package-lock.json
$(SSO_NODE_MODULES): tests/sso/package.json tests/sso/package-lock.json
	@if command -v npm >/dev/null 2>&1; then \
	  cd tests/sso && npm ci --no-audit --no-fund --loglevel=error && touch node_modules/.package-lock.json; \
	else echo "npm not found: the OpenID Connect SSO tests will be skipped (apt-get install npm)"; fi
.PHONY: sso-providers
sso-providers: $(SSO_NODE_MODULES)

# Links in the demo's notice emails use the port served on; runserver prints the demo
# sign-in table last, after Django's start-up lines and any demo notices. The background
# worker (emails, scheduled jobs; ADR 0039) runs beside the web server and stops with it.
run: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py createcachetable
	WAYPOINT_SITE_URL="$${WAYPOINT_SITE_URL:-http://127.0.0.1:$(PORT)}" $(PY) manage.py load_demo --no-sign-in-table
	@export WAYPOINT_SITE_URL="$${WAYPOINT_SITE_URL:-http://127.0.0.1:$(PORT)}"; \
	$(PY) manage.py run_worker & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(PY) manage.py runserver 127.0.0.1:$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

migrations-check: install
	$(PY) manage.py makemigrations --check --dry-run

# `check --deploy` under production settings, with throwaway production secrets.
deploy-check: install
	$(PY) scripts/check_deploy.py

# The test suite also needs the SSO tests' provider (not `make run`, which stays lean).
pytest: install sso-providers
	$(VENV)/bin/pytest -n $(PYTEST_WORKERS)

test: lint typecheck migrations-check deploy-check pytest

# Benchmarks (not part of `make test`; bench/README.md): production-shaped gunicorn on a
# PostgreSQL database of its own, data at scale, wrk and locust over loopback. Needs wrk
# (apt-get install wrk), psql and redis-cli, PostgreSQL (BENCH_PG) and Redis (BENCH_REDIS).
# BENCH_SCALE=small for a quick try; BENCH_ONLY=home,inbox for some scenarios.
BENCH_SCALE ?= full
BENCH_ONLY ?=
bench: install
	@command -v wrk >/dev/null 2>&1 || { echo "make bench needs wrk: apt-get install wrk" >&2; exit 1; }
	$(PY) bench/run.py --scale $(BENCH_SCALE) $(if $(BENCH_ONLY),--only $(BENCH_ONLY),)

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
