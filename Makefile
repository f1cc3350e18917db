# The two commands of the quick start: `make demo` and `make test`. Each one sets itself up.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo test lint bench fuzz clean

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

test: lint
	$(BIN)/pytest

bench: $(STAMP)
	$(BIN)/python bench/startup.py
	$(BIN)/python bench/statement.py
	$(BIN)/python bench/transfers.py

# The reliability gate at length (minutes, not seconds): schemathesis with 500 fuzzing examples per
# operation and longer stateful scenarios, and the bank's state machine with new random examples.
# SJV_FUZZ_EXAMPLES / _STATEFUL_STEPS / _SEED and SJV_MODEL_EXAMPLES / _STEPS override.
fuzz: $(STAMP)
	SJV_FUZZ_EXAMPLES=$${SJV_FUZZ_EXAMPLES:-500} SJV_FUZZ_STATEFUL_STEPS=$${SJV_FUZZ_STATEFUL_STEPS:-30} \
		$(BIN)/pytest tests/test_api_fuzz.py -q -p no:cacheprovider
	SJV_MODEL_EXAMPLES=$${SJV_MODEL_EXAMPLES:-150} SJV_MODEL_STEPS=$${SJV_MODEL_STEPS:-80} \
		SJV_MODEL_RANDOM=1 $(BIN)/pytest tests/test_bank_model.py -q -p no:cacheprovider

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
