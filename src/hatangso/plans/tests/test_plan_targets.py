"""A plan file's per-year targets (`targets`) and the targets it hands down to areas below its own
(`assigned`, giao chỉ tiêu): what they store, what a reload changes and logs, and the errors a bad
year or area gives with nothing written."""

import copy
import json
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command

from hatangso.analytics.tests.test_targets import DISTRICT, PROVINCE
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.plans.models import IndicatorTarget, Plan
from hatangso.plans.services import load_plan
from hatangso.utilities.errors import UserError

PLAN = {
    "plan": {
        "code": "98/KH-TEST",
        "title": "Kế hoạch minh họa giai đoạn 2024–2025 (không phải văn bản ban hành)",
        "issued_on": "2024-03-01",
        "issuer": "UBND thị xã Hương Trà",
        "area_unit": "480",
        "year": 2024,
        "end_year": 2025,
        "period": "2024",
        "illustrative": True,
    },
    "indicators": [
        {
            "code": "only_2g_subscription_share",
            "target": 5,
            "targets": {2024: 8, 2025: 5},
            "assigned": {"19996": 4, "20005": {2024: 10, 2025: 6}},
        },
        {"code": "mobile_broadband_subscriptions_per_100", "target": 80},
    ],
}


def write(tmp_path, data, name="ke-hoach-chi-tieu.yaml"):
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def stored_targets(plan: Plan) -> set[tuple]:
    return {
        (t.indicator.code, t.year, t.unit.code if t.unit else None, t.value)
        for t in IndicatorTarget.objects.filter(indicator__plan=plan).select_related("indicator", "unit")
    }


def test_year_and_area_targets_are_stored(reference_units, actor, tmp_path):
    plan = load_plan(path=write(tmp_path, PLAN), actor=actor, user=COMMAND_LINE).plan
    assert (plan.year, plan.end_year, plan.illustrative) == (2024, 2025, True)
    assert stored_targets(plan) == {
        ("only_2g_subscription_share", 2024, None, Decimal(8)),
        ("only_2g_subscription_share", 2025, None, Decimal(5)),
        ("only_2g_subscription_share", None, "19996", Decimal(4)),
        ("only_2g_subscription_share", 2024, "20005", Decimal(10)),
        ("only_2g_subscription_share", 2025, "20005", Decimal(6)),
    }
    assigned = IndicatorTarget.objects.get(indicator__plan=plan, unit__code="19996")
    assert assigned.unit.parent.code == "480"  # the 2024 commune, not the post-2025 phường


def test_reloading_the_same_file_logs_nothing(reference_units, actor, tmp_path):
    path = write(tmp_path, PLAN)
    load_plan(path=path, actor=actor, user=COMMAND_LINE)
    before = ChangeLogEntry.objects.count()
    load_plan(path=path, actor=actor, user=COMMAND_LINE)
    assert ChangeLogEntry.objects.count() == before


def test_a_reload_updates_changed_targets_and_deletes_dropped_ones(reference_units, actor, tmp_path):
    plan = load_plan(path=write(tmp_path, PLAN), actor=actor, user=COMMAND_LINE).plan
    dropped = IndicatorTarget.objects.get(indicator__plan=plan, unit__code="19996")
    changed = IndicatorTarget.objects.get(indicator__plan=plan, year=2024, unit=None)
    edited = copy.deepcopy(PLAN)
    spec = edited["indicators"][0]
    spec["targets"][2024] = 7
    del spec["assigned"]["19996"]
    first_new_log = ChangeLogEntry.objects.order_by("-id").values_list("id", flat=True).first() + 1

    load_plan(path=write(tmp_path, edited), actor=actor, user=COMMAND_LINE)

    assert stored_targets(plan) == {
        ("only_2g_subscription_share", 2024, None, Decimal(7)),
        ("only_2g_subscription_share", 2025, None, Decimal(5)),
        ("only_2g_subscription_share", 2024, "20005", Decimal(10)),
        ("only_2g_subscription_share", 2025, "20005", Decimal(6)),
    }
    entries = ChangeLogEntry.objects.filter(id__gte=first_new_log).order_by("id")
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        (ChangeLogEntry.Action.UPDATE, "plans.indicatortarget", str(changed.pk)),
        (ChangeLogEntry.Action.DELETE, "plans.indicatortarget", str(dropped.pk)),
    ]
    assert Decimal(entries[0].before["value"]) == 8 and Decimal(entries[0].after["value"]) == 7


def _year_outside(data):
    data["indicators"][0]["targets"][2026] = 4


def _assigned_year_outside(data):
    data["indicators"][0]["assigned"]["20005"][2023] = 12


def _end_before_start(data):
    data["plan"]["end_year"] = 2023
    data["indicators"][0]["targets"] = {}
    data["indicators"][0]["assigned"] = {"19996": 4}


def _unknown_unit(data):
    data["indicators"][0]["assigned"]["99999"] = 3


