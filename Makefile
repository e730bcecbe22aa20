# The two commands of the README: `make run` and `make test`.
PY := .venv/bin/python
GEO := .venv/bin/geo-service

.PHONY: setup run test lint bench

setup:
	@bash scripts/setup.sh

run: setup  ## local PostGIS + demo town + the map on http://127.0.0.1:8000
	$(GEO) db up
	$(GEO) demo load
	$(GEO) demo accounts
	$(GEO) serve

test: setup  ## the whole test suite, against a throwaway PostGIS cluster
	$(PY) -m pytest $(PYTEST_ARGS)

lint:  ## ruff, and the dependency contract of pyproject.toml (docs/architecture.md)
	.venv/bin/ruff check . && .venv/bin/ruff format --check . && .venv/bin/lint-imports

bench: setup
	$(PY) -m bench
