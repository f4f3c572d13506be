"""Ookla open-data tiles and M-Lab NDT rows: quadkey decoding, all-or-nothing imports into Parquet,
test-weighted speeds."""

import math
from datetime import date
from pathlib import Path

import numpy as np
import pyarrow.parquet as pq
import pytest

from hatangso.analytics.measurements import store
from hatangso.analytics.measurements.speedtests import (
    ZOOM,
    decode_quadkeys,
    import_mlab,
    import_ookla,
    ookla_speeds,
    tile_xy,
)
from hatangso.core.scoping import COMMAND_LINE
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected

# The zoom-16 tile of (107.41° E, 16.43° N), by hand from the Bing formula:
#   x = floor((107.41 + 180) / 360 · 2^16) = floor(52321.3) = 52321
#   y = floor((1 − ln(tan φ + sec φ) / π) / 2 · 2^16) with φ = 16.43°: ln(0.29487 + 1.04263) = 0.29079,
#     (1 − 0.092563) / 2 · 65536 = 29735.2 → 29735
#   digit i = bit i of x + 2 · bit i of y (most significant first):
#     x = 1100110001100001, y = 0111010000100111 → 1322130001300223
TILE = "1322130001300223"
HEADER = "quadkey,avg_d_kbps,avg_u_kbps,avg_lat_ms,tests,devices\n"


pytestmark = pytest.mark.usefixtures("own_store")


def write(tmp_path: Path, text: str, name="2024-07-01_performance_mobile_tiles.csv") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def test_quadkey_0_is_the_north_west_quarter_and_213_is_bings_example():
    world = decode_quadkeys(["0", "3"])
    assert (world["lon_min"][0], world["lon_max"][0], world["lat_min"][0]) == (-180, 0, 0)
    assert world["lat_max"][0] == pytest.approx(85.0511287798)  # the Web-Mercator limit
    assert (world["tile_x"][1], world["tile_y"][1], world["lat_max"][1]) == (1, 1, 0)
    bing = decode_quadkeys(["213"])  # Bing Maps Tile System: quadkey 213 is tile (3, 5) at level 3
    assert (bing["tile_x"][0], bing["tile_y"][0]) == (3, 5)


def test_a_vietnamese_tile_decodes_to_the_hand_computed_tile():
    tile = decode_quadkeys([TILE])
    assert (tile["tile_x"][0], tile["tile_y"][0]) == (52321, 29735)
    assert tile["lon_min"][0] <= 107.41 < tile["lon_max"][0]
    assert tile["lat_min"][0] <= 16.43 < tile["lat_max"][0]
    assert tile["lon_min"][0] == pytest.approx(52321 / 2**16 * 360 - 180)
    # About 610.8 m × cos φ on a side at zoom 16: ≈ 586 m at 16.43° N.
    width_m = (tile["lon_max"][0] - tile["lon_min"][0]) * 111_320 * math.cos(math.radians(16.43))
    assert width_m == pytest.approx(610.8 * math.cos(math.radians(16.43)), rel=0.01)
    x, y = tile_xy(np.array([107.41]), np.array([16.43]))
    assert (x[0], y[0]) == (52321, 29735)


def test_unit_speed_is_the_test_weighted_mean(area, actor, tmp_path):
    other = TILE[:-1] + "1"  # the tile north of it (y − 1), also inside the commune
    path = write(tmp_path, HEADER + f"{TILE},100000,20000,20,10,4\n{other},40000,10000,40,30,9\n")
    summary = import_ookla(path=path, actor=actor)
    assert (summary.rows, summary.outside, summary.period, summary.network) == (2, 0, "2024Q3", "mobile")
    [row] = ookla_speeds(unit_ids=[area.pk])
    assert row["download_mbps"] == pytest.approx(55.0)  # (100·10 + 40·30) / 40, not (100 + 40) / 2
    assert row["upload_mbps"] == pytest.approx(12.5)
    assert row["latency_ms"] == pytest.approx(35.0)
    assert (row["unit_id"], row["tests"], row["devices"], row["tiles"]) == (area.pk, 40, 13, 2)
    assert ookla_speeds(unit_ids=[area.pk], period="2024Q2") == []
    assert store.has_data("ookla")


