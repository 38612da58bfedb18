# PlanTrack: `make run` serves the app on http://127.0.0.1:8000; `make test` runs every test.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run setup lock test test-sqlite test-postgres test-browser lint bench demo-data clean

# Exactly the versions in requirements.txt, each checked against its hash: every machine runs
# what the tests passed on. `make lock` refreshes the lock from pyproject.toml's ranges.
$(VENV)/.ok: pyproject.toml requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements.txt
	$(BIN)/pip install -q --no-deps --no-build-isolation -e .
	$(BIN)/pip check
	touch $@

node_modules/.ok: package.json package-lock.json
	npm ci --no-audit --no-fund
	touch $@

setup: $(VENV)/.ok node_modules/.ok

DEMO_MODE ?= true

## run: install, migrate data/plantrack.db, load the seed plans (and in demo mode the made-up
## city, once) if missing, and serve
run: setup
	$(BIN)/plantrack db upgrade
	$(BIN)/plantrack seed
	if [ "$(DEMO_MODE)" = "true" ]; then DEMO_MODE=true $(BIN)/plantrack demo-users && \
		$(BIN)/plantrack demo-data --scale 1 --seed 1 --if-missing; fi
	DEMO_MODE=$(DEMO_MODE) $(BIN)/plantrack serve --host $(HOST) --port $(PORT)

# Test processes in parallel (pytest-xdist): one per core of these two-core machines.
TEST_WORKERS ?= 2
PYTEST := $(BIN)/pytest -q -n $(TEST_WORKERS) --durations=15
# Bytecode written even where PYTHONDONTWRITEBYTECODE is set: otherwise every test process
# rewrites the asserts of every test module again (11 s of CPU per process, 4 per `make test`).
PYTEST_ENV := env -u PYTHONDONTWRITEBYTECODE

## test: lint, then the whole suite (browser and fuzz tests included) on SQLite and on PostgreSQL
test: setup
	$(BIN)/ruff check app tests migrations
	$(PYTEST_ENV) $(PYTEST)
	$(PYTEST_ENV) PLANTRACK_TEST_DB=postgresql $(PYTEST)

## lock: re-resolve pyproject.toml's ranges to the newest versions, with hashes, into requirements.txt
lock: $(VENV)/.ok
	$(BIN)/uv pip compile pyproject.toml --extra dev --generate-hashes --universal \
		--python-version 3.11 --upgrade -o requirements.txt
	$(BIN)/pip install -q --require-hashes --no-deps -r requirements.txt

lint: setup
	$(BIN)/ruff check app tests migrations

## bench: scale 1 and 4, 1 and 2 workers, into bench/results.md (BENCH_ARGS="--scales 1" to narrow;
##   "--databases sqlite,postgresql" for PostgreSQL too)
bench: setup
	$(BIN)/python bench/run.py $(BENCH_ARGS)

SCALE ?= 1
SEED ?= 1
## demo-data: a synthetic city (organisation demo-city-$(SEED)) in the database, SCALE=1 SEED=1
demo-data: setup
	$(BIN)/plantrack db upgrade
	$(BIN)/plantrack demo-data --scale $(SCALE) --seed $(SEED)

clean:
	rm -rf $(VENV) node_modules data
