# The commands of the quick start: `make demo`, `make check` and `make test`. Each one sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo check test lint bench fuzz clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: $(STAMP)
	$(BIN)/sjvirtual --demo

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

# The tests are in four folders (README, Tests). pytest-xdist runs unit, api and tui on every core,
# a file to a worker (--dist loadfile: a module's world is built once); each worker seeds its own
# databases and starts its own PostgreSQL cluster, and the server processes take a free port. The
# e2e folder runs alone: sshd, tmux and the wheel's venv want a quiet machine for their timeouts.
PYTEST := $(BIN)/pytest
XDIST ?= -n auto --dist loadfile
# A few TUI files that touch login, the flow table, the forms and the toasts: seconds, not minutes.
TUI_QUICK := tests/tui/test_tui_login.py tests/tui/test_tui_flows.py tests/tui/test_tui_forms.py \
	tests/tui/test_tui_toasts.py

# The quick loop: lint, the unit and API folders on SQLite without the tests marked slow, a few
# TUI files. The PostgreSQL half of the API tests (marked `postgresql` by tests/conftest.py) is
# left to `make test`: it doubles the API folder's time and starts a cluster per worker.
# `make check CHECK_MARKS='not slow'` runs it too.
CHECK_MARKS ?= not slow and not postgresql
check: lint
	$(PYTEST) $(XDIST) -q -m '$(CHECK_MARKS)' tests/unit tests/api $(TUI_QUICK)

# Everything, as CI runs it (.ci/run).
test: lint
	$(PYTEST) $(XDIST) tests/unit tests/api tests/tui
	$(PYTEST) tests/e2e

bench: $(STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/statement.py
	$(BIN)/python bench/transfers.py

# The reliability gate at length (minutes, not seconds): schemathesis with 500 fuzzing examples per
# operation and longer stateful scenarios, and the bank's state machine with new random examples.
# SJV_FUZZ_EXAMPLES / _STATEFUL_STEPS / _SEED and SJV_MODEL_EXAMPLES / _STEPS override.
fuzz: $(STAMP)
	SJV_FUZZ_EXAMPLES=$${SJV_FUZZ_EXAMPLES:-500} SJV_FUZZ_STATEFUL_STEPS=$${SJV_FUZZ_STATEFUL_STEPS:-30} \
		$(BIN)/pytest tests/api/test_api_fuzz.py -q -p no:cacheprovider
	SJV_MODEL_EXAMPLES=$${SJV_MODEL_EXAMPLES:-150} SJV_MODEL_STEPS=$${SJV_MODEL_STEPS:-80} \
		SJV_MODEL_RANDOM=1 $(BIN)/pytest tests/api/test_bank_model.py -q -p no:cacheprovider

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
