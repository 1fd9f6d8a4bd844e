# Relational: `make run` serves the product, `make test` proves it. See README.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: run test lint check-python install install-test bench bench-digests bench-pages drills screenshots clean

check-python:
	@$(PYTHON) -c 'import sys; v = sys.version_info[:2]; sys.exit(0 if v == (3, 12) else "Relational needs Python 3.12 (found %d.%d): pgserver, the embedded PostgreSQL, ships no wheel for other versions. Install 3.12 (pyenv install 3.12) or set PYTHON=python3.12." % v)'

$(PY): | check-python
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip

$(STAMP): pyproject.toml constraints.txt | $(PY)
	$(PY) -m pip install --quiet -c constraints.txt -e '.[test]'
	@touch $(STAMP)

install: $(STAMP)

run: $(STAMP)
	$(PY) -m relational.dev run

test: $(STAMP) lint
	@# mypy's Django plugin imports settings, which need the two URLs to parse (no connection is made).
	DATABASE_URL=$${DATABASE_URL:-postgres://localhost/typecheck} REDIS_URL=$${REDIS_URL:-redis://localhost:1/0} \
		DEBUG=true $(PY) -m mypy relational places learning governance
	$(PY) -m relational.dev test

lint: $(STAMP)
	$(PY) -m ruff check .
	$(PY) -m ruff format --check .

# Benchmarks write their results under bench/results/ (a failed target means over its limit).
bench: bench-digests bench-pages

bench-digests: $(STAMP)
	$(PY) bench/digests.py

# The main pages under gunicorn with wrk, against two reference pages (README "Benchmarks").
# Needs the full dataset (manage.py seed_scale) in DATABASE_URL; wrk is installed if missing.
bench-pages: $(STAMP)
	@command -v wrk >/dev/null 2>&1 || { [ "$$(id -u)" -eq 0 ] && apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends wrk; } \
		|| { echo "bench-pages needs wrk: apt-get install -y wrk" >&2; exit 1; }
	$(PY) bench/pages.py $(BENCH_ARGS)

# The fault drills at full length (Redis away 60 s, PostgreSQL 20 s, workers killed mid-digest, two
# app servers): figures in bench/results/drills.json (README "Fault drills"). About 15 minutes.
drills: $(STAMP)
	$(PY) -m bench.drills

# The main pages of the demo place at 320 px and 1280 px wide, into var/screenshots/ (needs Chromium).
screenshots: $(STAMP)
	$(PY) -m relational.dev test tests/browser/screenshots.py -q -s

clean:
	rm -rf $(VENV) var/staticfiles
