# Everything a fresh machine with Python 3.11+ needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
UV_VENV := .cache/uv
UV := $(UV_VENV)/bin/uv
UV_VERSION := 0.13.9
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/hatangso

.PHONY: setup demo serve test test-postgres lint

$(UV):
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

setup: $(UV)
	$(UV) sync --frozen --quiet --extra spark --python $(PYTHON)

demo: setup
	$(VENV)/bin/hatangso demo $(ARGS)

serve: setup
	$(VENV)/bin/hatangso serve $(ARGS)

lint: setup
	$(VENV)/bin/ruff check .

test: lint
	$(VENV)/bin/pytest $(ARGS)

test-postgres: setup
	HATANGSO_DATABASE_URL=$(POSTGRES_URL) $(VENV)/bin/pytest $(ARGS)
