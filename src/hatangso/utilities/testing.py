"""Facts the tests check the product against, stated once."""

import os
from contextlib import contextmanager
from pathlib import Path

# DESIGN.md §3: the seed plan's indicator catalog and its exact targets, in the catalog's order.
CATALOG_TARGETS = {
    "village_mobile_broadband_coverage": 100,
    "village_fixed_broadband_coverage": 100,
    "bts_site_sharing": 17,
    "pole_sharing": 95,
    "duct_sharing": 50,
    "commune_government_network": 100,
    "smartphone_subscription_share": 85,
    "internet_users": 97,
    "household_fiber": 90,
    "adult_smartphone": 90,
    "household_internet": 95,
    "fixed_individual_100mbps": 80,
    "fixed_organisation_500mbps": 80,
    "mobile_60mbps_population_coverage": 100,
    "agencies_on_digital_platforms": 100,
}


# The project's shared folder beside the repository (../shared): the seed plan document and the
# third-party fixtures of research/data. A developer's clone without it skips the tests that read it;
# in CI (CI set) they run and fail, and .ci/run refuses to start without the folder.
SHARED = Path(__file__).resolve().parents[3].parent / "shared"
SEED_DOCUMENT = SHARED / "seed" / "ke-hoach-1529-KH-UBND-huong-tra-2024.txt"
RESEARCH_DATA = SHARED / "research" / "data"


def needs_shared(path: Path):
    """A skip marker for a test that reads `path` under ../shared (never skipped in CI)."""
    import pytest

    return pytest.mark.skipif(
        not path.exists() and not os.environ.get("CI"),
        reason=f"{path.relative_to(SHARED.parent)} is not beside the repository (../shared)",
    )


# --- the real `hatangso` command, run as a subprocess -------------------------------------------

# A subprocess cannot use pytest-django's test database: without HATANGSO_DATABASE_URL each command's
# home has its own SQLite file; on PostgreSQL the `cli_database` fixture (conftest.py) creates a
# scratch database for the session and sets this URL, so the commands never touch the named one.
cli_database_url = ""


