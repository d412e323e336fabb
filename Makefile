# Everyday commands. `make run` and `make test` are the two that matter; see README.md.
SHELL := /bin/bash
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
PROCFILE ?= Procfile
TEST_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/flywheel
TEST_REDIS_URL ?= redis://127.0.0.1:6379
# Everything started from here is a local development run: DEBUG on and the development
# SECRET_KEY are allowed only with this explicit flag (production never sets it).
export FLYWHEEL_DEVELOPMENT ?= true

.PHONY: run test test-without-bots install install-dev migrate lint format check-deploy bench clean help

help:
	@echo "make run    - set up and run the whole site (web, worker, beat, bots) on http://127.0.0.1:$(PORT)"
	@echo "make test   - set up and run the whole test suite against PostgreSQL and Redis"
	@echo "make test-without-bots - the same with the simulation left out (FLYWHEEL_BOTS=false)"
	@echo "make lint   - ruff"
	@echo "make bench  - run the benchmarks in bench/"

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

migrate: install
	$(BIN)/python manage.py migrate --noinput

# FLYWHEEL_BOTS=false runs the site without the simulation: no bots app, no bots process
# (honcho starts none of it). Read as the settings read it, so both agree on every spelling.
BOTS_OFF = $(shell $(BIN)/python -c 'import environ; print(int(not environ.Env().bool("FLYWHEEL_BOTS", default=True)))')

run: install
	@mkdir -p var
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py ensure_demo_admin --site-url http://127.0.0.1:$(PORT)
	@echo "Starting web, worker$(if $(filter 1,$(BOTS_OFF)), and beat,, beat and bots); the site will be at http://127.0.0.1:$(PORT) (Ctrl-C stops everything)."
	@# The feed model's size and retrain pace suit the small world the bots seed (see
	@# docs/simulation.md); set these variables to override them.
	@# Ctrl-C: honcho sends every process SIGTERM and kills what is left after 5 s, so each
	@# stops within about 3 s (the worker hands running tasks back to the queue), and
	@# honcho's exit status 130 for an interrupt is a normal end here, not a make error.
	PATH="$(abspath $(BIN)):$$PATH" BIND=127.0.0.1:$(PORT) \
	FEED_ALS_FACTORS="$${FEED_ALS_FACTORS:-16}" \
	FEED_RETRAIN_AFTER_EVENTS="$${FEED_RETRAIN_AFTER_EVENTS:-2000}" \
	FEED_RETRAIN_MIN_INTERVAL="$${FEED_RETRAIN_MIN_INTERVAL:-300}" \
	REMAP_SIGTERM=SIGQUIT WORKER_SOFT_SHUTDOWN_TIMEOUT=2 WEB_GRACEFUL_TIMEOUT=3 \
	$(BIN)/honcho start -f $(PROCFILE) $(if $(filter 1,$(BOTS_OFF)),-c bots=0) || [ $$? -eq 130 ]

test: install-dev
	DATABASE_URL="$${DATABASE_URL:-$(TEST_DATABASE_URL)}" \
	CELERY_BROKER_URL="$${CELERY_BROKER_URL:-$(TEST_REDIS_URL)/14}" \
	CACHE_URL="$${CACHE_URL:-$(TEST_REDIS_URL)/15}" \
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The suite with the simulation left out: the site must not need it (tests/conftest.py then
# leaves tests/bots out).
test-without-bots:
	FLYWHEEL_BOTS=false $(MAKE) test

lint: install-dev
	$(BIN)/ruff check .

format: install-dev
	$(BIN)/ruff format .

check-deploy: install
	FLYWHEEL_DEVELOPMENT=false DEBUG=false SECRET_KEY="$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(64))')" \
	ALLOWED_HOSTS=flywheel.example $(BIN)/python manage.py check --deploy --fail-level WARNING

bench: install-dev
	@for script in bench/bench_*.py; do echo "== $$script"; $(BIN)/python $$script || exit 1; done

clean:
	rm -rf var/cache var/broker var/results
