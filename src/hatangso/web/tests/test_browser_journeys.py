"""Every role's main journeys in a real browser (Playwright driving Debian's chromium, DESIGN.md §8).

One chromium and one world for the module: the world is committed and the database is emptied
afterwards, as Django's transactional tests do; conftest.py runs this module after the tests that roll
back. On SQLite pytest-django's live server shows it from this process's threads; on PostgreSQL the
production server does (`hatangso serve`, gunicorn's processes, over HTTPS with the production
settings, browsing.production_server): the journeys are then also the production server's.
Each journey opens its own browser context (its own cookies) and fails on any script error or
content-security-policy violation on the pages it visits.
"""

import csv
import io
import json
import re
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from playwright.sync_api import expect

from hatangso.core.scoping import COMMAND_LINE
from hatangso.web.tests.browsing import launched_chromium, needs_chromium, production_server

pytestmark = needs_chromium
COMMITS_ITS_WORLD = True  # conftest.py runs this module last

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"
HOUSEHOLD_FIBER = "Tỷ lệ hộ gia đình có truy nhập Internet băng rộng cáp quang"
COMMUNE_FORM = "Biểu báo cáo năm của UBND xã, phường về hạ tầng số"

# Who logs in: (role, unit, operator, agency).
USERS = {
    "vhtt": ("plan_owner", "480", None, None),
    "lanhdao": ("leader", "480", None, None),
    "qldt": ("agency", "480", None, "phong_qldt"),
    "tuha": ("commune", "19996", None, None),
    "huongtoan": ("commune", "20005", None, None),
    "viettel": ("enterprise", None, "viettel", None),
    "vnpt": ("enterprise", None, "vnpt", None),
}
# Imported files (period, unit, element, operator, value): distinctive numbers, so a page that shows
# one to someone outside its owner's scope is caught by a plain text search.
FILES = {
    "tuha": [("2024", "19996", "households", "", "10917"), ("2024", "19996", "households_ftth", "", "9521")],
    "huongtoan": [
        ("2024", "20005", "households", "", "10843"),
        ("2024", "20005", "households_ftth", "", "8677"),
    ],
    "viettel": [("202406", "19996", "smartphone_subscriptions", "viettel", "21163")],
    "vnpt": [("202406", "19996", "smartphone_subscriptions", "vnpt", "18311")],
}


def figures(owner: str) -> list[str]:
    """The owner's numbers as pages may print them: 10843 and 10.843."""
    numbers = [row[-1] for row in FILES[owner]]
    return numbers + [f"{int(n):,}".replace(",", ".") for n in numbers]


@dataclass
class World:
    url: str = ""
    batches: dict = field(default_factory=dict)  # owner -> ImportBatch pk
    submissions: dict = field(default_factory=dict)  # owner -> Submission pk
    values: dict = field(default_factory=dict)  # owner -> DataValue pk of its first file row
    sites: dict = field(default_factory=dict)  # "shared" / "vnpt_only" -> Site code
    form: int = 0  # the communes' yearly form
    server_log: Path | None = None  # the production server's output (on PostgreSQL)


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ky", "ma_don_vi", "ma_chi_so", "doanh_nghiep", "gia_tri"])
    writer.writerows(rows)
    return out.getvalue()


