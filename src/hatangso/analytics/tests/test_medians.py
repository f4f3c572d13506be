"""Median download speeds (i-Speed's method, with the sample floor) and 5G population coverage from
the measurement store, through the `measurements` provider and a plan's indicators; DuckDB and Spark
give the same medians."""

import json
import random
from datetime import date

import duckdb
import pytest

from hatangso.analytics.engine import build_scope
from hatangso.analytics.measurements import store
from hatangso.analytics.measurements.coverage import CoverageParameters, compute_coverage
from hatangso.analytics.measurements.lines import import_line_measurements
from hatangso.analytics.measurements.medians import fixed_median, mobile_median
from hatangso.analytics.measurements.population import import_population
from hatangso.analytics.measurements.speedtests import import_ookla, tile_xy
from hatangso.analytics.providers import PROVIDERS
from hatangso.analytics.services import evaluate_scorecard
from hatangso.analytics.tests import test_coverage
from hatangso.analytics.tests.test_coverage import ON, A, B
from hatangso.collection.models import DataElement
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.services import import_boundaries
from hatangso.plans.services import load_plan
from hatangso.registry.imports import IMPORTERS
from hatangso.registry.models import Operator
from hatangso.utilities.periods import parse_period


@pytest.fixture(autouse=True)
def own_store(settings, tmp_path):
    settings.HOME = tmp_path / "home"


# A plan of our own: the median indicators as the catalog writes them (the element over "1", × 1,
# in Mb/s) and 5G coverage over the coverage layer's population. Synthetic test data.
PLAN = """
plan:
  code: "THU-17/KH"
  title: "Kế hoạch thử trung vị tốc độ (minh họa, dữ liệu tổng hợp)"
  issued_on: 2024-01-02
  issuer: "UBND thử"
  area_unit: "480"
  year: 2024
  period: "2024"
data_elements:
  - {code: fixed_download_median_mbps, name: "Trung vị tốc độ tải xuống cố định", value_type: number,
     aggregation: last, unit: "Mb/s", reporter: district, provider: measurements}
  - {code: mobile_download_median_mbps, name: "Trung vị tốc độ tải xuống di động", value_type: number,
     aggregation: last, unit: "Mb/s", reporter: district, provider: measurements}
  - {code: population_5g_covered, name: "Dân số có sóng 5G", value_type: count, aggregation: last,
     unit: "người", reporter: district, provider: measurements}
  - {code: coverage_population, name: "Dân số theo điểm dân cư", value_type: count, aggregation: last,
     unit: "người", reporter: district, provider: measurements}
indicators:
  - {code: fixed_median_check, name: "Trung vị tốc độ cố định", unit: "Mb/s",
     numerator: fixed_download_median_mbps, denominator: "1", factor: 1, comparison: ">=", target: 100}
  - {code: mobile_median_check, name: "Trung vị tốc độ di động", unit: "Mb/s",
     numerator: mobile_download_median_mbps, denominator: "1", factor: 1, comparison: ">=", target: 50}
  - {code: coverage_5g_check, name: "Tỷ lệ dân số có sóng 5G", unit: "%",
     numerator: population_5g_covered, denominator: coverage_population, factor: 100, comparison: ">=",
     target: 80}
"""


@pytest.fixture
def plan(reference_units, actor, tmp_path):
    path = tmp_path / "ke-hoach-thu.yaml"
    path.write_text(PLAN, encoding="utf-8")
    return load_plan(path=path, actor=actor, user=COMMAND_LINE).plan


def results(plan, unit=None, period="2024") -> dict[str, dict]:
    card = evaluate_scorecard(plan=plan, unit=unit or plan.area_unit, period=parse_period(period))
    return {row["code"]: row for row in card.as_json()["indicators"]}


def commune(code: str) -> AdministrativeUnit:
    return AdministrativeUnit.objects.get(code=code, valid_to__isnull=False)


# --- fixed lines ----------------------------------------------------------------------------------

