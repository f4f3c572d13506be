"""The measurement engines: DuckDB and Spark give the same line-speed indicators on one sample, and
the same mobile (population at 60 Mb/s, villages) and fixed (villages) coverage indicators.

Spark needs the `spark` extra and Java 17. Where either is missing the parity test is skipped with
the reason — except in CI (CI=true), where it fails: CI installs both.
"""

import importlib.util
import sys
from datetime import date

import pytest

from hatangso.analytics.engine import build_scope
from hatangso.analytics.measurements import engines
from hatangso.analytics.measurements.coverage import compute_coverage
from hatangso.analytics.measurements.lines import import_line_measurements, line_totals
from hatangso.analytics.measurements.population import import_population
from hatangso.analytics.providers import PROVIDERS
from hatangso.analytics.services import evaluate_scorecard
from hatangso.analytics.tests import test_coverage
from hatangso.analytics.tests.test_coverage import ON, A, B, write
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.geography.selectors import resolve_unit
from hatangso.geography.services import create_village
from hatangso.registry.models import Operator
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period

CODES = ("fixed_individual_100mbps", "fixed_organisation_500mbps")
HEADER = "ma_duong_truyen,doanh_nghiep,loai_khach_hang,ma_don_vi,thoi_gian,tai_xuong_mbps\n"


@pytest.fixture(autouse=True)
def own_store(settings, tmp_path):
    settings.HOME = tmp_path / "home"


def lines(prefix, count, speeds, kind="ca_nhan", unit="19996", operator="vnpt", month=9):
    return [
        f"{prefix}{n},{operator},{kind},{unit},{day:02d}/{month:02d}/2024 10:00,{speed}"
        for n in range(count)
        for day, speed in enumerate(speeds, start=1)
    ]


def sample() -> list[str]:
    """Three communes, both customer types, lines over, at and under the thresholds, lines with too
    few samples, a commune with too few lines, samples in two months and outside 2024."""
    return [
        # Tứ Hạ: 4 fast and 2 slow individual lines, 2 fast ones with only two samples; 3 of 5
        # organisation lines at 500 (two of them measured in October too).
        *lines("TH-F", 4, [90, 110, 130]),
        *lines("TH-S", 2, [80, 90, 100]),
        *lines("TH-U", 2, [150, 160]),
        *lines("TH-O", 3, [480, 520, 530], kind="to_chuc"),
        *lines("TH-O", 2, [490, 530], kind="to_chuc", month=10),
        *lines("TH-P", 2, [300, 320, 310], kind="to_chuc"),
        # Hương Toàn: 5 individual lines averaging exactly 100, 1 just under; 2 organisation lines
        # (under the line floor); a fast line measured in 2025 only.
        *lines("HT-E", 3, [100, 100, 100], unit="20005", operator="viettel"),
        *lines("HT-M", 2, [95, 100, 105], unit="20005", operator="viettel"),
        *lines("HT-L", 1, [99.9, 100, 100], unit="20005", operator="viettel"),
        *lines("HT-O", 2, [600, 610, 620], kind="to_chuc", unit="20005", operator="viettel"),
        "HT-X0,viettel,ca_nhan,20005,02/01/2025 10:00,300",
        "HT-X0,viettel,ca_nhan,20005,03/01/2025 10:00,300",
        "HT-X0,viettel,ca_nhan,20005,04/01/2025 10:00,300",
        # Hương Vân: 3 individual lines only (under the line floor), measured in November.
        *lines("HV-F", 3, [200, 210, 220], unit="20008", operator="fpt", month=11),
    ]


def scorecards(plan, units, codes=CODES) -> dict[tuple[str, str], dict]:
    result = {}
    for unit in units:
        card = evaluate_scorecard(plan=plan, unit=unit, period=parse_period("2024")).as_json()
        for indicator in card["indicators"]:
            if indicator["code"] in codes:
                result[unit.code, indicator["code"]] = {
                    key: indicator[key] for key in ("numerator", "denominator", "value", "status", "reason")
                }
    return result


