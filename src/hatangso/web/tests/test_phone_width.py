"""Phone first and offline-friendly (issue 23 items 5 and 6), over every page each role reaches
(crawling.py), in one chromium at a phone's 390 × 844:

- no page is wider than the phone, and no table scrolls sideways (a table too wide becomes cards);
- no page asks another host for anything (a script, a style, an icon, a font), the API docs too:
  the app works on a network that reaches only its server.
"""

import re
from dataclasses import dataclass

import pytest

from hatangso.web.tests.browsing import launched_chromium, needs_chromium
from hatangso.web.tests.crawling import build_world, crawl
from hatangso.web.tests.test_browser_journeys import PASSWORD

pytestmark = needs_chromium
COMMITS_ITS_WORLD = True  # conftest.py runs this module last
PHONE = 390


@dataclass
class Session:
    world: object
    chromium: object
    visits: list


@pytest.fixture(scope="module")
def session(django_db_setup, django_db_blocker, tmp_path_factory):
    """The crawl's visits and the browser that made them; the world committed for the live server,
    the database emptied after."""
    from django.core.management import call_command
    from django.db import connections
    from pytest_django.live_server_helper import LiveServer

    with django_db_blocker.unblock():
        try:
            world = build_world(tmp_path_factory.mktemp("phone"))
            server = LiveServer("localhost")
            try:
                world.url = server.url
                with launched_chromium() as chromium:
                    yield Session(world, chromium, crawl(chromium, world, width=PHONE, height=844))
            finally:
                server.stop()
        finally:
            for connection in connections.all():
                call_command("flush", verbosity=0, interactive=False, database=connection.alias)


@pytest.fixture
def visits(session):
    return session.visits


@pytest.fixture(autouse=True)
def db(session):
    """Shadows pytest-django's `db`: the name stands for the committed world, as in the journeys."""
    return session


def test_every_role_reaches_its_pages(visits):
    """The crawl really went through the app: each role saw its own pages, the docs included."""
    paths = {}
    for visit in visits:
        paths.setdefault(visit.role, set()).add(visit.path.split("?")[0])
    assert {"/cong-khai/1529-kh-ubnd/", "/phan-anh/", "/api/v1/docs"} <= paths["public"]
    def reached(role, pattern):
        return any(re.fullmatch(pattern, path) for path in paths[role])

    assert reached("vhtt", r"/ke-hoach/1529-kh-ubnd/tuyen-duong/\d+/")  # a road's page
    assert reached("tuha", r"/ke-hoach/1529-kh-ubnd/chi-tieu/\w+/")  # an indicator's page
    assert reached("tuha", r"/nhap-lieu/\d+/\d+/")  # its entry form
    assert reached("viettel", r"/ha-tang/tram/viettel/\w+/")  # its own station
    assert len(visits) > 100


def test_no_page_of_any_role_is_wider_than_a_phone(visits):
    too_wide = [(v.role, v.path, v.width) for v in visits if v.width > PHONE]
    sideways = [(v.role, v.path) for v in visits if v.wide_tables]
    assert (too_wide, sideways) == ([], [])


def test_no_page_of_any_role_asks_another_host(visits):
    elsewhere = [(v.role, v.path, v.other_hosts) for v in visits if v.other_hosts]
    assert elsewhere == []


def test_a_save_during_a_dropped_connection_keeps_the_figures_and_sends_them_later(session):
    """Issue 23 item 6: the commune's entry page keeps what was typed while the link is down, says
    so, and sends it when the link is back; a page left unsent gets its figures back."""
    from hatangso.collection.models import DataValue

    context = session.chromium.new_context(base_url=session.world.url, locale="vi-VN",
                                           viewport={"width": PHONE, "height": 844})  # fmt: skip
    page = context.new_page()
    page.goto("/dang-nhap/")
    page.get_by_label("Tên đăng nhập").fill("tuha")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.wait_for_url(lambda url: "/dang-nhap/" not in url)
    entry = f"/nhap-lieu/{session.world.form}/2024/"
    page.goto(entry)
    field = page.locator("input[name^='value-']:not([disabled])").first
    name = field.get_attribute("name")
    field.fill("4321")
    context.set_offline(True)
    page.get_by_role("button", name="Lưu nháp").click()
    note = page.locator("#draft-note")
    assert "Mất kết nối" in note.inner_text()  # said, and nothing lost
    assert page.evaluate("Object.keys(localStorage).length") == 1
    # The link comes back: the form sends itself, the server has the figure, the browser lets it go.
    with page.expect_navigation():
        context.set_offline(False)
    page.locator(".message:not(#draft-note)").first.wait_for()
    assert DataValue.objects.filter(value=4321, unit__code="19996", period="2024").exists()
    assert page.evaluate("Object.keys(localStorage).length") == 0
    # A page closed while offline: the next visit brings the typed figure back, with a message.
    page.locator(f"input[name='{name}']").fill("4322")
    page.close()
    page = context.new_page()
    page.goto(entry)
    assert page.locator(f"input[name='{name}']").input_value() == "4322"
    assert "Đã khôi phục" in page.locator("#draft-note").inner_text()
    context.close()
