# Two commands matter: `make run` (demo site on SQLite) and `make test` (the whole suite).
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test serve bench cluster cluster-stop lint format messages clean-venv browser-deps check-deps

# Find a Python >= 3.12: Django 6.1 needs it; the image's default python3 may be 3.11.
define find_python
for c in python3.13 python3.12 $$HOME/.pyenv/versions/3.13*/bin/python3 $$HOME/.pyenv/versions/3.12*/bin/python3 python3; do \
  p=$$(command -v $$c 2>/dev/null) || continue; \
  if $$p -c 'import sys; sys.exit(0 if sys.version_info >= (3, 12) else 1)' 2>/dev/null; then echo $$p; exit 0; fi; \
done; exit 1
endef

$(PY):
	@base=$$($(find_python)) || { echo "No Python >= 3.12 found (Django 6.1 needs it). Install python3.12 or run 'pyenv install 3.12'." >&2; exit 1; }; \
	echo "Creating $(VENV) with $$base"; $$base -m venv $(VENV)
	$(PIP) install -q --upgrade pip

$(VENV)/.installed: pyproject.toml | $(PY)
	$(PIP) install -q ".[test]"
	@touch $@

# Debian's Chromium and a CJK font for the browser tests; never `playwright install` (no internet).
browser-deps:
	@if [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi -e wqy -e "noto.*cjk"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium fonts-wqy-microhei >/dev/null; \
	  else echo "Install Debian's chromium and fonts-wqy-microhei (as root) for the browser tests." >&2; exit 1; fi; \
	fi

# Debian's nginx (the 证书登录 test runs it with mutual TLS in front of the live server) and the
# Pango text layout that WeasyPrint needs to render the sealed notice's PDF, with a CJK font.
.PHONY: ca-deps
ca-deps:
	@if ! command -v nginx >/dev/null && [ ! -x /usr/sbin/nginx ] || ! ldconfig -p 2>/dev/null | grep -q libpango-1.0 \
	  || ! fc-list 2>/dev/null | grep -qi -e wqy -e "noto.*cjk"; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq nginx libpango-1.0-0 libpangoft2-1.0-0 fonts-wqy-microhei >/dev/null; \
	  else echo "Install Debian's nginx, libpango-1.0-0, libpangoft2-1.0-0 and fonts-wqy-microhei (as root) for certificates and sealed PDFs." >&2; exit 1; fi; \
	fi

# The W3C Nu HTML checker (vnu-jar, on the machine's Java) and axe-core for the accessibility walk
# (tests/browser/test_accessibility.py), pinned in package-lock.json. --ignore-scripts: vnu-jar's
# install script would download a Java runtime; Debian's is used instead.
check-deps:
	@if ! command -v java >/dev/null || ! command -v npm >/dev/null; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq default-jre-headless npm >/dev/null; \
	  else echo "Install Java (default-jre-headless) and npm (as root) for the accessibility checks." >&2; exit 1; fi; \
	fi
	@if [ ! -f node_modules/vnu-jar/build/dist/vnu.jar ] || [ ! -f node_modules/axe-core/axe.min.js ] \
	  || [ package-lock.json -nt node_modules/.package-lock.json ]; then \
	  npm ci --ignore-scripts --no-audit --no-fund --loglevel=error; \
	fi

# The task worker (mail, bulk files, reminders) runs beside the web server and stops with it.
# HOST and PORT reach both: links in pages and mails point where runserver answers (SITE_URL).
run: export HOST := $(HOST)
run: export PORT := $(PORT)
run: $(VENV)/.installed ca-deps
	$(PY) manage.py migrate --noinput
	$(PY) manage.py seed_demo
	$(PY) manage.py db_worker & worker=$$!; trap "kill $$worker 2>/dev/null" EXIT INT TERM; \
	  $(PY) manage.py runserver $(HOST):$(PORT)

# Production: settings come from the environment (or .env; see .env.example and docs/production.md).
# Static files are collected with hashed names for whitenoise. Run `manage.py migrate` once per
# release (not here: several app servers starting at once would race). gunicorn's own access log
# stays off: the app writes one JSON line per request. Threads (gthread) keep /healthz answering
# while requests wait out a database lock timeout (docs/production.md, "Bounded waits").
BIND ?= $(HOST):$(PORT)
serve: $(VENV)/.installed
	DEBUG=$${DEBUG:-0} $(PY) manage.py check --deploy --fail-level ERROR
	DEBUG=$${DEBUG:-0} $(PY) manage.py collectstatic --noinput -v 0
	DEBUG=$${DEBUG:-0} exec $(VENV)/bin/gunicorn -c config/gunicorn_conf.py config.wsgi -w $${WORKERS:-2} --threads $${THREADS:-4} -b $(BIND) \
	  --timeout $${GUNICORN_TIMEOUT:-60} --graceful-timeout 30 \
	  --max-requests 2000 --max-requests-jitter 200 $${GUNICORN_ARGS:-}

# The suite runs on every core (pytest-xdist; a file's tests stay on one worker) and prints its
# slowest tests. `make test PYTEST_ARGS="-m 'not browser'"` leaves out the Playwright journeys and the
# validity walk; `JOBS=0` runs in one process.
JOBS ?= $(shell nproc 2>/dev/null || echo 2)
test: $(VENV)/.installed browser-deps check-deps ca-deps
	DJANGO_ALLOW_ASYNC_UNSAFE=true $(VENV)/bin/pytest -n $(JOBS) --dist loadfile --durations=25 $(PYTEST_ARGS)

# Fails in seconds: style, formatting and migrations that the models need but nobody wrote.
lint: $(VENV)/.installed
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: $(VENV)/.installed
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

messages: $(VENV)/.installed
	$(PY) manage.py makemessages -l zh_Hans --no-obsolete --no-location -i ".venv/*" -i "tests/*"
	$(PY) manage.py compilemessages -l zh_Hans -i .venv

# wrk (Debian's) loads the public pages in bench/bench_public.sh.
.PHONY: bench-deps
bench-deps:
	@if ! command -v wrk >/dev/null && [ ! -x /usr/bin/wrk ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq wrk >/dev/null; \
	  else echo "Install Debian's wrk (as root) for the public benchmark." >&2; exit 1; fi; \
	fi

bench: $(VENV)/.installed bench-deps
	bash bench/run.sh

# The production topology on one machine (docs/production.md, "Rehearsal on one machine"): nginx
# with TLS, two app servers, two task workers, a PostgreSQL primary and streaming replica, Redis,
# an S3 store (SeaweedFS), all under var/cluster/. Idempotent; cluster-stop leaves nothing running.
cluster: $(VENV)/.installed
	bash ops/cluster/up.sh

cluster-stop:
	bash ops/cluster/down.sh

clean-venv:
	rm -rf $(VENV)