def _build(folder: Path) -> World:
    from django.contrib.auth import get_user_model

    from hatangso.analytics.publishing import publish_scorecard
    from hatangso.analytics.services import compute_scorecard
    from hatangso.collection.models import DataValue
    from hatangso.collection.services import import_values
    from hatangso.collection.workflow import get_submission
    from hatangso.core.changelog import Actor
    from hatangso.core.services import create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit
    from hatangso.geography.services import load_reference_units
    from hatangso.plans.models import Agency
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.registry.imports import import_stations
    from hatangso.registry.models import Operator, Site
    from hatangso.registry.operators import load_reference_operators
    from hatangso.utilities.periods import parse_period
    from hatangso.workplan.services import report_incident

    actor = Actor.command("test")
    load_reference_units(actor=actor)
    load_reference_operators(actor=actor)
    plan = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    world = World(form=plan.forms.get(code="ubnd_xa_nam").pk)
    for name, (role, unit, operator, agency) in USERS.items():
        user = create_user(username=name, password=PASSWORD, actor=actor)
        grant_membership(
            user=user, role=role, actor=actor, unit=resolve_unit(unit, start=JUNE_2024) if unit else None,
            operator=Operator.objects.get(code=operator) if operator else None,
            agency=Agency.objects.get(code=agency) if agency else None,
        )  # fmt: skip
    for owner, rows in FILES.items():
        path = folder / f"{owner}.csv"
        path.write_text(_csv(rows))
        world.batches[owner] = import_values(path=path, actor=actor, user=COMMAND_LINE).batch.pk
        period, unit, element, operator, _ = rows[0]
        world.values[owner] = DataValue.objects.get(
            data_element__code=element, unit__code=unit, period=period, operator__code=operator or None
        ).pk
    for owner, unit in (("tuha", "19996"), ("huongtoan", "20005")):
        world.submissions[owner] = get_submission(
            form=plan.forms.get(code="ubnd_xa_nam"), unit=resolve_unit(unit, start=JUNE_2024),
            operator=None, period="2024", user=COMMAND_LINE, actor=actor,
        ).pk  # fmt: skip
    stations = folder / "tram.csv"
    stations.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong\n"
        "V1,viettel,4G,16.53,107.47,19996,01/01/2020\n"
        "N1,vnpt,4G,16.53001,107.47001,19996,01/01/2020\n"
        "N2,vnpt,4G,16.48,107.52,20005,01/01/2020\n"
    )
    import_stations(path=stations, actor=actor, user=COMMAND_LINE)
    for site in Site.objects.prefetch_related("stations__operator"):
        operators = {station.operator.code for station in site.stations.all()}
        world.sites["shared" if len(operators) > 1 else "vnpt_only"] = site.code
    report_incident(
        category="damaged", description="Cáp viễn thông đứt, rơi xuống lòng đường", address="Tứ Hạ",
        lat=16.53, lon=107.47, actor=actor,
    )  # fmt: skip
    compute_scorecard(plan=plan, unit=plan.area_unit, period=parse_period(plan.period))
    owner = Actor.command("test", user=get_user_model().objects.get(username="vhtt"))
    publish_scorecard(plan=plan, period=plan.period, actor=owner)  # for the public page
    return world


def _hash_passwords_as_in_production():
    """The production server verifies passwords with the production hashers, not the tests' fast
    one (conftest.py). The users share one password, so one hash (0,16 s with Argon2) serves all."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.test import override_settings

    import hatangso.settings as production

    with override_settings(PASSWORD_HASHERS=production.PASSWORD_HASHERS):
        get_user_model().objects.update(password=make_password(PASSWORD))


@contextmanager
def live_server(folder: Path):
    """pytest-django's live server, from this process's threads; yields as production_server does."""
    from pytest_django.live_server_helper import LiveServer

    server = LiveServer("localhost")
    try:
        yield server.url, None
    finally:
        server.stop()


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    """The world, committed, and the server that shows it; the database emptied afterwards."""
    from django.core.cache import cache
    from django.core.management import call_command
    from django.db import connections

    folder = tmp_path_factory.mktemp("journeys")
    on_postgres = connections["default"].vendor == "postgresql"
    with django_db_blocker.unblock():
        try:
            world = _build(folder)
            if on_postgres:
                _hash_passwords_as_in_production()
            with (production_server if on_postgres else live_server)(folder) as (world.url, world.server_log):
                yield world
        finally:
            # The server's shared pages and scorecards go too: after the flush the data versions they
            # are keyed by start again, and another world's would match them.
            cache.clear()
            for connection in connections.all():
                call_command("flush", verbosity=0, interactive=False, database=connection.alias)


@pytest.fixture(autouse=True)
def db(world):
    """Shadows pytest-django's `db` in this module: a test asking for `db` makes pytest-django create
    the test database, and here the name stands for the committed world — no transaction is rolled
    back around each test (the journeys follow each other on the same world). The production
    server's output during the test is printed, which pytest shows when the test fails."""
    start = world.server_log.stat().st_size if world.server_log else 0
    yield world
    if world.server_log:
        with world.server_log.open(encoding="utf-8", errors="replace") as log:
            log.seek(start)
            print(log.read())


