# The two commands of the README: `make sandbox` and `make test`. Each builds the local
# virtualenv first when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: sandbox test lint bench

$(BIN)/porta: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(BIN)/porta

sandbox: $(BIN)/porta
	$(BIN)/porta sandbox

test: $(BIN)/porta
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(BIN)/porta
	$(BIN)/ruff check bot handlers tests
	$(BIN)/ruff format --check bot handlers tests
	$(BIN)/mypy
