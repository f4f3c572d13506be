"""Pages and scorecards shared by their readers (issue 19 item 2, core.sharing): built once per
version of the data, served from the cache every server process shares until the next write, with
each reader's own CSRF token, never another account's page or another scope's figures."""

import io
import re
import threading
from datetime import date

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.collection.tests.test_concurrency import race_db  # noqa: F401 (a fixture)
from hatangso.core.changelog import Actor
from hatangso.core.dataversion import data_version
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.core.sharing import CSRF_PLACEHOLDER, page_version, shared
from hatangso.geography.selectors import resolve_unit
from hatangso.wsgi import application

PASSWORD = "mat-khau-du-dai-123"
JUNE_2024 = date(2024, 6, 1)
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


@pytest.fixture
def sharing(settings):
    settings.SHARED_PAGES = True


@pytest.fixture
def people(seed_plan, actor):
    def person(name, role, unit_code):
        user = create_user(username=name, password=PASSWORD, actor=actor)
        grant_membership(user=user, role=role, unit=resolve_unit(unit_code, start=JUNE_2024), actor=actor)
        return user

    return {"owner": person("vhtt", "plan_owner", "480"), "leader": person("lanhdao", "leader", "480"),
            "tuha": person("tuha", "commune", "19996")}  # fmt: skip


def signed_in(user, **options) -> Client:
    client = Client(**options)
    client.force_login(user)
    return client


def enter(user, code: str, value: str) -> None:
    set_value(element=DataElement.objects.get(code=code), unit=resolve_unit("19996", start=JUNE_2024),
              period="2024", value=value, actor=Actor(user, "web"))  # fmt: skip


@pytest.mark.django_db
def test_the_dashboard_is_built_once_and_served_until_the_next_write(sharing, people):
    owner = signed_in(people["owner"])
    first = owner.get("/ke-hoach/1529-kh-ubnd/?unit=19996")
    again = owner.get("/ke-hoach/1529-kh-ubnd/?unit=19996")
    assert first.status_code == again.status_code == 200
    assert first.context is not None and again.context is None  # the second was not rendered
    assert TOKEN.sub("", first.content.decode()) == TOKEN.sub("", again.content.decode())
    assert CSRF_PLACEHOLDER not in again.content.decode()

    # A parameter the page does not read makes no new entry (nobody can fill the cache with them).
    assert owner.get("/ke-hoach/1529-kh-ubnd/?unit=19996&x=1").context is None

    version = page_version()
    enter(people["tuha"], "households", "2212")  # a write: a new version, a new page
    assert page_version() != version
    after = owner.get("/ke-hoach/1529-kh-ubnd/?unit=19996")
    assert after.context is not None
    assert f"từ dữ liệu phiên bản {data_version()} (mới nhất)" in after.content.decode()


@pytest.mark.django_db
def test_a_shared_page_carries_each_readers_own_form_token(sharing, people):
    """Two browsers of one account: the second gets the page the first built, with a token of its
    own that its logout form posts with (a shared token would be refused by the CSRF check)."""
    first, second = (signed_in(people["owner"], enforce_csrf_checks=True) for _ in range(2))
    first.get("/")
    page = second.get("/")
    assert page.context is None
    [token, *_] = TOKEN.findall(page.content.decode())
    assert token != CSRF_PLACEHOLDER
    assert second.post("/dang-xuat/", {"csrfmiddlewaretoken": token}).status_code == 302
    assert first.post("/dang-xuat/", {"csrfmiddlewaretoken": "x" * 64}).status_code == 403


@pytest.mark.django_db
def test_another_account_never_gets_a_page_built_for_someone_else(sharing, people):
    signed_in(people["owner"]).get("/")
    page = signed_in(people["leader"]).get("/")
    assert page.context is not None  # built for the leader
    who = re.findall(r'<span class="who">([^<]*)</span>', page.content.decode())
    assert who == ["lanhdao"]