def _unit_outside(data):
    data["indicators"][0]["assigned"]["19777"] = 3  # phường Vỹ Dạ, quận Thuận Hóa


def _the_area_itself(data):
    data["indicators"][0]["assigned"]["480"] = 3


def _unit_of_another_time(data):
    data["indicators"][0]["assigned"]["19810"] = 3  # phường Hương Long until 2025, Kim Long after


def _unit_code_unquoted(data):
    data["indicators"][0]["assigned"][20041] = 3


WHERE = "indicators[only_2g_subscription_share]"
INVALID = "Tệp kế hoạch ke-hoach-chi-tieu.yaml có lỗi: "
INVALID_EN = "Plan file ke-hoach-chi-tieu.yaml is invalid: "
BAD = {
    "year outside the plan": (
        _year_outside,
        f"{INVALID}{WHERE}.targets: năm 2026 nằm ngoài thời gian của kế hoạch (2024–2025)",
        f"{INVALID_EN}{WHERE}.targets: the year 2026 is outside the plan's years (2024–2025)",
    ),
    "assigned year outside the plan": (
        _assigned_year_outside,
        f"{INVALID}{WHERE}.assigned: năm 2023 nằm ngoài thời gian của kế hoạch (2024–2025)",
        f"{INVALID_EN}{WHERE}.assigned: the year 2023 is outside the plan's years (2024–2025)",
    ),
    "end year before the start": (
        _end_before_start,
        f"{INVALID}plan.end_year: năm kết thúc 2023 trước năm bắt đầu 2024",
        f"{INVALID_EN}plan.end_year: the end year 2023 is before the start year 2024",
    ),
    "unknown unit": (
        _unknown_unit,
        f"{WHERE}.assigned: Không có đơn vị hành chính mã 99999",
        f"{WHERE}.assigned: No administrative unit has code 99999",
    ),
    "unit outside the area": (
        _unit_outside,
        f"{WHERE}.assigned: Phường Vỹ Dạ (19777) không phải địa bàn cấp dưới thuộc Thị xã Hương Trà",
        f"{WHERE}.assigned: Phường Vỹ Dạ (19777) is not an area below Thị xã Hương Trà",
    ),
    "the plan's own area": (
        _the_area_itself,
        f"{WHERE}.assigned: Thị xã Hương Trà (480) không phải địa bàn cấp dưới thuộc Thị xã Hương Trà",
        f"{WHERE}.assigned: Thị xã Hương Trà (480) is not an area below Thị xã Hương Trà",
    ),
    "a unit of another district on the plan's date": (
        _unit_of_another_time,
        f"{WHERE}.assigned: Phường Hương Long (19810) không phải địa bàn cấp dưới thuộc Thị xã Hương Trà",
        f"{WHERE}.assigned: Phường Hương Long (19810) is not an area below Thị xã Hương Trà",
    ),
    "unit code not quoted": (
        _unit_code_unquoted,
        f"{INVALID}{WHERE}.assigned.20041.[key]: phải là chuỗi ký tự",
        f"{INVALID_EN}{WHERE}.assigned.20041.[key]: Input should be a valid string",
    ),
}


@pytest.mark.parametrize("case", BAD)
def test_a_bad_target_is_refused_and_nothing_is_written(case, reference_units, actor, tmp_path, table_counts):
    mutate, vi, en = BAD[case]
    data = copy.deepcopy(PLAN)
    mutate(data)
    path = write(tmp_path, data)
    before = table_counts()
    with pytest.raises(UserError) as caught:
        load_plan(path=path, actor=actor, user=COMMAND_LINE)
    assert (caught.value.vi, caught.value.en) == (vi, en)
    assert table_counts() == before


def test_plan_list_json_shows_levels_years_and_links(reference_units, actor, tmp_path, capsys):
    province = load_plan(path=write(tmp_path, PROVINCE, "tinh.yaml"), actor=actor, user=COMMAND_LINE).plan
    district = load_plan(path=write(tmp_path, DISTRICT, "huyen.yaml"), actor=actor, user=COMMAND_LINE).plan
    capsys.readouterr()
    call_command("plan", "list", "--json")
    listed = {p["slug"]: p for p in json.loads(capsys.readouterr().out)}
    assert listed[province.slug] == {
        "code": "97/KH-TEST",
        "slug": "97-kh-test",
        "title": PROVINCE["plan"]["title"],
        "area": {"code": "46", "name": "Thành phố Huế"},
        "level": "province",
        "year": 2024,
        "end_year": 2025,
        "period": "2024",
        "parent": None,
        "children": ["96-kh-test"],
        "illustrative": True,
        "indicators": 3,
    }
    assert {
        key: listed[district.slug][key] for key in ("level", "year", "end_year", "parent", "children")
    } == {
        "level": "district",
        "year": 2024,
        "end_year": None,
        "parent": "97-kh-test",
        "children": [],
    }
