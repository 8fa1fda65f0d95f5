# The two commands: `make run` and `make test`. Every target is safe to repeat.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000
COLLECTION ?= demo
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup migrate fixtures run test lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

setup: $(STAMP)

migrate: setup
	$(BIN)/python manage.py migrate --noinput

fixtures: migrate
	$(BIN)/python manage.py collection $(COLLECTION) --title "Demo: quotes in the news" \
		--guidelines fixtures/guidelines.md
	$(BIN)/python manage.py import_documents fixtures/gold.jsonl --collection $(COLLECTION) --as-gold
	$(BIN)/python manage.py ensure_superuser

run: fixtures
	@echo
	@echo "  Admin:  http://$(HOST):$(PORT)/admin/   login: $${ADMIN_USERNAME:-admin} / $${ADMIN_PASSWORD:-admin}"
	@echo
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT)

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

test: setup lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/import.py

clean:
	rm -rf var/ test-artifacts/ .pytest_cache .ruff_cache
