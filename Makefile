# Everything a fresh machine with Python 3.11+ needs: `make demo` and `make test`.
PYTHON ?= python3
VENV := .venv
UV_VENV := .cache/uv
UV := $(UV_VENV)/bin/uv
UV_VERSION := 0.13.9
POSTGRES_URL ?= postgres://postgres@127.0.0.1:5432/hatangso

.PHONY: setup demo serve test test-postgres lint messages

$(UV):
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/pip install --quiet --disable-pip-version-check uv==$(UV_VERSION)

# The environment is synced when the lock file or the project's metadata changes (a stamp in the
# venv), so `make test` and `make test-postgres` can start side by side without two syncs racing.
# Bytecode is compiled at install, and src/ on every setup: with PYTHONDONTWRITEBYTECODE set (as on
# our machines) Python would otherwise compile every module again in each `hatangso` process (≈ 3 s).
$(VENV)/.synced: $(UV) uv.lock pyproject.toml
	$(UV) sync --frozen --quiet --extra spark --compile-bytecode --python $(PYTHON)
	touch $@

setup: $(VENV)/.synced
	$(VENV)/bin/python -m compileall -q -j 0 src >/dev/null

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

# The English catalogue (src/hatangso/locale/en): collect every marked string of src/hatangso into
# django.po (new ones get an empty msgstr), then compile django.mo. Needs GNU gettext (xgettext).
# Translate the empty or fuzzy entries in the .po, run it again, and commit both files.
MESSAGES_HOME := $(CURDIR)/.cache/messages-home
messages:
	cd src/hatangso && HATANGSO_HOME=$(MESSAGES_HOME) DJANGO_SETTINGS_MODULE=hatangso.settings \
		$(CURDIR)/$(VENV)/bin/django-admin makemessages --locale en --add-location file
	cd src/hatangso && HATANGSO_HOME=$(MESSAGES_HOME) DJANGO_SETTINGS_MODULE=hatangso.settings \
		$(CURDIR)/$(VENV)/bin/django-admin compilemessages --locale en
