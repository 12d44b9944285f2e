# Two commands a newcomer needs: `make app` and `make test`.
# Both create (or reuse) the virtual environment in .venv and install the project
# into it; the install is skipped when pyproject.toml and constraints.txt are unchanged.

PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
PORT   ?= 8866

.PHONY: app test install benchmarks constraints clean

app: $(STAMP)
	$(BIN)/workbench app --port $(PORT)

test: $(STAMP)
	$(BIN)/python -m pytest

install: $(STAMP)

benchmarks: $(STAMP)
	$(BIN)/python benchmarks/run.py

# Runs only when the stamp is older than pyproject.toml or constraints.txt, so it says what it does.
# uv installs in seconds; plain pip is the fallback when uv cannot be had.
$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or later is needed (found " + sys.version.split()[0] + "): run make PYTHON=python3.12")'
	@set -e; started=$$(date +%s); \
	if [ -x $(BIN)/python ]; then \
		echo "Updating $(VENV): installing the workbench and its dependencies (seconds to a minute with uv, a few minutes with pip)..."; \
	else \
		echo "Setting up $(VENV): installing the workbench and its dependencies (about 1 minute the first time with uv, a few minutes with pip)..."; \
		$(PYTHON) -m venv $(VENV); \
	fi; \
	$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.4" 2>/dev/null || true; \
	if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install --quiet --compile-bytecode --python $(BIN)/python -c constraints.txt -e '.[test]'; \
	else \
		echo "uv could not be installed: installing with pip instead (a few minutes)..."; \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'; \
	fi; \
	touch $(STAMP); \
	echo "$(VENV) is ready: done in $$(( $$(date +%s) - started )) s."

# Re-pin the versions tested here after changing dependencies in pyproject.toml.
constraints: $(STAMP)
	$(BIN)/uv pip compile --quiet --python $(BIN)/python --extra test --no-header --no-annotate \
		--output-file constraints.txt pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
