"""Coverage grid, population points and the mobile coverage indicators, through the services."""

import json
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest
from pyproj import Transformer

from hatangso.analytics.measurements import coverage, linkbudget, pathloss, population
from hatangso.analytics.measurements.coverage import CoverageParameters, compute_coverage
from hatangso.analytics.measurements.mobile import village_coverage
from hatangso.analytics.measurements.population import import_population
from hatangso.analytics.services import evaluate_scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import villages_among
from hatangso.geography.services import create_village, import_boundaries
from hatangso.registry.imports import IMPORTERS
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected
from hatangso.utilities.periods import parse_period

ON = date(2024, 12, 31)
# Commune 19996 as a 0.02° square; two Viettel 4G stations 0.01° (≈ 1.07 km) apart on its middle row.
SQUARE = [[107.40, 16.42], [107.42, 16.42], [107.42, 16.44], [107.40, 16.44], [107.40, 16.42]]
A, B = (107.405, 16.43), (107.415, 16.43)


@pytest.fixture(autouse=True)
def own_store(settings, tmp_path):
    settings.HOME = tmp_path / "home"


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture
def area(seed_plan, actor, tmp_path):
    """The square boundary and the two stations; returns the commune."""
    shape = {"type": "Polygon", "coordinates": [SQUARE]}
    feature = {"type": "Feature", "properties": {"ma": "19996"}, "geometry": shape}
    boundaries = write(
        tmp_path / "ranh-gioi.geojson", json.dumps({"type": "FeatureCollection", "features": [feature]})
    )
    import_boundaries(path=boundaries, actor=actor, on=date(2024, 1, 1))
    stations = write(
        tmp_path / "tram.csv",
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,do_cao_anten,bang_tan,ngay_hoat_dong\n"
        f"VT-A,viettel,4G,{A[1]},{A[0]},30,1800,01/01/2020\n"
        f"VT-B,viettel,4G,{B[1]},{B[0]},30,1800,01/01/2020\n"
        f"VT-C,viettel,2G,{B[1]},{B[0]},30,900,01/01/2020\n"  # 2G carries no broadband: not used
        f"VT-D,viettel,4G,16.431,107.411,30,1800,01/01/2026\n",  # not yet in service on 31/12/2024
    )
    IMPORTERS["stations"](path=stations, actor=actor, user=COMMAND_LINE)
    return AdministrativeUnit.objects.get(code="19996", valid_to__isnull=False)


def indicator(plan, code, unit=None):
    card = evaluate_scorecard(plan=plan, unit=unit or plan.area_unit, period=parse_period("2024")).as_json()
    return next(i for i in card["indicators"] if i["code"] == code)


def expected_mbps(lon, lat):
    """The link budget at a point by hand with the tested formulas: RMa NLOS, 1.8 GHz, EIRP 60 dBm,
    20 MHz, NF 7 dB, load 0.5, 2 layers; the nearer station serves, the other interferes."""
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
    x, y = to_utm.transform(lon, lat)
    distances = [np.hypot(*np.subtract(to_utm.transform(*s), (x, y))) for s in (A, B)]
    received = [60 - pathloss.rma_nlos([max(d, 10)], fc_ghz=1.8, h_bs=30, h_ut=1.5)[0] for d in distances]
    signal, other = max(received), min(received)
    noise = linkbudget.thermal_noise_dbm(20e6, 7)
    sinr = linkbudget.sinr_db(signal, linkbudget.dbm_to_mw(other), noise, 0.5)
    return float(
        linkbudget.throughput_mbps(linkbudget.spectral_efficiency(sinr), bandwidth_mhz=20, load=0.5, layers=2)
    )


