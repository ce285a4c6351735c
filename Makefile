# Two commands are all a new user needs: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed-stamp
DEMO_KEYS ?= var/demo-keys.json
WORKER ?= 1
PY_DIRS := app tests migrations $(wildcard bench)

.PHONY: run test install migrate demo openapi lint format typecheck lint-api check ci bench clean

$(STAMP): pyproject.toml
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or newer is needed")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $(STAMP)

install: $(STAMP)

migrate: install
	$(BIN)/wijkwinkel migrate

demo: install
	$(BIN)/wijkwinkel demo --output $(DEMO_KEYS)

## Serve on :8000: install, migrate, create demo data once on a new database, print the keys.
run: migrate
	@$(BIN)/wijkwinkel demo --if-new --json --output $(DEMO_KEYS)
	@echo "Demo organisations, their API keys and staff logins: $(DEMO_KEYS)"
	@echo "Staff pages: http://localhost:8000/login"
	@echo "API: http://localhost:8000/api/v1  (OpenAPI: /api/v1/openapi.json, docs: /api/v1/docs)"
	@echo "Webhook worker runs alongside (WORKER=0 to leave it out)."
	@if [ "$(WORKER)" != "0" ]; then $(BIN)/wijkwinkel worker & trap 'kill $$! 2>/dev/null' EXIT INT TERM; $(BIN)/wijkwinkel serve; else $(BIN)/wijkwinkel serve; fi

## The whole test suite (SQLite by default; set WIJKWINKEL_TEST_DATABASE_URL for PostgreSQL).
test: install
	$(BIN)/python -m pytest $(PYTEST_ARGS)

openapi: install
	$(BIN)/wijkwinkel openapi --output openapi/openapi.json

## ruff, mypy (strict) and the import contracts that state the architecture (docs/architecture.md).
lint: install
	$(BIN)/ruff check $(PY_DIRS)
	$(BIN)/ruff format --check $(PY_DIRS)
	$(BIN)/mypy app
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix $(PY_DIRS)
	$(BIN)/ruff format $(PY_DIRS)

lint-api:
	npx --yes @stoplight/spectral-cli@6 lint --fail-severity error -r ../shared/adr/spectral.yml openapi/openapi.json

ci:
	bash .ci/run

# P1-P5 on PostgreSQL (127.0.0.1, trust auth; databases wijkwinkel_bench_* are recreated), at most
# about 40 minutes; writes docs/performance.md. BENCH_ARGS=--quick for a smoke test.
bench: install
	timeout 2700 $(BIN)/python -m bench.run $(BENCH_ARGS)

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
