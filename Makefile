# The two commands a newcomer needs: `make dashboard` and `make test`.
# Both create .venv when it is missing and (re)install the project when pyproject.toml changes.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8866

.PHONY: dashboard test sample bench bench-reconcile mutation clean

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[test]"
	@touch $(INSTALLED)

# Without a SOURCE, `arkit dashboard` serves the sample bundled in the package (arkit/data/samples).
dashboard: $(INSTALLED)
	$(BIN)/arkit dashboard --host $(HOST) --port $(PORT)

test: $(INSTALLED)
	bash scripts/install-test-deps.sh
	$(BIN)/python -m pytest

sample: $(INSTALLED)
	$(BIN)/arkit sample --out arkit/data/samples --seed 7

bench: $(INSTALLED)
	$(BIN)/python benchmarks/bench_aging.py
	$(BIN)/python benchmarks/bench_load.py
	$(BIN)/python benchmarks/bench_trend.py
	$(BIN)/python benchmarks/bench_risk.py
	$(BIN)/python benchmarks/bench_cashapp.py --invoices 200000 --payments 20000 --customers 20000

# datacompy needs older pandas and Polars than arkit: its comparison runs in a venv of its own.
.venv-bench/.installed: pyproject.toml
	@test -x .venv-bench/bin/python || $(PYTHON) -m venv .venv-bench
	.venv-bench/bin/python -m pip install --quiet --upgrade pip
	.venv-bench/bin/python -m pip install --quiet -e ".[bench]"
	@touch $@

bench-reconcile: .venv-bench/.installed
	.venv-bench/bin/python benchmarks/bench_reconcile.py

# Mutation testing of the core analytics (mutmut; docs/MUTATION.md): CPU-heavy, so not part of
# `make test`. Stops after MUTATION_MINUTES and prints the kill rate per module of what ran.
MUTATION_MINUTES ?= 45
# One worker by default: the machine is often shared; `make mutation MUTATION_CHILDREN=2` on a quiet one.
MUTATION_CHILDREN ?= 1
mutation: $(INSTALLED)
	$(BIN)/python -m pip install --quiet -e ".[mutation]"
	$(BIN)/python scripts/mutation.py --minutes $(MUTATION_MINUTES) --children $(MUTATION_CHILDREN)

clean:
	rm -rf $(VENV) .venv-bench .pytest_cache .hypothesis mutants
