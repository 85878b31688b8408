# `make run` and `make test` are the two commands a new user needs (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 2
# Test processes (pytest-xdist); `make test PYTEST_ARGS=` runs the suite in one process.
PYTEST_ARGS ?= -n 2

.PHONY: run test lint compile bench bench-imports bench-bulk bench-monitoring bench-http bench-million openapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[native]'
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

# The engine's hot modules compiled with mypyc (service/screening/native.py),
# rebuilt when an engine source changes. Without a C compiler the service
# still runs, on the pure-Python engine.
ENGINE_SRC := $(wildcard service/screening/*.py)
ENGINE_BUILD := service/screening/_compiled/manifest.json
$(ENGINE_BUILD): $(ENGINE_SRC) | $(VENV)/.installed
	$(BIN)/sanctions engine build || echo "warning: engine not compiled; the pure-Python engine will run"

compile: $(ENGINE_BUILD)

run: $(VENV)/.installed $(ENGINE_BUILD)
	$(BIN)/sanctions db upgrade
	$(BIN)/sanctions seed
	$(BIN)/sanctions keys bootstrap
	$(BIN)/sanctions users bootstrap
	@echo "Serving on http://$(HOST):$(PORT)  -  sign in: http://$(HOST):$(PORT)/login  -  API docs: http://$(HOST):$(PORT)/docs  -  OpenAPI: http://$(HOST):$(PORT)/openapi.yaml"
	$(BIN)/sanctions serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check service tests bench migrations tools
	$(BIN)/mypy service
	$(BIN)/lint-imports

test: $(VENV)/.installed-dev $(ENGINE_BUILD) lint
	$(BIN)/pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev $(ENGINE_BUILD)
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/realistic.py
	$(BIN)/python bench/realistic.py --seeds 4001-4030 --examples 0
	$(BIN)/python bench/completeness.py
	$(BIN)/python bench/screening_speed.py

# List imports into SQLite (and PostgreSQL when TEST_DATABASE_URL is set).
bench-imports: $(VENV)/.installed-dev
	$(BIN)/python bench/import_speed.py $(if $(TEST_DATABASE_URL),--pg $(TEST_DATABASE_URL),)

# 100,000-row bulk screening job, in-process and on two Celery workers (needs Redis);
# then where a row's CPU goes against what the bulk targets leave for it.
bench-bulk: $(VENV)/.installed-dev $(ENGINE_BUILD)
	$(BIN)/python bench/bulk_speed.py
	$(BIN)/python bench/row_budget.py

# A 1,000-entry OFAC update against 100,000 monitored subjects; API and CSV rates.
bench-monitoring: $(VENV)/.installed-dev $(ENGINE_BUILD)
	$(BIN)/python bench/monitoring.py

# POST /api/v1/screen under load (wrk, 8 connections) on `sanctions serve --workers 2` with the
# OFAC list: SQLite, and PostgreSQL when TEST_DATABASE_URL is set. Needs wrk (apt-get install wrk).
# Then what a forked worker copies of the master's memory while it serves, and whose it is.
bench-http: $(VENV)/.installed-dev $(ENGINE_BUILD)
	$(BIN)/python bench/http_load.py
	$(BIN)/python bench/fork_pages.py

# 1,000,000 generated entities imported into a throw-away PostgreSQL database with `sanctions import ftm`,
# then the index build, in-process screening and HTTP (wrk) against it: `make bench-million ENTITIES=100000`
# for a quicker try. PostgreSQL: TEST_DATABASE_URL, else the local server. About 40 minutes at 1,000,000
# on this 2-core machine; the import streams the file and writes in batches (about 0.7 GB peak).
ENTITIES ?= 1000000
bench-million: $(VENV)/.installed-dev $(ENGINE_BUILD)
	$(BIN)/python bench/million.py --entities $(ENTITIES) $(if $(TEST_DATABASE_URL),--pg $(TEST_DATABASE_URL),)

# PNGs of the web interface's main pages (seeded data, Debian's chromium) into docs/.
screenshots: $(VENV)/.installed-dev
	$(BIN)/python tools/screenshots.py --out docs

openapi: $(VENV)/.installed
	$(BIN)/sanctions openapi -o openapi.yaml

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache service/screening/_compiled