@pytest.fixture(scope="module")
def chromium(world):
    """One browser for the module, launched after the world is built (see browsing.py)."""
    with launched_chromium() as browser:
        yield browser


# ---------------------------------------------------------------------------------------------------
# A browser tab that notes every script error and CSP violation.


class Tab:
    def __init__(self, chromium, world: World, *, expect_404: tuple[str, ...] = ()):
        # The production server's certificate is self-signed (browsing.production_server).
        self.context = chromium.new_context(
            base_url=world.url, locale="vi-VN", accept_downloads=True, ignore_https_errors=True
        )
        self.page = self.context.new_page()
        self.errors: list[str] = []
        self.expect_404 = expect_404
        self.page.on("pageerror", lambda error: self.errors.append(f"{self.page.url}: {error}"))
        self.page.on("console", self._console)

    def _console(self, message):
        if message.type != "error":
            return
        # The browser notes an expected 404 of a typed address as a failed load: that one is fine, and
        # so is the icon it asks for by itself when it shows a JSON answer (pages name theirs).
        failed = (message.location or {}).get("url", "").removeprefix(self.url_root)
        if "status of 404" in message.text and (failed in self.expect_404 or failed == "/favicon.ico"):
            return
        self.errors.append(f"{self.page.url}: {message.text}")

    @property
    def url_root(self) -> str:
        return re.match(r"https?://[^/]+", self.page.url).group(0) if self.page.url.startswith("http") else ""

    def go(self, path: str, status: int = 200):
        response = self.page.goto(path)
        assert response is not None and response.status == status, (path, response and response.status)
        return response

    def log_in(self, username: str):
        self.go("/dang-nhap/")
        self.page.get_by_label("Tên đăng nhập").fill(username)
        self.page.get_by_label("Mật khẩu").fill(PASSWORD)
        self.page.get_by_role("button", name="Đăng nhập").click()
        self.page.wait_for_url(lambda url: "/dang-nhap/" not in url)  # fails: could not log in
        return self

    def path(self) -> str:
        return self.page.url.removeprefix(self.url_root)

    def text(self) -> str:
        return self.page.locator("body").inner_text()

    def close(self):
        self.context.close()


@pytest.fixture
def tab(chromium, world):
    """`tab(expect_404=(...))` opens a fresh context; every tab is checked for errors at the end."""
    tabs = []

    def make(**options) -> Tab:
        tabs.append(Tab(chromium, world, **options))
        return tabs[-1]

    yield make
    errors = [error for t in tabs for error in t.errors]
    for t in tabs:
        t.close()
    assert errors == [], "script errors or CSP violations"


def menu_links(t: Tab) -> dict[str, str]:
    """The header's links: name -> address."""
    links = t.page.locator("header").get_by_role("link")
    return {
        links.nth(i).inner_text().strip(): links.nth(i).get_attribute("href") for i in range(links.count())
    }


def test_on_postgresql_the_journeys_go_through_the_production_server(world, tab):
    """What makes the journeys below the production server's: gunicorn over HTTPS, HSTS, Secure
    cookies (the login's CSRF check then wants the https origin), WhiteNoise's hashed static files."""
    if world.server_log is None:
        pytest.skip("on SQLite the journeys run on pytest-django's live server")
    t = tab()
    headers = t.go("/dang-nhap/").headers
    assert headers["server"] == "gunicorn" and "max-age=31536000" in headers["strict-transport-security"]
    assert re.search(r'href="/static/web/base\.[0-9a-f]{12}\.css"', t.page.content())
    t.log_in("vhtt")
    cookies = {cookie["name"]: cookie for cookie in t.context.cookies()}
    assert cookies["sessionid"]["secure"] and cookies["csrftoken"]["secure"]