HEADER = "ma_duong_truyen,doanh_nghiep,loai_khach_hang,ma_don_vi,thoi_gian,tai_xuong_mbps\n"


def speeds(count: int, seed: int) -> list[float]:
    generator = random.Random(seed)
    return [round(generator.uniform(20, 250), 1) for _ in range(count)]


def import_lines(tmp_path, actor, rows: list[tuple[str, str, float]], name="do-kiem.csv"):
    """(unit code, dd/mm/yyyy, speed) per sample; each sample its own line and minute."""
    text = HEADER + "".join(
        f"L{n},vnpt,ca_nhan,{unit},{day} {n // 60 % 24:02d}:{n % 60:02d},{speed}\n"
        for n, (unit, day, speed) in enumerate(rows)
    )
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    import_line_measurements(path=path, actor=actor, synthetic=True)


def stored_median(kind: str, where: str) -> float:
    """DuckDB's own median over the stored Parquet rows."""
    sql = f"SELECT median(download_mbps) FROM {store.scan(kind)} WHERE {where}"
    return duckdb.connect().execute(sql).fetchone()[0]


def test_the_fixed_median_is_duckdbs_median_of_the_areas_samples(plan, actor, tmp_path, settings):
    tu_ha = commune("19996")
    rows = [("19996", "05/09/2024", s) for s in speeds(301, 1)]  # odd: the middle sample
    rows += [("20005", "06/09/2024", s) for s in speeds(40, 2)]  # another commune of the district
    rows += [("19996", "02/01/2025", 999.0)] * 3  # another year
    import_lines(tmp_path, actor, rows)

    found = results(plan, tu_ha)["fixed_median_check"]
    expected = stored_median("lines", f"unit_id = {tu_ha.pk} AND year(time) = 2024")
    assert (found["numerator"], found["denominator"], found["unit"]) == (expected, 1, "Mb/s")
    assert found["status"] == ("achieved" if expected >= 100 else "not_achieved")
    # The district's median is taken over all its samples (341, even: the mean of the middle two),
    # never from its communes' medians.
    district = results(plan)["fixed_median_check"]
    in_2024 = "year(time) = 2024"
    assert district["numerator"] == stored_median("lines", in_2024)
    assert stored_median("lines", in_2024) != expected


def test_under_300_samples_the_median_has_no_value(plan, actor, tmp_path, settings):
    settings.MIN_SPEED_SAMPLES = 300  # HATANGSO_MIN_SPEED_SAMPLES, VNNIC's commune floor by default
    import_lines(tmp_path, actor, [("19996", "05/09/2024", s) for s in speeds(299, 3)])
    found = results(plan, commune("19996"))["fixed_median_check"]
    assert (found["status"], found["numerator"]) == ("no_data", None)
    assert found["reason"] == (
        "Chỉ có 299 mẫu đo (cần ít nhất 300 để tính trung vị) / only 299 samples (at least 300 needed "
        "for a median)"
    )
    import_lines(tmp_path, actor, [("19996", "07/09/2024", 180.0)], name="them.csv")
    found = results(plan, commune("19996"))["fixed_median_check"]
    assert found["numerator"] == stored_median("lines", "true") and found["status"] != "no_data"


def test_without_measurements_the_medians_say_so(plan):
    found = results(plan)
    assert found["fixed_median_check"]["reason"] == (
        "Chưa có số liệu đo đường truyền / no line measurements imported"
    )
    assert found["mobile_median_check"]["reason"] == (
        "Chưa có ô Ookla di động (hatangso import ookla) / no Ookla mobile tiles imported"
    )


# --- mobile: Ookla tiles ---------------------------------------------------------------------------

SQUARES = {
    "19996": [[107.40, 16.42], [107.42, 16.42], [107.42, 16.44], [107.40, 16.44], [107.40, 16.42]],
    "20005": [[107.42, 16.42], [107.44, 16.42], [107.44, 16.44], [107.42, 16.44], [107.42, 16.42]],
}
OOKLA_HEADER = "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n"


