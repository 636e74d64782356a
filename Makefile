# Two commands for a newcomer: `make run` and `make test`. See README.md.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
MANAGE := $(PY) manage.py
SUDO := $(shell [ "$$(id -u)" = 0 ] || echo sudo)
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run serve test test-fast lint format install messages catalogs migrate demo clean system-deps

$(BIN)/activate:
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/activate
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

install: $(VENV)/.installed catalogs

# Compiled catalogs are build output, not source.
catalogs: $(VENV)/.installed
	DEBUG=true $(MANAGE) compilemessages --ignore=.venv -v 0

# Regenerate the zh_Hans catalog from the source after adding strings.
messages: $(VENV)/.installed
	DEBUG=true $(MANAGE) makemessages -l zh_Hans --ignore=.venv --ignore=staticfiles --no-obsolete

migrate: install
	DEBUG=true $(MANAGE) migrate --noinput

demo: migrate
	DEBUG=true $(MANAGE) seed_demo

# Development server with the demo data; prints the demo logins before serving. The task
# worker (notifications) runs beside it, and the reminders every five minutes; Ctrl-C
# stops all three together.
run: demo
	@trap 'kill 0' EXIT INT TERM; \
	DEBUG=true $(MANAGE) db_worker --interval 2 & \
	while true; do DEBUG=true $(MANAGE) send_reminders; sleep 300; done & \
	DEBUG=true $(MANAGE) runserver $(HOST):$(PORT)

# Production-like: gunicorn with collected, compressed static files; its workers from
# the cores (config/gunicorn.py), or WEB_CONCURRENCY=N.
serve: install
	$(MANAGE) collectstatic --noinput -v 0
	$(MANAGE) integrity_manifest write
	$(BIN)/gunicorn --config config/gunicorn.py config.wsgi --bind $(HOST):$(PORT)

# The whole suite, then the notifications' tests again on the RQ task backend (Redis at
# 127.0.0.1:6379, database 15; the suite's own backend tests use databases 1-14).
test: install system-deps node_modules/.installed
	$(BIN)/pytest
	TASKS_BACKEND=rq RQ_URL=redis://127.0.0.1:6379/15 $(BIN)/pytest -p no:cacheprovider -m "not browser" tests/notices

# The fast loop: everything but the real-browser tests.
test-fast: install
	$(BIN)/pytest -m "not browser"

# Ruff, the apps' layers (import-linter, pyproject.toml), and every model change has
# its migration.
lint: $(VENV)/.installed
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports --no-cache
	DEBUG=true $(MANAGE) makemigrations --check --dry-run

format: $(VENV)/.installed
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Debian packages the browser tests need (run as root, or with sudo).
system-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list | grep -qi "Noto Sans CJK"; then \
		$(SUDO) apt-get update -qq && DEBIAN_FRONTEND=noninteractive $(SUDO) apt-get install -y -qq chromium fonts-noto-cjk; \
	fi

# axe-core for the accessibility checks in the browser tests (test-only, never served).
node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) node_modules staticfiles db.sqlite3 db.sqlite3-* *.egg-info