# ---------------------------------------------------------------------------------------------------
# Logging in; the menu.

# What each role's menu must offer, and must not.
MENU = {
    "vhtt": (
        {"Nhiệm vụ", "Tuyến đường", "Phản ánh", "Duyệt báo cáo", "Vị trí trạm", "Báo cáo", "Đọc kế hoạch"},
        {"Nhập số liệu"},
    ),
    "lanhdao": (
        {"Nhiệm vụ", "Tuyến đường"},
        {"Nhập số liệu", "Phản ánh", "Duyệt báo cáo", "Vị trí trạm", "Báo cáo", "Đọc kế hoạch"},
    ),
    "qldt": (
        {"Nhiệm vụ", "Tuyến đường", "Phản ánh"},
        {"Nhập số liệu", "Duyệt báo cáo", "Vị trí trạm", "Báo cáo", "Đọc kế hoạch"},
    ),
    "tuha": (
        {"Nhập số liệu", "Phản ánh cần xử lý", "Nhiệm vụ", "Tuyến đường"},
        {"Phản ánh", "Duyệt báo cáo", "Vị trí trạm", "Báo cáo", "Đọc kế hoạch"},
    ),
    "viettel": (
        {"Nhập số liệu", "Phản ánh cần xử lý", "Nhiệm vụ", "Tuyến đường"},
        {"Phản ánh", "Duyệt báo cáo", "Vị trí trạm", "Báo cáo", "Đọc kế hoạch"},
    ),
}


@pytest.mark.parametrize("username", list(MENU))
def test_each_role_logs_in_and_its_menu_opens_only_what_it_may_use(world, tab, username):
    t = tab().log_in(username)
    assert t.path() == resolve_url(settings.LOGIN_REDIRECT_URL)
    assert username in t.page.locator("header").inner_text()
    links = menu_links(t)
    must, must_not = MENU[username]
    assert must <= set(links), sorted(must - set(links))
    assert not must_not & set(links), sorted(must_not & set(links))
    for name, href in links.items():  # every entry opens, with no script or CSP error
        if href.startswith("/") and "#" not in href and not href.startswith("/admin/"):
            assert t.go(href).status == 200, name
    t.page.get_by_role("button", name="Đăng xuất").click()
    expect(t.page.locator("header").get_by_role("link", name="Đăng nhập").first).to_be_visible()


# ---------------------------------------------------------------------------------------------------
# The plan owner and the leader: from the scorecard to an indicator and the evidence behind it.


@pytest.mark.parametrize("username", ["vhtt", "lanhdao"])
def test_from_the_scorecard_to_an_indicator_and_its_evidence(world, tab, username, tmp_path):
    t = tab().log_in(username)
    t.go("/")
    t.page.get_by_role("link", name=HOUSEHOLD_FIBER).first.click()
    t.page.wait_for_url("**/ke-hoach/1529-kh-ubnd/chi-tieu/household_fiber/**")
    assert t.path().startswith("/ke-hoach/1529-kh-ubnd/chi-tieu/household_fiber/")
    assert t.page.get_by_role("heading", level=2).first.inner_text() == HOUSEHOLD_FIBER
    expect(t.page.get_by_role("heading", name="Minh chứng")).to_be_visible()
    inputs = t.page.get_by_role("table").filter(has_text="Tệp nhập")
    text = inputs.inner_text()
    assert "10.917" in text and "8.677" in text  # the area's roles see every commune's values
    link = inputs.get_by_role("link", name=f"#{world.batches['tuha']}").first
    with t.page.expect_download() as download:
        link.click()
    saved = tmp_path / "tep.csv"
    download.value.save_as(saved)
    assert download.value.suggested_filename == "tuha.csv"
    assert saved.read_text() == _csv(FILES["tuha"])


