"""The national indicator catalog: the shipped file loaded once with every field, `catalog list`,
bad entries refused, plans picking entries by code, lower-is-better targets, units of measure."""

import io
import json
from datetime import date
from decimal import Decimal

import pytest
import yaml
from django.core.management import call_command

from hatangso.analytics.engine import evaluate_plan
from hatangso.catalog.catalogfile import CATALOG_FILE, read_catalog
from hatangso.catalog.models import CatalogIndicator
from hatangso.catalog.services import load_catalog
from hatangso.collection.models import DataElement, ReportForm
from hatangso.collection.services import set_value
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.planfile import read_plan_file
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
from hatangso.registry.models import Operator
from hatangso.reports.narrative import indicator_sentence
from hatangso.utilities.errors import UserError
from hatangso.utilities.numbers import format_amount
from hatangso.utilities.periods import parse_period
from hatangso.utilities.testing import run_cli

UNITS = {"%", "Mb/s", "per 100 inhabitants", "per person", "count"}
NATIONAL = {
    "mobile_broadband_subscriptions_per_100": ("per 100 inhabitants", "higher"),
    "fixed_broadband_subscriptions_per_100": ("per 100 inhabitants", "higher"),
    "fixed_download_median": ("Mb/s", "higher"),
    "mobile_download_median": ("Mb/s", "higher"),
    "only_2g_subscription_share": ("%", "lower"),
    "cloud_accounts_per_person": ("per person", "higher"),
    "agencies_on_infrastructure_platforms": ("%", "higher"),
    "enterprises_on_infrastructure_platforms": ("%", "higher"),
    "population_5g_coverage": ("%", "higher"),
    "fixed_1gbps_subscription_share": ("%", "higher"),
    "iot_connections_per_person": ("per person", "higher"),
    "bts_5g_stations": ("count", "higher"),
}


def test_the_catalog_loads_every_entry_with_every_field_once(db, actor, table_counts):
    summary = load_catalog(actor=actor)

    entries = {e.code: e for e in CatalogIndicator.objects.all()}
    assert summary.indicators == len(entries) >= 30
    for entry in entries.values():
        assert entry.name and entry.name_en and entry.definition and entry.definition_en, entry.code
        assert entry.unit in UNITS and entry.direction in {"higher", "lower"}
        assert entry.numerator and entry.denominator and entry.aggregation and entry.sources
        assert entry.elements and entry.collected_by, entry.code
        assert DataElement.objects.filter(code__in=entry.elements).count() == len(entry.elements)
    for code, (unit, direction) in NATIONAL.items():
        assert (entries[code].unit, entries[code].direction) == (unit, direction)
    # The seed's 15: the same codes, formulas and units as its plan file.
    for indicator in read_plan_file(SEED_PLAN_FILE).indicators:
        entry = entries[indicator.code]
        assert (entry.numerator, entry.denominator, entry.factor, entry.unit, entry.comparison) == (
            indicator.numerator,
            indicator.denominator,
            indicator.factor,
            indicator.unit,
            indicator.comparison,
        )
    # The measured ones read the measurement store's elements (contract of issue 17).
    median = entries["fixed_download_median"]
    assert (median.numerator, median.denominator, median.factor) == ("fixed_download_median_mbps", "1", 1)
    assert entries["mobile_download_median"].numerator == "mobile_download_median_mbps"
    assert entries["population_5g_coverage"].numerator == "population_5g_covered"
    assert entries["only_2g_subscription_share"].comparison == "<"
    assert {"provider": "measurements"} in median.collected_by
    assert entries["internet_users"].collected_by[0]["reporter"] == "commune"
    assert ChangeLogEntry.objects.filter(object_type="catalog.catalogindicator").count() == len(entries)

    before = table_counts()
    load_catalog(actor=actor)  # again: nothing changes, nothing is logged
    assert table_counts() == before


