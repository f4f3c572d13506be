"""Every role against every page and API endpoint (DESIGN.md §2).

Inside its scope a role reads (and, where it reports, writes); outside it the answer is 404 — or 401
from the API without a token, or the login page for a page without a session — and never data.
A refused write writes nothing. The data is built once for the module inside a transaction that is
rolled back at the end; each test runs in its own savepoint on top of it.
"""

import csv
import io
import json
import re
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.db import transaction

from hatangso.collection.models import DataElement, DataValue, FormElement, Submission
from hatangso.core.scoping import COMMAND_LINE
from hatangso.utilities.numbers import format_number

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"
PLAN = "1529-kh-ubnd"

# Who is asking. The brief's six roles, plus three edge cases: a logged-in account without any role,
# the plan owner of another district (Phong Điền) and a superuser.
ROLES = (
    "plan_owner",
    "agency",
    "leader",
    "commune",
    "enterprise",
    "public",
    "no_role",
    "owner_elsewhere",
    "superuser",
)
AREA_ROLES = {"plan_owner", "agency", "leader", "superuser"}
DECIDERS = {"plan_owner", "superuser"}

# Whose data: two communes of Hương Trà, two operators, and files spanning two of them.
OWNERS = ("tuha", "huongtoan", "viettel", "vnpt")

# The reported values: (element, unit, period, operator, value). The values are distinctive numbers,
# so a page or a file that shows one outside its reader's scope is caught by a plain text search.
SET_VALUES = {
    "tuha_population": ("population", "19996", "2024", None, "40357"),
    "huongtoan_population": ("population", "20005", "2024", None, "37219"),
    "viettel_mobile": ("mobile_subscriptions", "19996", "202406", "viettel", "29137"),
    "vnpt_mobile": ("mobile_subscriptions", "19996", "202406", "vnpt", "24261"),
}
# Imported files, each a list of rows (period, unit, element, operator, value).
FILES = {
    "tuha": [("2024", "19996", "households", None, "10917")],
    "huongtoan": [("2024", "20005", "households", None, "10843")],
    "viettel": [("202406", "19996", "smartphone_subscriptions", "viettel", "21163")],
    "vnpt": [("202406", "19996", "smartphone_subscriptions", "vnpt", "18311")],
    "two_communes": [
        ("2024", "19996", "internet_users", None, "30551"),
        ("2024", "20005", "internet_users", None, "28467"),
    ],
    "two_operators": [
        ("202406", "19996", "fixed_lines_individual_measured", "viettel", "15583"),
        ("202406", "19996", "fixed_lines_individual_measured", "vnpt", "14729"),
    ],
}
UNIT_OWNER = {"19996": "tuha", "20005": "huongtoan"}

# A plan document the plan owner has uploaded: its draft is the uploader's alone.
DRAFT_DOCUMENT = """UBND THỊ XÃ HƯƠNG TRÀ
Số: 77/KH-UBND
Hương Trà, ngày 10 tháng 6 năm 2024
KẾ HOẠCH Phát triển hạ tầng số trên địa bàn thị xã Hương Trà năm 2024
UBND thị xã Hương Trà ban hành Kế hoạch như sau:
II. MỤC TIÊU, CHỈ TIÊU
- Tỷ lệ dùng chung cột treo cáp đạt 96%.
VI. TỔ CHỨC THỰC HIỆN
1. Phòng Văn hóa và Thông tin
a) Chủ trì, phối hợp với Phòng Quản lý đô thị tăng cường dùng chung cột treo cáp.
Trên đây là Kế hoạch; báo cáo kết quả trước ngày 30/11/2024./.
"""


def _owner(unit: str, operator: str | None) -> str:
    return operator or UNIT_OWNER[unit]


def _every_value() -> dict[str, tuple]:
    """name -> (owner, element, unit, operator, number) of every value, set or imported."""
    rows = {name: (e, u, o, n) for name, (e, u, _, o, n) in SET_VALUES.items()}
    for file_rows in FILES.values():
        rows.update({f"{_owner(u, o)}_{e}": (e, u, o, n) for _, u, e, o, n in file_rows})
    return {name: (_owner(u, o), e, u, o, n) for name, (e, u, o, n) in rows.items()}


VALUES = {name: (owner, number) for name, (owner, *_, number) in _every_value().items()}
VALUE_META = {
    name: (element, unit, operator) for name, (_, element, unit, operator, _) in _every_value().items()
}

# The reports: (form, unit, operator, period).
SUBMISSIONS = {
    "tuha": ("ubnd_xa_nam", "19996", None, "2024"),
    "huongtoan": ("ubnd_xa_nam", "20005", None, "2024"),
    "viettel": ("doanh_nghiep_thang", "480", "viettel", "202406"),
    "vnpt": ("doanh_nghiep_thang", "480", "vnpt", "202406"),
}


def sees(role: str, owner: str) -> bool:
    """May `role` read data (values, reports, files) belonging to `owner` (an owner or a file)?"""
    if role in AREA_ROLES:
        return True
    return (role, owner) in {("commune", "tuha"), ("enterprise", "viettel")}


def writes(role: str, owner: str) -> bool:
    """May `role` enter values for (or open, submit the report of) `owner`?"""
    if role in DECIDERS:
        return True
    return (role, owner) in {("commune", "tuha"), ("enterprise", "viettel")}


