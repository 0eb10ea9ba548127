# evalkit — run `make help` for the list of targets.
# Every target that needs Python creates .venv and installs the project first.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.evalkit-installed

.DEFAULT_GOAL := help
.PHONY: help setup report test lab samples bench clean browser workbench

help: ## Show this list of targets
	@awk 'BEGIN {FS = ":.*## "} /^[a-zA-Z_-]+:.*## / {printf "  \033[36m%-10s\033[0m %s\n", $$1, $$2}' $(MAKEFILE_LIST)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	@touch $(STAMP)

# evalkit's own bytecode, compiled ahead as pip does for an installed package: with
# PYTHONDONTWRITEBYTECODE set (as on CI machines) every process would compile src/ again
# (~0.3 s each; a report starts two). Up to date, it costs a few milliseconds.
BYTECODE := $(BIN)/python -m compileall -q src/evalkit >/dev/null

setup: $(STAMP) ## Create .venv and install evalkit with its test tools

report: $(STAMP) ## Render the report of every program under data/raw/ and the institution dashboard into reports/
	@$(BYTECODE)
	$(BIN)/evalkit report data/raw --out reports
	$(BIN)/evalkit dashboard --processed data/processed --out reports

browser: ## Install Debian's chromium for the browser tests (needs root and apt-get)
	@command -v chromium >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "installing Debian's chromium for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; \
	  else echo "chromium not installed and cannot install it here: the browser tests will be skipped"; fi; }

test: $(STAMP) browser ## Run the test suite (unit, doctests, notebook, browser and end-to-end tests)
	@$(BYTECODE)
	$(BIN)/python -m pytest -n auto --dist loadfile --no-loadscope-reorder tests src/evalkit --ignore=src/evalkit/notebooks --doctest-modules --nbval-lax notebooks/program_report.ipynb notebooks/paper_template.ipynb

workbench: $(STAMP) ## Open the web workbench (Voila on 127.0.0.1 with a token): create programs, validate, render
	$(BIN)/evalkit workbench --raw data/raw --out reports

lab: $(STAMP) ## Open JupyterLab on notebooks/
	$(BIN)/jupyter lab --notebook-dir=notebooks

samples: $(STAMP) ## Regenerate the sample programs under data/raw/ (seeded, deterministic)
	$(BIN)/evalkit samples data/raw

bench: $(STAMP) ## Run the benchmarks: every speed goal as measured value, goal and PASS/FAIL (benchmarks/bench_all.py)
	@$(BYTECODE)
	$(BIN)/python benchmarks/bench_all.py

clean: ## Remove .venv, rendered reports and processed data (never data/raw/)
	rm -rf $(VENV) reports/*/ reports/index.html data/processed/*/
