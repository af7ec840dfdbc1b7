# Each target creates .venv when it is missing, so a fresh clone needs nothing but python3.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
# aiobotocore pins botocore to a few patch releases, so the async clients get a venv of their own.
ASYNC_VENV := .venv-async
ABIN := $(ASYNC_VENV)/bin

.PHONY: demo test test-async lint typecheck docs dist matrix bench bench-async fuzz peer clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed-base: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed-base

$(ABIN)/python:
	$(PYTHON) -m venv $(ASYNC_VENV)
	$(ABIN)/python -m pip install --quiet --upgrade pip

# aioboto3 pins one aiobotocore, and so the botocore of the whole venv.
$(ASYNC_VENV)/.installed: pyproject.toml | $(ABIN)/python
	$(ABIN)/python -m pip install --quiet -e '.[async,test]' aioboto3 pytest-asyncio
	touch $@

demo: $(VENV)/.installed-base
	$(BIN)/kms-import-mock demo

lint: $(VENV)/.installed-test
	$(BIN)/ruff check kms_import_mock conftest_plugin tests benchmarks docs noxfile.py
	$(BIN)/mypy

# Two workers (pytest-xdist): the suite is CPU-bound and machines have two cores.
test: lint
	$(BIN)/python -m pytest -n 2
	$(MAKE) --no-print-directory test-async

# aiobotocore and aioboto3 clients in-process (tests/aio, which .venv does not collect).
test-async: $(ASYNC_VENV)/.installed
	$(ABIN)/python -m pytest -q tests/aio tests/surface/test_aio_absent.py

# The documentation site (Sphinx + MyST), warnings as errors, into docs/_build/html.
docs: $(VENV)/.installed-test
	$(BIN)/python -m sphinx -W --keep-going -b html -q docs docs/_build/html

# sdist + wheel into dist/ (the sdist carries the tests, docs and benchmarks: see MANIFEST.in).
dist: $(VENV)/.installed-test
	rm -rf dist
	$(BIN)/python -m build --outdir dist .

# The supported-version matrix (noxfile.py): both ends of every supported range (moto, Python,
# boto3/botocore, cryptography).
# Under pyenv every installed version is made visible, so nox finds python3.10 and python3.13.
matrix: $(VENV)/.installed-test
	if command -v pyenv >/dev/null; then \
		export PYENV_VERSION="$$(pyenv versions --bare | tr '\n' ':' | sed 's/:$$//')"; fi; \
	$(BIN)/nox $(NOXFLAGS)

# Every ratio of the performance targets, side by side with plain moto (a few minutes; see README).
bench: $(VENV)/.installed-test
	$(BIN)/python -m benchmarks
	$(MAKE) --no-print-directory bench-async

# aiobotocore Encrypt+Decrypt in-process against the same loop over HTTP to our own server.
bench-async: $(ASYNC_VENV)/.installed
	$(ABIN)/python -m benchmarks.aio

# >= 20,000 generated cases (boto3 in-process and raw HTTP against the server); prints the count.
fuzz: $(VENV)/.installed-test
	HYPOTHESIS_PROFILE=fuzz $(BIN)/python -m pytest -p no:randomly \
		tests/reliability/test_fuzz.py tests/reliability/test_http_fuzz.py \
		tests/reliability/test_tamper.py

# moto's own tests/test_kms (sdist of the installed moto, cached in .peer-cache/) under our mock.
peer: $(VENV)/.installed-test
	$(BIN)/python tests/peer/run_peer.py

clean:
	rm -rf $(VENV) $(ASYNC_VENV) .pytest_cache .mypy_cache .ruff_cache .peer-cache .nox dist build docs/_build
