"""The dashboard at `/`: tiles from the engine, tasks, reporting, incidents, switches, htmx, size."""

import re
from datetime import date
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders

from hatangso.analytics.models import IndicatorResult
from hatangso.analytics.services import compute_scorecard
from hatangso.analytics.status import Status
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.collection.workflow import get_submission, submit
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.registry.models import Operator
from hatangso.utilities.numbers import format_number
from hatangso.utilities.periods import parse_period
from hatangso.workplan.models import Incident, Task
from hatangso.workplan.services import report_incident, triage_incident

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"
# Distinctive figures (population, internet users), so a page showing one out of scope is caught.
FIGURES = {"19996": ("40357", "39113"), "20005": ("37219", "35021")}
REPORT_LINK = "/api/v1/plans/1529-kh-ubnd/report.docx?period=2024&amp;unit=480"


def _set(actor, element, unit, period, value):
    element = DataElement.objects.get(code=element)
    set_value(element=element, unit=unit, period=period, value=value, actor=actor)


@pytest.fixture
def computed(seed_plan, actor):
    """Two communes' 2024 figures (and Tứ Hạ's 2023), computed for the area and the two communes."""
    for code, (population, users) in FIGURES.items():
        unit = resolve_unit(code, start=JUNE_2024)
        _set(actor, "population", unit, "2024", population)
        _set(actor, "internet_users", unit, "2024", users)
    tu_ha = resolve_unit("19996", start=JUNE_2024)
    _set(actor, "population", tu_ha, "2023", "40000")
    _set(actor, "internet_users", tu_ha, "2023", "36000")
    period = parse_period("2024")
    for unit in (seed_plan.area_unit, tu_ha, resolve_unit("20005", start=JUNE_2024)):
        compute_scorecard(plan=seed_plan, unit=unit, period=period)
    return seed_plan


@pytest.fixture
def as_user(client, actor):
    """`as_user(role, unit=…)` logs a new account of that role in and returns the client."""
    made = {}

    def login(role=None, **membership):
        name = f"{role or 'viewer'}{len(made)}"
        user = create_user(username=name, password=PASSWORD, actor=actor)
        if role:
            grant_membership(user=user, role=role, actor=actor, **membership)
        made[name] = user
        client.force_login(user)
        return client

    return login


def tiles(page: str) -> dict[str, str]:
    """indicator code -> the tile's HTML."""
    parts = page.split('<li class="tile ')[1:]
    return {
        re.search(r'href="/ke-hoach/1529-kh-ubnd/chi-tieu/([a-z0-9_]+)/', part)[1]: part.split("</li>")[0]
        for part in parts
    }


def test_every_indicator_is_a_tile_with_the_engines_value_target_and_rating(computed, as_user):
    page = as_user("plan_owner", unit=computed.area_unit).get("/").content.decode()
    found = tiles(page)
    stored = IndicatorResult.objects.filter(unit=computed.area_unit, period="2024")
    results = {r.indicator.code: r for r in stored.select_related("indicator")}
    assert set(found) == set(results) and len(found) == 15
    for code, result in results.items():
        tile = found[code]
        assert f"{result.status}" in tile.split('"')[0]  # the tile's class: the rating's colour
        assert str(Status(result.status).label) in tile  # … and its word, never the colour alone
        if result.value is not None:
            assert f"<strong>{format_number(result.value)}</strong>" in tile
    internet = found["internet_users"]
    assert "<strong>95,6</strong> %" in internet  # (39113 + 35021) / (40357 + 37219)
    assert "Kế hoạch ≥ 97 %" in internet and "74.134 / 77.576" in internet
    assert "✗</span> Chưa hoàn thành" in internet
    assert "Không thực hiện" in found["agencies_on_digital_platforms"]  # the province has not deployed
    assert "Chưa có thông tin" in found["bts_site_sharing"]  # no registry items


def test_sparklines_draw_the_trend_and_read_it_out(computed, as_user):
    page = as_user().get("/").content.decode()
    internet = tiles(page)["internet_users"]
    label = re.search(r'<svg class="sparkline"[^>]*aria-label="([^"]*)"', internet)[1]
    assert label.startswith("Xu hướng — Năm 2023: 90,0 %; Quý I/2024: chưa có số liệu;")
    assert label.endswith("Quý IV/2024: chưa có số liệu; Năm 2024: 95,6 %")
    assert "<title>" in internet and 'class="spark-target"' in internet
    assert internet.count('class="spark-dot"') == 2  # 2023 and 2024; the quarters have no value


