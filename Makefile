# Salvo. `make run` serves the embedded default; `make test` runs the whole suite.
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: help run test lint fmt migrations-check schema-check worker beat replica bench install demo backup clean attack audit extract-eval map

help:
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

$(VENV)/.installed: pyproject.toml
	@PYTHON=$$(scripts/find-python) || exit 1; \
	  [ -x $(PY) ] || $$PYTHON -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	@touch $@

install: $(VENV)/.installed ## Create .venv and install Salvo with its development tools

run: install ## Migrate, load the demo data and serve http://127.0.0.1:8000 (SQLite, inline tasks)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) runserver $(HOST):$(PORT)

demo: install ## Load the demo data only (idempotent)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo

DIR ?= ../shared/data/articles
extract-eval: install ## Measure the article desk's extractor on DIR's *.txt + *.expected.json (demo launches loaded first)
	$(MANAGE) migrate --noinput
	$(MANAGE) load_demo
	$(MANAGE) extract_eval $(DIR)

# On the embedded default the suite runs in TEST_WORKERS processes (pytest-xdist), a module
# to each at a time; on PostgreSQL or with a real broker in one, as the Celery workers of two
# processes would take each other's tasks from the shared queue. TEST_WORKERS=0: one process.
TEST_WORKERS ?= 2
XDIST := $(if $(DATABASE_URL)$(CELERY_BROKER_URL),,$(if $(filter-out 0,$(TEST_WORKERS)),-n $(TEST_WORKERS) --dist loadfile))

test: install ## The whole suite (PostgreSQL / a real worker when DATABASE_URL / CELERY_BROKER_URL are set)
	$(PY) -m pytest $(XDIST) $(PYTEST_ARGS)

lint: install ## ruff: lint and format check
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

fmt: install ## ruff: fix and format
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

migrations-check: install ## Fail when models and migrations disagree
	$(MANAGE) makemigrations --check --dry-run

map: install ## Redraw static/map/korea.svg from Natural Earth (fetches the world-atlas npm package)
	$(PY) scripts/build-map

schema-check: install ## Validate the OpenAPI schema
	$(MANAGE) spectacular --validate --fail-on-warn --file /dev/null

# The worker and beat run with production settings, as in docker-compose.yml (they need
# DJANGO_SECRET_KEY); DJANGO_SETTINGS_MODULE=config.settings.local make worker overrides it.
CELERY_SETTINGS := $(or $(DJANGO_SETTINGS_MODULE),config.settings.production)

# The queues a worker consumes (config/celery.py): webhooks, imports, default; all by default.
QUEUES ?=

worker: install ## A Celery worker on QUEUES (default: all), production settings (needs CELERY_BROKER_URL, DJANGO_SECRET_KEY)
	DJANGO_SETTINGS_MODULE=$(CELERY_SETTINGS) $(VENV)/bin/celery -A config worker --loglevel=INFO $(if $(QUEUES),--queues=$(QUEUES))

beat: install ## Celery beat, production settings (needs CELERY_BROKER_URL, DJANGO_SECRET_KEY)
	DJANGO_SETTINGS_MODULE=$(CELERY_SETTINGS) $(VENV)/bin/celery -A config beat --loglevel=INFO

ATTACK_TESTS := tests/test_attack_fuzz.py tests/test_attack_regressions.py tests/test_attack_drafts.py
attack: install ## The attack suite on PostgreSQL (DATABASE_URL): every schemathesis phase and check, the regressions, the draft probe; writes attack-report.txt
	@case "$$DATABASE_URL" in postgres*) ;; *) echo "make attack fuzzes on PostgreSQL: set DATABASE_URL=postgres://..." >&2; exit 2;; esac
	ATTACK_PHASES=$${ATTACK_PHASES:-examples,coverage,fuzzing} ATTACK_EXAMPLES=$${ATTACK_EXAMPLES:-50} \
	  $(PY) -m pytest -p no:logging $(ATTACK_TESTS) $(PYTEST_ARGS)

audit: install ## pip-audit: known vulnerabilities in the Python packages installed in .venv (needs the network)
	$(VENV)/bin/pip-audit --local --skip-editable --strict --desc on --progress-spinner off \
	  --vulnerability-service $${AUDIT_SERVICE:-pypi}

ACTION ?= start
replica: ## A throwaway PostgreSQL primary + streaming replica on ports 5434/5435 (ACTION=start|stop|status)
	scripts/replica $(ACTION)

$(VENV)/.bench-installed: $(VENV)/.installed
	$(PY) -m pip install --quiet -e '.[dev,bench]'
	@touch $@

bench: $(VENV)/.bench-installed ## Quiet reading, launch day, a Datasette peer, on PostgreSQL (writes bench/RESULTS.md)
	$(PY) bench/run.py

STAMP := $(shell date -u +%Y%m%dT%H%M%SZ)
backup: install ## pg_dump of DATABASE_URL (PostgreSQL) and a dataset bundle, into backups/
	@mkdir -p backups
	@if [ -n "$$DATABASE_URL" ]; then \
	  pg_dump --format=custom --no-owner --file=backups/salvo-$(STAMP).dump "$$DATABASE_URL" \
	  && echo "backups/salvo-$(STAMP).dump (restore: pg_restore --clean --no-owner -d URL FILE)"; \
	else echo "DATABASE_URL is not set: no pg_dump (SQLite: copy db.sqlite3)"; fi
	$(MANAGE) export_dataset backups/salvo-$(STAMP).json.gz

clean: ## Remove the virtualenv and the SQLite database
	rm -rf $(VENV) db.sqlite3