def test_catalog_list_json_has_the_fields_of_every_entry(db):
    out = io.StringIO()
    call_command("catalog", "list", "--json", stdout=out)
    data = json.loads(out.getvalue())

    assert len(data["indicators"]) >= 30
    per_100 = next(i for i in data["indicators"] if i["code"] == "mobile_broadband_subscriptions_per_100")
    assert per_100 == {
        "code": "mobile_broadband_subscriptions_per_100",
        "name": "Số thuê bao băng rộng di động trên 100 dân",
        "name_en": "Mobile broadband subscriptions per 100 inhabitants",
        "definition": per_100["definition"],
        "definition_en": per_100["definition_en"],
        "unit": "per 100 inhabitants",
        "direction": "higher",
        "comparison": ">=",
        "numerator": "mobile_broadband_subscriptions",
        "denominator": "population",
        "factor": 100.0,
        "aggregation": "ratio_of_sums",
        "sources": ["CV 3115/BTTTT-CVT", "QĐ 885/QĐ-BTTTT"],
        "elements": ["mobile_broadband_subscriptions", "population"],
        "collected_by": [
            {
                "form": "ubnd_xa_nam",
                "name": "Biểu báo cáo năm của UBND xã, phường về hạ tầng số",
                "name_en": "Commune yearly report on digital infrastructure",
                "reporter": "commune",
            },
            {
                "form": "doanh_nghiep_thang",
                "name": "Biểu báo cáo tháng của doanh nghiệp viễn thông về thuê bao và đường truyền",
                "name_en": "Operator monthly report on subscriptions and lines",
                "reporter": "enterprise",
            },
        ],
    }
    assert "không phải tỷ lệ phần trăm" in per_100["definition"]
    elements = {e["code"]: e for e in data["data_elements"]}
    assert elements["fixed_download_median_mbps"]["provider"] == "measurements"
    assert elements["mobile_broadband_subscriptions"]["reporter"] == "enterprise"


def test_catalog_list_from_the_command_line(tmp_path, cli_database):
    result = run_cli(tmp_path, "catalog", "list", "--json")
    assert result.returncode == 0, result.stderr
    codes = [i["code"] for i in json.loads(result.stdout)["indicators"]]
    assert len(codes) >= 30 and "only_2g_subscription_share" in codes

    table = run_cli(tmp_path, "catalog", "list", columns=120)
    assert table.returncode == 0, table.stderr
    line = next(line for line in table.stdout.splitlines() if "mobile_broadband_subscriptions_per_" in line)
    assert "/100 dân" in line and "%" not in line


def _catalog_with(tmp_path, change) -> object:
    data = yaml.safe_load(CATALOG_FILE.read_text(encoding="utf-8"))
    change(data)
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _entry(data, code):
    return next(i for i in data["indicators"] if i["code"] == code)


@pytest.mark.parametrize(
    ("change", "vi", "en"),
    [
        (
            lambda d: _entry(d, "iot_connections_per_person").update(numerator="iot_links"),
            "indicators[iot_connections_per_person].numerator: phần tử dữ liệu 'iot_links' "
            "chưa được khai báo",
            "indicators[iot_connections_per_person].numerator: data element 'iot_links' is not declared",
        ),
        (
            lambda d: _entry(d, "only_2g_subscription_share").update(comparison=">="),
            "indicators[only_2g_subscription_share].comparison: '>=' trái với chiều 'lower'",
            "indicators[only_2g_subscription_share].comparison: '>=' contradicts direction 'lower'",
        ),
        (
            lambda d: _entry(d, "cloud_accounts_per_person").update(unit="accounts"),
            "indicators[cloud_accounts_per_person].unit: giá trị không thuộc danh sách cho phép",
            "indicators[cloud_accounts_per_person].unit: Input should be '%', 'Mb/s', 'per 100 inhabitants', "
            "'per person' or 'count'",
        ),
        (
            lambda d: d["indicators"].append(dict(_entry(d, "internet_users"))),
            "indicators: trùng mã internet_users",
            "indicators: duplicate code internet_users",
        ),
        (
            lambda d: d["forms"][1]["elements"].remove("subscriptions_2g_only"),
            "indicators[only_2g_subscription_share]: phần tử dữ liệu 'subscriptions_2g_only' "
            "không thuộc biểu báo cáo nào",
            "indicators[only_2g_subscription_share]: data element 'subscriptions_2g_only' is in no form",
        ),
    ],
)
def test_a_bad_catalog_entry_is_refused_and_nothing_is_written(
    tmp_path, db, actor, table_counts, change, vi, en
):
    path = _catalog_with(tmp_path, change)
    before = table_counts()
    with pytest.raises(UserError) as caught:
        load_catalog(actor=actor, path=path)
    assert caught.value.vi == f"Danh mục chỉ tiêu bad.yaml có lỗi: {vi}"
    assert caught.value.en == f"Indicator catalog bad.yaml is invalid: {en}"
    assert table_counts() == before


