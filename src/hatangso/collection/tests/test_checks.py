"""Validation rules and outlier checks, as a reporter sees them before submitting."""

from datetime import date

from django.core.management import call_command

from hatangso.collection.checks import outliers, rule_violations
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator
from hatangso.utilities.periods import parse_period

Y2024 = parse_period("2024")


def put(actor, code, unit_code, period, value, operator=None):
    set_value(
        element=DataElement.objects.get(code=code),
        unit=resolve_unit(unit_code, start=date(2024, 6, 1)),
        period=period,
        value=str(value),
        actor=actor,
        operator=Operator.objects.get(code=operator) if operator else None,
    )


def test_broken_rules_are_reported_with_both_sides(seed_plan, actor):
    put(actor, "households", "20005", "2024", 1000)
    put(actor, "households_ftth", "20005", "2024", 1200)
    put(actor, "population", "20005", "2024", 5000)  # internet_users missing: that rule is not judged
    [violation] = rule_violations(
        seed_plan, resolve_unit("20005", start=date(2024, 6, 1)), Y2024, user=COMMAND_LINE
    )
    assert violation.rule.code == "ftth_households_within_households"
    assert (violation.left, violation.right) == (1200, 1000)
    assert str(violation) == (  # a sentence in words, both numbers in Vietnamese format
        "Số hộ có cáp quang không vượt quá tổng số hộ: Số hộ gia đình có truy nhập Internet băng rộng cáp "
        "quang là 1.200, phải không lớn hơn (≤) Tổng số hộ gia đình là 1.000."
    )
    assert violation.elements == {"households_ftth", "households"}
    assert (
        rule_violations(seed_plan, resolve_unit("20008", start=date(2024, 6, 1)), Y2024, user=COMMAND_LINE)
        == []
    )


def test_rules_per_operator(seed_plan, actor):
    put(actor, "mobile_subscriptions", "20005", "202403", 100, "viettel")
    put(actor, "smartphone_subscriptions", "20005", "202403", 150, "viettel")
    put(actor, "mobile_subscriptions", "20005", "202403", 900, "vnpt")
    put(actor, "smartphone_subscriptions", "20005", "202403", 100, "vnpt")
    unit = resolve_unit("20005", start=date(2024, 6, 1))
    march = parse_period("202403")
    assert rule_violations(seed_plan, unit, march, user=COMMAND_LINE) == []  # together the sums look fine
    [violation] = rule_violations(
        seed_plan, unit, march, Operator.objects.get(code="viettel"), user=COMMAND_LINE
    )
    assert violation.rule.code == "smartphone_within_subscriptions"
    assert rule_violations(seed_plan, unit, march, Operator.objects.get(code="vnpt"), user=COMMAND_LINE) == []


def test_values_far_from_their_own_history_are_outliers(seed_plan, actor):
    for year, population in ((2021, 9800), (2022, 9900), (2023, 10000), (2024, 21000)):
        put(actor, "population", "19996", str(year), population)
    put(actor, "households", "19996", "2023", 2500)
    put(actor, "households", "19996", "2024", 2600)
    put(actor, "mobile_subscriptions", "19996", "202402", 1000, "viettel")
    found = outliers(resolve_unit("19996", start=date(2024, 6, 1)), Y2024, user=COMMAND_LINE)
    assert [(o.value.data_element.code, o.value.period, o.median, o.history) for o in found] == [
        ("population", "2024", 9900, 3)
    ]
    assert str(found[0]) == (  # the element's and unit's names, the period and numbers as people write them
        "Dân số — Phường Tứ Hạ, Năm 2024: 21.000, cao hơn nhiều so với các kỳ trước "
        "(trung vị 9.900 của 3 kỳ)."
    )


def test_the_check_command_writes_outliers_in_words(seed_plan, actor, capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")  # one line per row: the table would wrap its cells
    for month, subscriptions in (("202401", 1500), ("202402", 1600), ("202403", 100)):
        put(actor, "mobile_subscriptions", "19996", month, subscriptions, "viettel")
    call_command("validate", period="202403", unit="19996")
    out = capsys.readouterr().out
    assert "Data checks · 1529/KH-UBND · Tháng 03/2024" in out
    assert (
        "Tổng số thuê bao điện thoại di động — Phường Tứ Hạ, Viettel, Tháng 03/2024: 100, thấp hơn nhiều so "
        "với các kỳ trước (trung vị 1.550 của 2 kỳ)."
    ) in out
    assert "Viettel" in out and "mobile_subscriptions" not in out and "202403" not in out