def test_task_counts_by_state_link_to_the_task_board(computed, as_user):
    page = as_user().get("/").content.decode()
    today = date.today()
    tasks = list(Task.objects.filter(item__plan=computed).select_related("item__condition"))
    assert tasks
    for state, label in Task.STATES.items():
        count = sum(task.state(today) == state for task in tasks)
        assert (
            f'<a href="/ke-hoach/1529-kh-ubnd/nhiem-vu/?state={state}">{label}</a> '
            f'<span class="n">{count}</span>'
            in page
        )
    assert f'Nhiệm vụ <span class="count">{len(tasks)}</span>' in page


def test_reporting_completeness_per_form_for_the_period(computed, as_user, actor):
    form = computed.forms.get(code="ubnd_xa_nam")
    submission = get_submission(form=form, unit=resolve_unit("19996", start=JUNE_2024), operator=None,
                                period="2024", user=COMMAND_LINE, actor=actor)  # fmt: skip
    submit(submission=submission, user=COMMAND_LINE, actor=actor)  # today: long after the deadline
    client = as_user()

    def cells(url):
        row = re.search(rf"<tr><td>{re.escape(form.name)} .*?</tr>", client.get(url).content.decode(), re.S)
        return re.findall(r'<td class="num">([^<]*)</td>', row[0])

    assert cells("/") == ["1 / 9", "0"]  # received / expected, on time
    assert cells("/?period=2023") == ["0 / 9", "0"]


def test_the_latest_incidents_are_those_the_user_may_see(computed, as_user, actor):
    owner = create_user(username="qldt", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=computed.area_unit, actor=actor)
    for address, code in (("Kiệt 12 đường Tứ Hạ", "19996"), ("Thôn 3 xã Hương Toàn", "20005")):
        incident = report_incident(category="damaged", description="Cáp treo bị đứt, rủ xuống đường",
                                   address=address, actor=actor)  # fmt: skip
        triage_incident(incident=incident, status=Incident.Status.ASSIGNED, user=owner, actor=actor,
                        unit=resolve_unit(code, start=JUNE_2024))  # fmt: skip
    page = as_user("commune", unit=resolve_unit("19996", start=JUNE_2024)).get("/").content.decode()
    assert "Kiệt 12 đường Tứ Hạ" in page and "Thôn 3 xã Hương Toàn" not in page
    assert 'Phản ánh mới nhất <span class="count">1</span>' in page
    page = as_user("plan_owner", unit=computed.area_unit).get("/").content.decode()
    assert "Kiệt 12 đường Tứ Hạ" in page and "Thôn 3 xã Hương Toàn" in page
    page = as_user("enterprise", operator=Operator.objects.get(code="viettel")).get("/").content.decode()
    assert "Kiệt 12" not in page and "Không có phản ánh nào dành cho bạn." in page


def test_the_period_unit_and_as_of_switches(computed, as_user):
    client = as_user("plan_owner", unit=computed.area_unit)
    page = client.get("/?period=2024Q3").content.decode()
    assert "Tổng quan · Thị xã Hương Trà · Quý III/2024" in page
    assert "Kết quả tính lúc" in page and "từ dữ liệu phiên bản" in page  # not computed before: now
    assert '<option value="2024Q3" selected>' in page
    page = client.get("/?unit=20005").content.decode()
    assert "Tổng quan · Xã Hương Toàn · Năm 2024" in page and "35.021 / 37.219" in page
    assert 'href="/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=20005"' in page
    # After the 2025 reorganisation: the new communes, each with the figures of those merged into it.
    page = client.get("/?as_of=2025-07-01").content.decode()
    options = re.findall(r'<option value="(\d+)"', page.split('id="switch-unit"')[1].split("</select>")[0])
    assert options == ["19996", "20017", "20035"]
    assert "Phường Kim Trà" in page and "Xã Hương Toàn" not in page.split('id="switch-unit"')[1]
    page = client.get("/?as_of=2025-07-01&unit=20017").content.decode()
    assert "Tổng quan · Phường Kim Trà · Năm 2024" in page
    assert "<strong>94,1</strong>" in tiles(page)["internet_users"] and "35.021 / 37.219" in page
    assert 'href="/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=20017&amp;as_of=2025-07-01"' in page
    indicator = client.get(
        "/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=20017&as_of=2025-07-01"
    ).content.decode()
    assert "Phường Kim Trà" in indicator and "<strong>94,1 %</strong>" in indicator  # computed on read
    assert (
        client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=20017&as_of=01-07-2025").status_code
        == 404
    )
    assert REPORT_LINK.split("?")[0] not in page  # the report API reads the period's units


