# Rectify: two commands. `make run` serves the app with the seed notices; `make test` runs
# the whole suite. Both set up the virtualenv on first use.
PYTHON ?= python3
VENV ?= .venv
PY := $(VENV)/bin/python
PORT ?= 8000
HOST ?= 127.0.0.1

.PHONY: run test lint install migrate seed clean pdf-deps

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

migrate: install
	$(PY) manage.py migrate --noinput

seed: migrate
	$(PY) manage.py seed_demo

# The PDF downloads (/notices/<id>.pdf) are printed by Debian's Chromium with fonts-noto-cjk:
# installed when missing if make runs as root with apt-get; otherwise, or if that fails, the
# site still runs and the PDF link answers 503 saying what is missing.
pdf-deps:
	@if [ ! -x "$${CHROMIUM_PATH:-/usr/bin/chromium}" ] || [ -z "$$(fc-list :lang=zh 2>/dev/null)" ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing chromium and fonts-noto-cjk for the PDF downloads"; \
	    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      chromium fonts-noto-cjk >/dev/null; } \
	      || echo "could not install chromium and fonts-noto-cjk: PDF downloads answer 503" >&2; \
	  else \
	    echo "chromium or Chinese fonts missing (not root): PDF downloads answer 503" >&2; \
	  fi; \
	fi

# The server and a background-jobs worker together (manage.py serve); Ctrl-C stops both.
run: seed pdf-deps
	$(PY) manage.py serve $(HOST):$(PORT)

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

test: install lint
	$(PY) manage.py makemigrations --check --dry-run
	$(PY) -m pytest $(PYTEST_ARGS)

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles .pytest_cache var/job-queue var/job-results
