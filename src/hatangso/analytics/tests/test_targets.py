"""The target each evaluation compares with (engine.PlanTargets): a target assigned to an area, a
year's target of a multi-year plan, a child plan's own target over the parent's, the parent's where
the child has none; and a stored status follows a target changed by a plan reload."""

import copy
import json
from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command

from hatangso.analytics.engine import PlanTargets, evaluate_plan
from hatangso.analytics.selectors import scorecard
from hatangso.analytics.services import compute_scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.services import load_plan
from hatangso.registry.models import Operator
from hatangso.utilities.periods import parse_period

JUNE_2024 = date(2024, 6, 1)
Y2024 = parse_period("2024")

# A province plan of two years (2024: ≤ 8 % only on 2G, 2025: < 5 %), handing 7 % down to quận
# Thuận Hóa (474), and the district plan of thị xã Hương Trà (480) under it, with its own target (4 %)
# and 5 % handed down to two of its communes.
PROVINCE = {
    "plan": {
        "code": "97/KH-TEST",
        "title": "Kế hoạch minh họa cấp tỉnh 2024–2025 (không phải văn bản ban hành)",
        "issued_on": "2024-02-01",
        "issuer": "UBND tỉnh Thừa Thiên Huế",
        "area_unit": "46",
        "year": 2024,
        "end_year": 2025,
        "period": "2024",
        "illustrative": True,
    },
    "indicators": [
        {"code": "only_2g_subscription_share", "target": 5, "targets": {2024: 8}, "assigned": {"474": 7}},
        {"code": "mobile_broadband_subscriptions_per_100", "target": 80},
        {"code": "fixed_download_median", "target": 100},
    ],
}
DISTRICT = {
    "plan": {
        "code": "96/KH-TEST",
        "title": "Kế hoạch minh họa của thị xã Hương Trà 2024 (không phải văn bản ban hành)",
        "issued_on": "2024-03-01",
        "issuer": "UBND thị xã Hương Trà",
        "area_unit": "480",
        "year": 2024,
        "period": "2024",
        "parent": {"code": "97/KH-TEST"},
        "illustrative": True,
    },
    "indicators": [
        {"code": "only_2g_subscription_share", "target": 4, "assigned": {"19996": 5, "20005": 5}},
        {"code": "mobile_broadband_subscriptions_per_100", "target": 70},
    ],
}
# Subscriptions only on 2G per 1,000 mobile subscriptions, by commune: 4,9 %, 5,1 %, 5,1 %, and
# 6 % in phường Hương Long (quận Phú Xuân, 475).
ONLY_2G = {"19996": 49, "20005": 51, "20041": 51, "19810": 60}
ONLY_2G_CODE = "only_2g_subscription_share"


def load(tmp_path, actor, data: dict):
    path = tmp_path / f"{data['plan']['code'].split('/')[0]}.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return load_plan(path=path, actor=actor, user=COMMAND_LINE).plan


@pytest.fixture
def plans(reference_units, actor, tmp_path):
    """The province plan and its child plan, with the communes' 2G figures of 2024."""
    province = load(tmp_path, actor, PROVINCE)
    district = load(tmp_path, actor, DISTRICT)
    viettel = Operator.objects.get(code="viettel")
    for code, only_2g in ONLY_2G.items():
        unit = resolve_unit(code, start=JUNE_2024)
        for element, value in (("mobile_subscriptions", 1000), ("subscriptions_2g_only", only_2g)):
            set_value(element=DataElement.objects.get(code=element), unit=unit, period="2024",
                      value=str(value), actor=actor, operator=viettel)  # fmt: skip
    return province, district


def unit(code: str):
    return resolve_unit(code, start=JUNE_2024)


def evaluation(plan, code: str, period=Y2024, indicator: str = ONLY_2G_CODE):
    return next(e for e in evaluate_plan(plan, unit(code), period) if e.indicator.code == indicator)


def test_lower_is_better_with_an_assigned_target_is_met_at_4_9_and_not_at_5_1(plans):
    _province, district = plans
    found = {code: evaluation(district, code) for code in ("19996", "20005", "20041")}
    assert {code: (e.value, e.target, e.status) for code, e in found.items()} == {
        "19996": (pytest.approx(4.9), Decimal(5), "achieved"),  # its assigned 5 %, not the plan's 4 %
        "20005": (pytest.approx(5.1), Decimal(5), "not_achieved"),
        "20041": (pytest.approx(5.1), Decimal(4), "not_achieved"),  # nothing assigned: the plan's 4 %
    }


def test_a_year_target_applies_to_its_year_and_the_final_target_to_the_others(plans):
    province, _district = plans
    hương_long = evaluation(province, "19810")  # quận Phú Xuân: no child plan, nothing assigned
    assert (hương_long.value, hương_long.target, hương_long.status) == (
        pytest.approx(6),
        Decimal(8),
        "achieved",
    )
    indicator = province.indicators.get(code=ONLY_2G_CODE)
    targets = PlanTargets(province)
    assert targets.target(indicator, province.area_unit, 2024) == 8
    assert targets.target(indicator, province.area_unit, 2025) == 5  # no 2025 entry: the final target
    assert evaluation(province, "19810", parse_period("2024Q3")).target == 8  # a quarter: its year's


