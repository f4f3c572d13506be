"""Playwright driving Debian's chromium (DESIGN.md §8), shared by the browser tests."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
# The journeys' production server has a self-signed certificate: the contexts ignore HTTPS errors
# (for their API requests too), and this lets chromium's own handshakes through at once, where it would
# first abort them (gunicorn's log: "certificate unknown", about one request in six).
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--ignore-certificate-errors",
]  # fmt: skip
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


@contextmanager
def production_server(folder: Path):
    """The production server (`hatangso serve`: gunicorn, WhiteNoise's hashed static files, shared
    pages) over HTTPS (`--certfile`) with the production settings (HATANGSO_HTTPS: Secure cookies,
    https origins, HSTS; no debug), serving the test database in this run's home, for as long as the
    block runs; yields its address and the file its output goes to. Its certificate is made here,
    self-signed (openssl), so the browser's contexts ignore HTTPS errors; the readiness check
    verifies it.

    The test database must be PostgreSQL: the server's processes read what the test process commits."""
    import ssl
    import urllib.error
    import urllib.request
    from urllib.parse import urlsplit, urlunsplit

    from django.conf import settings
    from django.db import connection

    from hatangso.utilities.testing import cli_environment, free_port

    certificate, key, log_path = folder / "server.crt", folder / "server.key", folder / "server.log"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost", "-days", "1",
         "-addext", "subjectAltName=IP:127.0.0.1", "-keyout", str(key), "-out", str(certificate)],
        check=True, capture_output=True,
    )  # fmt: skip
    configured = urlsplit(os.environ["HATANGSO_DATABASE_URL"])
    test_database = urlunsplit(configured._replace(path=f"/{connection.settings_dict['NAME']}"))
    env = cli_environment(settings.HOME, database_url=test_database)  # its imported files and evidence
    env.update(HATANGSO_HTTPS="1", HATANGSO_ALLOWED_HOSTS="127.0.0.1")
    port = free_port()
    url = f"https://127.0.0.1:{port}"
    command = [str(Path(sys.executable).parent / "hatangso"), "serve", "--bind", f"127.0.0.1:{port}",
               "--workers", "2", "--certfile", str(certificate), "--keyfile", str(key)]  # fmt: skip
    with log_path.open("w") as log:
        process = subprocess.Popen(command, cwd=folder, env=env, stdout=log, stderr=subprocess.STDOUT)
    try:
        verified = ssl.create_default_context(cafile=certificate)
        deadline = time.monotonic() + 120
        while True:
            try:
                urllib.request.urlopen(f"{url}/dang-nhap/", context=verified, timeout=30).close()
                break
            except urllib.error.HTTPError as error:  # it answered, wrongly
                raise AssertionError(f"{error}\n{log_path.read_text()}") from None
            except (urllib.error.URLError, ConnectionError) as error:  # not listening yet
                if isinstance(getattr(error, "reason", None), ssl.SSLError):  # listening, wrongly
                    raise
                assert process.poll() is None and time.monotonic() < deadline, log_path.read_text()
                time.sleep(0.2)
        yield url, log_path
    finally:
        process.send_signal(signal.SIGTERM)  # a graceful stop: its connections close with its workers
        try:
            process.wait(timeout=60)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
