"""Upgrades (issue 19 item 5): a home made by the previous release migrates to this one without loss,
on the database the run uses (SQLite, or PostgreSQL when HATANGSO_DATABASE_URL is set).

The fixture is the SQLite database that `hatangso demo --no-serve` of commit 408d029 (the release
before this one) wrote, vacuumed and xz-compressed, and the seed plan's scorecard it wrote beside it.
Its measurement store (Parquet, untouched by migrations) is left out to keep the fixture small, so
the indicators computed from measurements are not compared. On PostgreSQL a new database is first
brought to the fixture's migration state by Django's migration executor and every row of the
fixture copied into it: the database that release would have written there. When a release adds
migrations, add its demo database here the same way and keep the older ones while they still
migrate."""

import json
import lzma
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest

from hatangso.utilities import testing

FIXTURES = Path(__file__).resolve().parent / "data" / "upgrade"
# Only the migrations, to the fixture's state: the `migrate` command would also add this release's
# content types, permissions and cache table, which the old release's rows then could not follow.
MIGRATE_TO = """
import os, sys
os.environ["DJANGO_SETTINGS_MODULE"] = "hatangso.settings"
import django
django.setup()
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
MigrationExecutor(connection).migrate([tuple(line.split()) for line in sys.stdin.read().splitlines()])
"""


def sqlite_row_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]  # fmt: skip
        count = 'SELECT COUNT(*) FROM "{}"'
        return {table: connection.execute(count.format(table)).fetchone()[0] for table in tables}


def postgres_row_counts(url: str) -> dict[str, int]:
    import psycopg

    with psycopg.connect(url) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'")]  # fmt: skip
        count = 'SELECT COUNT(*) FROM "{}"'
        return {table: connection.execute(count.format(table)).fetchone()[0] for table in tables}


def run(home: Path, url: str, command: list[str], stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        command, input=stdin, cwd=home, env=testing.cli_environment(home, database_url=url),
        capture_output=True, text=True, encoding="utf-8", timeout=600, check=False,
    )  # fmt: skip


def hatangso(home: Path, url: str, *args: str) -> subprocess.CompletedProcess:
    return run(home, url, [str(Path(sys.executable).parent / "hatangso"), *args])


def copy_into_postgres(database: Path, home: Path, url: str) -> None:
    """The fixture's database as the old release would have written it to PostgreSQL at `url`."""
    import psycopg

    with sqlite3.connect(database) as source:
        applied = set(source.execute("SELECT app, name FROM django_migrations"))
        tables = [name for (name,) in source.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' "
            "AND name != 'django_migrations'")]  # fmt: skip
        # Each app's newest migration (they are numbered) names the state.
        state = {app: max(name for other, name in applied if other == app) for app, _ in applied}
        targets = "\n".join(f"{app} {name}" for app, name in state.items())
        result = run(home, url, [sys.executable, "-c", MIGRATE_TO], stdin=targets)
        assert result.returncode == 0, result.stderr
        with psycopg.connect(url) as target:
            assert set(target.execute("SELECT app, name FROM django_migrations")) == applied
            target.execute("SET TIME ZONE 'UTC'")  # SQLite keeps times in UTC without a zone
            # The rows the migrations write (the operators) are in the fixture too.
            target.execute("TRUNCATE {}".format(", ".join(f'"{table}"' for table in tables)))
            for table in tables:  # in one transaction: Django's foreign keys are checked at commit
                rows = source.execute(f'SELECT * FROM "{table}"')
                columns = [column[0] for column in rows.description]
                listed = ", ".join(f'"{column}"' for column in columns)
                with target.cursor().copy(f'COPY "{table}" ({listed}) FROM STDIN') as copy:
                    for row in rows:  # as text, which PostgreSQL reads into each column's type
                        copy.write_row([v if v is None or isinstance(v, bytes) else str(v) for v in row])
                if "id" in columns:  # new rows continue after the copied ones, as in SQLite
                    sequence = f"pg_get_serial_sequence('\"{table}\"', 'id')"
                    target.execute(f'SELECT setval({sequence}, MAX(id)) FROM "{table}" HAVING MAX(id) > 0')


@pytest.fixture
def old_home(tmp_path, cli_database):
    """(home, database URL, row counts) of the previous release's demo: its SQLite file in the home,
    or on PostgreSQL a new database holding the same rows."""
    home = tmp_path / "home"
    home.mkdir()
    with testing.scratch_databases() as make:
        url = make()
        database = tmp_path / "previous-release.sqlite3" if url else home / "hatangso.sqlite3"
        with lzma.open(FIXTURES / "home-408d029.sqlite3.xz") as packed, database.open("wb") as unpacked:
            shutil.copyfileobj(packed, unpacked)
        if url:
            copy_into_postgres(database, home, url)
            yield home, url, lambda: postgres_row_counts(url)
        else:
            yield home, url, lambda: sqlite_row_counts(database)


def test_a_home_of_the_previous_release_migrates_without_loss(old_home):
    home, url, row_counts = old_home
    before = row_counts()

    result = hatangso(home, url, "migrate")
    assert result.returncode == 0, result.stderr
    assert "Applying plans.0005_plan_years_targets... OK" in result.stdout  # this release's migrations ran
    after = row_counts()
    # Every table of the old release keeps every row; new tables may start with rows of their own,
    # and Django's bookkeeping grows (the migrations applied, the new models' types and permissions).
    grown = {"django_migrations", "django_content_type", "auth_permission"}
    assert {table: after.get(table) for table in before if table not in grown} == {
        table: count for table, count in before.items() if table not in grown
    }
    assert all(after[table] >= before[table] for table in grown)
    assert hatangso(home, url, "migrate", "--check").returncode == 0  # nothing left to apply

    result = hatangso(home, url, "compute", "--plan", "1529/KH-UBND", "--period", "2024", "--json")
    assert result.returncode == 0, result.stderr
    now = {i["code"]: i for i in json.loads(result.stdout)["indicators"]}
    then = json.loads((FIXTURES / "scorecard-1529-kh-ubnd-2024.json").read_text(encoding="utf-8"))
    compared = [i for i in then["indicators"] if "measurements" not in i["sources"]]
    assert len(compared) >= 10
    for old in compared:
        new = now[old["code"]]
        assert (new["value"], new["numerator"], new["denominator"], new["status"]) == (
            old["value"], old["numerator"], old["denominator"], old["status"],
        ), old["code"]  # fmt: skip
