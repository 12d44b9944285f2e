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

$(STAMP): pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Python 3.11 or later is needed (found " + sys.version.split()[0] + "): run make PYTHON=python3.12")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	@# uv installs in seconds; plain pip is the fallback when uv cannot be had.
	@$(BIN)/python -m pip install --quiet --disable-pip-version-check "uv>=0.4" 2>/dev/null || true
	@if [ -x $(BIN)/uv ]; then \
		$(BIN)/uv pip install --quiet --python $(BIN)/python -c constraints.txt -e '.[test]'; \
	else \
		$(BIN)/python -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[test]'; \
	fi
	@touch $(STAMP)

# Re-pin the versions tested here after changing dependencies in pyproject.toml.
constraints: $(STAMP)
	$(BIN)/uv pip compile --quiet --python $(BIN)/python --extra test --no-header --no-annotate \
		--output-file constraints.txt pyproject.toml

clean:
	rm -rf $(VENV) .pytest_cache .hypothesis build *.egg-info