# ---------------------------------------------------------------------------------------------------
# A commune enters its report; the plan owner approves it.


def test_a_commune_enters_fixes_and_submits_and_the_plan_owner_approves(world, tab):
    from hatangso.collection.models import DataValue, Submission

    t = tab().log_in("tuha")
    t.go(menu_links(t)["Nhập số liệu"])
    card = t.page.locator("section.card").filter(has=t.page.get_by_role("heading", name=COMMUNE_FORM))
    card.get_by_role("link", name="Năm 2024", exact=True).click()
    t.page.wait_for_url(f"**/nhap-lieu/{world.form}/2024/**")
    assert t.page.get_by_role("heading", level=2).inner_text() == COMMUNE_FORM
    population = t.page.get_by_label("Dân số", exact=True)
    internet = t.page.get_by_label("Số người sử dụng Internet", exact=True)
    population.fill("40357")
    internet.fill("-5")
    t.page.get_by_role("button", name="Lưu nháp").click()
    alert = "Có ô chưa hợp lệ; chưa lưu gì. Sửa các ô được đánh dấu rồi lưu lại."
    expect(t.page.get_by_role("status").filter(has_text=alert)).to_be_visible()
    assert internet.get_attribute("aria-invalid") == "true"
    described = t.page.locator(f"#{internet.get_attribute('aria-describedby')}")
    assert described.inner_text() == "internet_users: số đếm không được âm"
    assert population.get_attribute("aria-invalid") is None and population.input_value() == "40357"
    assert not DataValue.objects.filter(unit__code="19996", data_element__code="population").exists()

    internet.fill("30551")
    t.page.get_by_role("button", name="Lưu và gửi báo cáo").click()
    expect(t.page.get_by_role("status").filter(has_text="Đã lưu 2 giá trị (bản nháp).")).to_be_visible()
    t.page.get_by_role("button", name="Xác nhận gửi báo cáo").click()
    expect(t.page.get_by_role("status").filter(has_text="Đã gửi báo cáo.")).to_be_visible()
    assert "Đã gửi" in t.page.locator("p.meta").first.inner_text()
    assert population.is_disabled()
    assert Submission.objects.get(pk=world.submissions["tuha"]).status == "submitted"

    owner = tab().log_in("vhtt")
    owner.go(menu_links(owner)["Duyệt báo cáo"])
    owner.page.get_by_role("link", name="Xem các báo cáo chờ duyệt").click()
    owner.page.get_by_role("link", name=re.compile(r"^Phường Tứ Hạ · Năm 2024")).click()
    owner.page.wait_for_url(f"**/duyet/{world.submissions['tuha']}/")
    assert "40.357" in owner.text() and "30.551" in owner.text()  # in Vietnamese format
    owner.page.get_by_role("button", name="Duyệt", exact=True).click()
    owner.page.get_by_role("button", name="Xác nhận duyệt").click()
    decided = owner.page.get_by_role("status").filter(has_text="Đã cập nhật trạng thái báo cáo.")
    expect(decided).to_be_visible()
    assert "Đã duyệt" in owner.page.locator("p.meta").first.inner_text()
    assert Submission.objects.get(pk=world.submissions["tuha"]).status == "approved"


# ---------------------------------------------------------------------------------------------------
# One live truth (issue 15): right after the approval above, without `compute`, the dashboard tile,
# the indicator page, the API, the map's table and a freshly downloaded DOCX and XLSX show the new
# number; the public page keeps the published one and tells the owner it is out of date.

SEED = "/ke-hoach/1529-kh-ubnd"