def hidden_numbers(role: str) -> set[str]:
    """The figures `role` must never be shown, in any format."""
    numbers = {number for owner, number in VALUES.values() if not sees(role, owner)}
    return numbers | {f"{int(n):,}".replace(",", ".") for n in numbers} | {f"{int(n):,}" for n in numbers}


# ---------------------------------------------------------------------------------------------------
# The world: built once for the module.


@dataclass
class World:
    users: dict = field(default_factory=dict)
    tokens: dict = field(default_factory=dict)
    values: dict = field(default_factory=dict)  # name -> DataValue pk
    submissions: dict = field(default_factory=dict)  # owner -> Submission pk
    batches: dict = field(default_factory=dict)  # file name -> ImportBatch pk
    forms: dict = field(default_factory=dict)  # form code -> ReportForm pk
    units: dict = field(default_factory=dict)  # unit code -> AdministrativeUnit pk
    custom_field: int = 0  # FormElement pk of a field added on the web
    draft: str = ""  # the token of the plan owner's plan-document draft


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ky", "ma_don_vi", "ma_chi_so", "doanh_nghiep", "gia_tri"])
    for period, unit, element, operator, number in rows:
        writer.writerow([period, unit, element, operator or "", number])
    return out.getvalue()


def _build(folder) -> World:
    from hatangso.analytics.publishing import publish_scorecard
    from hatangso.analytics.services import compute_scorecard
    from hatangso.collection.services import add_form_field, import_values, set_value
    from hatangso.collection.workflow import get_submission
    from hatangso.core.changelog import Actor
    from hatangso.core.services import create_api_token, create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit
    from hatangso.geography.services import load_reference_units
    from hatangso.plans.drafting import start_draft
    from hatangso.plans.models import Agency
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.registry.models import Operator
    from hatangso.registry.operators import load_reference_operators
    from hatangso.utilities.periods import parse_period

    actor = Actor.command("test")
    load_reference_units(actor=actor)
    load_reference_operators(actor=actor)
    plan = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    world = World()

    def unit(code):
        return resolve_unit(code, start=JUNE_2024)

    def operator(code):
        return Operator.objects.get(code=code) if code else None

    for code in ("480", "19996", "20005", "476"):
        world.units[code] = unit(code).pk
    world.forms = dict(plan.forms.values_list("code", "pk"))

    def account(name, role=None, **membership):
        user = create_user(username=name, password=PASSWORD, actor=actor)
        if role:
            grant_membership(user=user, role=role, actor=actor, **membership)
        world.users[name] = user
        world.tokens[name] = create_api_token(user=user, name="matrix", actor=actor)[1]

    account("plan_owner", "plan_owner", unit=unit("480"))
    account("agency", "agency", unit=unit("480"), agency=Agency.objects.get(code="phong_qldt"))
    account("leader", "leader", unit=unit("480"))
    account("commune", "commune", unit=unit("19996"))
    account("enterprise", "enterprise", operator=operator("viettel"))
    account("no_role")
    account("owner_elsewhere", "plan_owner", unit=unit("476"))
    account("superuser")
    world.users["superuser"].is_superuser = world.users["superuser"].is_staff = True
    world.users["superuser"].save()

    for name, (element, code, period, operator_code, number) in SET_VALUES.items():
        world.values[name] = set_value(
            element=DataElement.objects.get(code=element),
            unit=unit(code),
            period=period,
            value=number,
            actor=actor,
            operator=operator(operator_code),
        ).pk
    for owner, (form, code, operator_code, period) in SUBMISSIONS.items():
        world.submissions[owner] = get_submission(
            form=plan.forms.get(code=form),
            unit=unit(code),
            operator=operator(operator_code),
            period=period,
            user=COMMAND_LINE,
            actor=actor,
        ).pk
    for name, rows in FILES.items():
        path = folder / f"{name}.csv"
        path.write_text(_csv(rows))
        world.batches[name] = import_values(path=path, actor=actor, user=COMMAND_LINE).batch.pk
        for period, code, element, operator_code, _ in rows:
            world.values[f"{_owner(code, operator_code)}_{element}"] = DataValue.objects.get(
                data_element__code=element, unit=unit(code), period=period, operator=operator(operator_code)
            ).pk
    world.custom_field = add_form_field(
        form=plan.forms.get(code="ubnd_xa_nam"),
        code="diem_wifi_cong_cong",
        name="Số điểm Wi-Fi công cộng",
        value_type="count",
        aggregation="last",
        user=COMMAND_LINE,
        actor=actor,
    ).pk
    compute_scorecard(plan=plan, unit=plan.area_unit, period=parse_period(plan.period))
    publish_scorecard(plan=plan, period=plan.period, actor=actor)  # the public reads what is published
    world.draft = start_draft(
        name="ke-hoach-77.txt", data=DRAFT_DOCUMENT.encode(), user=world.users["plan_owner"]
    ).token
    return world


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker, tmp_path_factory):
    with django_db_blocker.unblock():
        outer = transaction.atomic()
        outer.__enter__()
        try:
            yield _build(tmp_path_factory.mktemp("role-matrix"))
        finally:
            transaction.set_rollback(True)
            outer.__exit__(None, None, None)


@pytest.fixture
def w(world, db):
    """The module's world, with this test's writes rolled back afterwards."""
    return world


