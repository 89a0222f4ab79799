# The two commands of the README: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
TEST_STAMP := $(VENV)/.installed-test

.PHONY: demo test lint typecheck browser fonts postgres bench fuzz clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP): $(BIN)/python pyproject.toml constraints.txt
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(TEST_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@

demo: $(STAMP)
	$(BIN)/railplan demo --out out/demo

# Debian's chromium for the browser tests, installed only when missing.
browser:
	@command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null) \
	    || echo "warning: chromium could not be installed; browser tests will be skipped"; }

# Debian's CJK fonts (Noto Sans CJK) for the Chinese report and charts, installed only when
# missing: without them Chinese text renders as empty boxes (the Chinese browser test skips).
fonts:
	@fc-list :lang=zh 2>/dev/null | grep -qi 'Noto Sans CJK' || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq fonts-noto-cjk >/dev/null) \
	    || echo "warning: fonts-noto-cjk could not be installed; the Chinese browser test will be skipped"; }

# Debian's PostgreSQL for the ledger's tests (the tests start a throwaway cluster themselves,
# as the postgres user, on loopback), installed only when missing.
postgres:
	@ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || \
	  { (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null) \
	    || echo "warning: postgresql could not be installed; PostgreSQL tests will be skipped"; }

lint: $(TEST_STAMP)
	$(BIN)/lint-imports --no-cache >/dev/null || $(BIN)/lint-imports --no-cache
	$(BIN)/ruff check network routing maps railplan benchmarks tests
	$(BIN)/ruff format --check network routing maps railplan benchmarks tests

typecheck: $(TEST_STAMP)
	$(BIN)/mypy

test: $(TEST_STAMP) browser fonts postgres
	$(BIN)/python -m pytest
	$(MAKE) --no-print-directory lint typecheck

# A longer run of the input fuzz suite (the one in make test is bounded to about a minute).
fuzz: $(TEST_STAMP)
	RAILPLAN_FUZZ_EXAMPLES=2000 RAILPLAN_FUZZ_RUNS=1500 $(BIN)/python -m pytest -q tests/routing/io tests/railplan/test_fuzz_cli.py

bench: $(STAMP)
	$(BIN)/railplan bench

clean:
	rm -rf $(VENV) out build *.egg-info
