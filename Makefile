# The two commands of the README: `make demo` (set up, then process the samples, search,
# and later certify) and `make test` (set up, then lint and run the whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
DEMO := build/demo

.PHONY: setup demo test samples clean

setup: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml scripts/system-deps.sh
	PYTHON=$(PYTHON) bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

demo: setup
	rm -rf $(DEMO)
	$(BIN)/toji process samples/pages --db $(DEMO)/archive.db
	$(BIN)/toji search 高陽郡 --db $(DEMO)/archive.db

test: setup
	$(BIN)/ruff check .
	$(BIN)/python -m pytest

# Regenerates the committed sample pages (same seed, same pages).
samples: setup
	rm -f samples/pages/*
	$(BIN)/toji samples --count 8 --seed 2026 --out samples/pages

clean:
	rm -rf $(VENV) build .pytest_cache .ruff_cache