def test_a_merged_communes_figures_stay_with_the_area(computed, as_user):
    """Kim Trà (2025) holds Hương Toàn's figures: Tứ Hạ's clerk sees neither its rate nor the
    figures — another commune's results are not shown at all (README, Roles and scope)."""
    client = as_user("commune", unit=resolve_unit("19996", start=JUNE_2024))
    page = client.get("/?as_of=2025-07-01&unit=20017").content.decode()
    assert "94,1" not in page and "35.021" not in page and "37.219" not in page
    page = client.get("/?unit=20005").content.decode()
    assert "94,1" not in page and "35.021" not in page
    page = client.get("/?unit=19996").content.decode()
    assert "<strong>96,9</strong>" in page and "39.113 / 40.357" in page  # its own


@pytest.mark.parametrize(
    "query",
    ["period=2099", "period=2024Q5", "period=x", "unit=99999", "unit=20017&as_of=2025-07-01x",
     "as_of=2025-01-01", "as_of=garbage", "as_of=2025-07-01&unit=20005"],
)  # fmt: skip
def test_a_period_unit_or_day_not_offered_is_not_found(computed, as_user, table_counts, query):
    client = as_user()
    before = table_counts()
    response = client.get(f"/?{query}")
    assert response.status_code == 404
    assert table_counts() == before


def test_a_change_shows_at_once_on_an_evaluated_period(computed, as_user, actor):
    """Evaluations are cached until the next compute or write, never longer."""
    client = as_user()
    assert "<strong>90,0</strong>" in tiles(client.get("/?period=2023").content.decode())["internet_users"]
    _set(actor, "internet_users", resolve_unit("19996", start=JUNE_2024), "2023", "38000")
    assert "<strong>95,0</strong>" in tiles(client.get("/?period=2023").content.decode())["internet_users"]


def test_an_htmx_switch_gets_the_fragment_only(computed, as_user):
    client = as_user()
    response = client.get("/?period=2024Q2", HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="dashboard"') and "<html" not in body and "<header" not in body
    assert "Quý II/2024" in body and "HX-Request" in response.headers["Vary"]
    restore = client.get("/?period=2024Q2", HTTP_HX_REQUEST="true", HTTP_HX_HISTORY_RESTORE_REQUEST="true")
    assert "<html" in restore.content.decode()  # going back without a cached page: the whole page
    page = client.get("/").content.decode()
    assert 'hx-get="/ke-hoach/1529-kh-ubnd/" hx-trigger="change"' in page  # the plan's own address
    assert '<form method="get" action="/ke-hoach/1529-kh-ubnd/"' in page  # without JavaScript: a plain form


def test_the_page_stays_within_its_size_budget(computed, as_user):
    page = as_user("plan_owner", unit=computed.area_unit).get("/").content
    assets = [finders.find("web/base.css"), finders.find("django_htmx/htmx-2.min.js")]
    total = len(page) + sum(Path(path).stat().st_size for path in assets)
    assert len(page) < 60_000 and total < 200_000, (len(page), total)


@pytest.mark.parametrize(
    ("role", "offered"),
    [("plan_owner", True), ("leader", True), ("agency", True), ("commune", False), ("enterprise", False),
     (None, False)],
)  # fmt: skip
def test_report_downloads_are_offered_to_the_roles_that_may_download(computed, as_user, role, offered):
    membership = {
        "plan_owner": {"unit": computed.area_unit},
        "leader": {"unit": computed.area_unit},
        "agency": {"unit": computed.area_unit, "agency": Agency.objects.get(code="phong_qldt")},
        "commune": {"unit": resolve_unit("19996", start=JUNE_2024)},
        "enterprise": {"operator": Operator.objects.get(code="viettel")},
        None: {},
    }[role]
    page = as_user(role, **membership).get("/").content.decode()
    links = re.findall(r'href="(/api/v1/plans/1529-kh-ubnd/report\.\w+\?[^"]*)"', page)
    assert links == ([REPORT_LINK.replace("docx", f) for f in ("docx", "pdf", "xlsx")] if offered else [])
