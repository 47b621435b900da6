# Two commands on a fresh machine: `make demo` and `make test`.
# Both build .venv from pyproject.toml; nothing depends on what is installed globally.
PYTHON ?= python3
VENV   ?= .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: venv lint types test test-py310 demo bench dist clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

venv: $(STAMP)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

types: venv
	$(BIN)/mypy

test: lint types
	$(BIN)/pytest

# The runtime floor is Python 3.10 (UPBGE 0.36 ships it): the suite again on 3.10, own venv.
PY310   ?= python3.10
VENV310 ?= .venv310

test-py310:
	test -x $(VENV310)/bin/python || $(PY310) -m venv $(VENV310)
	$(VENV310)/bin/python -m pip install --quiet --upgrade pip
	$(VENV310)/bin/python -m pip install --quiet -e '.[dev]'
	$(VENV310)/bin/pytest -q

demo: venv
	$(BIN)/python -m gameservices demo

# Each benchmark prints a table (add --json for machines); ratios compare approaches in one run.
bench: venv
	$(BIN)/python benchmarks/frame_hitch.py
	$(BIN)/python benchmarks/client_overhead.py
	$(BIN)/python benchmarks/download.py
	$(BIN)/python benchmarks/outbox.py
	$(BIN)/python benchmarks/server_load.py
	$(BIN)/python benchmarks/realtime.py

# A wheel and an sdist in dist/, checked: metadata and README rendering (twine), LICENSE in
# both, and the wheel installed into a fresh venv (no extras) that imports the package.
DISTCHECK := dist/.check-venv
dist: venv
	rm -rf dist
	$(BIN)/python -m build --outdir dist .
	$(BIN)/twine check --strict dist/*.whl dist/*.tar.gz
	$(BIN)/python -c "import sys, tarfile, zipfile; \
	  w = [n for n in zipfile.ZipFile(sys.argv[1]).namelist() if n.endswith('/licenses/LICENSE')]; \
	  s = [n for n in tarfile.open(sys.argv[2]).getnames() if n.endswith('/LICENSE')]; \
	  assert w and s, ('LICENSE missing', w, s); print('LICENSE in wheel and sdist')" \
	  dist/*.whl dist/*.tar.gz
	$(PYTHON) -m venv $(DISTCHECK)
	$(DISTCHECK)/bin/python -m pip install --quiet dist/*.whl
	$(DISTCHECK)/bin/python -c "import gameservices, gameservices.testing; \
	  print('the wheel imports in a fresh venv:', gameservices.__name__, len(gameservices.__all__), 'names')"
	$(DISTCHECK)/bin/gameservices --help > /dev/null
	rm -rf $(DISTCHECK)

clean:
	rm -rf $(VENV) $(VENV310) .demo .mypy_cache .pytest_cache .ruff_cache dist
