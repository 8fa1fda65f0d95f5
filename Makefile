# The two commands: `make run` and `make test`. Every target is safe to repeat.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
LS_VENV := .venv-labelstudio
LS_STAMP := $(LS_VENV)/.installed
LS_VERSION := 1.23.2
LS_TEMPLATE := var/labelstudio-template/label_studio.sqlite3
HOST ?= 127.0.0.1
PORT ?= 8000
COLLECTION ?= demo
# Where Label Studio sends its webhooks: this server.
export PUBLIC_URL ?= http://$(HOST):$(PORT)
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: setup chromium migrate fixtures labelstudio run serve stop test lint format bench clean

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev,spacy,hf]"
	@touch $(STAMP)

# Label Studio pins its own Django and DRF, so it lives in a virtualenv of its own.
$(LS_STAMP):
	@test -x $(LS_VENV)/bin/python || $(PYTHON) -m venv $(LS_VENV)
	$(LS_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LS_VENV)/bin/python -m pip install --quiet "label-studio==$(LS_VERSION)"
	@touch $(LS_STAMP)

# A migrated, empty Label Studio data folder; new servers start as a copy (3 s, not 25 s).
$(LS_TEMPLATE): | $(STAMP) $(LS_STAMP)
	$(BIN)/python manage.py labelstudio template

# Debian's Chromium for the browser tests (no browser is ever downloaded).
chromium:
	@command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq chromium >/dev/null)

setup: $(STAMP) $(LS_STAMP) $(LS_TEMPLATE) chromium

migrate: setup
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py migrate --noinput --database inbox

fixtures: migrate
	$(BIN)/python manage.py collection $(COLLECTION) --title "Demo: quotes in the news" \
		--guidelines fixtures/guidelines.md
	$(BIN)/python manage.py import_documents fixtures/gold.jsonl --collection $(COLLECTION) --as-gold
	$(BIN)/python manage.py ensure_superuser

labelstudio: fixtures
	$(BIN)/python manage.py preannotate --collection $(COLLECTION)
	$(BIN)/python manage.py labelstudio serve

# The server and its job worker start first: Label Studio checks the ML backend
# (this server's /ml/) when the project is connected to it. Both stop together.
run: labelstudio
	@$(BIN)/python manage.py worker & worker=$$!; \
	$(BIN)/python manage.py runserver --noreload $(HOST):$(PORT) & server=$$!; \
	trap 'kill $$worker $$server 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python bin/wait-for http://$(HOST):$(PORT)/ml/health || exit 1; \
	$(BIN)/python manage.py labelstudio setup --collection $(COLLECTION) --ml-backend || exit 1; \
	$(BIN)/python manage.py labelstudio push --collection $(COLLECTION) || exit 1; \
	echo; \
	echo "  Admin:         http://$(HOST):$(PORT)/admin/   login: $${ADMIN_USERNAME:-admin} / $${ADMIN_PASSWORD:-admin}"; \
	echo "  Label Studio:  $${LABEL_STUDIO_URL:-http://127.0.0.1:8080}/projects/   login: $${LABEL_STUDIO_USERNAME:-admin@example.com} / $${LABEL_STUDIO_PASSWORD:-admin-pass-123}"; \
	echo "  API:           http://$(HOST):$(PORT)/api/docs/   token: $(BIN)/python manage.py drf_create_token <username>"; \
	echo "  Ctrl-C stops the server; make stop stops Label Studio."; \
	echo; \
	wait $$server

# Production: DEBUG off, gunicorn and background workers from the environment
# (README, "Serving a team"); refuses to start while a required setting is missing.
serve: $(STAMP)
	DEBUG=false $(BIN)/python manage.py serve

stop: setup
	$(BIN)/python manage.py labelstudio serve --stop

lint: setup
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# The same set-up as `make run` (the tests start their own Label Studio), then
# lint, a migrations check and the whole suite.
test: fixtures lint
	$(BIN)/python manage.py makemigrations --check --dry-run
	$(BIN)/pytest

format: setup
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

bench: setup
	$(BIN)/python bench/preannotation.py
	$(BIN)/python bench/preannotation.py bench/heldout/gold.jsonl
	$(BIN)/python bench/import.py

clean:
	rm -rf var/ test-artifacts/ .pytest_cache .ruff_cache