def test_after_the_approval_every_surface_shows_the_new_number(world, tab, tmp_path):
    from docx import Document
    from openpyxl import load_workbook

    shown = "75,7"  # internet_users of Tứ Hạ: 30.551 / 40.357 = 75,70 %, approved just before
    owner = tab().log_in("vhtt")
    owner.go(f"{SEED}/?unit=19996")
    tile = owner.page.locator("ul.tiles li").filter(has_text="Tỷ lệ người sử dụng Internet")
    assert shown in tile.inner_text()
    owner.go(f"{SEED}/chi-tieu/internet_users/?unit=19996")
    assert f"{shown} %" in owner.text() and "(mới nhất)" in owner.text()
    card = owner.page.request.get("/api/v1/plans/1529-kh-ubnd/scorecard?unit=19996").json()
    row = next(r for r in card["indicators"] if r["code"] == "internet_users")
    assert (row["value"], row["numerator"], row["denominator"]) == (75.7, 30551, 40357)
    owner.go(f"{SEED}/ban-do/?indicator=internet_users")
    assert shown in owner.page.locator("tr").filter(has_text="Tứ Hạ").inner_text()

    owner.go(f"{SEED}/bao-cao/")
    files = {}
    for fmt in ("docx", "xlsx"):
        with owner.page.expect_download() as download:
            owner.page.locator(f"a[href*='/tai/{fmt}/']").first.click()
        files[fmt] = tmp_path / download.value.suggested_filename
        download.value.save_as(files[fmt])
    document = Document(files["docx"])
    cells = [cell.text for table in document.tables for r in table.rows for cell in r.cells]
    assert any(shown in text for text in cells)
    workbook = load_workbook(files["xlsx"])
    cells = [c.value for sheet in workbook for r in sheet.iter_rows() for c in r]
    assert any(isinstance(v, float) and round(v, 1) == 75.7 for v in cells)

    owner.go("/cong-khai/1529-kh-ubnd/?indicator=internet_users")
    assert "Số liệu đã thay đổi sau khi công bố" in owner.text()
    public = tab()
    public.go("/cong-khai/1529-kh-ubnd/?indicator=internet_users")
    assert shown not in public.text() and "Số liệu đã thay đổi sau khi công bố" not in public.text()


# ---------------------------------------------------------------------------------------------------
# A commune uploads its Excel template with a bad cell: the page names the cell, nothing is written.


def table_counts() -> dict[str, int]:
    from django.apps import apps

    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_an_excel_upload_with_a_bad_cell_names_it_and_writes_nothing(world, tab, tmp_path):
    from openpyxl import load_workbook

    from hatangso.collection.models import ImportBatch
    from hatangso.collection.tests.test_templates import DATA_SHEET, HEADER, fill

    t = tab().log_in("huongtoan")
    t.go(f"/nhap-lieu/{world.form}/2024/")
    with t.page.expect_download() as download:
        t.page.get_by_role("link", name="Tải biểu Excel").click()
    path = tmp_path / download.value.suggested_filename
    download.value.save_as(path)
    assert path.name == "ubnd_xa_nam-2024-20005.xlsx"
    fill(path, {("20005", "population"): 37219, ("20005", "internet_users"): "ba mươi nghìn"})
    sheet = load_workbook(path)[DATA_SHEET]
    bad_row = next(
        row[0].row
        for row in sheet.iter_rows(min_row=2)
        if row[HEADER.index("ma_chi_so")].value == "internet_users"
    )
    before = table_counts()
    t.page.get_by_label("Tệp (.xlsx, .csv, .json; tối đa 20 MB)").set_input_files(path)
    t.page.get_by_role("button", name="Nhập tệp").click()
    message = f"Tệp {path.name} có 1 lỗi; không dữ liệu nào được ghi"
    expect(t.page.get_by_role("status").filter(has_text=message)).to_be_visible()
    errors = t.page.get_by_role("table").filter(has_text="Tệp chưa được nhập")
    cells = errors.locator("tbody tr").first.locator("td").all_inner_texts()
    assert cells[:3] == [str(bad_row), "gia_tri", "ba mươi nghìn"]
    assert cells[3].splitlines() == ["không phải là số", "is not a number"]
    assert errors.locator("tbody tr").count() == 1
    # Nothing written, not even the population beside the bad cell; the rejected file may be kept.
    after = table_counts()
    changed = {label for label in after if after[label] != before[label]}
    assert changed <= {"collection.ImportBatch", "core.ChangeLogEntry"}, changed
    kept = after["collection.ImportBatch"] - before["collection.ImportBatch"]
    new = ImportBatch.objects.order_by("-pk")[:kept]
    assert all(getattr(batch, "status", "rejected") == "rejected" for batch in new)