@pytest.mark.django_db
def test_the_scorecard_json_is_shared_within_a_scope_only(sharing, people):
    """The owner reads the area's element totals (lineage); a commune reading the plan's area gets
    the same figures without them, even right after the owner's JSON was stored."""
    enter(people["tuha"], "households", "2212")
    enter(people["tuha"], "households_ftth", "2081")
    address = "/api/v1/plans/1529-kh-ubnd/scorecard?period=2024"
    owner = signed_in(people["owner"]).get(address).json()
    leader = signed_in(people["leader"]).get(address).json()
    commune = signed_in(people["tuha"]).get(address).json()
    assert owner == leader
    assert all("lineage" in row for row in owner["indicators"])
    assert not any("lineage" in row for row in commune["indicators"])
    assert [r["value"] for r in commune["indicators"]] == [r["value"] for r in owner["indicators"]]

    enter(people["tuha"], "households_ftth", "2200")
    fiber = next(r for r in signed_in(people["owner"]).get(address).json()["indicators"]
                 if r["code"] == "household_fiber")  # fmt: skip
    assert fiber["value"] == pytest.approx(2200 / 2212 * 100, abs=0.05)


@pytest.mark.django_db
def test_without_sharing_every_reader_builds(settings):
    settings.SHARED_PAGES = False
    built = []
    assert shared("k", lambda: built.append(1) or len(built)) == 1
    assert shared("k", lambda: built.append(1) or len(built)) == 2


@pytest.mark.django_db(transaction=True)
def test_concurrent_readers_of_a_missing_entry_build_it_once(sharing, race_db):  # noqa: F811
    """Every server process shares the cache (a database table here, Redis in production): readers
    racing for an entry nobody built wait for the first one's build."""
    built, lock, started = [], threading.Lock(), threading.Event()

    def build():
        with lock:
            built.append(1)
        started.set()
        threading.Event().wait(0.3)  # a slow build: the others arrive while it runs
        return {"built": len(built)}

    db = race_db()
    values = db.race(*[lambda: shared("racing-entry", build)] * 5)
    assert not [v for v in values if isinstance(v, BaseException)], values
    assert built == [1] and values == [{"built": 1}] * 5
    cache.delete("racing-entry")


@pytest.mark.django_db
def test_a_page_that_cannot_be_shared_is_rendered_once_for_its_reader(sharing, people):
    """A 404 (a unit outside the plan) is served to the reader who asked, never to another, and
    built once: the builder keeps its own response rather than rendering the page again."""
    owner = signed_in(people["owner"])
    page = owner.get("/ke-hoach/1529-kh-ubnd/?unit=00000")
    assert page.status_code != 200
    dashboards = [t.name for t in page.templates if t.name and t.name.startswith("web/dashboard")]
    assert len(dashboards) == len(set(dashboards))
    assert CSRF_PLACEHOLDER not in page.content.decode()


@pytest.mark.django_db
def test_a_shared_scorecard_is_the_text_the_api_writes_unshared(settings, people, actor):
    """The JSON text is stored and sent as it is: a token's caller and a browser of the same scope
    get the very bytes the API writes when nothing is shared, with its content type."""
    enter(people["tuha"], "households", "2212")
    address = "/api/v1/plans/1529-kh-ubnd/scorecard?period=2024"
    settings.SHARED_PAGES = False
    unshared = signed_in(people["owner"]).get(address)
    settings.SHARED_PAGES = True
    _, token = create_api_token(user=people["leader"], name="bench", actor=actor)
    built = Client().get(address, HTTP_AUTHORIZATION=f"Bearer {token}")
    served = signed_in(people["owner"]).get(address)
    assert unshared.status_code == built.status_code == served.status_code == 200
    assert unshared["Content-Type"] == served["Content-Type"] == "application/json; charset=utf-8"
    assert unshared.content == built.content == served.content


def serve_one(path: str) -> str:
    """One request through the WSGI application, as a server thread runs it (django.test.Client
    closes the connections itself, which would hide what the server does with them)."""
    answered = []
    environ = {"REQUEST_METHOD": "GET", "PATH_INFO": path, "QUERY_STRING": "", "SERVER_NAME": "testserver",
               "SERVER_PORT": "80", "HTTP_HOST": "testserver", "wsgi.url_scheme": "http",
               "wsgi.input": io.BytesIO(), "wsgi.errors": io.StringIO(),
               "SERVER_PROTOCOL": "HTTP/1.1"}  # fmt: skip
    b"".join(application(environ, lambda status, headers, exc_info=None: answered.append(status)))
    return answered[0]