PLAN = {
    "plan": {
        "code": "99/KH-TEST",
        "title": "Kế hoạch minh họa chỉ dùng mã danh mục (không phải văn bản ban hành)",
        "issued_on": "2024-03-01",
        "issuer": "UBND thị xã Hương Trà",
        "area_unit": "480",
        "year": 2024,
        "period": "2024",
    },
    "indicators": [
        {"code": "only_2g_subscription_share", "target": 5},
        {"code": "mobile_broadband_subscriptions_per_100", "target": 80},
        {"code": "fixed_download_median", "target": 100, "name": "Tốc độ BRCĐ (i-Speed) của thị xã"},
    ],
}


@pytest.fixture
def catalog_plan(reference_units, actor, tmp_path):
    path = tmp_path / "catalog-plan.yaml"
    path.write_text(yaml.safe_dump(PLAN, allow_unicode=True), encoding="utf-8")
    return load_plan(path=path, actor=actor, user=COMMAND_LINE).plan


def _put(actor, unit, element, value, operator=None):
    set_value(
        element=DataElement.objects.get(code=element),
        unit=unit,
        period="2024",
        value=str(value),
        actor=actor,
        operator=operator,
    )


def test_a_plan_of_catalog_codes_and_targets_loads_and_evaluates(catalog_plan, actor, capsys):
    indicators = {i.code: i for i in catalog_plan.indicators.all()}
    per_100 = indicators["mobile_broadband_subscriptions_per_100"]
    assert (per_100.name, per_100.unit, per_100.numerator, per_100.denominator, per_100.factor) == (
        "Số thuê bao băng rộng di động trên 100 dân",
        "per 100 inhabitants",
        "mobile_broadband_subscriptions",
        "population",
        100,
    )
    assert per_100.catalog.code == per_100.code
    assert indicators["only_2g_subscription_share"].comparison == "<"
    assert indicators["fixed_download_median"].name == "Tốc độ BRCĐ (i-Speed) của thị xã"  # the plan's own
    assert indicators["fixed_download_median"].unit == "Mb/s"
    # Without forms in the file the plan gets one per reporter, with the catalog elements it needs.
    forms = {
        f.code: {e.code for e in f.ordered_elements()} for f in ReportForm.objects.filter(plan=catalog_plan)
    }
    assert forms == {
        "commune_yearly": {"population"},
        "enterprise_yearly": {
            "subscriptions_2g_only",
            "mobile_subscriptions",
            "mobile_broadband_subscriptions",
        },
    }

    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    viettel = Operator.objects.get(code="viettel")
    _put(actor, tu_ha, "population", 1000)
    _put(actor, tu_ha, "mobile_broadband_subscriptions", 843, viettel)
    _put(actor, tu_ha, "mobile_subscriptions", 1000, viettel)
    _put(actor, tu_ha, "subscriptions_2g_only", 49, viettel)
    results = {e.indicator.code: e for e in evaluate_plan(catalog_plan, tu_ha, parse_period("2024"))}

    assert results["mobile_broadband_subscriptions_per_100"].value == pytest.approx(84.3)
    assert results["mobile_broadband_subscriptions_per_100"].status == "achieved"
    assert results["only_2g_subscription_share"].status == "achieved"
    assert results["fixed_download_median"].status == "no_data"  # no speed samples in the store
    assert indicator_sentence(results["mobile_broadband_subscriptions_per_100"]) == (
        "Số thuê bao băng rộng di động trên 100 dân đạt 84,3/100 dân, vượt chỉ tiêu kế hoạch (80/100 dân)."
    )
    assert indicator_sentence(results["only_2g_subscription_share"]) == (
        "Tỷ lệ thuê bao di động chỉ sử dụng 2G đạt 4,9%, vượt chỉ tiêu kế hoạch (dưới 5%)."
    )

    capsys.readouterr()
    call_command("compute", "--plan", "99/KH-TEST", "--unit", "19996")  # prints through rich
    row = next(line for line in capsys.readouterr().out.splitlines() if "84,3" in line)  # "dân" wraps
    assert "84,3/100" in row and "80/100" in row and "%" not in row


