# The two commands: `make demo` and `make test`. Everything else is a helper for them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test venv dev-venv migrate serve lint check bench clean messages serve-production backup security api-schema soak

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt $(BIN)/activate
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements.txt requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

venv: $(VENV)/.installed
dev-venv: $(VENV)/.installed-dev

migrate: venv
	$(PY) manage.py migrate --noinput

## make demo: virtualenv, install, migrate, load the demo, print the logins, serve on :8000
demo: venv
	$(PY) manage.py migrate --noinput
	$(PY) manage.py collectstatic --noinput -v0
	$(PY) manage.py demo_load
	$(PY) manage.py runserver $(HOST):$(PORT)

## make test: the whole suite (SQLite unless DATABASE_URL says otherwise)
test: dev-venv
	$(PY) -m pytest $(PYTEST_ARGS)

lint: dev-venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

check: dev-venv
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) manage.py check

## production configuration on 127.0.0.1:$(PORT) (docs/deploy.md): check --deploy, migrate, collectstatic, gunicorn
serve-production: venv
	PORT=$(PORT) scripts/serve-production.sh

backup: venv
	$(PY) manage.py backup

## bandit on the code and pip-audit on the locked requirements, as CI runs them
security: dev-venv
	$(BIN)/bandit -q -c .ci/bandit.yml -r gongzhi scripts --severity-level medium --confidence-level medium
	$(PY) .ci/pip_audit.py

api-schema: dev-venv
	$(PY) scripts/check_api_schema.py

soak: dev-venv
	$(PY) bench/soak.py

clean:
	rm -rf $(VENV) var/gongzhi.sqlite3*
