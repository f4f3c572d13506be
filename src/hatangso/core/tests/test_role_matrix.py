"""Every role against every page and API endpoint (DESIGN.md §2).

Inside its scope a role reads (and, where it reports, writes); outside it the answer is 404 — or 401
from the API without a token, or the login page for a page without a session — and never data.
A refused write writes nothing. The data is built once for the module inside a transaction that is
rolled back at the end; each test runs in its own savepoint on top of it.
"""

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date

import pytest
from django.db import transaction

from hatangso.collection.models import DataElement, DataValue

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


def _owner(unit: str, operator: str | None) -> str:
    return operator or UNIT_OWNER[unit]


VALUES = {
    name: (_owner(unit, operator), number) for name, (_, unit, _, operator, number) in SET_VALUES.items()
}
for _file, _rows in FILES.items():
    for _period, _unit, _element, _operator, _number in _rows:
        VALUES[f"{_owner(_unit, _operator)}_{_element}"] = (_owner(_unit, _operator), _number)

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


def _csv(rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["ky", "ma_don_vi", "ma_chi_so", "doanh_nghiep", "gia_tri"])
    for period, unit, element, operator, number in rows:
        writer.writerow([period, unit, element, operator or "", number])
    return out.getvalue()


def _build(folder) -> World:
    from hatangso.analytics.services import compute_scorecard
    from hatangso.collection.services import add_form_field, import_values, set_value
    from hatangso.collection.workflow import get_submission
    from hatangso.core.changelog import Actor
    from hatangso.core.services import create_api_token, create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit
    from hatangso.geography.services import load_reference_units
    from hatangso.plans.models import Agency
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.registry.models import Operator
    from hatangso.registry.operators import load_reference_operators
    from hatangso.utilities.periods import parse_period

    actor = Actor.command("test")
    load_reference_units(actor=actor)
    load_reference_operators(actor=actor)
    plan = load_plan(path=SEED_PLAN_FILE, actor=actor).plan
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
            user=None,
            actor=actor,
        ).pk
    for name, rows in FILES.items():
        path = folder / f"{name}.csv"
        path.write_text(_csv(rows))
        world.batches[name] = import_values(path=path, actor=actor).batch.pk
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
        user=None,
        actor=actor,
    ).pk
    compute_scorecard(plan=plan, unit=plan.area_unit, period=parse_period(plan.period))
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
            # Without a token (the public) the session must not help either: log the client out.
            if not self.token:
                self.client.logout()
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


def assert_no_leak(role: str, text: str, where: str) -> None:
    leaked = sorted(n for n in hidden_numbers(role) if n in text)
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


# Known access-control bugs: test id -> reason. Each is a strict xfail that fails only on the status
# (raises=WrongStatus); a leak or a write in the same test still fails it outright.
BUG_OTHER_OWNER_REVIEW = (
    "BUG: /duyet/ checks only that the user holds *a* plan_owner role, not that it owns this plan's "
    "area: the plan owner of Phong Điền (476) gets 200 and sees Hương Trà's reporting status "
    "(who has not reported, received/on-time counts); expected 404"
)
BUG_OTHER_OWNER_FIELDS = (
    "BUG: /bieu/<form_id>/ checks only that the user holds *a* plan_owner role: the plan owner of "
    "Phong Điền (476) gets 200 for a Hương Trà form's fields page (adding or removing a field is then "
    "refused, as a form error); expected 404"
)
KNOWN_BUGS = {
    "owner_elsewhere-review_list": BUG_OTHER_OWNER_REVIEW,
    "owner_elsewhere-form_fields": BUG_OTHER_OWNER_FIELDS,
    "owner_elsewhere-add_field": BUG_OTHER_OWNER_FIELDS,
    "owner_elsewhere-remove_field": BUG_OTHER_OWNER_FIELDS,
}


def params(table):
    """pytest params from (id, *values) rows; rows named in KNOWN_BUGS are strict xfails."""
    return [
        pytest.param(
            *row[1:],
            id=row[0],
            marks=[pytest.mark.xfail(strict=True, raises=WrongStatus, reason=KNOWN_BUGS[row[0]])]
            if row[0] in KNOWN_BUGS
            else [],
        )
        for row in table
    ]


# ---------------------------------------------------------------------------------------------------
# Pages: reading.

# (case, url builder, who sees it). "login" = any logged-in user; "reports:<x>" = the commune or
# enterprise reporting that form; "owner" = the plan owner (or superuser); "sees:<x>" = whoever may
# read <x>'s data; "staff" = the admin site.
PAGES = [
    ("home", lambda w: "/", "anyone"),
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
    ("review_list", lambda w: "/duyet/", "owner"),
    *[(f"review_{o}", lambda w, o=o: f"/duyet/{w.submissions[o]}/", "owner") for o in OWNERS],
    ("form_fields", lambda w: f"/bieu/{w.forms['ubnd_xa_nam']}/", "owner"),
    *[(f"import_file_{f}", lambda w, f=f: f"/tep-nhap/{w.batches[f]}/", f"sees:{f}") for f in FILES],
    ("admin", lambda w: "/admin/", "staff"),
]


def page_allowed(role: str, rule: str) -> bool:
    if rule == "anyone":
        return True
    if rule == "login":
        return role != "public"
    if rule.startswith("reports:"):
        return role == rule.split(":")[1]
    if rule == "owner":
        return role in DECIDERS
    if rule.startswith("sees:"):
        file = rule.split(":")[1]
        if file in ("two_communes", "two_operators"):  # a file spanning two owners: only the area roles
            return role in AREA_ROLES
        return sees(role, file)
    if rule == "staff":
        return role == "superuser"
    return False


PAGE_TABLE = [(f"{role}-{case}", role, case, url, rule) for case, url, rule in PAGES for role in ROLES]


@pytest.mark.parametrize(("role", "case", "url", "rule"), params(PAGE_TABLE))
def test_page_read(role, case, url, rule, w, as_role):
    url = url(w)
    response = as_role(role).page("get", url)
    assert_no_leak(role, body_text(response), f"GET {url}")
    what = f"{role} GET {url}"
    if page_allowed(role, rule):
        expect_status(response, 200, what)
    elif rule == "staff":
        expect_status(response, 302, what, f"/admin/login/?next={url}")
    elif role == "public":
        expect_status(response, 302, what, login_redirect(url))
    else:
        expect_status(response, 404, what)
