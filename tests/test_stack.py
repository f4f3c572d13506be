"""The README's *Deployment*, followed from scratch (issue 19 item 4): the settings of
deploy/hatangso.env.example with PostgreSQL and Redis, the unit's start (`hatangso migrate`, then
`hatangso serve`), the units and the plan loaded and the first plan owner created as the README
says, then the owner logs in through the proxy's headers and loads the dashboard, which the
server's workers share through Redis."""

import http.client
import os
import re
import shlex
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode, urlsplit, urlunsplit

import pytest
from tests.test_deploy import ROOT, example_environment

from hatangso.utilities.testing import free_port

SHARED = ROOT.parent / "shared" / "research" / "data"
UNITS = SHARED / "gso_xa_2025-01-04_hue.csv"  # the GSO list an office downloads
PLAN = ROOT / "src" / "hatangso" / "plans" / "data" / "huong-tra-2024.yaml"
REDIS = "redis://127.0.0.1:6379/15"  # a database of its own: the test empties it
PASSWORD = "mat-khau-cua-chu-ke-hoach-2024"
PROXY = {"X-Forwarded-Proto": "https", "X-Forwarded-For": "203.0.113.7"}  # what nginx sends


def missing(what: str):
    if os.environ.get("CI"):
        pytest.fail(f"CI needs {what}")
    pytest.skip(f"needs {what}")


@pytest.fixture
def redis_database():
    import redis

    client = redis.Redis.from_url(REDIS)
    try:
        client.ping()
    except redis.ConnectionError:
        missing("Redis on 127.0.0.1:6379")
    client.flushdb()
    yield client
    client.flushdb()


@pytest.fixture
def postgres_database():
    import psycopg

    if os.environ.get("HATANGSO_DATABASE_URL"):
        # CI runs the suite on SQLite and on PostgreSQL side by side; the stack (always PostgreSQL)
        # is started once, by the run on SQLite, which finishes first.
        pytest.skip("the stack is tested by the run on SQLite")
    base = urlsplit("postgres://postgres@127.0.0.1:5432/postgres")
    name = f"hatangso_stack_{os.getpid()}"
    server = dict(host=base.hostname, port=base.port or 5432, user=base.username, password=base.password)
    try:
        with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
    except psycopg.OperationalError:
        missing("PostgreSQL on 127.0.0.1:5432")
    yield urlunsplit(base._replace(path=f"/{name}"))
    with psycopg.connect(dbname="postgres", autocommit=True, **server) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def unit_command(key: str) -> list[str]:
    """A command line of deploy/hatangso.service, run from this checkout's virtual environment."""
    unit = (ROOT / "deploy" / "hatangso.service").read_text(encoding="utf-8")
    line = next(line for line in unit.splitlines() if line.startswith(f"{key}="))
    program, *arguments = shlex.split(line.removeprefix(f"{key}="))
    return [str(Path(sys.executable).parent / Path(program).name), *arguments]


def request(port: int, method: str, path: str, body: str = "", **headers):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request(method, path, body or None, {**PROXY, "Host": "127.0.0.1", **headers})
    response = connection.getresponse()
    return response, response.read().decode()


def test_the_stack_from_deploy_serves_the_owner_his_dashboard(tmp_path, postgres_database, redis_database):
    if not UNITS.is_file():
        missing(str(UNITS))
    env = {k: v for k, v in os.environ.items() if not k.startswith(("HATANGSO_", "DJANGO_SETTINGS"))}
    env.update(example_environment())  # step 4: the example settings, with what each office sets
    env.update(HATANGSO_HOME=str(tmp_path), HATANGSO_DATABASE_URL=postgres_database,
               HATANGSO_REDIS_URL=REDIS, HATANGSO_ALLOWED_HOSTS="127.0.0.1",
               HATANGSO_SECRET_KEY="stack-test-" + "k3y" * 20)  # fmt: skip
    hatangso = unit_command("ExecStart")[0]

    def run(*arguments: str, stdin: str = "") -> str:
        result = subprocess.run([*arguments], env=env, input=stdin, capture_output=True, text=True,
                                cwd=tmp_path, check=False)  # fmt: skip
        assert result.returncode == 0, (arguments, result.stdout, result.stderr)
        return result.stdout

    run(*unit_command("ExecStartPre"))  # step 5: the unit migrates first
    run(hatangso, "import", "admin-units", str(UNITS))
    run(hatangso, "plan", "load", str(PLAN))
    run(hatangso, "user", "create", "vhtt", stdin=f"{PASSWORD}\n{PASSWORD}\n")  # step 8
    run(hatangso, "user", "grant", "vhtt", "plan_owner", "--unit", "480")

    port = free_port()
    start = unit_command("ExecStart")
    start[start.index("--bind") + 1] = f"127.0.0.1:{port}"
    start[start.index("--workers") + 1] = "2"
    server = subprocess.Popen(start, env=env, cwd=tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
                              text=True)  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                response, page = request(port, "GET", "/dang-nhap/")
                break
            except OSError:
                assert server.poll() is None and time.monotonic() < deadline, server.stderr.read()
                time.sleep(0.3)
        assert response.status == 200
        assert "max-age=31536000" in response.getheader("Strict-Transport-Security")  # HTTPS behind nginx
        csrf = re.search(r"csrftoken=([^;]+)", response.getheader("Set-Cookie"))[1]
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)[1]
        form = urlencode({"username": "vhtt", "password": PASSWORD, "csrfmiddlewaretoken": token})
        response, _ = request(port, "POST", "/dang-nhap/", form, Cookie=f"csrftoken={csrf}",
                              Referer="https://127.0.0.1/dang-nhap/",
                              **{"Content-Type": "application/x-www-form-urlencoded"})  # fmt: skip
        assert response.status == 302, "the login was refused"
        cookies = response.getheader("Set-Cookie")
        assert "Secure" in cookies
        session = re.search(r"sessionid=([^;]+)", cookies)[1]
        pages = [request(port, "GET", "/", Cookie=f"sessionid={session}") for _ in range(3)]
        for response, page in pages:
            assert response.status == 200
            assert "1529/KH-UBND" in page and "Thị xã Hương Trà" in page
        # The workers share the page through Redis (settings.CACHES): it holds the built page.
        assert any(b"page" in key for key in redis_database.keys("*"))
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