def test_a_second_file_of_the_quarter_replaces_the_first(area, actor, tmp_path):
    import_ookla(path=write(tmp_path, HEADER + f"{TILE},100000,20000,20,10,4\n"), actor=actor)
    summary = import_ookla(path=write(tmp_path, HEADER + f"{TILE},30000,20000,20,10,4\n"), actor=actor)
    assert summary.replaced == 1
    [row] = ookla_speeds(period="2024Q3", by_unit=False)
    assert (row["download_mbps"], row["tests"]) == (30.0, 10)


def test_tiles_outside_every_boundary_are_left_out(area, actor, tmp_path):
    hanoi = "1322130" + "0" * 9  # far from the commune
    summary = import_ookla(
        path=write(tmp_path, HEADER + f"{TILE},1000,1000,20,10,4\n{hanoi},1,1,1,1,1\n"), actor=actor
    )
    assert (summary.rows, summary.outside) == (1, 1)


def test_bad_ookla_rows_are_named_and_land_nothing(area, actor, tmp_path, table_counts):
    before = table_counts()
    rows = [
        f"{TILE},1000,1000,20,10,4",
        "132213000130022x,1000,1000,20,10,4",  # row 3: not a digit 0–3
        "13221300013002,1000,1000,20,10,4",  # row 4: 14 characters
        f"{TILE[:-1]}1,1000,1000,20,-5,4",  # row 5: negative tests
        f"{TILE[:-1]}2,nhanh,1000,20,10,4",  # row 6: not a number
        f"{TILE},1000,1000,20,10,4",  # row 7: the same tile again
    ]
    text = HEADER + "\n".join(rows) + "\n"
    with pytest.raises(ImportRejected) as caught:
        import_ookla(path=write(tmp_path, text), actor=actor)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {(3, "quadkey"), (4, "quadkey"), (5, "tests"), (6, "avg_d_kbps"), (7, "quadkey")}
    assert "132213000130022x" in str(next(e for e in caught.value.errors if e.row == 3))
    assert table_counts() == before
    assert not store.kind_root("ookla").exists()


def test_ookla_needs_a_quarter(area, actor, tmp_path):
    path = write(tmp_path, HEADER + f"{TILE},1000,1000,20,10,4\n", name="tiles.csv")
    with pytest.raises(UserError, match="--period"):
        import_ookla(path=path, actor=actor)
    with pytest.raises(UserError, match="one quarter"):
        import_ookla(path=path, actor=actor, period="2024")
    assert import_ookla(path=path, actor=actor, period="2024q4").period == "2024Q4"


MLAB_HEADER = "date,a.MeanThroughputMbps,a.MinRTT,client.Geo.Latitude,client.Geo.Longitude\n"


def test_mlab_rows_are_stored_by_month_and_unit(area, actor, tmp_path):
    path = write(
        tmp_path,
        MLAB_HEADER + "2024-09-01,35.5,12,16.43,107.41\n2024-10-02,12,30,16.431,107.411\n",
        name="ndt.csv",
    )
    summary = import_mlab(path=path, actor=actor)
    assert (summary.rows, summary.outside) == (2, 0)
    assert sorted(p.name for p in store.kind_root("mlab").iterdir()) == ["month=202409", "month=202410"]
    rows = (
        store.connect()
        .execute(f"SELECT unit_id, download_mbps FROM {store.scan('mlab')} ORDER BY time")
        .fetchall()
    )
    assert rows == [(area.pk, 35.5), (area.pk, 12.0)]


def test_bad_mlab_rows_are_named_and_land_nothing(area, actor, tmp_path, table_counts):
    before = table_counts()
    text = MLAB_HEADER + (
        "2024-09-01,35.5,12,16.43,107.41\n"
        "2024-09-01,-1,12,16.43,107.41\n"  # row 3
        "2024-09-01,10,chậm,16.43,107.41\n"  # row 4
        "2024-09-01,10,12,96.43,107.41\n"  # row 5
        "hôm qua,10,12,16.43,107.41\n"  # row 6
    )
    with pytest.raises(ImportRejected) as caught:
        import_mlab(path=write(tmp_path, text, name="ndt.csv"), actor=actor)
    found = {(e.row, e.column) for e in caught.value.errors}
    assert found == {
        (3, "a.meanthroughputmbps"), (4, "a.minrtt"), (5, "client.geo.latitude"), (6, "date"),
    }  # fmt: skip
    assert table_counts() == before
    assert not store.kind_root("mlab").exists()


