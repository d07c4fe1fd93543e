# Each target sets itself up on a fresh machine: a .venv with the project installed in it.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed

.PHONY: test demo bench lint clean

$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q -e ".[test]"
	touch $(STAMP)

test: $(STAMP)
	$(PY) -m pytest

demo: $(STAMP)
	$(PY) -m ch_logic
	$(PY) -m ch_iris
	$(PY) -m ch_backprop

bench: $(STAMP)
	$(PY) -m benchmarks

lint: $(STAMP)
	$(PY) -m pip install -q ruff
	$(PY) -m ruff check .

clean:
	rm -rf $(VENV) out .pytest_cache *.egg-info