# ---------------------------------------------------------------------------------------------------
# Asking as a role.


@pytest.fixture
def as_role(w, client):
    """`as_role(role)` -> a Caller that uses the role's session (pages) and token (API)."""

    def make(role: str) -> "Caller":
        if role != "public":
            client.force_login(w.users[role])
        return Caller(role=role, client=client, token=w.tokens.get(role))

    return make


@dataclass
class Caller:
    role: str
    client: object
    token: str | None

    def page(self, method: str, url: str, data=None):
        return getattr(self.client, method)(url, data or {})

    def api(self, method: str, path: str, body=None, **extra):
        headers = {"HTTP_AUTHORIZATION": f"Bearer {self.token}"} if self.token else {}
        if "files" in extra:
            response = self.client.post(f"/api/v1/{path}", extra["files"], **headers)
        else:
            response = getattr(self.client, method)(
                f"/api/v1/{path}",
                data=json.dumps(body) if body is not None else None,
                content_type="application/json",
                **headers,
            )
        return response.status_code, response.json()


def body_text(response) -> str:
    """What a response shows: HTML, JSON, a CSV file, or every cell of an XLSX workbook."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(content), read_only=True)
        cells = (
            cell for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
        )
        return " ".join(str(cell) for cell in cells if cell is not None)
    return content.decode("utf-8", errors="replace")


def shows(number: str, text: str) -> bool:
    """Whether the text shows the number as written or as pages write it (10917 or 10.917)."""
    return number in text or (number.isdigit() and format_number(int(number), 0) in text)


def assert_no_leak(role: str, text: str, where: str) -> None:
    leaked = sorted(n for n in hidden_numbers(role) if shows(n, text))
    assert not leaked, f"{where} shows {role} figures outside its scope: {leaked}"


def login_redirect(url: str) -> str:
    from urllib.parse import quote

    return f"/dang-nhap/?next={quote(url, safe='/')}"


class WrongStatus(AssertionError):
    """The answer's status is not the one the matrix expects (the data checks are separate)."""


def expect_status(response, expected: int, what: str, location: str | None = None) -> None:
    if response.status_code != expected:
        raise WrongStatus(f"{what}: {response.status_code}, expected {expected}")
    if location is not None and response.url != location:
        raise WrongStatus(f"{what}: redirected to {response.url}, expected {location}")


def params(table):
    """pytest params from (id, *values) rows."""
    return [pytest.param(*row[1:], id=row[0]) for row in table]


# ---------------------------------------------------------------------------------------------------
# Pages: reading.

# (case, url builder, who sees it). "login" = any logged-in user; "reports:<x>" = the commune or
# enterprise reporting that form; "owner" = the plan owner (or superuser); "sees:<x>" = whoever may
# read <x>'s data; "staff" = the admin site.
PAGES = [
    ("home", lambda w: "/", "dashboard"),
    ("entry_list", lambda w: "/nhap-lieu/", "login"),
    ("entry_form_commune", lambda w: f"/nhap-lieu/{w.forms['ubnd_xa_nam']}/2024/", "reports:commune"),
    (
        "entry_form_enterprise",
        lambda w: f"/nhap-lieu/{w.forms['doanh_nghiep_thang']}/202406/",
        "reports:enterprise",
    ),
    (
        "entry_form_second_reporter",
        lambda w: f"/nhap-lieu/{w.forms['doanh_nghiep_thang']}/202406/?r=1",
        "none",
    ),
    (
        "entry_excel_commune",
        lambda w: f"/nhap-lieu/{w.forms['ubnd_xa_nam']}/2024/excel/",
        "reports:commune",
    ),
    (
        "entry_excel_enterprise",
        lambda w: f"/nhap-lieu/{w.forms['doanh_nghiep_thang']}/202406/excel/",
        "reports:enterprise",
    ),
    ("review_list", lambda w: "/ke-hoach/1529-kh-ubnd/duyet/", "owner"),
    *[(f"review_{o}", lambda w, o=o: f"/duyet/{w.submissions[o]}/", "owner") for o in OWNERS],
    ("form_fields", lambda w: f"/bieu/{w.forms['ubnd_xa_nam']}/", "owner"),
    *[(f"import_file_{f}", lambda w, f=f: f"/tep-nhap/{w.batches[f]}/", f"sees:{f}") for f in FILES],
    ("plan_upload", lambda w: "/ke-hoach/doc/", "plan_owners"),
    ("plan_draft", lambda w: f"/ke-hoach/doc/{w.draft}/", "owner"),
    ("plan_draft_yaml", lambda w: f"/ke-hoach/doc/{w.draft}/yaml/", "owner"),
    ("plan_page", lambda w: f"/ke-hoach/{PLAN}/noi-dung/", "plan"),
    ("admin", lambda w: "/admin/", "staff"),
    ("road_list", lambda w: "/ke-hoach/1529-kh-ubnd/tuyen-duong/", "plan"),
    ("road_new", lambda w: "/ke-hoach/1529-kh-ubnd/tuyen-duong/moi/", "roads"),
    ("boundaries", lambda w: "/ban-do/ranh-gioi.geojson", "anyone"),
    *[
        (f"indicator_{code}", lambda w, code=code: f"/ke-hoach/1529-kh-ubnd/chi-tieu/{code}/", "plan")
        for code in ("internet_users", "household_fiber", "smartphone_subscription_share")
    ],
    ("indicator_of_tuha", lambda w: "/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=19996", "plan"),
    (
        "indicator_of_kim_tra_2025",
        lambda w: "/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=20017&as_of=2025-07-01",
        "plan",
    ),
    ("home_of_huongtoan", lambda w: "/?unit=20005", "dashboard"),
    # The dashboard's switches: a quarter, the post-2025 units, a merged commune holding Hương Toàn.
    ("home_quarter", lambda w: "/?period=2024Q3", "dashboard"),
    ("home_after_2025", lambda w: "/?as_of=2025-07-01", "dashboard"),
    ("home_of_kim_tra_2025", lambda w: "/?as_of=2025-07-01&unit=20017", "dashboard"),
    ("map", lambda w: "/ke-hoach/1529-kh-ubnd/ban-do/?indicator=household_fiber", "plan"),
    *[
        (f"map_{layer}", lambda w, layer=layer: f"/ke-hoach/1529-kh-ubnd/ban-do/{layer}.geojson", "plan")
        for layer in ("xa-phuong", "vung-phu")
    ],
    *[  # the user's own stations, sites and incidents, whatever the plan
        (f"map_{layer}", lambda w, layer=layer: f"/ban-do/{layer}.geojson", "login")
        for layer in ("tram", "vi-tri", "phan-anh")
    ],
    ("public_page", lambda w: "/cong-khai/1529-kh-ubnd/?indicator=household_fiber", "anyone"),
    ("public_map", lambda w: "/cong-khai/1529-kh-ubnd/xa-phuong.geojson?indicator=internet_users", "anyone"),
    ("publish_page", lambda w: "/ke-hoach/1529-kh-ubnd/cong-bo/", "owner"),
    ("registry_index", lambda w: "/ha-tang/", "login"),
    *[
        (f"registry_{kind}", lambda w, kind=kind: f"/ha-tang/{kind}/", "login")
        for kind in (
            "tram",
            "vi-tri-tram",
            "cot",
            "cong-be",
            "cap-quang",
            "truyen-so-lieu",
            "khu-cong-nghiep",
        )
    ],
    ("registry_csv", lambda w: "/ha-tang/tram/?format=csv", "login"),
    ("import_list", lambda w: "/tep-nhap/", "login"),
]


