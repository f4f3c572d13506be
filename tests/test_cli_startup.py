"""Quick commands (issue 19): heavy libraries are imported where they are used, so a command that
does not need them never loads them. bench/cli_startup.py measures the time; these tests assert the
causes without timing, so the gain cannot silently regress."""

import subprocess
import sys

from django.db.migrations.loader import MigrationLoader

from hatangso.core.management import base
from hatangso.utilities.testing import cli_environment

# Reports (altair, python-docx, openpyxl), the coverage grid and site detection (scipy, numpy,
# pyproj, shapely), the measurement store (pyarrow, duckdb) and the Spark engine (sqlglot, pyspark).
HEAVY = (
    "altair",
    "docx",
    "openpyxl",
    "scipy",
    "sqlglot",
    "pyspark",
    "numpy",
    "pyarrow",
    "duckdb",
    "pyproj",
    "shapely",
    "vl_convert",
)
# What a command that lists rows does not need either: the API framework (django-ninja, pydantic,
# and jinja2 through django.test), the URL configuration with every page and API module, the plan
# file's pydantic models, the import services and the measurement pipelines.
API_AND_PAGES = (
    "ninja",
    "pydantic",
    "jinja2",
    "django.test",
    "hatangso.urls",
    "hatangso.api",
    "hatangso.web.views",
    "hatangso.plans.planfile",
    "hatangso.plans.services",
    "hatangso.collection.services",
    "hatangso.registry.imports",
    "hatangso.analytics.measurements.fixed",
    "PIL",
)

# Run in a fresh interpreter: the test process has imported all of them already.
PROGRAM = f"""
import importlib, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hatangso.settings")
from hatangso.cli import main
main(["plan", "list"])  # the command as `hatangso plan list` runs it: migrations, then output
print("loaded:", ",".join(sorted(name for name in {HEAVY + API_AND_PAGES!r} if name in sys.modules)))
from django.conf import settings
importlib.import_module(settings.ROOT_URLCONF)  # every page and API module, as the server loads them
print("with the pages:", ",".join(sorted(name for name in {HEAVY!r} if name in sys.modules)))
"""


def test_plan_list_imports_no_heavy_library(tmp_path):
    # Its own home on SQLite whatever the test run's database: what is imported does not depend on it.
    result = subprocess.run(
        [sys.executable, "-c", PROGRAM],
        cwd=tmp_path,
        env=cli_environment(tmp_path),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert "Kế hoạch / Plans" in result.stdout
    assert [line.strip() for line in result.stdout.splitlines()[-2:]] == ["loaded:", "with the pages:"], (
        result.stdout
    )


def test_migration_files_are_the_migrations_django_loads():
    # ensure_database compares these names with the applied ones instead of importing every migration.
    assert base.migration_files() == set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)


def test_a_migrated_database_is_not_planned_again(db, monkeypatch):
    def planner(*args):
        raise AssertionError("planned the migrations of a migrated database")

    monkeypatch.setattr(base, "MigrationExecutor", planner)
    base.ensure_database()