def quadkey(x: int, y: int, zoom: int = 16) -> str:
    return "".join(str(((x >> bit) & 1) + 2 * ((y >> bit) & 1)) for bit in range(zoom - 1, -1, -1))


def tiles_in(square) -> list[str]:
    """The zoom-16 tiles whose centre lies well inside a square (a 3 × 3 lattice of points)."""
    (lon0, lat0), (lon1, lat1) = square[0], square[2]
    lons = [lon0 + (lon1 - lon0) * f for f in (0.2, 0.5, 0.8)]
    lats = [lat0 + (lat1 - lat0) * f for f in (0.2, 0.5, 0.8)]
    x, y = tile_xy([lo for lo in lons for _ in lats], [la for _ in lons for la in lats])
    return sorted({quadkey(int(i), int(j)) for i, j in zip(x, y, strict=True)})


@pytest.fixture
def squares(reference_units, actor, tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"ma": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, ring in SQUARES.items()
    ]
    path = tmp_path / "ranh-gioi.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    import_boundaries(path=path, actor=actor, on=date(2024, 1, 1))


def import_tiles(tmp_path, actor, rows: list[tuple[str, float, int]], quarter="2024-07-01"):
    """(quadkey, mean download Mb/s, tests) per tile, one quarter's mobile file."""
    text = OOKLA_HEADER + "".join(
        f"{key},{mbps * 1000:g},10000,30,{tests},{tests}\n" for key, mbps, tests in rows
    )
    path = tmp_path / f"{quarter}_performance_mobile_tiles.csv"
    path.write_text(text, encoding="utf-8")
    import_ookla(path=path, actor=actor, synthetic=True)


def median_of_tests(where: str) -> float:
    """DuckDB's median over the tests written out one row each (a tile's mean once per test)."""
    sql = f"SELECT median(download_kbps / 1000) FROM {store.scan('ookla')}, range(tests) WHERE {where}"
    return duckdb.connect().execute(sql).fetchone()[0]


def test_the_mobile_median_weights_each_tiles_mean_by_its_tests(plan, squares, actor, tmp_path):
    here, there = tiles_in(SQUARES["19996"]), tiles_in(SQUARES["20005"])
    assert len(here) >= 4 and len(there) >= 2
    # 19996: 300 tests, even, the middle two in different tiles (150th in the 40 Mb/s tile, 151st in
    # the 55 Mb/s one); 20005's fast tiles are not counted in 19996.
    import_tiles(
        tmp_path,
        actor,
        [(here[0], 12.5, 100), (here[1], 40, 50), (here[2], 55.5, 70), (here[3], 80, 80)]
        + [(key, 300, 500) for key in there],
    )
    tu_ha = commune("19996")
    found = results(plan, tu_ha)["mobile_median_check"]
    expected = median_of_tests(f"unit_id = {tu_ha.pk}")
    assert expected == (40 + 55.5) / 2
    assert (found["numerator"], found["status"]) == (expected, "not_achieved")
    district = results(plan)["mobile_median_check"]
    assert district["numerator"] == median_of_tests("true") == 300

    # 299 tests: under the floor; a month holds no whole quarter.
    import_tiles(tmp_path, actor, [(here[0], 12.5, 99), (here[1], 40, 200)])
    assert results(plan, tu_ha)["mobile_median_check"]["reason"] == (
        "Chỉ có 299 phép đo (cần ít nhất 300 để tính trung vị) / only 299 tests (at least 300 needed "
        "for a median)"
    )
    assert "holds no whole quarter" in results(plan, period="202409")["mobile_median_check"]["reason"]