def test_each_cell_gets_the_link_budget_of_its_centre(area, actor):
    layer = compute_coverage(unit=area, on=ON, actor=actor)
    cells = pq.read_table(layer.cells_path).to_pylist()
    # 0.02° × 0.02° ≈ 2.13 km × 2.22 km: about 21 × 22 cells of 100 m fall inside.
    assert 400 < len(cells) < 520
    assert layer.meta["stations"]["used"] == 2 and layer.meta["operators"] == ["viettel"]
    for cell in cells[:: len(cells) // 7]:
        assert cell["best_mbps"] == pytest.approx(expected_mbps(cell["lon"], cell["lat"]), abs=0.01)
        assert cell["best_operator"] == "viettel"
    sidecar = json.loads((layer.folder / "layer.json").read_text("utf-8"))
    assert sidecar["parameters"]["model"] == "rma" and sidecar["parameters"]["load"] == 0.5
    assert sidecar["parameters"]["profiles"]["4G"]["eirp_dbm"] == 60
    assert sidecar["as_of"] == "2024-12-31" and sidecar["cells"] == len(cells)


def test_tiles_do_not_change_the_grid(area, actor):
    whole = pq.read_table(compute_coverage(unit=area, on=ON, actor=actor).cells_path).to_pylist()
    tiled = compute_coverage(unit=area, on=ON, actor=actor, parameters=CoverageParameters(tile_cells=30))
    assert pq.read_table(tiled.cells_path).to_pylist() == whole
    assert len(coverage.layers()) == 1  # the same date's layer is replaced, not added


def test_population_at_60mbps_over_population_and_lineage(area, seed_plan, actor, tmp_path):
    compute_coverage(unit=area, on=ON, actor=actor)
    near_a = (A[0] + 0.0003, A[1] + 0.0002)
    middle = ((A[0] + B[0]) / 2, A[1])
    assert expected_mbps(*near_a) >= 60 > expected_mbps(*middle)
    points = write(
        tmp_path / "dan-so.csv",
        "vi_do,kinh_do,dan_so,ma_don_vi\n"
        f"{near_a[1]},{near_a[0]},1000,\n"
        f"{middle[1]},{middle[0]},600,\n"
        "16.50,107.50,400,19996\n",  # declared in the commune but outside the grid: not covered
    )
    summary = import_population(path=points, actor=actor, on=ON)
    assert (summary.points, summary.population) == (3, 2000)
    result = indicator(seed_plan, "mobile_60mbps_population_coverage")
    assert (result["numerator"], result["denominator"], result["value"]) == (1000, 2000, 50.0)
    assert result["status"] == "not_achieved" and result["sources"] == ["measurements"]
    commune = indicator(seed_plan, "mobile_60mbps_population_coverage", unit=area)
    assert commune["denominator"] == 2000
    other = indicator(
        seed_plan, "mobile_60mbps_population_coverage", unit=area.parent.children.get(code="20005")
    )
    assert other["status"] == "no_data"


def test_no_layer_or_no_population_is_no_data_with_the_reason(area, seed_plan, actor, tmp_path):
    result = indicator(seed_plan, "mobile_60mbps_population_coverage")
    assert result["status"] == "no_data"
    card = evaluate_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=parse_period("2024"))
    reason = next(
        e.reason for e in card.evaluations if e.indicator.code == "mobile_60mbps_population_coverage"
    )
    assert reason.startswith("Chưa có số liệu dân số theo điểm")
    import_population(
        path=write(tmp_path / "p.csv", "vi_do,kinh_do,dan_so\n16.43,107.41,10\n"), actor=actor, on=ON
    )
    card = evaluate_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=parse_period("2024"))
    reason = next(
        e.reason for e in card.evaluations if e.indicator.code == "mobile_60mbps_population_coverage"
    )
    assert reason.startswith("Chưa có lớp vùng phủ di động tính cho kỳ này")


def test_villages_covered_when_declared_or_computed_and_disagreements_listed(
    area, seed_plan, actor, tmp_path
):
    covered = create_village(commune=area, name="Thôn 1", actor=actor)
    far = create_village(commune=area, name="Thôn 2", actor=actor)
    element = DataElement.objects.get(code="village_mobile_broadband_covered")
    set_value(element=element, unit=covered, period="2024", value="0", actor=actor)  # declared not covered
    set_value(element=element, unit=far, period="2024", value="1", actor=actor)
    compute_coverage(unit=area, on=ON, actor=actor)
    import_population(
        path=write(
            tmp_path / "dan-so.csv",
            "vi_do,kinh_do,dan_so,ma_don_vi\n"
            f"{A[1]},{A[0] + 0.001},300,{covered.code}\n"
            f"16.60,107.60,200,{far.code}\n",  # outside the grid: computed not covered
        ),
        actor=actor,
        on=ON,
    )
    rows = {
        r.village.code: r for r in village_coverage(villages_among(area.children.all()), date(2024, 1, 1), ON)
    }
    assert (rows[covered.code].declared, rows[covered.code].computed) == (False, True)
    assert (rows[far.code].declared, rows[far.code].computed) == (True, False)
    assert rows[covered.code].disagrees and rows[far.code].disagrees
    result = indicator(seed_plan, "village_mobile_broadband_coverage", unit=area)
    assert (result["numerator"], result["denominator"], result["value"]) == (2, 2, 100.0)
    # The lineage names both disagreements (the indicator page's evidence), the declared values are inputs.
    card = evaluate_scorecard(plan=seed_plan, unit=area, period=parse_period("2024"))
    evaluation = next(e for e in card.evaluations if e.indicator.code == "village_mobile_broadband_coverage")
    assert evaluation.lineage["villages_mobile_covered"]["items"][-2:] == [
        f"{covered.code} Thôn 1: khai báo / declared không / no — tính toán / computed có / yes",
        f"{far.code} Thôn 2: khai báo / declared có / yes — tính toán / computed không / no",
    ]
    assert len(evaluation.value_ids) == 2