# ---------------------------------------------------------------------------------------------------
# The public reports an incident, with a photo, and follows it by the private link.


def test_the_public_reports_an_incident_with_a_photo_and_follows_it(world, tab, tmp_path):
    from PIL import Image

    from hatangso.core.models import RateCounter
    from hatangso.workplan.models import Incident

    RateCounter.objects.filter(key__startswith="incidents:").delete()  # the hourly limit
    photo = tmp_path / "cot-nghieng.png"
    Image.new("RGB", (64, 48), (200, 40, 40)).save(photo)
    before = Incident.objects.count()

    t = tab()
    t.go("/phan-anh/")
    t.page.wait_for_selector(".leaflet-container")  # the map came up (its script ran under the CSP)
    t.page.get_by_label("Loại phản ánh").select_option(label="Hư hỏng")
    t.page.get_by_label("Mô tả").fill("Hộp cáp quang bị bung nắp, dây treo sát mặt đường")
    t.page.get_by_label("Địa chỉ (số nhà, đường, thôn/tổ, xã/phường)").fill("Đường Lý Bôn, phường Tứ Hạ")
    t.page.get_by_label("Vĩ độ").fill("16.5312")
    t.page.get_by_label("Kinh độ").fill("107.4721")
    t.page.get_by_label("Điện thoại hoặc e-mail (không bắt buộc)").fill("0234 3555 777")
    t.page.get_by_label("Ảnh (JPEG/PNG, tối đa 3 ảnh, mỗi ảnh 5 MB)").set_input_files(photo)
    t.page.get_by_role("button", name="Gửi phản ánh").click()
    expect(t.page.get_by_role("heading", name="Cảm ơn bạn đã phản ánh")).to_be_visible()
    incident = Incident.objects.order_by("-pk").first()
    assert Incident.objects.count() == before + 1
    assert (incident.category, incident.address) == ("damaged", "Đường Lý Bôn, phường Tứ Hạ")
    assert (round(incident.lat, 4), round(incident.lon, 4)) == (16.5312, 107.4721)
    assert incident.photos.count() == 1

    t.page.locator("main").get_by_role("link").filter(has_text="/phan-anh/theo-doi/").click()
    t.page.wait_for_url("**/phan-anh/theo-doi/**")
    assert t.path() == f"/phan-anh/theo-doi/{incident.token}/"
    text = t.text()
    assert f"Phản ánh #{incident.pk} · Hư hỏng" in text and "Mới tiếp nhận" in text
    assert "1 ảnh đính kèm" in text and "Hộp cáp quang bị bung nắp" in text
    assert "0234 3555 777" not in text  # the contact is for the office, not shown back
    other = Incident.objects.exclude(pk=incident.pk).first()
    assert other.description not in text  # only this report


# ---------------------------------------------------------------------------------------------------
# Scoping holds in the browser: typed addresses outside the scope give the 404 page, never data.


