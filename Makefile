# Turnero — the two commands a new user needs: `make run` and `make test`.
VENV ?= .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PYTEST_ARGS ?=
# The tools that write the lock files; pinned so a refresh resolves the same way everywhere.
UV := uv==0.13.9
EXPORT := uv export --frozen --no-emit-project --format requirements-txt -q

.PHONY: install run test lint typecheck layers pytest lock clean

# Installs exactly the versions in requirements/dev.txt (hash-checked), then turnero itself
# without dependencies. urllib3-future (which caldav's HTTP client brings) is built from its
# source with URLLIB3_NO_OVERRIDE so it does not replace urllib3's files (its README: installing
# it shadows urllib3 depending on installation order).
$(STAMP): requirements/dev.txt pyproject.toml
	@test -x $(PY) || python3 -m venv $(VENV)
	URLLIB3_NO_OVERRIDE=true $(PY) -m pip install -q --require-hashes \
		--no-binary urllib3-future -r requirements/dev.txt
	$(PY) -m pip install -q --no-deps -e .
	@touch $(STAMP)

install: $(STAMP)

run: install
	$(VENV)/bin/turnero serve --demo

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

typecheck: install
	$(VENV)/bin/mypy

layers: install
	$(VENV)/bin/lint-imports

pytest: install
	$(PY) -m pytest $(PYTEST_ARGS)

test: lint typecheck layers pytest

# Re-resolve the lock from pyproject.toml (newest versions its ranges admit): uv.lock, and the
# hash-checked requirements/*.txt exported from it that every install uses. Run `make test`
# afterwards and commit uv.lock and requirements/ with the code it was tested with.
lock:
	@test -x $(PY) || python3 -m venv $(VENV)
	$(PY) -m pip install -q "$(UV)"
	$(VENV)/bin/uv lock --python 3.11 --upgrade
	$(VENV)/bin/$(EXPORT) -o requirements/base.txt
	$(VENV)/bin/$(EXPORT) --extra dev -o requirements/dev.txt

clean:
	rm -rf $(VENV) build *.egg-info .mypy_cache .pytest_cache .ruff_cache
