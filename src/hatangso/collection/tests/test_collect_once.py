"""Collect once (issue 17 item 4): phường Tứ Hạ (19996) is covered by the seed plan of thị xã Hương
Trà (480) and by a province plan (46) whose commune form asks some of the same figures and one of
its own. The clerk's entry asks each figure once; the value serves both plans' scorecards; each
plan's report is its owner's to approve, and approved data stays locked through the other plan."""

from datetime import date

import pytest

from hatangso.analytics.selectors import scorecard
from hatangso.collection import workflow
from hatangso.collection.models import DataElement, DataValue, Submission
from hatangso.collection.services import enter_value
from hatangso.core.changelog import Actor
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.services import load_plan
from hatangso.utilities.errors import Conflict
from hatangso.utilities.periods import parse_period

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"
SEED, PROVINCE = "1529/KH-UBND", "159/KH-UBND"
PROVINCE_FILE = """\
plan:
  code: "159/KH-UBND"
  title: "Kế hoạch minh họa phát triển hạ tầng số tỉnh Thừa Thiên Huế năm 2024"
  issued_on: 2024-04-15
  issuer: "UBND tỉnh Thừa Thiên Huế"
  area_unit: "46"
  year: 2024
  period: "2024"
  illustrative: true
data_elements:
  - {code: commune_public_wifi_points, name: "Số điểm Wi-Fi công cộng miễn phí", value_type: count,
     aggregation: last, unit: "điểm", reporter: commune}
forms:
  - code: xa_nam
    name: "Biểu năm của xã, phường cho kế hoạch tỉnh"
    reporter: commune
    period_type: yearly
    elements: [population, internet_users, households, households_ftth, commune_public_wifi_points]
indicators:
  - {code: internet_users, target: 80}
  - {code: household_fiber, target: 70}
"""
SHARED = ["population", "internet_users", "households", "households_ftth"]


@pytest.fixture
def province(seed_plan, actor, tmp_path):
    path = tmp_path / "tinh.yaml"
    path.write_text(PROVINCE_FILE, encoding="utf-8")
    return load_plan(path=path, actor=actor, user=COMMAND_LINE).plan


def person(name: str, role: str, unit_code: str, actor):
    user = create_user(username=name, password=PASSWORD, actor=actor)
    grant_membership(user=user, role=role, unit=resolve_unit(unit_code, start=JUNE_2024), actor=actor)
    return user


@pytest.fixture
def tu_ha():
    return resolve_unit("19996", start=JUNE_2024)


@pytest.fixture
def clerk(province, tu_ha, actor, client):
    user = person("tuha", "commune", "19996", actor)
    client.force_login(user)
    return user


def url(plan, code="ubnd_xa_nam"):
    return f"/nhap-lieu/{plan.forms.get(code=code).pk}/2024/"


def key(unit, code):
    return f"{unit.pk}-{DataElement.objects.get(code=code).pk}"


def uses(page: str, unit, code: str) -> str:
    """The "dùng cho" note of a figure's row."""
    row = page.split(f'<label for="v-{key(unit, code)}">', 1)[1].split("</td>", 1)[0]
    return row.split('<small class="meta uses">', 1)[1].split("</small>", 1)[0].strip()


def enter(client, address, values: dict, unit, action="save"):
    """Post the entry as the page does: each value with the version the page showed."""
    posted = {"action": action, "confirmed": "1"}  # a submit as confirmed on its confirmation page
    for code, value in values.items():
        stored = DataValue.objects.filter(data_element__code=code, unit=unit, period="2024").first()
        posted[f"value-{key(unit, code)}"] = value
        posted[f"version-{key(unit, code)}"] = stored.version if stored else ""
    return client.post(address, posted)