def owned_numbers(*owners: str) -> set[str]:
    return {number for owner, number in VALUES.values() if owner in owners}


# The figures an allowed page does show (so the leak check above searches the right text).
PAGE_SHOWS = {
    "entry_form_commune": owned_numbers("tuha"),
    "entry_form_enterprise": owned_numbers("viettel"),
    "entry_excel_commune": owned_numbers("tuha"),
    "entry_excel_enterprise": owned_numbers("viettel"),
    **{f"review_{o}": owned_numbers(o) for o in OWNERS},
    **{f"import_file_{f}": {row[4] for row in rows} for f, rows in FILES.items()},
}


def page_allowed(role: str, rule: str) -> bool:
    if rule == "anyone":
        return True
    if rule in ("login", "dashboard"):  # the dashboard sends the public to the public page
        return role != "public"
    if rule == "plan":  # a page of the plan: those whose area it covers or lies within (not elsewhere)
        return role not in ("public", "owner_elsewhere")
    if rule.startswith("reports:"):
        return role == rule.split(":")[1]
    if rule == "owner":
        return role in DECIDERS
    if rule == "plan_owners":  # any district's plan owner may read its own plan document
        return role in DECIDERS | {"owner_elsewhere"}
    if rule.startswith("sees:"):
        file = rule.split(":")[1]
        if file in ("two_communes", "two_operators"):  # a file spanning two owners: only the area roles
            return role in AREA_ROLES
        return sees(role, file)
    if rule == "staff":
        return role == "superuser"
    if rule == "roads":  # the roads list is kept by the plan owner and Phòng Quản lý đô thị
        return role in {"plan_owner", "agency", "superuser"}
    return False


PAGE_TABLE = [(f"{role}-{case}", role, case, url, rule) for case, url, rule in PAGES for role in ROLES]


@pytest.mark.parametrize(("role", "case", "url", "rule"), params(PAGE_TABLE))
def test_page_read(role, case, url, rule, w, as_role):
    url = url(w)
    response = as_role(role).page("get", url)
    text = body_text(response)  # read once: a file download streams
    assert_no_leak(role, text, f"GET {url}")
    what = f"{role} GET {url}"
    if page_allowed(role, rule):
        expect_status(response, 200, what)
        missing = {n for n in PAGE_SHOWS.get(case, ()) if not shows(n, text)}
        assert missing == set(), f"{what} lacks its figures"
    elif rule == "staff":
        expect_status(response, 302, what, f"/admin/login/?next={url}")
    elif role == "public":
        expect_status(response, 302, what, "/cong-khai/" if rule == "dashboard" else login_redirect(url))
    else:
        expect_status(response, 404, what)


ENTRY_CARDS = {
    "commune": ({"ubnd_xa_nam"}, {"Phường Tứ Hạ"}),
    "enterprise": ({"doanh_nghiep_thang", "doanh_nghiep_quy", "doanh_nghiep_nam"}, {"Viettel"}),
}


