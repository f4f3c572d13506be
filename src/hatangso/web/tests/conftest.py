"""Fixtures of the browser tests (helpers in browsing.py)."""

import pytest

from hatangso.web.tests.browsing import launched_chromium


@pytest.fixture
def browser():
    with launched_chromium() as chromium:
        yield chromium


@pytest.hookimpl(trylast=True)
def pytest_collection_modifyitems(items):
    """Modules that commit a world for their own live server (COMMITS_ITS_WORLD) empty the database
    afterwards, as Django's transactional tests do: they run last, after pytest-django's ordering
    (database tests in a rolled-back transaction first), so no test relying on migrated reference
    rows runs after them."""
    def commits(item) -> bool:
        return getattr(getattr(item, "module", None), "COMMITS_ITS_WORLD", False)

    items[:] = [item for item in items if not commits(item)] + [item for item in items if commits(item)]