def test_the_clerk_is_asked_each_figure_once_for_both_plans(clerk, seed_plan, province, tu_ha, client):
    page = client.get("/nhap-lieu/").content.decode()
    assert page.count('<section class="card">') == 1  # one yearly entry, not one per plan
    assert "Số liệu hằng năm của Phường Tứ Hạ" in page
    assert "Biểu báo cáo năm của UBND xã, phường về hạ tầng số · Kế hoạch 1529/KH-UBND (2024)" in page
    assert "Biểu năm của xã, phường cho kế hoạch tỉnh · Kế hoạch 159/KH-UBND (2024)" in page
    periods = page.split('<ul class="periods">', 1)[1].split("</ul>", 1)[0]
    assert periods.count("<li>") == 1 and f'href="{url(seed_plan)}?r=0"' in periods
    assert "1529/KH-UBND: Chưa báo cáo" in periods and "159/KH-UBND: Chưa báo cáo" in periods

    response = client.get(url(seed_plan))
    entry = response.content.decode()
    # The same entry whichever plan's form opens it.
    other = client.get(f"{url(province, 'xa_nam')}?r=0").context["rows"]
    assert [(r.key, r.plans) for r in other] == [(r.key, r.plans) for r in response.context["rows"]]
    assert "Số liệu kỳ Năm 2024 của Phường Tứ Hạ" in entry
    seed_codes = list(seed_plan.forms.get(code="ubnd_xa_nam").elements.values_list("code", flat=True))
    commune_codes = [c for c in seed_codes if not c.startswith("village_")] + ["commune_public_wifi_points"]
    for code in commune_codes:
        assert entry.count(f'name="value-{key(tu_ha, code)}"') == 1, code
    assert entry.count('name="value-') == len(commune_codes)  # Tứ Hạ has no village in this world
    for code in SHARED:
        assert uses(entry, tu_ha, code) == "dùng cho: KH 1529/KH-UBND, KH 159/KH-UBND", code
    assert uses(entry, tu_ha, "adult_population") == "dùng cho: KH 1529/KH-UBND"
    assert uses(entry, tu_ha, "commune_public_wifi_points") == "dùng cho: KH 159/KH-UBND"


def test_one_value_entered_serves_both_plans_scorecards(clerk, seed_plan, province, tu_ha, client):
    response = enter(
        client,
        f"{url(province, 'xa_nam')}?r=0",
        {"population": "20000", "internet_users": "15000", "commune_public_wifi_points": "4"},
        tu_ha,
    )
    assert response.status_code == 302
    assert "Đã lưu 3 giá trị (bản nháp)." in client.get(response.url).content.decode()
    assert DataValue.objects.filter(data_element__code="population", unit=tu_ha).count() == 1
    period = parse_period("2024")
    for plan in (seed_plan, province):
        card = scorecard(plan=plan, unit=tu_ha, period=period)
        row = next(e for e in card.evaluations if e.indicator.code == "internet_users")
        assert (row.numerator, row.denominator, row.value) == (15000, 20000, 75), plan.code
    # Entered through the province's form, shown on the district's.
    entry = client.get(url(seed_plan)).content.decode()
    assert f'id="v-{key(tu_ha, "population")}" name="value-{key(tu_ha, "population")}" value="20000"' in entry


def test_submitting_sends_each_plans_report(clerk, seed_plan, province, tu_ha, client):
    response = enter(client, url(seed_plan), {"population": "20000", "households": "5000"}, tu_ha, "submit")
    page = client.get(response.url).content.decode()
    assert "Đã lưu 2 giá trị và gửi 2 báo cáo (kế hoạch 1529/KH-UBND, 159/KH-UBND)." in page
    reports = {s.form.plan.code: s.status for s in Submission.objects.filter(unit=tu_ha, period="2024")}
    assert reports == {SEED: "submitted", PROVINCE: "submitted"}
    assert page.count("disabled") == page.count('name="value-') > 0  # sent: nothing is asked now
    population = DataValue.objects.get(data_element__code="population")
    enter(client, url(seed_plan), {"population": "1"}, tu_ha)
    population.refresh_from_db()
    assert (population.value, population.version) == (20000, 1)