def test_reduce_below_5_percent_is_met_at_4_9_and_not_at_5_0_or_5_1(catalog_plan, actor):
    viettel = Operator.objects.get(code="viettel")
    statuses = {}
    for code, only_2g in (("19996", 49), ("20005", 50), ("20041", 51)):
        commune = resolve_unit(code, start=date(2024, 6, 1))
        _put(actor, commune, "mobile_subscriptions", 1000, viettel)
        _put(actor, commune, "subscriptions_2g_only", only_2g, viettel)
        result = next(
            e
            for e in evaluate_plan(catalog_plan, commune, parse_period("2024"))
            if e.indicator.code == "only_2g_subscription_share"
        )
        statuses[format_amount(result.value, "%")] = result.status
    assert statuses == {"4,9%": "achieved", "5,0%": "not_achieved", "5,1%": "not_achieved"}


def test_an_unknown_code_without_a_formula_names_the_code(reference_units, actor, tmp_path, table_counts):
    plan = {**PLAN, "indicators": [{"code": "households_on_6g", "target": 10}]}
    path = tmp_path / "unknown.yaml"
    path.write_text(yaml.safe_dump(plan, allow_unicode=True), encoding="utf-8")
    before = table_counts()
    with pytest.raises(UserError) as caught:
        load_plan(path=path, actor=actor, user=COMMAND_LINE)
    assert caught.value.vi == (
        "Tệp kế hoạch unknown.yaml có lỗi: indicators[households_on_6g]: chỉ tiêu 'households_on_6g' "
        "không có trong danh mục chỉ tiêu và không có đủ tên, công thức (name, numerator, denominator)"
    )
    assert caught.value.en == (
        "Plan file unknown.yaml is invalid: indicators[households_on_6g]: indicator 'households_on_6g' "
        "is not in the indicator catalog and has no full name and formula (name, numerator, denominator)"
    )
    assert table_counts() == before


def test_the_seed_plan_keeps_its_own_definitions(seed_plan):
    """The seed's file spells out its formulas: they load as before, linked to the catalog."""
    spec = {i.code: i for i in read_plan_file(SEED_PLAN_FILE).indicators}
    for indicator in seed_plan.indicators.all():
        own = spec[indicator.code]
        assert (indicator.name, indicator.numerator, indicator.denominator, indicator.comparison) == (
            own.name,
            own.numerator,
            own.denominator,
            own.comparison,
        )
        assert indicator.factor == Decimal(100) and indicator.unit == "%"
        assert indicator.catalog.code == indicator.code
    assert len(read_catalog().indicators) >= 30


def test_units_of_measure_are_written_as_units():
    assert format_amount(84.31, "per 100 inhabitants") == "84,3/100 dân"
    assert format_amount(Decimal("167.57"), "Mb/s") == "167,6 Mb/s"
    assert format_amount(1.25, "per person") == "1,3/người"
    assert format_amount(352, "count", 0) == "352"
    assert format_amount(4.9, "%") == "4,9%"
    assert format_amount(None, "Mb/s") == "—"