@pytest.mark.parametrize("role", [r for r in ROLES if r != "public"])
def test_entry_list_offers_only_the_roles_own_reports(role, w, as_role):
    page = body_text(as_role(role).page("get", "/nhap-lieu/"))
    form_codes = {pk: code for code, pk in w.forms.items()}
    linked = {form_codes[int(pk)] for pk in re.findall(r'href="/nhap-lieu/(\d+)/\w+/\?r=\d+"', page)}
    labels = set(re.findall(r'<p class="meta">([^<·]+?) ·', page))
    assert (linked, labels) == ENTRY_CARDS.get(role, (set(), set()))


# ---------------------------------------------------------------------------------------------------
# Pages: writing.


def unit_pk(w, code: str) -> int:
    return w.units[code]


def element_pk(code: str) -> int:
    return DataElement.objects.get(code=code).pk


def stored(element: str, unit: str, period: str, operator: str | None):
    """The stored value (as a plain string) or None."""
    by_operator = {"operator__code": operator} if operator else {"operator__isnull": True}
    value = DataValue.objects.filter(
        data_element__code=element, unit__code=unit, period=period, **by_operator
    ).first()
    return None if value is None else f"{value.value.normalize():f}"


# (case, form, period, posted {(unit, element): value}, reporting role, what the reporter's save writes:
# [(element, unit, period, operator, value)], what it must not write)
ENTRY_POSTS = [
    (
        "commune_form",
        "ubnd_xa_nam",
        "2024",
        {("19996", "adult_population"): "30001", ("20005", "adult_population"): "30002"},
        "commune",
        [("adult_population", "19996", "2024", None, "30001")],
        [("adult_population", "20005", "2024", None)],
    ),
    (
        "enterprise_form",
        "doanh_nghiep_thang",
        "202406",
        {("20005", "mobile_subscriptions"): "30003"},
        "enterprise",
        [("mobile_subscriptions", "20005", "202406", "viettel", "30003")],
        [
            ("mobile_subscriptions", "20005", "202406", "vnpt"),
            ("mobile_subscriptions", "20005", "202406", None),
        ],
    ),
]
ENTRY_POST_TABLE = [(f"{role}-{case[0]}", role, *case[1:]) for case in ENTRY_POSTS for role in ROLES]


@pytest.mark.parametrize(
    ("role", "form", "period", "posted", "reporter", "written", "not_written"), params(ENTRY_POST_TABLE)
)
def test_entry_form_save(
    role, form, period, posted, reporter, written, not_written, w, as_role, table_counts
):
    caller = as_role(role)
    url = f"/nhap-lieu/{w.forms[form]}/{period}/"
    data = {f"value-{unit_pk(w, u)}-{element_pk(e)}": v for (u, e), v in posted.items()}
    before = table_counts()
    response = caller.page("post", url, {**data, "action": "save"})
    for element, unit, p, operator in not_written:
        assert stored(element, unit, p, operator) is None
    what = f"{role} POST {url}"
    if role == reporter:
        expect_status(response, 302, what)
        assert [stored(*key[:4]) for key in written] == [key[4] for key in written]
    else:
        assert table_counts() == before
        if role == "public":
            expect_status(response, 302, what, login_redirect(url))
        else:
            expect_status(response, 404, what)


UPLOADS = {
    "tuha": [("2024", "19996", "adult_population", None, "30011")],
    "huongtoan": [("2024", "20005", "adult_population", None, "30012")],
    "viettel": [("202406", "20005", "mobile_subscriptions", "viettel", "30013")],
    "vnpt": [("202406", "20005", "mobile_subscriptions", "vnpt", "30014")],
}
REPORTER_FORM = {"commune": ("ubnd_xa_nam", "2024"), "enterprise": ("doanh_nghiep_thang", "202406")}
UPLOAD_TABLE = [(f"{role}-{owner}_file", role, owner) for owner in UPLOADS for role in ROLES]


def _upload(rows, name="tep.csv"):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return SimpleUploadedFile(name, _csv(rows).encode(), content_type="text/csv")


@pytest.mark.parametrize(("role", "owner"), params(UPLOAD_TABLE))
def test_entry_form_upload(role, owner, w, as_role, table_counts):
    """A file uploaded on the entry page lands only if every row is the uploader's own."""
    caller = as_role(role)
    form, period = REPORTER_FORM.get(role, REPORTER_FORM["commune"])
    url = f"/nhap-lieu/{w.forms[form]}/{period}/"
    before = table_counts()
    response = caller.page("post", url, {"file": _upload(UPLOADS[owner])})
    what = f"{role} uploads {owner}'s rows to {url}"
    (row,) = UPLOADS[owner]
    if role in REPORTER_FORM and writes(role, owner):
        expect_status(response, 302, what)
        assert stored(row[2], row[1], row[0], row[3]) == row[4]
        return
    assert table_counts() == before
    assert stored(row[2], row[1], row[0], row[3]) is None
    if role in REPORTER_FORM:  # the reporter's own page, with the file's errors
        expect_status(response, 200, what)
        assert "ngoài phạm vi của bạn" in body_text(response)
    elif role == "public":
        expect_status(response, 302, what, login_redirect(url))
    else:
        expect_status(response, 404, what)


# The state a report must be in for each step, and the state the step leads to.
STEPS = {
    "submit": ("draft", "submitted"),
    "approve": ("submitted", "approved"),
    "return": ("submitted", "returned"),
    "reopen": ("approved", "draft"),
}


