# Two commands do everything on a fresh machine:
#   make demo   install, then run the main job on a built-in default
#   make test   install, then lint, build the docs and run the whole test suite
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: install demo test docs bench

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e ".[all]"
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/sklearn-warmstart study

test: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet --site-dir $(VENV)/site
	$(BIN)/python -m pytest

docs: install
	$(BIN)/mkdocs serve

bench: install
	for script in benchmarks/*.py; do $(BIN)/python $$script || exit 1; done