def test_cli_import_ookla_without_a_quarter_says_so_in_one_sentence(tmp_path):
    from hatangso.utilities.testing import assert_user_error
    from hatangso.utilities.testing import run_cli as hatangso

    home = tmp_path / "cli-home"
    home.mkdir()
    tiles = write(tmp_path, HEADER + f"{TILE},1000,1000,20,10,4\n", name="tiles.csv")
    result = hatangso(home, "import", "ookla", str(tiles))
    lines = assert_user_error(
        result, "Cần --period (quý, ví dụ 2024Q3)", "--period (a quarter, e.g. 2024Q3) is needed"
    )
    assert result.returncode == 1 and len(lines) == 1
    assert "import ookla FILE" in hatangso(home, "--help").stdout


# --- measured wins in the coverage grid -----------------------------------------------------------


def quadkey(lon: float, lat: float) -> str:
    """The zoom-16 quadkey of a point, digit by digit (Bing)."""
    x, y = (int(v[0]) for v in tile_xy(np.array([lon]), np.array([lat])))
    return "".join(str(((x >> b) & 1) + 2 * ((y >> b) & 1)) for b in range(ZOOM - 1, -1, -1))


def test_quadkey_of_the_hand_computed_point():
    assert quadkey(107.41, 16.43) == TILE


def test_measured_speed_wins_in_the_grid_with_enough_tests(area, seed_plan, actor, tmp_path):
    from hatangso.analytics.measurements.coverage import compute_coverage, layer_for
    from hatangso.analytics.measurements.population import import_population
    from hatangso.analytics.services import evaluate_scorecard
    from hatangso.registry.imports import IMPORTERS
    from hatangso.utilities.periods import parse_period

    stations = write(
        tmp_path,
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,do_cao_anten,bang_tan,ngay_hoat_dong\n"
        "VT-A,viettel,4G,16.43,107.405,30,1800,01/01/2020\nVT-B,viettel,4G,16.43,107.415,30,1800,01/01/2020\n",
        name="tram.csv",
    )
    IMPORTERS["stations"](path=stations, actor=actor, user=COMMAND_LINE)
    lon, lat = 107.4152, 16.4302  # 25 m from mast B
    near_b = quadkey(lon, lat)
    people = write(tmp_path, f"vi_do,kinh_do,dan_so\n{lat},{lon},1000\n", name="dan-so.csv")
    import_population(path=people, actor=actor, on=date(2024, 12, 31))

    def mobile():
        compute_coverage(unit=area, on=date(2024, 12, 31), actor=actor)
        card = evaluate_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=parse_period("2024"))
        found = next(
            i for i in card.as_json()["indicators"] if i["code"] == "mobile_60mbps_population_coverage"
        )
        layer = layer_for(date(2024, 1, 1), date(2024, 12, 31))
        cells = pq.read_table(layer.cells_path).to_pylist()
        return found, layer, cells

    predicted, _, cells = mobile()
    assert predicted["numerator"] == 1000  # by the mast: predicted ≥ 60 Mb/s
    assert all(c["measured_mbps"] is None and c["effective_mbps"] == c["best_mbps"] for c in cells)

    # Mast B's tile measured at 20 Mb/s over 40 tests; the tile west of it (mast A's side) 10 tests only.
    tiles = write(tmp_path, HEADER + f"{near_b},20000,5000,30,40,9\n{TILE},1000,500,90,10,3\n")
    import_ookla(path=tiles, actor=actor)
    measured, layer, cells = mobile()
    assert measured["numerator"] == 0  # measured 20 Mb/s over 40 tests wins: below 60 Mb/s
    assert measured["denominator"] == 1000
    inside = [c for c in cells if c["measured_tests"] >= 30]
    assert inside and all(c["effective_mbps"] == pytest.approx(c["measured_mbps"]) for c in inside)
    assert all(c["best_mbps"] > 0 for c in inside)  # the prediction is kept beside it
    few = [c for c in cells if 0 < c["measured_tests"] < 30]
    assert few and all(c["effective_mbps"] == c["best_mbps"] for c in few)
    assert layer.meta["measured"]["period"] == "2024Q3" and layer.meta["measured"]["cells"] == len(inside)
