# Each target sets itself up on a fresh machine: a .venv with the project installed in it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

# The dependency floor: the oldest supported Python, NumPy and matplotlib (pinned, with what
# they need pinned beside them, in .ci/oldest-constraints.txt), in a venv of their own.
OLDEST_PYTHON ?= $(firstword $(wildcard /usr/bin/python3.10 /usr/local/bin/python3.10 \
                                        $(HOME)/.pyenv/versions/3.10*/bin/python3.10))
OLDEST_VENV := .venv-oldest
OLDEST_STAMP := $(OLDEST_VENV)/.installed

.PHONY: test test-slow test-all test-oldest demo bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

# The fast suite (under 2 minutes on 2 cores), in WORKERS processes (pytest-xdist; 0 runs it
# in this one); test-all adds the slow end-to-end checks and the playground in headless
# Chromium (test-slow), each test run once.
WORKERS ?= 2
FAST := -m "not slow and not browser" -n $(WORKERS)

test: $(STAMP)
	$(PY) -m pytest $(FAST)

# The tests `make test` leaves out: the slow end-to-end checks (the notebooks among them)
# and the playground in headless Chromium.
SLOW := -m "slow or browser"

test-slow: $(STAMP)
	$(PY) -m pytest $(SLOW)

test-all: test test-slow

$(OLDEST_STAMP): pyproject.toml .ci/oldest-constraints.txt
	@test -n "$(OLDEST_PYTHON)" || { echo "test-oldest needs Python 3.10: install it (e.g." \
	    "pyenv install 3.10) or pass OLDEST_PYTHON=/path/to/python3.10" >&2; exit 1; }
	test -x $(OLDEST_VENV)/bin/python || $(OLDEST_PYTHON) -m venv $(OLDEST_VENV)
	$(OLDEST_VENV)/bin/python -m pip install -q -c .ci/oldest-constraints.txt -e ".[test]"
	touch $(OLDEST_STAMP)

test-oldest: $(OLDEST_STAMP)  # the fast suite on the oldest supported versions
	$(OLDEST_VENV)/bin/python -c "import sys, numpy, matplotlib; print('oldest:', \
	    sys.version.split()[0], 'numpy', numpy.__version__, 'matplotlib', matplotlib.__version__)"
	$(OLDEST_VENV)/bin/python -m pytest $(FAST)

demo: $(STAMP)
	$(PY) -m ch_logic
	$(PY) -m ch_iris
	$(PY) -m ch_backprop

# The documentation site (mkdocs.yml): the docs extra in the same .venv, built strictly (a
# broken link, a page missing from the nav or an unresolved reference fails) into site/.
DOCS_STAMP := $(VENV)/.installed-docs
MKDOCS := NO_MKDOCS_2_WARNING=1 $(PY) -m mkdocs

.PHONY: docs docs-serve clean-docs

$(DOCS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e ".[test,docs]"
	touch $(DOCS_STAMP)

docs: $(DOCS_STAMP)
	$(MKDOCS) build --strict

docs-serve: $(DOCS_STAMP)  # http://127.0.0.1:8000/, rebuilt on every change
	$(MKDOCS) serve

clean: clean-docs
clean-docs:
	rm -rf site .cache/mkdocs-jupyter

# The notebooks (notebooks/*.ipynb), committed with their outputs: the notebooks extra in the
# same .venv. `make notebooks` executes each in place, one at a time, in a fresh kernel (the
# MNIST ones read $MNIST_DIR, else download MNIST once); `make lab` opens JupyterLab on them.
NOTEBOOKS_STAMP := $(VENV)/.installed-notebooks
NBCONVERT := $(PY) -m jupyter nbconvert --to notebook --execute --inplace \
    --ExecutePreprocessor.timeout=600 --ExecutePreprocessor.record_timing=False

.PHONY: notebooks lab

$(NOTEBOOKS_STAMP): $(STAMP) pyproject.toml
	$(PY) -m pip install -q -e ".[test,notebooks]"
	touch $(NOTEBOOKS_STAMP)

notebooks: $(NOTEBOOKS_STAMP)
	@for notebook in notebooks/*.ipynb; do \
	    echo "executing $$notebook"; \
	    $(NBCONVERT) "$$notebook" || exit 1; \
	done

lab: $(NOTEBOOKS_STAMP)
	$(PY) -m jupyter lab notebooks

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(PY) -m pip install -q ruff
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) $(OLDEST_VENV) out .pytest_cache *.egg-info