def test_duckdb_and_spark_give_the_same_line_indicators(spark, seed_plan, actor, tmp_path, settings):
    settings.MIN_SAMPLES_PER_LINE, settings.MIN_LINES_PER_UNIT = 3, 5
    path = tmp_path / "do-kiem.csv"
    path.write_text(HEADER + "\n".join(sample()) + "\n", encoding="utf-8")
    import_line_measurements(path=path, actor=actor, synthetic=True)
    # The 2024 units: 19996 is also the post-2025 phường Hương Trà, which took over Hương Vân.
    communes = [resolve_unit(code, start=date(2024, 1, 1)) for code in ("19996", "20005", "20008")]
    units = [seed_plan.area_unit, *communes]

    settings.ENGINE = "duckdb"
    on_duckdb = scorecards(seed_plan, units)
    settings.ENGINE = "spark"
    on_spark = scorecards(seed_plan, units)

    assert on_spark == on_duckdb
    figures = {key: (v["numerator"], v["denominator"], v["status"]) for key, v in on_duckdb.items()}
    assert figures == {
        # 4 of 6 in Tứ Hạ, 5 of 6 in Hương Toàn, 3 of 3 in Hương Vân: 12 of 15 = 80 %.
        ("480", "fixed_individual_100mbps"): (12, 15, "achieved"),
        # 3 of 5 in Tứ Hạ, 2 of 2 in Hương Toàn: 5 of 7.
        ("480", "fixed_organisation_500mbps"): (5, 7, "not_achieved"),
        ("19996", "fixed_individual_100mbps"): (4, 6, "not_achieved"),
        ("19996", "fixed_organisation_500mbps"): (3, 5, "not_achieved"),
        ("20005", "fixed_individual_100mbps"): (5, 6, "achieved"),
        ("20005", "fixed_organisation_500mbps"): (None, None, "no_data"),
        ("20008", "fixed_individual_100mbps"): (None, None, "no_data"),
        ("20008", "fixed_organisation_500mbps"): (None, None, "no_data"),
    }
    assert "only 2 lines with enough samples (at least 5 needed)" in on_spark["20005", CODES[1]]["reason"]
    assert "only 3 lines" in on_spark["20008", CODES[0]]["reason"]

    # Part of a month (the time filter) and one operator's lines, straight through the pipeline.
    ids = [u.pk for u in units[1:]]
    part = {"unit_ids": ids, "start": date(2024, 9, 2), "end": date(2024, 10, 1), "min_samples": 2}
    found = {}
    for operator in (None, "viettel"):
        settings.ENGINE = "duckdb"
        found[operator] = line_totals(**part, operator=operator)
        settings.ENGINE = "spark"
        assert line_totals(**part, operator=operator) == found[operator]
    # 2–3 September and 1 October: (lines with 2 samples, at the threshold, samples, synthetic).
    assert found == {
        None: {"individual": (12, 10, 26, True), "organisation": (7, 5, 16, True)},
        "viettel": {"individual": (6, 6, 12, True), "organisation": (2, 2, 4, True)},
    }


area = test_coverage.area  # the fixture: a commune square with two Viettel stations

COVERAGE = (
    "mobile_60mbps_population_coverage",
    "village_mobile_broadband_coverage",
    "village_fixed_broadband_coverage",
)
ELEMENTS = ("coverage_population", "coverage_population_60mbps", "villages_mobile_covered")


def coverage_sample(area, actor, tmp_path):
    """test_coverage's commune square with its two stations and grid; three villages, declared and
    computed both ways; population points near a station, between the stations (under 60 Mb/s) and
    outside the grid; lines placed by a village code, by coordinates, and by the commune only. Thôn 4
    is neither declared nor computed covered."""
    v1, v2, v3, v4 = (create_village(commune=area, name=f"Thôn {n}", actor=actor) for n in range(1, 5))
    mobile = DataElement.objects.get(code="village_mobile_broadband_covered")
    set_value(element=mobile, unit=v1, period="2024", value="0", actor=actor)
    set_value(element=mobile, unit=v2, period="2024", value="1", actor=actor)
    ftth = DataElement.objects.get(code="village_ftth_covered")
    set_value(element=ftth, unit=v2, period="2024", value="1", actor=actor)
    compute_coverage(unit=area, on=ON, actor=actor)
    middle = ((A[0] + B[0]) / 2, A[1])
    people = (
        "vi_do,kinh_do,dan_so,ma_don_vi\n"
        f"{A[1] + 0.0002},{A[0] + 0.0003},1000,{v1.code}\n"
        f"{A[1] - 0.0004},{A[0]},250,{v1.code}\n"
        f"{middle[1]},{middle[0]},600,{v3.code}\n"
        f"{B[1]},{B[0] + 0.0005},350,\n"
        f"16.60,107.60,200,{v2.code}\n"  # outside the grid
        f"16.61,107.61,150,{v4.code}\n"
        "16.50,107.50,400,19996\n"
    )
    import_population(path=write(tmp_path / "dan-so.csv", people), actor=actor, on=ON)
    lines = (
        "ma_duong_truyen,doanh_nghiep,loai_khach_hang,ma_don_vi,vi_do,kinh_do,thoi_gian,tai_xuong_mbps\n"
        f"L-1,vnpt,ca_nhan,{v1.code},,,05/09/2024 10:00,120\n"
        f"L-1,vnpt,ca_nhan,{v1.code},,,06/10/2024 10:00,110\n"
        f"L-2,viettel,ca_nhan,19996,{middle[1] + 0.001},{middle[0]},07/09/2024 10:00,90\n"
        "L-3,viettel,to_chuc,19996,,,08/09/2024 10:00,520\n"
        f"L-4,fpt,ca_nhan,{v2.code},,,02/01/2025 10:00,100\n"  # outside 2024
    )
    import_line_measurements(path=write(tmp_path / "duong-truyen.csv", lines), actor=actor, synthetic=True)
    return v1, v2, v3, v4


