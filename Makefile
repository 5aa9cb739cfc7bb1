# Xiezuoqu — the two commands of the README contract: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PORT   ?= 8000
HOST   ?= 127.0.0.1
STAMP  := $(VENV)/.installed
DEVSTAMP := $(VENV)/.installed-dev

.PHONY: run test install install-dev migrate demo serve lint typecheck checks pytest pytest-pg battery browser bench bench-scale screenshots clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(DEVSTAMP): pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP) $@

install: $(STAMP)
install-dev: $(DEVSTAMP)

migrate: install
	$(BIN)/xiezuoqu migrate --noinput

demo: migrate
	$(BIN)/xiezuoqu load_demo --reports 240

run: demo
	$(BIN)/python -m xiezuoqu.serve --host $(HOST) --port $(PORT)

lint: install-dev
	$(BIN)/ruff check src tests bench scripts
	$(BIN)/ruff format --check src tests bench scripts

typecheck: install-dev
	$(BIN)/mypy

checks: install-dev
	$(BIN)/xiezuoqu makemigrations --check --dry-run
	DJANGO_SETTINGS_MODULE=xiezuoqu.settings.production SECRET_KEY=check-deploy-$$(date +%s)-a-long-random-enough-secret-value-0123456789 \
	  $(BIN)/xiezuoqu check --deploy --fail-level WARNING

pytest: install-dev
	scripts/ensure_chromium.sh
	$(BIN)/pytest -q

test: lint typecheck checks pytest

pytest-pg: install-dev
	DATABASE_URL=$${DATABASE_URL:-postgres://postgres@127.0.0.1:5432/test} $(BIN)/pytest

# The reliability battery of issue 16 alone (also part of `make pytest`): deployment hygiene, the OpenAPI
# fuzzer (XIEZUOQU_FUZZ_EXAMPLES per login and operation, 8 by default), DB faults, the access matrix,
# the upload corpus and the backup round-trip. On PostgreSQL: DATABASE_URL=postgres://... make battery
battery: install-dev
	$(BIN)/pytest -q tests/battery tests/access tests/uploads tests/backup

# The browser tests alone (tests/browser: every role's home, the charts and the daily tasks in Chromium,
# no script error, CSP violation or missing file). `make test` runs them too; without Chromium (which
# scripts/ensure_chromium.sh installs when it may) they are skipped, saying why.
browser: install-dev
	scripts/ensure_chromium.sh
	$(BIN)/pytest -q tests/browser

bench: install-dev
	$(BIN)/python bench/run_all.py

# The scale report (issue 17): with SCALE=county|province|national, load that scale into DATABASE_URL (a
# throwaway PostgreSQL database; resumable) and measure it; then docs/scale-report.md from every run so far.
bench-scale: install-dev
	$(BIN)/pip install --quiet -e '.[bench]'
	@if [ -n "$(SCALE)" ]; then $(BIN)/python bench/bench_scale.py --scale $(SCALE) --load; fi
	$(BIN)/python bench/bench_scale.py --report

# One work home per role (and the pages listed in SHOTS) at 1366×768 into docs/screenshots/, from a
# throwaway demo served on port 8077 (needs /usr/bin/chromium: apt-get install chromium fonts-noto-cjk).
SHOTS ?= --page anguan:/statistics/:cockpit-anguan --page zuzhang1:/statistics/:cockpit-zuzhang1
screenshots: install-dev
	scripts/ensure_chromium.sh
	rm -f var/screenshots.sqlite3
	DATABASE_URL=sqlite:///$(CURDIR)/var/screenshots.sqlite3 $(BIN)/xiezuoqu migrate --noinput -v0
	DATABASE_URL=sqlite:///$(CURDIR)/var/screenshots.sqlite3 $(BIN)/xiezuoqu load_demo --reports 120
	DATABASE_URL=sqlite:///$(CURDIR)/var/screenshots.sqlite3 $(BIN)/python -m xiezuoqu.serve --host 127.0.0.1 --port 8077 & \
	  server=$$!; sleep 3; \
	  $(BIN)/python scripts/screenshots.py --base-url http://127.0.0.1:8077 --out docs/screenshots $(SHOTS); \
	  status=$$?; kill $$server; exit $$status

clean:
	rm -rf $(VENV) var/static