def prepare(w, owner: str, state: str) -> Submission:
    from hatangso.collection import workflow
    from hatangso.core.changelog import Actor

    actor = Actor.command("test")
    submission = Submission.objects.get(pk=w.submissions[owner])
    if state in ("submitted", "approved"):
        submission = workflow.submit(submission=submission, user=COMMAND_LINE, actor=actor)
    if state == "approved":
        submission = workflow.approve(submission=submission, user=COMMAND_LINE, actor=actor)
    assert submission.status == state
    return submission


REVIEW_TABLE = [
    (f"{role}-{action}_{owner}", role, owner, action)
    for action in ("approve", "return", "reopen")
    for owner in OWNERS
    for role in ROLES
]


@pytest.mark.parametrize(("role", "owner", "action"), params(REVIEW_TABLE))
def test_review_page_decides(role, owner, action, w, as_role, table_counts):
    """Only the plan owner (or a superuser) approves, returns or re-opens a report on the review page."""
    start, end = STEPS[action]
    submission = prepare(w, owner, start)
    caller = as_role(role)
    url = f"/duyet/{submission.pk}/"
    before = table_counts()
    response = caller.page("post", url, {"action": action, "comment": "kiểm tra lại số hộ", "confirmed": "1"})
    what = f"{role} POST {url} action={action}"
    submission.refresh_from_db()
    if role in DECIDERS:
        expect_status(response, 302, what, url)
        assert submission.status == end
        return
    assert submission.status == start
    assert table_counts() == before
    if role == "public":
        expect_status(response, 302, what, login_redirect(url))
    else:
        expect_status(response, 404, what)


FIELD_POSTS = {
    "add_field": lambda w: {
        "code": "so_diem_phat_song",
        "name": "Số điểm phát sóng",
        "value_type": "count",
        "aggregation": "last",
    },
    "remove_field": lambda w: {"remove": str(w.custom_field)},
}
FIELD_TABLE = [(f"{role}-{case}", role, case) for case in FIELD_POSTS for role in ROLES]


@pytest.mark.parametrize(("role", "case"), params(FIELD_TABLE))
def test_form_fields_page_changes_fields(role, case, w, as_role, table_counts):
    caller = as_role(role)
    url = f"/bieu/{w.forms['ubnd_xa_nam']}/"
    before = table_counts()
    response = caller.page("post", url, FIELD_POSTS[case](w))
    what = f"{role} POST {url} ({case})"
    added = DataElement.objects.filter(code="so_diem_phat_song").exists()
    present = FormElement.objects.filter(pk=w.custom_field).exists()
    if role in DECIDERS:
        expect_status(response, 302, what, url)
        assert (added, present) == ((True, True) if case == "add_field" else (False, False))
        return
    assert (added, present) == (False, True)
    assert table_counts() == before
    if role == "public":
        expect_status(response, 302, what, login_redirect(url))
    else:
        expect_status(response, 404, what)


@pytest.mark.parametrize("role", ROLES)
def test_plan_draft_load(role, w, as_role, table_counts):
    """Only the draft's uploader (or a superuser) loads the plan read from a document."""
    from hatangso.plans.models import Plan
    from hatangso.plans.tests.test_parse_page import form_of

    caller = as_role(role)
    url = f"/ke-hoach/doc/{w.draft}/"
    data = form_of(caller.page("get", url)) if role in DECIDERS else {}
    before = table_counts()
    response = caller.page("post", url, {**data, "action": "load"})
    what = f"{role} POST {url} action=load"
    if role in DECIDERS:
        expect_status(response, 302, what, "/ke-hoach/77-kh-ubnd/noi-dung/")
        item = Plan.objects.get(code="77/KH-UBND").items.get(number="VI.1.a")
        assert list(item.coordinating.values_list("code", flat=True)) == ["phong_qldt"]
        assert list(item.indicators.values_list("code", flat=True)) == ["pole_sharing"]
        return
    assert table_counts() == before
    expect_refused(response, role, what, url)


def expect_refused(response, role: str, what: str, url: str) -> None:
    """Refused: the login page without a session, 404 with one."""
    if role == "public":
        expect_status(response, 302, what, login_redirect(url))
    else:
        expect_status(response, 404, what)


@pytest.mark.parametrize("role", ROLES)
def test_plan_document_upload(role, w, as_role, table_counts):
    from django.core.files.uploadedfile import SimpleUploadedFile

    caller = as_role(role)
    before = table_counts()
    document = SimpleUploadedFile("ke-hoach.txt", DRAFT_DOCUMENT.encode())
    response = caller.page("post", "/ke-hoach/doc/", {"document": document})
    what = f"{role} POST /ke-hoach/doc/"
    assert table_counts() == before  # a draft is a file of its uploader; the database is not written
    if role in DECIDERS | {"owner_elsewhere"}:
        expect_status(response, 302, what)
        assert response.url.startswith("/ke-hoach/doc/")
    else:
        expect_refused(response, role, what, "/ke-hoach/doc/")


# ---------------------------------------------------------------------------------------------------
# API: reading values and reports.


def visible_values(role: str) -> set[str]:
    return {name for name, (owner, _) in VALUES.items() if sees(role, owner)}


