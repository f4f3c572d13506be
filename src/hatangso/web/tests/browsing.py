"""Playwright driving Debian's chromium (DESIGN.md §8), shared by the browser tests."""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
# Skipped on a developer's machine without chromium, never in CI (.ci/run installs it): there the
# launch fails and so does the test.
needs_chromium = pytest.mark.skipif(
    not CHROMIUM.exists() and not os.environ.get("CI"),
    reason="needs Debian's chromium (apt-get install chromium)",
)


@contextmanager
def launched_chromium():
    """Chromium through Playwright's sync API, for as long as the block runs.

    The sync API keeps an event loop running in this thread while it is open, so the ORM calls the
    tests make between browser steps need DJANGO_ALLOW_ASYNC_UNSAFE (set here, for this block only;
    they never run concurrently with the browser's requests, which the live server answers in its own
    threads). With a running loop Django keeps those calls' database connection apart from the
    thread's usual one, and nobody else closes it: it is closed here, before the loop stops —
    otherwise PostgreSQL refuses to drop the test database at the end ("being accessed by other
    users")."""
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            chromium = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            try:
                yield chromium
            finally:
                connections.close_all()
                chromium.close()
