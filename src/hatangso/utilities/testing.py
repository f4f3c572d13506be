"""Facts the tests check the product against, stated once."""

import os
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


def run_cli(home: Path, *args: str, columns: int = 80):
    """`hatangso ARGS…` in `home` as a user runs it; returns the CompletedProcess (text)."""
    import subprocess
    import sys

    script = Path(sys.executable).parent / "hatangso"
    command = [str(script)] if script.is_file() else [sys.executable, "-m", "hatangso.cli"]
    env = {k: v for k, v in os.environ.items() if not k.startswith("HATANGSO_")}
    env["HATANGSO_HOME"] = str(home)
    if cli_database_url:
        env["HATANGSO_DATABASE_URL"] = cli_database_url
    if "HATANGSO_SECRET_KEY" in os.environ:
        env["HATANGSO_SECRET_KEY"] = os.environ["HATANGSO_SECRET_KEY"]
    env["COLUMNS"] = str(columns)  # what a pipe gets by default; fixed so output is the same everywhere
    env.pop("DJANGO_SETTINGS_MODULE", None)
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