def expect_api(status: int, body, role: str, allowed: bool, what: str, refused: int = 404) -> None:
    expected = 200 if allowed else 401 if role == "public" else refused
    if status != expected:
        raise WrongStatus(f"{what}: {status}, expected {expected}: {body}")


@pytest.mark.parametrize("role", ROLES)
def test_api_value_list(role, w, as_role):
    status, body = as_role(role).api("get", "values/?limit=1000")
    assert_no_leak(role, json.dumps(body), "GET values/")
    expect_api(status, body, role, role != "public", f"{role} GET values/")
    if status == 200:
        names = {pk: name for name, pk in w.values.items()}
        assert {names[item["id"]] for item in body["items"]} == visible_values(role)


VALUE_FILTERS = {
    "element=population": lambda meta: meta[0] == "population",
    "unit=20005": lambda meta: meta[1] == "20005",
    "operator=vnpt": lambda meta: meta[2] == "vnpt",
}
FILTER_TABLE = [(f"{role}-{f}", role, f) for f in VALUE_FILTERS for role in ROLES if role != "public"]


@pytest.mark.parametrize(("role", "query"), params(FILTER_TABLE))
def test_api_value_list_filters_stay_in_scope(role, query, w, as_role):
    status, body = as_role(role).api("get", f"values/?limit=1000&{query}")
    assert status == 200
    names = {pk: name for name, pk in w.values.items()}
    expected = {name for name in visible_values(role) if VALUE_FILTERS[query](VALUE_META[name])}
    assert {names[item["id"]] for item in body["items"]} == expected


VALUE_TABLE = [(f"{role}-{name}", role, name) for name in VALUES for role in ROLES]


@pytest.mark.parametrize(("role", "name"), params(VALUE_TABLE))
def test_api_value_detail(role, name, w, as_role):
    status, body = as_role(role).api("get", f"values/{w.values[name]}")
    allowed = sees(role, VALUES[name][0])
    if allowed:
        assert body["value"] == VALUES[name][1]
    else:
        assert "value" not in body and VALUES[name][1] not in json.dumps(body)
    expect_api(status, body, role, allowed, f"{role} GET values/<{name}>")


@pytest.mark.parametrize("role", ROLES)
def test_api_submission_list(role, w, as_role):
    status, body = as_role(role).api("get", "submissions/?limit=1000")
    expect_api(status, body, role, role != "public", f"{role} GET submissions/")
    if status == 200:
        names = {pk: owner for owner, pk in w.submissions.items()}
        assert {names[item["id"]] for item in body["items"]} == {o for o in OWNERS if sees(role, o)}


SUBMISSION_READ_TABLE = [
    (f"{role}-{endpoint or 'detail'}_{owner}", role, owner, endpoint)
    for endpoint in ("", "/checks")
    for owner in OWNERS
    for role in ROLES
]


@pytest.mark.parametrize(("role", "owner", "endpoint"), params(SUBMISSION_READ_TABLE))
def test_api_submission_read(role, owner, endpoint, w, as_role):
    status, body = as_role(role).api("get", f"submissions/{w.submissions[owner]}{endpoint}")
    allowed = sees(role, owner)
    if not allowed:
        assert not {"status", "violations", "outliers"} & set(body)
    expect_api(status, body, role, allowed, f"{role} GET submissions/<{owner}>{endpoint}")


# ---------------------------------------------------------------------------------------------------
# API: writing values and reports.

# (target, owner, element, unit, period, operator, version): a new value and a change of an existing
# one (version 1) for each owner.
PUTS = [
    ("tuha_new", "tuha", "adult_population", "19996", "2024", None, None),
    ("tuha_existing", "tuha", "population", "19996", "2024", None, 1),
    ("huongtoan_new", "huongtoan", "adult_population", "20005", "2024", None, None),
    ("huongtoan_existing", "huongtoan", "population", "20005", "2024", None, 1),
    ("viettel_new", "viettel", "mobile_subscriptions", "20005", "202406", "viettel", None),
    ("viettel_existing", "viettel", "mobile_subscriptions", "19996", "202406", "viettel", 1),
    ("vnpt_new", "vnpt", "mobile_subscriptions", "20005", "202406", "vnpt", None),
    ("vnpt_existing", "vnpt", "mobile_subscriptions", "19996", "202406", "vnpt", 1),
]
PUT_TABLE = [(f"{role}-{target[0]}", role, *target[1:]) for target in PUTS for role in ROLES]


@pytest.mark.parametrize(
    ("role", "owner", "element", "unit", "period", "operator", "version"), params(PUT_TABLE)
)
def test_api_put_value(role, owner, element, unit, period, operator, version, w, as_role, table_counts):
    caller = as_role(role)
    was = stored(element, unit, period, operator)
    before = table_counts()
    payload = {"data_element": element, "unit": unit, "period": period, "value": "31234"}
    if operator:
        payload["operator"] = operator
    if version:
        payload["version"] = version
    status, body = caller.api("put", "values/", payload)
    allowed = writes(role, owner)
    if allowed:
        assert stored(element, unit, period, operator) == "31234"
    else:
        assert stored(element, unit, period, operator) == was
        assert table_counts() == before
        assert was is None or was not in json.dumps(body)
    expect_api(status, body, role, allowed, f"{role} PUT values/ {owner}")


IMPORT_TABLE = [(f"{role}-{owner}_file", role, owner) for owner in UPLOADS for role in ROLES]


