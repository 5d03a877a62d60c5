# The commands a person types. `make run` and `make test` set everything up themselves.
HOST ?= 127.0.0.1
PORT ?= 8000
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HTMX_VERSION := 2.0.11
HTMX := kb/static/vendor/htmx.min.js

.PHONY: run test check lint fmt bench load install system-deps clean

$(BIN)/kb: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

$(HTMX):
	npm install --silent --no-audit --no-fund --no-package-lock --prefix build/npm htmx.org@$(HTMX_VERSION)
	mkdir -p $(dir $@)
	cp build/npm/node_modules/htmx.org/dist/htmx.min.js $@

# NIST's OSCAL JSON schemas, which the tests validate every OSCAL document against
OSCAL_SCHEMAS := build/oscal-schemas

$(OSCAL_SCHEMAS)/oscal_catalog_schema.json: scripts/oscal-schemas.py | $(BIN)/kb
	$(BIN)/python scripts/oscal-schemas.py $(OSCAL_SCHEMAS)

install: $(BIN)/kb $(HTMX)

load: install
	$(BIN)/kb upgrade
	$(BIN)/kb load

run: load
	$(BIN)/gunicorn --workers 2 --bind $(HOST):$(PORT) --access-logfile - 'kb:create_app()'

system-deps:
	scripts/system-deps.sh chromium:chromium soffice:libreoffice-calc-nogui

# The whole suite runs twice: on SQLite, then on a throwaway PostgreSQL server.
test: install system-deps $(OSCAL_SCHEMAS)/oscal_catalog_schema.json
	$(BIN)/kb check
	$(BIN)/python -m pytest -q
	scripts/with-postgres.sh $(BIN)/python -m pytest -q --db=postgresql

check: install
	$(BIN)/kb check
	$(BIN)/python -m pytest -q tests/test_migrations.py tests/test_repo_content.py

lint: install
	$(BIN)/ruff check kb importers tests bench
	$(BIN)/ruff format --check kb importers tests bench

fmt: install
	$(BIN)/ruff check --fix kb importers tests bench
	$(BIN)/ruff format kb importers tests bench

bench: install
	$(BIN)/pip install --quiet -e '.[test,bench]'
	scripts/system-deps.sh wrk:wrk
	scripts/with-postgres.sh $(BIN)/python -m bench

clean:
	rm -rf $(VENV) build kb/static/vendor instance .pytest_cache