def test_bad_population_rows_are_all_named_and_nothing_is_written(seed_plan, actor, tmp_path, table_counts):
    before = table_counts()
    path = write(
        tmp_path / "dan-so.csv",
        "vi_do,kinh_do,dan_so,ma_don_vi\n"
        "16.43,107.41,100,\n"
        "95,107.41,100,\n"
        "16.43,abc,100,\n"
        "16.43,107.42,-5,\n"
        "16.44,107.42,=1+2,\n"
        "16.45,107.42,10,99999\n"
        "16.43,107.41,100,\n",
    )
    with pytest.raises(ImportRejected) as caught:
        import_population(path=path, actor=actor, on=ON)
    assert str(caught.value) == (
        "Tệp dan-so.csv có 6 lỗi; không dữ liệu nào được ghi / "
        "File dan-so.csv has 6 error(s); nothing was written"
    )
    assert [(e.row, e.column, e.value) for e in caught.value.errors] == [
        (3, "vi_do", "95"),
        (4, "kinh_do", "abc"),
        (5, "dan_so", "-5"),
        (6, "dan_so", "=1+2"),
        (7, "ma_don_vi", "99999"),
        (8, "vi_do", "16.43, 107.41"),
    ]
    assert caught.value.errors[-1].reason_en == "same point as an earlier row"
    assert table_counts() == before and not population.has_population()


def test_population_outside_every_boundary_and_missing_columns(area, actor, tmp_path, table_counts):
    before = table_counts()
    with pytest.raises(ImportRejected) as caught:
        import_population(
            path=write(tmp_path / "p.csv", "vi_do,kinh_do,dan_so\n10.0,105.0,5\n"), actor=actor, on=ON
        )
    assert [(e.row, e.reason_en) for e in caught.value.errors] == [(2, "outside every known boundary")]
    with pytest.raises(UserError) as missing:
        import_population(path=write(tmp_path / "q.csv", "vi_do,kinh_do\n16.43,107.41\n"), actor=actor, on=ON)
    assert str(missing.value) == (
        "Tệp thiếu cột population (cột bắt buộc: lat, kinh_do, dan_so) / "
        "The file lacks column(s) population (required: lat, kinh_do, dan_so)"
    )
    assert table_counts() == before and not population.has_population()


def test_compute_refuses_without_boundaries_stations_or_with_bad_parameters(
    seed_plan, actor, tmp_path, table_counts
):
    commune = AdministrativeUnit.objects.get(code="19996", valid_to__isnull=False)
    before = table_counts()
    with pytest.raises(UserError) as caught:
        compute_coverage(unit=commune, on=ON, actor=actor)
    assert str(caught.value) == (
        "Phường Tứ Hạ chưa có ranh giới xã, phường có hiệu lực ngày 31/12/2024 "
        "(hatangso import boundaries) / Phường Tứ Hạ has no commune boundaries in force on 31/12/2024 "
        "(hatangso import boundaries)"
    )
    shape = {"type": "Polygon", "coordinates": [SQUARE]}
    feature = {"type": "Feature", "properties": {"ma": "19996"}, "geometry": shape}
    boundaries = write(
        tmp_path / "b.geojson", json.dumps({"type": "FeatureCollection", "features": [feature]})
    )
    import_boundaries(path=boundaries, actor=actor, on=date(2024, 1, 1))
    before = table_counts()
    with pytest.raises(UserError) as caught:
        compute_coverage(unit=commune, on=ON, actor=actor)
    assert str(caught.value) == (
        "Không có trạm 4G/5G nào đang hoạt động ngày 31/12/2024 để tính vùng phủ / "
        "No active 4G/5G station on 31/12/2024 to compute coverage from"
    )
    with pytest.raises(UserError) as caught:
        compute_coverage(unit=commune, on=ON, actor=actor, parameters=CoverageParameters(load=1.2))
    assert str(caught.value) == (
        "Tham số vùng phủ không hợp lệ: tải của ô phải từ 0 đến dưới 1 / "
        "Invalid coverage parameter: the cell load must be in [0, 1)"
    )
    assert table_counts() == before and coverage.layers() == []