def test_a_commune_typing_another_communes_addresses_gets_404_and_none_of_its_figures(world, tab):
    typed = [
        f"/duyet/{world.submissions['huongtoan']}/",
        f"/tep-nhap/{world.batches['huongtoan']}/",
        f"/nhap-lieu/{world.form}/2024/?r=1",  # a second reporter the clerk does not have
        f"/api/v1/values/{world.values['huongtoan']}",
        f"/api/v1/submissions/{world.submissions['huongtoan']}",
    ]
    t = tab(expect_404=tuple(typed)).log_in("tuha")
    for address in typed:
        t.go(address, status=404)
        text = t.text()
        assert not [n for n in figures("huongtoan") if n in text], address
        if not address.startswith("/api/"):
            assert "Trang này không có, hoặc nằm ngoài phạm vi tài khoản của bạn." in text, address
    # Its own pages show its own figures and nobody else's.
    t.go("/ke-hoach/1529-kh-ubnd/chi-tieu/household_fiber/")
    text = t.text()
    assert "10.917" in text and not [n for n in figures("huongtoan") if n in text]


def test_an_enterprise_typing_a_competitors_addresses_gets_404_and_none_of_its_figures(world, tab):
    typed = [
        "/ha-tang/tram/vnpt/N2/",  # a competitor's station
        "/ha-tang/tram/vnpt/N1/",  # a competitor's station on a site they share
        f"/api/v1/registry/sites/{world.sites['vnpt_only']}",
        f"/api/v1/values/{world.values['vnpt']}",
        f"/tep-nhap/{world.batches['vnpt']}/",
        "/ha-tang/vi-tri/",
        f"/duyet/{world.submissions['tuha']}/",
    ]
    t = tab(expect_404=tuple(typed)).log_in("viettel")
    for address in typed:
        t.go(address, status=404)
        text = t.text()
        assert not [n for n in figures("vnpt") if n in text] and "N2" not in text, address
    t.go("/ha-tang/tram/viettel/V1/")  # its own station opens
    t.go("/ha-tang/tram/")  # the registry list shows its own stations only
    links = t.page.locator("main").get_by_role("link")
    listed = [code for code in ("V1", "N1", "N2") if links.filter(has_text=code).count()]
    assert listed == ["V1"], listed
    t.go("/api/v1/registry/stations")
    assert "V1" in t.text() and "N1" not in t.text() and "N2" not in t.text()


def test_the_leader_typing_the_plan_owners_pages_gets_404(world, tab):
    typed = [
        "/ke-hoach/1529-kh-ubnd/duyet/",
        f"/duyet/{world.submissions['huongtoan']}/",
        "/ke-hoach/1529-kh-ubnd/bao-cao/",
        "/ke-hoach/doc/",
    ]
    t = tab(expect_404=tuple(typed)).log_in("lanhdao")
    for address in typed:
        t.go(address, status=404)
    anonymous = tab()
    anonymous.go(f"/duyet/{world.submissions['huongtoan']}/")
    assert anonymous.path().startswith("/dang-nhap/?next=")


# ---------------------------------------------------------------------------------------------------
# The public page and the map: they load with no script error, and show no one's raw figures.


def test_the_public_page_shows_published_aggregates_and_no_raw_figures(world, tab):
    public = tab()
    public.go("/cong-khai/1529-kh-ubnd/")
    public.page.wait_for_selector(".leaflet-container")
    text = public.text()
    assert HOUSEHOLD_FIBER in text
    leaked = [n for owner in FILES for n in figures(owner) if n in text]
    assert not leaked, leaked


@pytest.mark.parametrize(("username", "sees"), [("vhtt", ["V1", "N1", "N2"]), ("viettel", ["V1"])])
def test_the_map_page_loads_and_its_stations_follow_the_scope(world, tab, username, sees):
    t = tab().log_in(username)
    t.go("/ke-hoach/1529-kh-ubnd/ban-do/")
    t.page.wait_for_selector("#area-map.leaflet-container")
    t.page.wait_for_load_state("networkidle")  # every layer's GeoJSON came, no error on the way
    t.go("/ban-do/tram.geojson")
    codes = {feature["properties"]["code"] for feature in json.loads(t.text())["features"]}
    assert codes == set(sees), (username, codes)
