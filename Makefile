# thiduabloc: `make run` serves the demo, `make test` runs every check. See README.md.
SHELL := /bin/bash
VENV := .venv
PY := $(VENV)/bin/python
# Django 6.1 needs Python >= 3.12: take the first interpreter that qualifies (pyenv installs included).
PYTHON ?= $(shell for c in python3.12 python3.13 python3 $$HOME/.pyenv/versions/3.12*/bin/python3 $$HOME/.pyenv/versions/3.13*/bin/python3; do \
	if $$c -c 'import sys; sys.exit(sys.version_info < (3, 12))' >/dev/null 2>&1; then command -v $$c; break; fi; done)
PIP_INSTALL := $(PY) -m pip install --quiet --disable-pip-version-check -c requirements/constraints.txt

.PHONY: run test install install-test assets lint pytest lock messages screenshots reliability bench clean

run: install assets var
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_demo
	@echo "Mở http://127.0.0.1:8000 và đăng nhập bằng một tài khoản ở trên."
	DEBUG=1 $(PY) manage.py runserver 127.0.0.1:8000

# The suite runs on every core (pytest-xdist); PYTEST_WORKERS=0 runs it in one process.
PYTEST_WORKERS ?= auto
test: install-test assets var lint
	$(PY) manage.py makemigrations --check --dry-run --no-input
	$(PY) -m pytest -n $(PYTEST_WORKERS)

lint: install-test
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

$(VENV)/.installed: pyproject.toml requirements/constraints.txt
	@test -n "$(PYTHON)" || { echo "Không tìm thấy Python >= 3.12 (xem README.md)."; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check pip==26.3
	$(PIP_INSTALL) --group run
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed
	$(PIP_INSTALL) --group test
	touch $@

assets: node_modules/.package-lock.json

node_modules/.package-lock.json: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error

var:
	mkdir -p var/static var/media

# Re-pin every installed package after changing pyproject.toml.
lock: install-test
	{ echo "# Every package a fresh install gets, pinned (regenerate with: make lock)."; \
	  $(PY) -m pip freeze; } > requirements/constraints.txt

# After changing UI strings: refresh both catalogues (Vietnamese is the source language, so its new entries
# translate to themselves; msgen leaves plural entries to fill by hand), then compile them. The tests in
# tests/test_translations.py name every entry still missing an English translation.
messages: install
	$(PY) manage.py makemessages -l vi -l en --no-obsolete --ignore=.venv --ignore=node_modules \
	  --ignore=tests --ignore=var --ignore=docs
	msgen -o locale/vi/LC_MESSAGES/django.po locale/vi/LC_MESSAGES/django.po
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules

# Refresh the README's pictures of the main pages (the same browser test `make test` runs, kept this time).
screenshots: install-test assets var
	SCREENSHOTS_DIR=docs/screenshots $(PY) -m pytest -q tests/browser/test_screenshots.py

# Load run (tests/load/run.py): the app under gunicorn on 127.0.0.1 with PostgreSQL, 200 delegates voting in 20
# rounds at once while 50 users save score sheets; checks every ballot and score, writes docs/reliability-load.md.
# The database named here is dropped and created again by the run, then dropped.
LOAD_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/thiduabloc_load
reliability: install-test assets var
	DATABASE_URL="$(LOAD_DATABASE_URL)" $(PY) -m tests.load.run

# Benchmarks (bench/run.py): a national-scale dataset (34 provinces, 1,360 blocs, ~11,000 units, 5 years) generated
# into the database named here (dropped and created again unless it already holds the same dataset; its name must
# contain "bench"), then the main pages of every role timed under gunicorn on 127.0.0.1 against two floors, and the
# heavy operations (bench/operations.py); writes docs/BENCHMARKS.md. BENCH_ARGS passes options, e.g. --fresh.
BENCH_DATABASE_URL ?= postgres://postgres@127.0.0.1:5432/thiduabloc_bench
bench: install-test assets var
	DATABASE_URL="$(BENCH_DATABASE_URL)" $(PY) -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules var/static