def test_an_approved_figure_stays_locked_through_the_other_plans_form(
    clerk, seed_plan, province, tu_ha, actor, client
):
    district_owner = person("vhtt", "plan_owner", "480", actor)
    province_owner = person("sokhcn", "plan_owner", "46", actor)
    enter(client, url(seed_plan), {"population": "20000", "adult_population": "15000"}, tu_ha, "submit")
    reports = {s.form.plan.code: s for s in Submission.objects.filter(unit=tu_ha, period="2024")}
    workflow.approve(
        submission=reports[PROVINCE], user=province_owner, actor=Actor.command("test", user=province_owner)
    )
    workflow.return_submission(
        submission=reports[SEED],
        comment="Bổ sung số hộ",
        user=district_owner,
        actor=Actor.command("test", user=district_owner),
    )

    # The district's report is open again, but population is in the province's approved report.
    page = client.get(url(seed_plan)).content.decode()
    locked_note = "Đã có trong báo cáo đã duyệt của KH 159/KH-UBND: không sửa ở đây."
    assert locked_note in uses(page, tu_ha, "population")
    assert (
        f'name="value-{key(tu_ha, "population")}" value="20000" inputmode="decimal" size="10" disabled'
        in page
    )
    assert (
        f'name="value-{key(tu_ha, "adult_population")}" value="15000" inputmode="decimal" size="10">' in page
    )
    response = enter(client, url(seed_plan), {"population": "1", "adult_population": "14000"}, tu_ha)
    assert response.status_code == 302
    values = {v.data_element.code: v.value for v in DataValue.objects.select_related("data_element")}
    assert values == {"population": 20000, "adult_population": 14000}
    # Nor through the service the API calls, with the version the clerk saw.
    population = DataValue.objects.get(data_element__code="population")
    with pytest.raises(Conflict) as refused:
        enter_value(
            user=clerk, actor=Actor.command("test", user=clerk), element_code="population", unit_code="19996",
            period="2024", value="1", version=population.version,
        )  # fmt: skip
    assert refused.value.en.startswith("The value belongs to an approved report (xa_nam 2024 Phường Tứ Hạ")
    population.refresh_from_db()
    assert (population.value, population.version) == (20000, 1)

    # Once the district approves its report too, re-opening the province's does not unlock it.
    enter(client, url(seed_plan), {}, tu_ha, "submit")
    assert Submission.objects.get(pk=reports[SEED].pk).status == "submitted"
    workflow.approve(
        submission=reports[SEED], user=district_owner, actor=Actor.command("test", user=district_owner)
    )
    workflow.reopen(
        submission=reports[PROVINCE], reason="Sửa số điểm Wi-Fi", user=province_owner,
        actor=Actor.command("test", user=province_owner),
    )  # fmt: skip
    page = client.get(url(seed_plan)).content.decode()
    assert "Đã có trong báo cáo đã duyệt của KH 1529/KH-UBND: không sửa ở đây." in uses(
        page, tu_ha, "population"
    )
    assert (
        f'name="value-{key(tu_ha, "commune_public_wifi_points")}" value="" inputmode="decimal" size="10">'
        in page
    )
    with pytest.raises(Conflict) as refused:
        enter_value(
            user=clerk, actor=Actor.command("test", user=clerk), element_code="population", unit_code="19996",
            period="2024", value="1", version=population.version,
        )  # fmt: skip
    assert "(ubnd_xa_nam 2024 Phường Tứ Hạ (19996): Đã duyệt)" in refused.value.en
    assert DataValue.objects.get(data_element__code="population").value == 20000


def test_the_clerks_to_do_names_the_report_still_to_send_not_the_approved_one(
    clerk, seed_plan, province, tu_ha, actor, client
):
    """One entry serves both plans' reports: with the district's approved and the province's not
    begun (its plan came later), the home page lists the entry as to send, as not reported."""
    district_owner = person("vhtt", "plan_owner", "480", actor)
    enter(client, url(seed_plan), {"population": "20000", "households": "5000"}, tu_ha, "submit")
    reports = {s.form.plan.code: s for s in Submission.objects.filter(unit=tu_ha, period="2024")}
    workflow.approve(submission=reports[SEED], user=district_owner,
                     actor=Actor.command("test", user=district_owner))  # fmt: skip
    reports[PROVINCE].delete()
    [to_send] = [t for t in client.get("/").context["todo"] if t.key == "bao-cao"]
    [item] = to_send.items
    assert item.note.startswith("Chưa báo cáo ·"), item.note