@pytest.mark.parametrize(("role", "owner"), params(IMPORT_TABLE))
def test_api_import_values(role, owner, w, as_role, table_counts):
    caller = as_role(role)
    before = table_counts()
    status, body = caller.api("post", "values/import", files={"file": _upload(UPLOADS[owner])})
    (row,) = UPLOADS[owner]
    allowed = writes(role, owner)
    if allowed:
        assert stored(row[2], row[1], row[0], row[3]) == row[4]
    else:
        assert table_counts() == before
        assert stored(row[2], row[1], row[0], row[3]) is None
    # A refused file is a bad file (400, each row's error), like any other: nothing is written.
    expect_api(status, body, role, allowed, f"{role} POST values/import {owner}", refused=400)


# (target, owner, form, unit, operator, period): the existing reports, and a new one for each owner.
OPENS = [
    *[(f"{owner}_existing", owner, *SUBMISSIONS[owner]) for owner in OWNERS],
    ("tuha_new", "tuha", "ubnd_xa_nam", "19996", None, "2023"),
    ("huongtoan_new", "huongtoan", "ubnd_xa_nam", "20005", None, "2023"),
    ("viettel_new", "viettel", "doanh_nghiep_thang", "480", "viettel", "202405"),
    ("vnpt_new", "vnpt", "doanh_nghiep_thang", "480", "vnpt", "202405"),
]
OPEN_TABLE = [(f"{role}-{target[0]}", role, *target[1:]) for target in OPENS for role in ROLES]


@pytest.mark.parametrize(("role", "owner", "form", "unit", "operator", "period"), params(OPEN_TABLE))
def test_api_open_submission(role, owner, form, unit, operator, period, w, as_role, table_counts):
    caller = as_role(role)
    before = table_counts()
    payload = {"plan": PLAN, "form": form, "unit": unit, "period": period}
    if operator:
        payload["operator"] = operator
    status, body = caller.api("post", "submissions/", payload)
    exists = Submission.objects.filter(
        form__code=form, unit__code=unit, operator__code=operator, period=period
    ).first()
    allowed = writes(role, owner)
    if allowed:
        assert exists is not None and body["id"] == exists.pk
    else:
        assert table_counts() == before
        assert "id" not in body and "status" not in body
    expect_api(status, body, role, allowed, f"{role} POST submissions/ {owner}")


ACTION_TABLE = [
    (f"{role}-{action}_{owner}", role, owner, action)
    for action in STEPS
    for owner in OWNERS
    for role in ROLES
]


@pytest.mark.parametrize(("role", "owner", "action"), params(ACTION_TABLE))
def test_api_submission_step(role, owner, action, w, as_role, table_counts):
    """The reporter (or the plan owner) submits; only the plan owner approves, returns, re-opens."""
    start, end = STEPS[action]
    submission = prepare(w, owner, start)
    caller = as_role(role)
    before = table_counts()
    status, body = caller.api("post", f"submissions/{submission.pk}/{action}", {"comment": "kiểm tra lại"})
    submission.refresh_from_db()
    allowed = writes(role, owner) if action == "submit" else role in DECIDERS
    if allowed:
        assert submission.status == body["status"] == end
    else:
        assert submission.status == start
        assert table_counts() == before
        assert "status" not in body
    expect_api(status, body, role, allowed, f"{role} POST submissions/<{owner}>/{action}")


# ---------------------------------------------------------------------------------------------------
# API: reference data (any account; a plan only to those who may open it, and to the public while
# it is published, as it is in the world) and the published scorecard (anyone).

REFERENCE = (
    "plans/",
    f"plans/{PLAN}",
    f"plans/{PLAN}/indicators",
    f"plans/{PLAN}/forms",
    "units/?code=19996",
)
PUBLISHED_PLAN = ("plans/", f"plans/{PLAN}")
REFERENCE_TABLE = [(f"{role}-{path}", role, path) for path in REFERENCE for role in ROLES]


@pytest.mark.parametrize(("role", "path"), params(REFERENCE_TABLE))
def test_api_reference_data_needs_an_account(role, path, w, as_role):
    status, body = as_role(role).api("get", path)
    assert_no_leak(role, json.dumps(body), f"GET {path}")
    if role == "public":
        allowed = path in PUBLISHED_PLAN
    else:  # the plan owner of another district may not open the plan of Hương Trà
        allowed = role != "owner_elsewhere" or not path.startswith(f"plans/{PLAN}")
    expect_api(status, body, role, allowed, f"{role} GET {path}")


@pytest.mark.parametrize("role", ROLES)
def test_api_scorecard_is_public_and_shows_no_raw_figures(role, w, as_role):
    """Accounts read the live scorecard, the public the published one (published in the world)."""
    status, body = as_role(role).api("get", f"plans/{PLAN}/scorecard")
    assert status == 200 and body["unit"]["code"] == "480"
    assert ("published_at" in body) == (role == "public")
    assert_no_leak("public", json.dumps(body), "GET scorecard")
    assert {i["status"] for i in body["indicators"]} - {"no_data", "not_applicable"}  # computed from data


def test_the_api_refuses_a_bad_token(w, client):
    for path in ("values/", "submissions/", f"plans/{PLAN}", "units/"):
        response = client.get(f"/api/v1/{path}", HTTP_AUTHORIZATION="Bearer hts_not-a-token")
        assert response.status_code == 401