def test_duckdb_and_spark_give_the_same_medians(spark, squares, actor, tmp_path, settings):
    here = tiles_in(SQUARES["19996"])
    import_tiles(
        tmp_path, actor, [(here[0], 20.25, 3), (here[1], 20.25, 2), (here[2], 61, 4), (here[3], 7, 1)]
    )
    import_lines(
        tmp_path,
        actor,
        [("19996", "05/09/2024", s) for s in [50.5, 10, 200, 75.25]]
        + [("20005", "06/10/2024", 90.0), ("19996", "02/01/2025", 1.0)],
    )
    ids = [commune("19996").pk, commune("20005").pk]
    year, september = (date(2024, 1, 1), date(2024, 12, 31)), (date(2024, 9, 2), date(2024, 9, 30))
    calls = {
        "fixed": lambda: fixed_median(unit_ids=ids, start=year[0], end=year[1]),
        "fixed, part of a month, one operator": lambda: fixed_median(
            unit_ids=ids, start=september[0], end=september[1], operator="vnpt"
        ),
        "mobile": lambda: mobile_median(unit_ids=ids, start=year[0], end=year[1]),
    }
    found = {}
    for name in ("duckdb", "spark"):
        settings.ENGINE = name
        found[name] = {key: call() for key, call in calls.items()}
    assert found["spark"] == found["duckdb"]
    assert found["duckdb"] == {
        "fixed": (5, 75.25, True),  # 10, 50.5, 75.25, 90, 200
        "fixed, part of a month, one operator": (4, (50.5 + 75.25) / 2, True),
        "mobile": (10, 20.25, True, 4),  # 7, 20.25 × 5, 61 × 4: the 5th and 6th tests
    }


# --- 5G population coverage ------------------------------------------------------------------------

area = test_coverage.area  # the fixture: commune 19996 as a square with two Viettel 4G stations


def test_population_covered_by_the_5g_layer(area, plan, actor, tmp_path):
    """Before the 5G station is in service nobody is covered by 5G, however fast 4G is; after, with
    every cell of the square within its range, everybody in the grid is, and nobody outside it."""
    path = tmp_path / "tram-5g.csv"
    path.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,do_cao_anten,bang_tan,ngay_hoat_dong\n"
        f"VT-5G,viettel,5G,{A[1] + 0.005},{(A[0] + B[0]) / 2},30,3500,01/06/2024\n",
        encoding="utf-8",
    )
    IMPORTERS["stations"](path=path, actor=actor, user=COMMAND_LINE)
    people = (
        "vi_do,kinh_do,dan_so,ma_don_vi\n"
        f"{A[1] + 0.0002},{A[0] + 0.0003},1000,\n"  # near a 4G mast: ≥ 60 Mb/s
        f"{A[1] + 0.009},{A[0] - 0.004},250,\n"  # a corner of the square
        "16.60,107.60,200,19996\n"  # outside the grid
    )
    path = tmp_path / "dan-so.csv"
    path.write_text(people, encoding="utf-8")
    import_population(path=path, actor=actor, on=ON)

    compute_coverage(unit=area, on=date(2024, 3, 31), actor=actor)  # 4G only
    found = results(plan, area)["coverage_5g_check"]
    assert (found["numerator"], found["denominator"], found["status"]) == (0, 1450, "not_achieved")

    compute_coverage(unit=area, on=ON, actor=actor)  # the newest layer of the year
    found = results(plan, area)["coverage_5g_check"]
    assert (found["numerator"], found["denominator"], found["status"]) == (1250, 1450, "achieved")
    assert found["value"] == pytest.approx(1250 / 1450 * 100, abs=0.1)

    elements = list(DataElement.objects.filter(code="population_5g_covered"))

    def covered(operator=None):
        scope = build_scope(area, parse_period("2024"), operator_id=operator)
        return PROVIDERS["measurements"].totals(elements, scope)["population_5g_covered"]

    # One operator's figures: its own 5G carriers (the station is Viettel's).
    assert covered(Operator.objects.get(code="viettel").pk).value == 1250
    assert covered(Operator.objects.get(code="vnpt").pk).value == 0
    # The threshold decides: at 10 Gb/s on a 5G carrier nobody is covered.
    compute_coverage(unit=area, on=ON, actor=actor, parameters=CoverageParameters(nr_mbps=10_000))
    assert covered().value == 0
    assert "≥ 10000 Mb/s on a 5G carrier" in covered().items[-1]
