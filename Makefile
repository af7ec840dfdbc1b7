# Each target creates .venv when it is missing, so a fresh clone needs nothing but python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: demo test lint typecheck bench fuzz peer clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-base

demo: $(VENV)/.installed-base
	$(BIN)/kms-import-mock demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check kms_import_mock conftest_plugin tests benchmarks
	$(BIN)/mypy

test: lint
	$(BIN)/python -m pytest

# Every ratio of the performance targets, side by side with plain moto (a few minutes; see README).
bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks

# >= 20,000 generated cases (boto3 in-process and raw HTTP against the server); prints the count.
fuzz: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -p no:randomly \
		tests/reliability/test_fuzz.py tests/reliability/test_http_fuzz.py \
		tests/reliability/test_tamper.py

# moto's own tests/test_kms (sdist of the installed moto, cached in .peer-cache/) under our mock.
peer: $(VENV)/.installed-test
	$(BIN)/python tests/peer/run_peer.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .peer-cache
