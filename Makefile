# hdsready: `make run` starts the app with demo data, `make test` runs every check.
SHELL := /bin/bash
.DEFAULT_GOAL := help

# A Python >= 3.12: $(PYTHON) if given, else the pyenv 3.13 of .python-version, else python3.13/3.12/3.
PYTHON ?= $(shell for c in "$$(pyenv root 2>/dev/null)/versions/$$(cat .python-version 2>/dev/null)/bin/python3" python3.13 python3.12 python3; do \
	if command -v "$$c" >/dev/null 2>&1 && "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then echo "$$c"; break; fi; done)
VENV := .venv
BIN := $(VENV)/bin
PORT ?= 8000
# Links in e-mails and in the calendar feed: the address `make run` serves, unless set.
SITE_URL ?= http://127.0.0.1:$(PORT)
RUN_ENV = DEBUG=$${DEBUG:-true} SITE_URL=$(SITE_URL)
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hdsready
TEST_BROKER_URL ?= redis://127.0.0.1:6379/15
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/hdsready_bench
BENCH_REDIS_URL ?= redis://127.0.0.1:6379/14

.PHONY: help python install run test system-packages lint types checks pytest messages bench bench-pages clean

help:
	@echo "make run    start the app with demo data on http://127.0.0.1:$(PORT)"
	@echo "make test   lint, types, migration check, compose check, then the whole pytest suite"

python:
	@if [ -z "$(PYTHON)" ] || ! "$(PYTHON)" -c 'import sys; sys.exit(sys.version_info < (3, 12))' 2>/dev/null; then \
		echo "error: hdsready needs Python >= 3.12 (Django 6); found: '$(PYTHON)'. Install one (e.g. pyenv install 3.13) or run: make PYTHON=/path/to/python3.13 ..." >&2; \
		exit 1; fi

$(BIN)/.installed: pyproject.toml | python
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(BIN)/.installed

run: install
	@mkdir -p var
	$(RUN_ENV) $(BIN)/python manage.py migrate --no-input -v0
	$(RUN_ENV) $(BIN)/python manage.py seed_demo --force
	$(RUN_ENV) $(BIN)/python manage.py seed_demo_scope --force
	$(RUN_ENV) $(BIN)/python manage.py seed_demo_cycle --force
	$(RUN_ENV) $(BIN)/python manage.py seed_demo_contracts --force
	$(RUN_ENV) $(BIN)/python manage.py seed_demo_sovereignty --force
	$(RUN_ENV) $(BIN)/python manage.py seed_demo_access_review --force
	@if [ -n "$$CELERY_BROKER_URL" ]; then \
		echo "Serving on http://127.0.0.1:$(PORT) with a Celery worker and beat ($$CELERY_BROKER_URL)"; \
		PATH="$(abspath $(BIN)):$$PATH" $(RUN_ENV) PORT=$(PORT) $(BIN)/honcho -f Procfile.dev start; \
	else \
		echo "Serving on http://127.0.0.1:$(PORT) (tasks run in-process: no CELERY_BROKER_URL)"; \
		$(RUN_ENV) $(BIN)/python manage.py runserver 127.0.0.1:$(PORT); \
	fi

lint: install
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

types: install
	DEBUG=true $(BIN)/mypy .

checks: install
	DEBUG=true $(BIN)/python manage.py makemigrations --check --dry-run
	DEBUG=true $(BIN)/python manage.py check
	DEBUG=false SECRET_KEY=$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))') TRAIL_KEY=check-only ALLOWED_HOSTS=hds.example.org \
		EVIDENCE_KEYS=check:$$($(BIN)/python -c 'import base64, os; print(base64.b64encode(os.urandom(32)).decode())') \
		$(BIN)/python manage.py check --deploy --fail-level WARNING
	@if command -v docker-compose >/dev/null 2>&1; then \
		SECRET_KEY=x TRAIL_KEY=x EVIDENCE_KEYS=x POSTGRES_PASSWORD=x docker-compose -f docker-compose.yml config --quiet && echo "docker-compose.yml is valid"; \
	else echo "docker-compose not installed: compose file not validated" >&2; exit 1; fi

# Tests run with DEBUG=true settings (dev static storage, no HTTPS-only cookies for the live
# server); the test runner itself turns DEBUG off at run time. `check --deploy` above covers the
# production settings.
pytest: install
	DEBUG=true CELERY_TASK_ALWAYS_EAGER=true DJANGO_ALLOW_ASYNC_UNSAFE=true \
	DATABASE_URL=$${DATABASE_URL:-$(TEST_DATABASE_URL)} CELERY_BROKER_URL=$${CELERY_BROKER_URL:-$(TEST_BROKER_URL)} \
		$(BIN)/pytest $(PYTEST_ARGS)

# The system packages first: with one missing, stop at once (or install it, as root or with sudo).
test: system-packages
	@$(MAKE) --no-print-directory lint types checks pytest

system-packages:
	@scripts/system-packages.sh

# Upload hashing throughput against sha256sum on a 256 MB file, then the full dossier's layout
# (a real Celery worker, PostgreSQL and Redis) against one WeasyPrint pass, then the key pages
# under load on the large seed beside a bare Django baseline, and the sweeps over it: all in
# bench/results.md. The large seed is made once (minutes) into a template database and reused.
bench: install
	@mkdir -p var/bench
	set -o pipefail; $(BIN)/python bench/upload_hashing.py | tee var/bench/upload_hashing.txt
	set -o pipefail; BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) \
		$(BIN)/python bench/dossier_render.py | tee var/bench/dossier_render.txt
	@$(MAKE) --no-print-directory bench-pages

# The pages and sweeps only (the upload and dossier figures of the last `make bench` are kept).
bench-pages: install
	BENCH_DATABASE_URL=$(BENCH_DATABASE_URL) BENCH_REDIS_URL=$(BENCH_REDIS_URL) \
		$(BIN)/python bench/pages.py $(BENCH_ARGS) \
		--include "Upload hashing=var/bench/upload_hashing.txt" \
		--include "Dossier layout=var/bench/dossier_render.txt"

messages: install
	DEBUG=true $(BIN)/python manage.py makemessages -l fr --no-obsolete --no-location
	DEBUG=true $(BIN)/python manage.py compilemessages -l fr --ignore=.venv

clean:
	rm -rf $(VENV) var .mypy_cache .ruff_cache .pytest_cache
