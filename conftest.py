"""Shared fixtures. The test run's own HATANGSO_HOME is set by hatangso.utilities.pytest_home,
loaded with `-p` (pyproject) before pytest-django reads the settings."""

import pytest

from hatangso.utilities.testing import RecordedRows

# The shared worlds below are written by their services once per test run and replayed after.
recorded = RecordedRows()


def pytest_configure(config):
    """Accounts are hashed with a fast hasher in tests: Argon2 costs 0,1–1 s per hash or login by
    design, and fixtures create and log in hundreds of accounts (the production list stays
    after it, so its hashes still verify; core/tests/test_security.py checks the production one)."""
    from django.conf import settings

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]
    # Tests read the context a page was rendered with, so a page served from the shared cache
    # (core.sharing) would have none: core/tests/test_sharing.py and the browser journeys share.
    settings.SHARED_PAGES = False
    # Pages name static files as they are found in the apps: the hashed names of production's storage
    # exist only after collectstatic (core/tests/test_serve.py runs the production server with them).
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }


# The recorded worlds, in the order they build on each other: a test's first data fixtures, so their
# recordings replay (a row another fixture wrote first would take ids the recording uses, and the
# services would run again: some 4,000 queries for the seed plan).
RECORDED_FIRST = ("reference_units", "seed_plan")
DATABASE_FIXTURES = ("request", "db", "transactional_db", "live_server", "settings")


def pytest_collection_modifyitems(items):
    for item in items:
        names = getattr(item, "fixturenames", None)
        if names is None or not any(name in names for name in RECORDED_FIRST):
            continue
        # pytest-django's own fixtures (the database) stay first; then the recorded worlds.
        first = [name for name in names if name.startswith(("_", "django_")) or name in DATABASE_FIXTURES]
        recorded_first = [name for name in RECORDED_FIRST if name in names]
        names[:] = first + recorded_first + [n for n in names if n not in first and n not in recorded_first]


@pytest.fixture(autouse=True)
def default_language():
    """Each test starts in the site's language: a page asked in English (the test client runs the
    locale middleware in the test's own thread) would otherwise leave English active for the next."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(scope="session")
def recorded_rows() -> RecordedRows:
    """For a module's own world built on the seed plan: `recorded_rows.load(name, build)`."""
    return recorded


@pytest.fixture
def actor():
    from hatangso.core.changelog import Actor

    return Actor.command("test")


@pytest.fixture
def reference_units(db, actor):
    """The shipped units of Huế (pre- and post-2025) with the 2025 crosswalk, and the operators."""
    from hatangso.geography.services import load_reference_units
    from hatangso.registry.operators import load_reference_operators

    def load():
        load_reference_units(actor=actor)
        load_reference_operators(actor=actor)

    recorded.load("reference_units", load)


@pytest.fixture
def seed_plan(reference_units, actor):
    """Plan 1529/KH-UBND loaded from the shipped plan file."""
    from hatangso.core.scoping import COMMAND_LINE
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan

    return recorded.load(
        "seed_plan", lambda: load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    )


@pytest.fixture
def table_counts(db):
    """A snapshot of every table's row count, to assert that nothing was written."""
    from django.apps import apps

    from hatangso.collection.models import ImportBatch
    from hatangso.core.models import ChangeLogEntry

    def counts() -> dict[str, int]:
        result = {m._meta.label: m.objects.count() for m in apps.get_models()}
        # A rejected import keeps only its error report (a rejected batch, change-logged), no data.
        rejected = ImportBatch.objects.filter(status="rejected").values_list("pk", flat=True)
        rejected = [str(pk) for pk in rejected]
        result["collection.ImportBatch"] -= len(rejected)
        result["core.ChangeLogEntry"] -= ChangeLogEntry.objects.filter(
            object_type="collection.importbatch", object_id__in=rejected
        ).count()
        return result

    return counts


@pytest.fixture(scope="session")
def cli_database():
    """For the subprocess tests of the command line on PostgreSQL (HATANGSO_DATABASE_URL set): a
    scratch database for the session, dropped after it. On SQLite each command's home has its own."""
    import os
    from urllib.parse import urlsplit, urlunsplit

    from hatangso.utilities import testing

    configured = os.environ.get("HATANGSO_DATABASE_URL", "")
    if not configured:
        yield
        return
    url = urlsplit(configured)
    if not url.scheme.startswith("postgres"):
        pytest.skip("the subprocess tests need SQLite (no URL) or PostgreSQL")
    import psycopg

    name = f"hatangso_cli_test_{os.getpid()}"
    server = dict(host=url.hostname, port=url.port or 5432, user=url.username, password=url.password)
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
        connection.execute(f'CREATE DATABASE "{name}"')
    testing.cli_database_url = urlunsplit(url._replace(path=f"/{name}"))
    yield
    testing.cli_database_url = ""
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture(scope="session")
def demo(tmp_path_factory, cli_database):
    """`hatangso demo --no-serve` once for the whole test run (about a minute): every subprocess
    test of the command line reads its data directory. Tests may add files and run commands on it,
    but must leave the demo's data as the demo wrote it (only the coverage grid may be recomputed,
    as `coverage compute` does)."""
    from hatangso.utilities.testing import run_cli

    home = tmp_path_factory.mktemp("hatangso-demo-home")
    result = run_cli(home, "demo", "--no-serve")
    assert result.returncode == 0, result.stderr
    return home, result


@pytest.fixture(scope="session")
def spark():
    """The process's SparkSession, started once per test run (about 10–30 s): the parity tests of
    the measurement pipelines. Skipped without pyspark or Java, except in CI, which must run them."""
    import importlib.util
    import os
    import shutil

    reason = ""
    if importlib.util.find_spec("pyspark") is None:
        reason = "pyspark is not installed (make setup installs the spark extra)"
    elif not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        reason = "Java is not installed (Spark needs Java 17)"
    if reason:
        if os.environ.get("CI", "").lower() in {"1", "true", "yes"}:
            pytest.fail(f"CI must run the Spark parity tests: {reason}")
        pytest.skip(reason)
    from django.conf import settings

    from hatangso.analytics.measurements import engines

    return engines.spark_session(settings.SPARK_MASTER)
