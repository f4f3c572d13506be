"""`hatangso serve`: the production server as an office runs it (a subprocess on a free port)."""

import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from hatangso.core.management.commands.serve import parse_bind
from hatangso.utilities import testing
from hatangso.utilities.errors import UserError
from hatangso.utilities.testing import assert_user_error, cli_environment, free_port, run_cli


def fetch(url: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(url, headers=headers)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):
        return None


@pytest.fixture
def server(tmp_path, cli_database):
    """`hatangso serve --bind … --workers 2` in a fresh home; stopped (SIGTERM) after the test."""
    port = free_port()
    script = Path(sys.executable).parent / "hatangso"
    process = subprocess.Popen(
        [str(script), "serve", "--bind", f"127.0.0.1:{port}", "--workers", "2"],
        cwd=tmp_path,
        env=cli_environment(tmp_path, database_url=testing.cli_database_url),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        try:
            fetch(f"{url}/dang-nhap/")
            break
        except OSError:
            assert process.poll() is None, process.stdout.read()
            time.sleep(0.3)
    yield process, url, tmp_path
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def test_the_production_server_serves_pages_and_compressed_static_files_with_every_header(server):
    process, url, home = server
    status, headers, body = fetch(f"{url}/dang-nhap/")
    assert status == 200 and headers["Server"] == "gunicorn"
    for name in ("Content-Security-Policy", "X-Frame-Options", "X-Content-Type-Options", "Referrer-Policy"):
        assert name in headers, name
    # The page names its style sheet by the file's hash, which may be cached for a year.
    stylesheet = next(part.split('"')[0] for part in body.decode().split('href="') if ".css" in part[:80])
    assert stylesheet.startswith("/static/web/base.") and stylesheet.count(".") == 2
    status, headers, _ = fetch(f"{url}{stylesheet}", **{"Accept-Encoding": "gzip"})
    assert status == 200 and headers["Content-Encoding"] == "gzip"
    assert "immutable" in headers["Cache-Control"] and "max-age=315360000" in headers["Cache-Control"]
    assert headers["Content-Security-Policy"].startswith("default-src 'self'")
    assert headers["X-Content-Type-Options"] == "nosniff"

    # A graceful restart (SIGHUP to the pid file's process) keeps serving.
    pid = int((home / "run" / "gunicorn.pid").read_text())
    assert pid == process.pid
    process.send_signal(signal.SIGHUP)
    time.sleep(1)
    assert fetch(f"{url}/dang-nhap/")[0] == 200

    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=60)
    assert process.returncode == 0, output
    assert "Using worker: gthread" in output, output
    assert "Handling signal: hup" in output, output
    assert f'"GET {stylesheet} HTTP/1.1" 200' in output  # the access log


def test_a_bad_bind_is_refused_with_the_form_to_use(tmp_path, cli_database):
    assert_user_error(
        run_cli(tmp_path, "serve", "--bind", "8000"),
        "--bind '8000' không hợp lệ: viết ĐỊA_CHỈ:CỔNG, ví dụ 127.0.0.1:8000",
        "Invalid --bind '8000': write HOST:PORT, e.g. 127.0.0.1:8000",
    )
    assert_user_error(
        run_cli(tmp_path, "serve", "--workers", "0"),
        "--workers và --threads phải ≥ 1",
        "--workers and --threads must be at least 1",
    )


def test_tls_files_go_together_are_readable_and_not_for_the_dev_server(tmp_path, db, monkeypatch):
    """Checked before anything starts (HTTPS itself: the browser journeys on PostgreSQL)."""
    from django.core.management import call_command

    def started(*args, **kwargs):
        raise AssertionError("the server started")

    monkeypatch.setattr("hatangso.core.management.commands.serve.serve", started)
    certificate = tmp_path / "server.crt"
    certificate.write_text("-----BEGIN CERTIFICATE-----\n")
    refusals = [
        (["--certfile", str(certificate)],
         "--certfile và --keyfile phải đi cùng nhau: chứng thư và khóa riêng của nó",
         "--certfile and --keyfile go together: the certificate and its private key"),
        (["--certfile", str(certificate), "--keyfile", str(tmp_path / "server.key")],
         f"Không đọc được tệp --keyfile '{tmp_path / 'server.key'}': kiểm tra đường dẫn và quyền đọc",
         f"Cannot read the --keyfile file '{tmp_path / 'server.key'}': check the path and its permissions"),
        (["--dev", "--certfile", str(certificate), "--keyfile", str(certificate)],
         "--certfile chỉ dùng với máy chủ sản xuất, không dùng với --dev",
         "--certfile is for the production server, not --dev"),
    ]  # fmt: skip
    for arguments, vi, en in refusals:
        with pytest.raises(UserError) as caught:
            call_command("serve", *arguments)
        assert (caught.value.vi, caught.value.en) == (vi, en)


@pytest.mark.parametrize(
    ("bind", "expected"),
    [("0.0.0.0:80", ("0.0.0.0", 80)), ("[::1]:8000", ("::1", 8000)), ("localhost:8443", ("localhost", 8443))],
)
def test_bind_addresses(bind, expected):
    assert parse_bind(bind) == expected


@pytest.mark.parametrize("bind", ["8000", ":8000", "host:", "host:http", "host:70000"])
def test_bad_bind_addresses(bind):
    with pytest.raises(UserError, match="HOST:PORT"):
        parse_bind(bind)


def test_the_workers_are_forked_with_the_url_configuration_loaded_and_no_connection(tmp_path, cli_database):
    """A fresh interpreter, as `serve` starts: after load_before_fork the views and the API are
    imported (a worker's first request does not import them) and no database connection is open."""
    script = (
        "import sys, django; django.setup()\n"
        "from django.db import connection\n"
        "from hatangso.core.management.commands.serve import load_before_fork\n"
        "connection.ensure_connection()\n"
        "assert 'hatangso.api.urls' not in sys.modules\n"
        "load_before_fork()\n"
        "print('hatangso.api.urls' in sys.modules, 'hatangso.web.views' in sys.modules,\n"
        "      connection.connection)\n"
    )
    environment = {**cli_environment(tmp_path, database_url=testing.cli_database_url),
                   "DJANGO_SETTINGS_MODULE": "hatangso.settings"}  # fmt: skip
    result = subprocess.run([sys.executable, "-c", script], env=environment, capture_output=True, text=True)
    assert result.stdout.split() == ["True", "True", "None"], result.stderr
