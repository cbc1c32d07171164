# The two commands a fresh machine needs are `make demo` and `make test` (see README.md).
VENV := .venv
PY := $(VENV)/bin/python

.PHONY: install demo test test-postgres test-extracted lint golden clean

$(VENV)/.installed: pyproject.toml constraints.txt
	scripts/bootstrap.sh
	touch $@

install: $(VENV)/.installed

# Install, then run the main job on the embedded default (SQLite): analyze the legacy monolith.
demo: install
	$(VENV)/bin/decompose analyze legacy/app.py

# The whole test suite: toolkit tests, legacy suite on SQLite and PostgreSQL, legacy suite
# against the extracted app, lint. Starts Redis/PostgreSQL when they are not running.
test: install
	scripts/ensure-services.sh
	scripts/run-tests.sh

lint: install
	$(VENV)/bin/ruff check src tests benchmarks
	$(VENV)/bin/lint-imports --config .importlinter

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache .decompose-cache
