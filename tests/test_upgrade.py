"""Upgrades (issue 19 item 5): a home made by the previous release migrates to this one without loss.

The fixture is the SQLite database that `hatangso demo --no-serve` of commit 408d029 (the release
before this one) wrote, vacuumed and xz-compressed, and the seed plan's scorecard it wrote beside it.
Its measurement store (Parquet, untouched by migrations) is left out to keep the fixture small, so
the indicators computed from measurements are not compared. When a release adds migrations, add
its demo database here the same way and keep the older ones while they still migrate."""

import json
import lzma
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

from hatangso.utilities.testing import cli_environment

FIXTURES = Path(__file__).resolve().parent / "data" / "upgrade"


def row_counts(database: Path) -> dict[str, int]:
    with sqlite3.connect(database) as connection:
        tables = [name for (name,) in connection.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]  # fmt: skip
        count = 'SELECT COUNT(*) FROM "{}"'
        return {table: connection.execute(count.format(table)).fetchone()[0] for table in tables}


def hatangso(home: Path, *args: str) -> subprocess.CompletedProcess:
    # SQLite in the home whatever the test run's database: the fixture is a SQLite home.
    return subprocess.run(
        [str(Path(sys.executable).parent / "hatangso"), *args],
        cwd=home, env=cli_environment(home), capture_output=True, text=True, encoding="utf-8",
        timeout=600, check=False,
    )  # fmt: skip


def test_a_home_of_the_previous_release_migrates_without_loss(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    database = home / "hatangso.sqlite3"
    with lzma.open(FIXTURES / "home-408d029.sqlite3.xz") as packed, database.open("wb") as unpacked:
        shutil.copyfileobj(packed, unpacked)
    before = row_counts(database)

    result = hatangso(home, "migrate")
    assert result.returncode == 0, result.stderr
    assert "Applying plans.0005_plan_years_targets... OK" in result.stdout  # this release's migrations ran
    after = row_counts(database)
    # Every table of the old release keeps every row; new tables may start with rows of their own,
    # and Django's bookkeeping grows (the migrations applied, the new models' types and permissions).
    grown = {"django_migrations", "django_content_type", "auth_permission"}
    assert {table: after.get(table) for table in before if table not in grown} == {
        table: count for table, count in before.items() if table not in grown
    }
    assert all(after[table] >= before[table] for table in grown)
    assert hatangso(home, "migrate", "--check").returncode == 0  # nothing left to apply

    result = hatangso(home, "compute", "--plan", "1529/KH-UBND", "--period", "2024", "--json")
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
