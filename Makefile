# edureg — run `make help` for the list of targets.
.DEFAULT_GOAL := help
SHELL := /bin/bash

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
NODE_STAMP := node_modules/.installed-stamp
HOST ?= 127.0.0.1
PORT ?= 8000
PYTEST_ARGS ?=
# The suite runs on every core (pytest-xdist); `--dist loadgroup` keeps each xdist_group (the
# module that seeds the demo data once) on one worker. `make test PYTEST_WORKERS=0` runs serially.
PYTEST_WORKERS ?= auto
PYTEST_PARALLEL := $(if $(filter 0,$(PYTEST_WORKERS)),,-n $(PYTEST_WORKERS) --dist loadgroup)

.PHONY: help
help: ## Show this help
	@grep -E '^[a-z][a-z_-]+:.*## ' $(MAKEFILE_LIST) | awk 'BEGIN {FS = ":.*## "}; {printf "  make %-12s %s\n", $$1, $$2}'

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e ".[dev]"
	touch $(STAMP)

# Front-end assets (htmx, Chart.js, axe-core) at the versions package-lock.json pins, from the
# npm registry; copied into the static files by scripts/vendor_assets.py, served by WhiteNoise.
$(NODE_STAMP): package.json package-lock.json
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $(NODE_STAMP)

.PHONY: setup
setup: $(STAMP) $(NODE_STAMP) ## Create the virtual environment and install dependencies
	scripts/ensure-document-tools.sh
	$(PY) scripts/vendor_assets.py
	$(PY) scripts/compile_messages.py
	$(PY) manage.py credentials_demo_seal

.PHONY: run
run: setup ## Set up, migrate, load demo data and serve http://$(HOST):$(PORT) on SQLite
	$(PY) manage.py migrate --no-input
	$(PY) manage.py seed_demo --scale small --if-empty
	$(PY) manage.py demo_logins
	scripts/serve.sh $(PY) $(HOST):$(PORT)

.PHONY: test
test: setup lint-ruff ## Lint, check migrations, then run the whole suite on SQLite and on PostgreSQL
	$(PY) manage.py makemigrations --check --dry-run
	scripts/ensure-chromium.sh
	@echo "=== test suite on SQLite ==="
	DATABASE_URL=sqlite:///var/test.sqlite3 $(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)
	@echo "=== test suite on PostgreSQL ==="
	scripts/with-postgres.sh $(PY) -m pytest $(PYTEST_PARALLEL) $(PYTEST_ARGS)

.PHONY: screenshots
screenshots: setup ## Screenshots of every role's main pages (lt on a desktop, en on a phone) in var/screenshots/
	scripts/ensure-chromium.sh
	EDUREG_SCREENSHOTS=var/screenshots DATABASE_URL=sqlite:///var/test.sqlite3 $(PY) -m pytest -p no:cacheprovider edureg/tests/test_role_days.py
	@echo "Screenshots: var/screenshots/"

.PHONY: lint-ruff
lint-ruff: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

.PHONY: lint
lint: lint-ruff ## ruff (lint + format check) and mypy
	$(VENV)/bin/mypy edureg

.PHONY: format
format: setup ## Format and auto-fix with ruff
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

.PHONY: schema
schema: setup ## Regenerate the committed OpenAPI schema (schema/openapi.yaml)
	$(PY) manage.py spectacular --lang en --file schema/openapi.yaml --validate

.PHONY: messages
messages: setup ## Refresh the Lithuanian .po catalogue from the code (needs GNU gettext)
	$(PY) manage.py makemessages --locale lt --no-obsolete --no-location --ignore '.venv/*' --ignore 'var/*' --ignore 'node_modules/*'
	$(PY) scripts/compile_messages.py

.PHONY: bench
bench: setup ## Benchmarks on generated national-scale data (SQLite and PostgreSQL); not part of CI
	$(PY) bench/seed_bench.py --database sqlite
	scripts/with-postgres.sh $(PY) bench/seed_bench.py --database postgres
	$(PY) bench/catalogue_bench.py --database sqlite
	scripts/with-postgres.sh $(PY) bench/catalogue_bench.py --database postgres
	scripts/with-postgres.sh $(PY) bench/pupils_bench.py --database postgres
	scripts/with-postgres.sh $(PY) bench/statistics_bench.py --database postgres --enrolments 3000000
	scripts/with-postgres.sh $(PY) bench/students_bench.py --database postgres
	scripts/with-postgres.sh $(PY) bench/cards_bench.py --database postgres

.PHONY: clean
clean: ## Remove the virtual environment and local databases
	rm -rf $(VENV) var node_modules edureg/core/static/vendor