def plan_without_scans(queryset) -> str:
    """The database's plan for `queryset` with PostgreSQL told to avoid a sequential scan: a test's
    few rows alone would not make it choose an index that a national home's millions need."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL enable_seqscan = off")
        return queryset.explain()


def free_port() -> int:
    """A TCP port free on loopback now, for a server the test starts."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def cli_environment(home: Path, *, database_url: str = "") -> dict[str, str]:
    """The environment of a command run as a user runs it: this process's, without its HATANGSO_*
    settings and Django settings module, with `home` (and the database, when given)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HATANGSO_")}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env["HATANGSO_HOME"] = str(home)
    if database_url:
        env["HATANGSO_DATABASE_URL"] = database_url
    if "HATANGSO_SECRET_KEY" in os.environ:
        env["HATANGSO_SECRET_KEY"] = os.environ["HATANGSO_SECRET_KEY"]
    return env


@contextmanager
def scratch_databases():
    """Yields a function that makes one more new, empty database for the commands and returns its
    URL: on PostgreSQL (`cli_database_url` set) beside the session's, dropped at the end; on SQLite
    "" (each home has its own file)."""
    made = []

    def make() -> str:
        if not cli_database_url:
            return ""
        import psycopg

        url = psycopg.conninfo.conninfo_to_dict(cli_database_url)
        name = f"{url['dbname']}_scratch_{len(made)}"
        server = {k: v for k, v in url.items() if k != "dbname"}
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.execute(f'CREATE DATABASE "{name}"')
        made.append((name, server))
        return cli_database_url.rsplit("/", 1)[0] + f"/{name}"

    try:
        yield make
    finally:
        for name, server in made:
            import psycopg

            with psycopg.connect(dbname="postgres", autocommit=True, **server) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def run_cli(home: Path, *args: str, columns: int = 80):
    """`hatangso ARGS…` in `home` as a user runs it; returns the CompletedProcess (text)."""
    import subprocess
    import sys

    script = Path(sys.executable).parent / "hatangso"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "hatangso.cli"]
    env = cli_environment(home, database_url=cli_database_url)
    env["COLUMNS"] = str(columns)  # what a pipe gets by default; fixed so output is the same everywhere
    return subprocess.run(
        [*command, *args],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )


def assert_user_error(result, vi: str, en: str) -> list[str]:
    """Non-zero exit, no traceback, a first line 'Lỗi / Error: <vi> / <en>'; returns stderr lines."""
    assert result.returncode != 0, result.stdout
    assert "Traceback" not in result.stderr
    assert "Traceback" not in result.stdout
    lines = result.stderr.strip().splitlines()
    assert lines, "no message on stderr"
    assert lines[0].startswith("Lỗi / Error: "), lines[0]
    assert vi in lines[0]
    assert en in lines[0]
    assert lines[0].index(vi) < lines[0].index(en)
    return lines


# --- fixtures recorded once per test run ----------------------------------------------------------


class RecordedRows:
    """Rows a fixture wrote, recorded the first time it runs in a test session and inserted in bulk
    in later tests. Loading the seed plan through its services takes some 4,000 queries (a change-log
    row, a savepoint and a look-up per object) and hundreds of tests start from it. The services
    still run whenever the recording cannot be replayed exactly: the fixture changed rows that existed
    before it, rows it found are gone (a transactional test's flush empties even the migrations'
    data), or the test has already written rows with the ids the recording uses."""

    def __init__(self):
        self._recorded: dict[str, tuple[dict, dict, tuple | None]] = {}
        self._unreplayable: set[str] = set()

    def load(self, name: str, build):
        """`build()`'s result, or its recorded rows inserted again and the result fetched by its
        key. `build` returns a model instance or None."""
        if name in self._recorded:
            found, rows, key = self._recorded[name]
            if _insert(rows, found):
                return key and key[0]._default_manager.get(pk=key[1])
        if name in self._unreplayable:
            return build()
        before = _all_rows()
        result = build()
        rows = _added_rows(before, _all_rows())
        if rows is None:
            self._unreplayable.add(name)
        else:
            found = {model: len(records) for model, records in before.items() if records}
            self._recorded[name] = (found, rows, (type(result), result.pk) if result is not None else None)
        return result


def _tables() -> list:
    from django.apps import apps

    return [m for m in apps.get_models(include_auto_created=True) if m._meta.managed and not m._meta.proxy]


def _all_rows() -> dict:
    """Every row of every table, by model and key."""
    rows = {}
    for model in _tables():
        fields = [f.attname for f in model._meta.concrete_fields]
        key = model._meta.pk.attname
        rows[model] = {record[key]: record for record in model._default_manager.values(*fields)}
    return rows


def _added_rows(before: dict, after: dict) -> dict | None:
    """The rows added between two readings, by model, or None when a row that was there changed or
    went, or an added row's key is not an integer (ids that only grow are what makes replay safe)."""
    added = {}
    for model, rows in after.items():
        old = before[model]
        if any(pk not in rows or rows[pk] != record for pk, record in old.items()):
            return None
        new = {pk: record for pk, record in rows.items() if pk not in old}
        if any(not isinstance(pk, int) for pk in new):
            return None
        if new:
            added[model] = new
    return added


def _insert(rows: dict, found: dict) -> bool:
    """Insert recorded rows with their ids, unless a table holds fewer rows than the recording found
    or already holds one of the recorded ids or more."""
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.db.models import Max

    if any(model._default_manager.count() < count for model, count in found.items()):
        return False
    for model, records in rows.items():
        newest = model._default_manager.aggregate(newest=Max("pk"))["newest"]
        if newest is not None and newest >= min(records):
            return False
    with transaction.atomic():
        for model, records in rows.items():
            model._default_manager.bulk_create([model(**fields) for fields in records.values()])
        # PostgreSQL's sequences do not move on explicit ids: set them past the rows there.
        with connection.cursor() as cursor:
            for statement in connection.ops.sequence_reset_sql(no_style(), list(rows)):
                cursor.execute(statement)
    return True