@pytest.mark.django_db(transaction=True)
def test_a_server_thread_keeps_its_database_connection_from_one_request_to_the_next(seed_plan):
    """Opening a connection (and setting SQLite's pragmas) cost more than serving a shared page.
    (Django never closes an in-memory SQLite database, the tests' one: PostgreSQL's run is the one
    that can fail.)"""
    assert serve_one("/cong-khai/") == "200 OK"
    kept = connection.connection
    assert kept is not None
    assert serve_one("/cong-khai/") == "200 OK"
    assert connection.connection is kept


@pytest.mark.django_db(transaction=True)
def test_a_connection_the_database_dropped_is_replaced_before_the_next_request_uses_it(seed_plan):
    if connection.vendor != "postgresql":
        pytest.skip("a SQLite connection is a file: the database cannot drop it")
    import psycopg  # only with PostgreSQL

    assert serve_one("/cong-khai/") == "200 OK"
    dropped = connection.connection
    with pytest.raises(psycopg.OperationalError), dropped.cursor() as cursor:  # the database restarted
        cursor.execute("SELECT pg_terminate_backend(pg_backend_pid())")
    assert serve_one("/cong-khai/") == "200 OK"
    assert connection.connection is not dropped


@pytest.mark.django_db
def test_a_shared_page_reads_its_session_from_the_cache_and_logging_out_ends_it(sharing, people):
    """A warm dashboard costs four lookups: the session (a cache key, not the ORM's query of the
    session table), the account, the page version and the page. The session is written through to
    the database: logging out removes it from both, and its cookie opens nothing any more."""
    owner = signed_in(people["owner"])
    owner.get("/")
    with CaptureQueriesContext(connection) as queries:
        assert owner.get("/").status_code == 200
    assert len(queries) == 4
    assert not [q for q in queries if "django_session" in q["sql"]]
    key = owner.cookies["sessionid"].value
    assert Session.objects.filter(session_key=key).exists()

    assert owner.post("/dang-xuat/").status_code == 302
    assert not Session.objects.filter(session_key=key).exists()
    stolen = Client()
    stolen.cookies["sessionid"] = key
    assert stolen.get("/")["Location"] == "/cong-khai/"


@pytest.mark.django_db
def test_a_readers_repeated_scorecard_reads_neither_plan_nor_scope_until_they_change(sharing, people, actor):
    """A reader's answer is kept per account and version of the data: asking again reads neither
    the plan nor the reader's memberships, and a new membership (a write) gives a new answer."""
    enter(people["tuha"], "households", "2212")
    address = "/api/v1/plans/1529-kh-ubnd/scorecard?period=2024"
    commune = signed_in(people["tuha"])
    first = commune.get(address)
    with CaptureQueriesContext(connection) as again:
        second = commune.get(address)
    assert first.status_code == second.status_code == 200 and first.content == second.content
    read = " ".join(q["sql"] for q in again.captured_queries)
    assert "plans_plan" not in read and "core_membership" not in read
    assert not any("lineage" in row for row in second.json()["indicators"])  # a commune's scope
    # A unit's code with spaces around it is the same question: no new entry, the same answer.
    spaced = address + "&unit=%2019996%20"
    assert commune.get(spaced).content == commune.get(address + "&unit=19996").content
    with CaptureQueriesContext(connection) as spacing:
        commune.get(address + "&unit=++19996")
    assert "plans_plan" not in " ".join(q["sql"] for q in spacing.captured_queries)

    grant_membership(
        user=people["tuha"], role="plan_owner", unit=resolve_unit("480", start=JUNE_2024), actor=actor
    )
    owner_now = commune.get(address).json()
    assert all("lineage" in row for row in owner_now["indicators"])
