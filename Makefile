# `make run` and `make test` are the two commands a new user needs (see README).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
HOST   ?= 127.0.0.1
PORT   ?= 8000
WORKERS ?= 2

.PHONY: run test lint bench bench-imports bench-bulk openapi clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Reinstall only when pyproject.toml changes.
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-dev: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(VENV)/.installed $@

run: $(VENV)/.installed
	$(BIN)/sanctions db upgrade
	$(BIN)/sanctions seed
	$(BIN)/sanctions keys bootstrap
	@echo "Serving on http://$(HOST):$(PORT)  -  API docs: http://$(HOST):$(PORT)/docs  -  OpenAPI: http://$(HOST):$(PORT)/openapi.yaml"
	$(BIN)/sanctions serve --host $(HOST) --port $(PORT) --workers $(WORKERS)

lint: $(VENV)/.installed-dev
	$(BIN)/ruff check service tests bench migrations
	$(BIN)/mypy service

test: $(VENV)/.installed-dev lint
	$(BIN)/pytest -q $(PYTEST_ARGS)

bench: $(VENV)/.installed-dev
	$(BIN)/python bench/accuracy.py
	$(BIN)/python bench/screening_speed.py

# List imports into SQLite (and PostgreSQL when TEST_DATABASE_URL is set).
bench-imports: $(VENV)/.installed-dev
	$(BIN)/python bench/import_speed.py $(if $(TEST_DATABASE_URL),--pg $(TEST_DATABASE_URL),)

# 100,000-row bulk screening job, in-process and on two Celery workers (needs Redis).
bench-bulk: $(VENV)/.installed-dev
	$(BIN)/python bench/bulk_speed.py

openapi: $(VENV)/.installed
	$(BIN)/sanctions openapi -o openapi.yaml

clean:
	rm -rf $(VENV) instance .pytest_cache .mypy_cache .ruff_cache
