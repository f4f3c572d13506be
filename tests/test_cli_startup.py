"""Quick commands (issue 19): heavy libraries are imported where they are used, so a command that
does not need them never loads them. bench/cli_startup.py measures the time; this test asserts the
cause without timing, so the gain cannot silently regress."""

import subprocess
import sys

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

# Run in a fresh interpreter: the test process has imported all of them already.
PROGRAM = f"""
import importlib, os, sys
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hatangso.settings")
import django
django.setup()
from django.conf import settings
importlib.import_module(settings.ROOT_URLCONF)  # every page and API module, as the server loads them
from hatangso.cli import main
main(["plan", "list"])  # the command as `hatangso plan list` runs it: migrations, then output
print("loaded:", ",".join(sorted(name for name in {HEAVY!r} if name in sys.modules)))
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
    assert result.stdout.strip().splitlines()[-1] == "loaded:", result.stdout