def test_a_child_plan_gives_its_own_target_and_inherits_the_parents_where_it_has_none(plans):
    province, _district = plans
    targets = PlanTargets(province)
    only_2g, per_100, speed = (
        province.indicators.get(code=code)
        for code in (ONLY_2G_CODE, "mobile_broadband_subscriptions_per_100", "fixed_download_median")
    )
    assert targets.target(only_2g, unit("480"), 2024) == 4  # the child plan's own target
    assert targets.target(only_2g, unit("480"), 2025) == 5  # the child plan is of 2024 only
    assert targets.target(only_2g, unit("19996"), 2024) == 5  # … and what the child plan assigned
    assert targets.target(only_2g, unit("20041"), 2024) == 4
    assert targets.target(only_2g, unit("474"), 2025) == 7  # assigned by the province, every year
    assert targets.target(per_100, unit("480"), 2024) == 70
    assert targets.target(per_100, unit("474"), 2024) == 80  # no child plan for 474
    assert targets.target(speed, unit("480"), 2024) == 100  # the child plan has no speed target
    # The province's view of the district compares 5,03 % with the district's own 4 %, not its 8 %.
    district_row = evaluation(province, "480")
    assert (district_row.value, district_row.target, district_row.status) == (
        pytest.approx(151 / 30),
        Decimal(4),
        "not_achieved",
    )


def test_targets_are_read_in_a_fixed_number_of_queries(plans, django_assert_max_num_queries):
    province, _district = plans
    with django_assert_max_num_queries(4):  # child plans per level (2), their indicators, the targets
        targets = PlanTargets(province)
    indicators, districts = list(province.indicators.all()), [unit("474"), unit("480"), unit("19996")]
    with django_assert_max_num_queries(0):
        found = [targets.target(i, u, 2024) for i in indicators for u in districts]
    assert found == [7, 4, 5, 80, 70, 70, 100, 100, 100]


def test_a_reloaded_target_changes_the_stored_status(plans, actor, tmp_path, client):
    _province, district = plans
    hương_toàn = unit("20005")
    compute_scorecard(plan=district, unit=hương_toàn, period=Y2024)
    row = next(r for r in scorecard(plan=district, unit=hương_toàn, period=Y2024).as_json()["indicators"]
               if r["code"] == ONLY_2G_CODE)  # fmt: skip
    assert (row["target"], row["status"]) == (5, "not_achieved")

    edited = copy.deepcopy(DISTRICT)
    edited["indicators"][0]["assigned"]["20005"] = 6
    load(tmp_path, actor, edited)

    card = scorecard(plan=district, unit=hương_toàn, period=Y2024).as_json()
    row = next(r for r in card["indicators"] if r["code"] == ONLY_2G_CODE)
    assert (row["target"], row["status"]) == (6, "achieved")
    owner = create_user(username="owner", password="a long passphrase 2024", actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=district.area_unit, actor=actor)
    client.force_login(owner)
    api = client.get(f"/api/v1/plans/{district.slug}/scorecard?unit=20005").json()
    row = next(r for r in api["indicators"] if r["code"] == ONLY_2G_CODE)
    assert (row["target"], row["status"]) == (6, "achieved")
    tile = client.get(f"/ke-hoach/{district.slug}/?unit=20005").content.decode()
    tile = tile.split('<li class="tile ')[1:]
    only_2g = next(t for t in tile if "Tỷ lệ thuê bao di động chỉ sử dụng 2G" in t)
    assert only_2g.startswith("achieved") and '<p class="tile-target">Kế hoạch &lt; 6 %</p>' in only_2g
    assert evaluation(district, "19996").target == 5  # untouched: its own assigned target


def test_a_plan_of_the_old_units_is_viewed_on_todays_through_the_crosswalk(plans, capsys):
    """The 2024 district plan on phường Hương Trà (from 1 July 2025: Tứ Hạ, Hương Văn, Hương Vân…):
    its figures roll up through the crosswalk, against the plan's own target."""
    call_command("compute", "--plan", "96/KH-TEST", "--period", "2024", "--unit", "19996",
                 "--as-of", "2025-07-01", "--json")  # fmt: skip
    card = json.loads(capsys.readouterr().out)
    assert card["unit"] == {"code": "19996", "name": "Phường Hương Trà"}
    row = next(r for r in card["indicators"] if r["code"] == ONLY_2G_CODE)
    # Only Tứ Hạ (4,9 %) reported: today's phường is compared with the plan's own 4 %, as the
    # target assigned to Tứ Hạ was handed to a unit that no longer exists.
    assert (row["value"], row["target"], row["comparison"], row["status"]) == (4.9, 4, "<", "not_achieved")