def element_totals(unit, operator_id=None) -> dict[str, tuple]:
    elements = list(DataElement.objects.filter(code__in=[*ELEMENTS, "villages_fixed_covered"]))
    totals = PROVIDERS["measurements"].totals(elements, build_scope(unit, parse_period("2024"), operator_id))
    return {
        code: (t.value, t.inputs, t.synthetic, t.reason, t.items, t.value_ids) for code, t in totals.items()
    }


def test_duckdb_and_spark_give_the_same_coverage_indicators(
    spark, area, seed_plan, actor, tmp_path, settings
):
    coverage_sample(area, actor, tmp_path)
    viettel = Operator.objects.get(code="viettel").pk
    found = {}
    for name in ("duckdb", "spark"):  # about a second a query on Spark: the commune only
        settings.ENGINE = name
        found[name] = (scorecards(seed_plan, [area], COVERAGE), element_totals(area, operator_id=viettel))
    assert found["spark"] == found["duckdb"]
    cards, of_viettel = found["duckdb"]
    figures = {key: (v["numerator"], v["denominator"], v["status"]) for key, v in cards.items()}
    assert figures == {
        # 1,600 of 2,950 people in cells at 60 Mb/s (near the stations). Mobile villages: Thôn 1
        # and 3 computed covered (Thôn 1 declared not), Thôn 2 declared (outside the grid). Fixed:
        # Thôn 1 has a line by its code, Thôn 3 by coordinates, Thôn 2 is declared.
        ("19996", "mobile_60mbps_population_coverage"): (1600, 2950, "not_achieved"),
        ("19996", "village_mobile_broadband_coverage"): (3, 4, "not_achieved"),
        ("19996", "village_fixed_broadband_coverage"): (3, 4, "not_achieved"),
    }
    # Viettel's figures: its own cells' speeds (both stations are Viettel's) and its own lines (L-2).
    assert of_viettel["coverage_population_60mbps"][0] == 1600
    assert of_viettel["villages_fixed_covered"][0] == 2  # Thôn 3 by L-2's coordinates, Thôn 2 declared


def test_an_unknown_engine_is_one_sentence(settings):
    settings.ENGINE = "polars"
    with pytest.raises(UserError) as error:
        engines.engine()
    assert str(error.value) == (
        "HATANGSO_ENGINE phải là duckdb hoặc spark, không phải 'polars' / "
        "HATANGSO_ENGINE must be duckdb or spark, not 'polars'"
    )


def test_the_query_is_transpiled_for_spark():
    assert engines.to_spark("SELECT count(*) FILTER (WHERE x >= $floor) FROM t") == (
        "SELECT COUNT(*) FILTER(WHERE x >= :floor) FROM t"
    )


MISSING = (
    "Chưa cài Apache Spark: chạy make setup (gói spark) và cài Java 17, hoặc đặt HATANGSO_ENGINE=duckdb / "
    "Apache Spark is not installed: run make setup (the spark extra) and install Java 17, "
    "or set HATANGSO_ENGINE=duckdb"
)


def test_without_pyspark_or_java_spark_is_one_sentence(monkeypatch):
    start = engines.spark_session.__wrapped__  # past the per-process cache
    monkeypatch.setitem(sys.modules, "pyspark.sql", None)
    with pytest.raises(UserError) as error:
        start("local[2]")
    assert str(error.value) == MISSING
    monkeypatch.undo()
    if importlib.util.find_spec("pyspark") is not None:
        monkeypatch.delenv("JAVA_HOME", raising=False)
        monkeypatch.setattr(engines.shutil, "which", lambda name: None)
        with pytest.raises(UserError) as error:
            start("local[2]")
        assert str(error.value) == MISSING
