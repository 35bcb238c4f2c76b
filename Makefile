# Party Ledger — the README's commands. `make run` and `make test` work on a fresh clone.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 5000
FLASK := $(BIN)/flask --app wsgi

.PHONY: run test lint format install install-dev translations messages static-gz clean bench bench-smoke

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	touch $@

$(VENV)/.installed-dev: requirements-dev.txt $(VENV)/.installed
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

install: $(VENV)/.installed translations static-gz

install-dev: $(VENV)/.installed-dev translations static-gz

# Catalogs are compiled from the committed .po files at install time, each only when its .po is
# newer, so commands run side by side never write a catalog another is reading.
CATALOGS := $(patsubst %.po,%.mo,$(wildcard app/translations/*/LC_MESSAGES/messages.po))

translations: $(CATALOGS)

# After adding or changing UI strings: collect them and update both catalogs (translate what is
# new, then `make translations`). Nothing fuzzy is guessed; strings no longer used are dropped.
messages: install-dev
	$(BIN)/pybabel extract -F babel.cfg -k _l -o app/translations/messages.pot .
	for locale in $(notdir $(patsubst %/LC_MESSAGES/messages.po,%,$(wildcard app/translations/*/LC_MESSAGES/messages.po))); do \
	  $(BIN)/pybabel update -i app/translations/messages.pot -d app/translations -l $$locale \
	    --no-fuzzy-matching --ignore-obsolete; \
	done

%.mo: %.po $(VENV)/.installed
	$(BIN)/pybabel compile -i $< -o $@

# A gzip copy beside each script and style sheet, served to clients that accept gzip (README,
# "Static files"). Not committed: made from the committed file, again whenever that is newer, and
# written under a temporary name first so a running server never reads half a file.
STATIC_GZ := $(addsuffix .gz,$(wildcard $(addprefix app/static/,*.js *.css *.svg vendor/*.js vendor/*.css)))

static-gz: $(STATIC_GZ)

$(STATIC_GZ): %.gz: %
	gzip -9 -n -c $< > $@.tmp
	mv $@.tmp $@

run: install
	$(FLASK) db upgrade
	$(FLASK) demo --if-empty
	@echo "Serving on http://$(HOST):$(PORT)/"
	$(FLASK) run --host "$(HOST)" --port "$(PORT)"

test: install-dev
	$(BIN)/python -m pytest $(PYTEST_ARGS)

RUFF_PATHS := app tests migrations bench wsgi.py

lint: install-dev
	$(BIN)/ruff check $(RUFF_PATHS)
	$(BIN)/ruff format --check $(RUFF_PATHS)

format: install-dev
	$(BIN)/ruff format $(RUFF_PATHS)
	$(BIN)/ruff check --fix $(RUFF_PATHS)

# The benchmark (README, "Benchmark"): districts of 100 and 10,000 members, cached in
# instance/bench/ (or on the server DATABASE_URL names); BENCH_ARGS passes options through.
bench: install
	$(BIN)/python -m bench $(BENCH_ARGS)

# What CI runs to keep the benchmark working: 100 members only, 3 runs, a short served run.
bench-smoke: install
	$(BIN)/python -m bench --small-only --runs 3 --rps-seconds 0.5 $(BENCH_ARGS)

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
	rm -f $(STATIC_GZ)
