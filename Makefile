# The two commands of the README: `make sandbox` and `make test`. Each builds the local
# virtualenv first when it is missing or older than pyproject.toml.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: sandbox test lint messages bench bench-load bench-voice faults

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

# After changing user-facing strings: refresh the template and the nine catalogs, then
# translate what is new (the catalog test lists any entry left untranslated or fuzzy).
messages: $(BIN)/porta
	$(BIN)/pybabel extract -F locales/babel.cfg -k _ -k N_ -k ngettext:1,2 -k nN_:1,2 \
		-k pgettext:1c,2 -k pN_:1c,2 --add-comments=NOTE --no-location --sort-output \
		--project=Porta -o locales/messages.pot .
	$(BIN)/pybabel update -D messages -i locales/messages.pot -d locales --ignore-obsolete \
		--no-fuzzy-matching

# On-demand benchmarks of the outbox and of scale (about twenty-five minutes); figures are
# printed and written to data/bench-*.json. For PostgreSQL (needed for several processes):
# PORTA_TEST_DATABASE_URL=postgresql+asyncpg://... make bench
bench: $(BIN)/porta
	$(BIN)/pytest tests/benchmarks/test_outbox_benchmark.py tests/benchmarks/test_scale_benchmark.py \
		tests/benchmarks/test_report_benchmark.py \
		-m benchmark -s -p no:cacheprovider -o addopts=""

# On-demand load benchmark: 200 people at 20 taps/s and 400 at 40, Porta beside a bare
# python-telegram-bot bot (about eight minutes); figures printed and in data/bench-load-*.json.
# For PostgreSQL: PORTA_TEST_DATABASE_URL=postgresql+asyncpg://... make bench-load
bench-load: $(BIN)/porta
	$(BIN)/pytest tests/benchmarks/test_load_benchmark.py -m benchmark -s -p no:cacheprovider -o addopts=""

# On-demand voice benchmark (about two minutes): the time from a 🔊 tap to the voice note,
# cold and cached, and others' p95 while 50 people listen; printed and in data/bench-voice.json.
bench-voice: $(BIN)/porta
	$(BIN)/pytest tests/benchmarks/test_voice_benchmark.py tests/benchmarks/test_voice_apart_benchmark.py -m benchmark -s -p no:cacheprovider -o addopts=""

# On demand: PostgreSQL restarted in the middle of a broadcast and of people tapping (a
# throwaway cluster of its own, from Debian's binaries); prints what was delivered, lost and
# duplicated.
faults: $(BIN)/porta
	$(BIN)/pytest tests/faults -m faults -s -p no:cacheprovider -o addopts=""
