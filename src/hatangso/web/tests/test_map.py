"""The map page and its GeoJSON layers: each layer through the user's scope, the communes coloured
from known values, the coverage cells merged per speed class."""

import json
from datetime import date
from urllib.parse import quote

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
import shapely
from pyproj import Transformer
from shapely.geometry import shape

from hatangso.analytics.measurements.coverage import compute_coverage
from hatangso.analytics.services import compute_scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.geography.services import import_boundaries
from hatangso.registry.imports import IMPORTERS
from hatangso.registry.models import Operator
from hatangso.utilities.periods import parse_period
from hatangso.web.layers import speed_class
from hatangso.workplan.services import report_incident, triage_incident

JUNE = date(2024, 6, 1)
# Two communes as 0.02° squares side by side.
SQUARES = {
    "19996": [[107.40, 16.42], [107.42, 16.42], [107.42, 16.44], [107.40, 16.44], [107.40, 16.42]],
    "20005": [[107.42, 16.42], [107.44, 16.42], [107.44, 16.44], [107.42, 16.44], [107.42, 16.42]],
}
# V1 (Viettel) and N1 (VNPT) stand 1 m apart: one shared site. V2 and N2 stand alone.
STATIONS = (
    "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,do_cao_anten,bang_tan,ngay_hoat_dong\n"
    "V1,viettel,4G,16.43,107.405,30,1800,01/01/2020\n"
    "N1,vnpt,4G,16.43001,107.40501,30,1800,01/01/2020\n"
    "V2,viettel,4G,16.43,107.415,30,1800,01/01/2020\n"
    "N2,vnpt,4G,16.43,107.43,30,1800,01/01/2020\n"
)
URLS = [
    "/ke-hoach/1529-kh-ubnd/ban-do/",
    "/ke-hoach/1529-kh-ubnd/ban-do/xa-phuong.geojson",
    "/ban-do/tram.geojson",
    "/ban-do/vi-tri.geojson",
    "/ke-hoach/1529-kh-ubnd/ban-do/vung-phu.geojson",
    "/ban-do/phan-anh.geojson",
]


@pytest.fixture(autouse=True)
def own_store(settings, tmp_path):
    settings.HOME = tmp_path / "home"


@pytest.fixture
def world(seed_plan, actor, tmp_path):
    features = [
        {
            "type": "Feature",
            "properties": {"ma": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, ring in SQUARES.items()
    ]
    boundaries = tmp_path / "ranh-gioi.geojson"
    boundaries.write_text(json.dumps({"type": "FeatureCollection", "features": features}))
    import_boundaries(path=boundaries, actor=actor, on=date(2024, 1, 1))
    stations = tmp_path / "tram.csv"
    stations.write_text(STATIONS)
    IMPORTERS["stations"](path=stations, actor=actor, user=COMMAND_LINE)
    # Internet users: Tứ Hạ 99 % (target ≥ 97: met), Hương Toàn 50 % (not met).
    for code, users in (("19996", "990"), ("20005", "500")):
        unit = resolve_unit(code, start=JUNE)
        for element, value in (("population", "1000"), ("internet_users", users)):
            set_value(element=DataElement.objects.get(code=element), unit=unit, period="2024", value=value,
                      actor=actor)  # fmt: skip
    period = parse_period("2024")
    for unit in (seed_plan.area_unit, *(resolve_unit(c, start=JUNE) for c in SQUARES)):
        compute_scorecard(plan=seed_plan, unit=unit, period=period)
    users = {}
    for name, role, unit, operator in (
        ("owner", "plan_owner", "480", None),
        ("tuha", "commune", "19996", None),
        ("huongtoan", "commune", "20005", None),
        ("viettel", "enterprise", None, "viettel"),
        ("norole", None, None, None),
    ):
        users[name] = create_user(username=name, password="a long passphrase 2024", actor=actor)
        if role:
            grant_membership(
                user=users[name], role=role, actor=actor,
                unit=resolve_unit(unit, start=JUNE) if unit else None,
                operator=Operator.objects.get(code=operator) if operator else None,
            )  # fmt: skip
    in_tuha = report_incident(category="unsafe", description="Cáp chùng qua đường", actor=actor,
                              lat=16.431, lon=107.41, contact="0905 111 222")  # fmt: skip
    report_incident(category="damaged", description="Cột nghiêng", actor=actor, lat=16.431, lon=107.43)
    triage_incident(incident=in_tuha, status="assigned", user=users["owner"], actor=actor,
                    unit=resolve_unit("19996", start=JUNE))  # fmt: skip
    return {"plan": seed_plan, "users": users}


def get_json(client, world, who, url):
    client.force_login(world["users"][who])
    response = client.get(url)
    assert response.status_code == 200, (who, url, response.status_code)
    return response.json()


def test_the_public_gets_the_login_page_for_the_map_and_every_layer(world, client):
    for url in URLS:
        response = client.get(url)
        assert (response.status_code, response.url) == (302, f"/dang-nhap/?next={quote(url)}")


def test_communes_are_coloured_by_the_rating_of_the_chosen_indicator(world, client):
    body = get_json(
        client, world, "owner", "/ke-hoach/1529-kh-ubnd/ban-do/xa-phuong.geojson?indicator=internet_users"
    )
    shown = {f["properties"]["code"]: (f["properties"]["value"], f["properties"]["status"],
                                       f["properties"]["colour"]) for f in body["features"]}  # fmt: skip
    assert shown == {
        "19996": (99.0, "achieved", "#2e8b57"),
        "20005": (50.0, "not_achieved", "#c0392b"),
    }
    assert (body["properties"]["target"], body["properties"]["comparison"]) == (97.0, ">=")
    fibre = get_json(
        client, world, "tuha", "/ke-hoach/1529-kh-ubnd/ban-do/xa-phuong.geojson?indicator=household_fiber"
    )
    assert {(f["properties"]["status"], f["properties"]["colour"]) for f in fibre["features"]} == {
        ("no_data", "#c9cdd4")
    }


def test_an_unknown_indicator_is_refused_with_the_reason(world, client):
    client.force_login(world["users"]["owner"])
    response = client.get("/ke-hoach/1529-kh-ubnd/ban-do/xa-phuong.geojson?indicator=khong_co")
    assert response.status_code == 404
    assert response.json() == {
        "detail": "Kế hoạch 1529/KH-UBND không có chỉ tiêu 'khong_co'",
        "detail_en": "Plan 1529/KH-UBND has no indicator 'khong_co'",
    }
    page = client.get("/ke-hoach/1529-kh-ubnd/ban-do/?indicator=khong_co")
    assert page.status_code == 404
    assert "Kế hoạch 1529/KH-UBND không có chỉ tiêu &#x27;khong_co&#x27;" in page.content.decode()


def test_stations_follow_the_scope(world, client):
    def codes(who):
        return sorted(
            f["properties"]["code"] for f in get_json(client, world, who, "/ban-do/tram.geojson")["features"]
        )

    assert codes("owner") == ["N1", "N2", "V1", "V2"]
    assert codes("viettel") == ["V1", "V2"]  # never a competitor's station
    assert codes("tuha") == [] and codes("norole") == []


def test_sites_mark_the_shared_ones_and_name_only_visible_operators(world, client):
    viettel = Operator.objects.get(code="viettel").short_name
    vnpt = Operator.objects.get(code="vnpt").short_name

    def sites(who):
        body = get_json(client, world, who, "/ban-do/vi-tri.geojson")
        return sorted(
            (f["properties"]["shared"], tuple(f["properties"]["operators"])) for f in body["features"]
        )

    assert sites("owner") == sorted(
        [(True, tuple(sorted([viettel, vnpt]))), (False, (viettel,)), (False, (vnpt,))]
    )
    # Viettel sees the site it shares (marked shared) and its own, never VNPT's name or stations.
    assert sites("viettel") == [(False, (viettel,)), (True, (viettel,))]
    client.force_login(world["users"]["viettel"])
    text = (
        client.get("/ban-do/vi-tri.geojson").content.decode()
        + client.get("/ban-do/tram.geojson").content.decode()
    )
    assert vnpt not in text and '"N1"' not in text and '"N2"' not in text
    assert sites("tuha") == []


def test_incidents_follow_the_triage_and_assignment_scope(world, client):
    def described(who):
        body = get_json(client, world, who, "/ban-do/phan-anh.geojson")
        return sorted(f["properties"]["description"] for f in body["features"])

    assert described("owner") == ["Cáp chùng qua đường", "Cột nghiêng"]
    assert described("tuha") == ["Cáp chùng qua đường"]  # assigned to it
    assert described("huongtoan") == [] and described("viettel") == [] and described("norole") == []
    client.force_login(world["users"]["owner"])
    assert "0905 111 222" not in client.get("/ban-do/phan-anh.geojson").content.decode()  # no contact


def test_speed_classes_at_their_bounds():
    speeds = np.array([60, 59.9, 30, 29.9, 5, 4.9, 0.1, 0, np.nan])
    assert list(speed_class(speeds)) == [
        "ge60",
        "30_60",
        "30_60",
        "5_30",
        "5_30",
        "lt5",
        "lt5",
        "none",
        "none",
    ]


def write_layer(home, cells: dict) -> None:
    folder = home / "measurements" / "coverage" / "as_of=2024-12-31"
    folder.mkdir(parents=True)
    pq.write_table(pa.table(cells), folder / "cells.parquet")
    meta = {"as_of": "2024-12-31", "computed_at": "2024-12-31T00:00:00", "synthetic": False,
            "parameters": {"cell_m": 100.0, "crs": "EPSG:32648", "speed_mbps": 60.0}}  # fmt: skip
    (folder / "layer.json").write_text(json.dumps(meta))


def test_the_coverage_layer_merges_cells_per_speed_class(world, client, settings):
    # Two adjacent cells at ≥ 60, one at 45, one at 10, one not reached; at x ≈ 760 km in UTM 48N.
    ix = np.array([7600, 7601, 7603, 7605, 7607])
    iy = np.array([18180, 18180, 18180, 18180, 18180])
    write_layer(
        settings.HOME, {"ix": ix, "iy": iy, "effective_mbps": np.array([80.0, 61.0, 45.0, 10.0, 0.0])}
    )
    body = get_json(client, world, "tuha", "/ke-hoach/1529-kh-ubnd/ban-do/vung-phu.geojson")
    classes = {f["properties"]["class"]: f for f in body["features"]}
    assert {k: f["properties"]["cells"] for k, f in classes.items()} == {
        "ge60": 2, "30_60": 1, "5_30": 1, "none": 1
    }  # fmt: skip
    to_utm = Transformer.from_crs("EPSG:4326", "EPSG:32648", always_xy=True)
    merged = shape(classes["ge60"]["geometry"])
    assert merged.geom_type == "Polygon"  # the two cells became one shape
    metric = shapely.transform(merged, lambda xy: np.column_stack(to_utm.transform(xy[:, 0], xy[:, 1])))
    assert metric.area == pytest.approx(20_000, rel=0.01)
    assert metric.bounds == pytest.approx((760_000, 1_818_000, 760_200, 1_818_100), abs=2)


def test_the_coverage_layer_of_a_computed_grid_counts_every_cell(world, client, actor):
    layer = compute_coverage(unit=world["plan"].area_unit, on=date(2024, 12, 31), actor=actor)
    body = get_json(client, world, "owner", "/ke-hoach/1529-kh-ubnd/ban-do/vung-phu.geojson")
    assert (
        sum(f["properties"]["cells"] for f in body["features"])
        == layer.meta["cells"]
        == body["properties"]["cells"]
    )
    assert len(body["features"]) <= 5


def test_no_coverage_layer_gives_an_empty_collection(world, client):
    assert (
        get_json(client, world, "owner", "/ke-hoach/1529-kh-ubnd/ban-do/vung-phu.geojson")["features"] == []
    )


def test_the_map_page_lists_the_values_without_javascript(world, client):
    client.force_login(world["users"]["owner"])
    page = client.get("/ke-hoach/1529-kh-ubnd/ban-do/?indicator=internet_users").content.decode()
    assert 'data-communes="/ke-hoach/1529-kh-ubnd/ban-do/xa-phuong.geojson?indicator=internet_users"' in page
    assert '<option value="internet_users" selected>' in page
    assert '<td>Phường Tứ Hạ</td><td class="num">99,0</td>' in page
    assert 'class="status not_achieved">Chưa hoàn thành' in page
    assert "Kế hoạch: ≥ 97 %" in page
    assert "<script>" not in page  # scripts only from files (CSP)
    assert "synthetic demo data" not in page  # none of this world's data is synthetic


def test_the_map_page_says_when_the_data_are_synthetic(world, client, actor):
    set_value(element=DataElement.objects.get(code="households"), unit=resolve_unit("19996", start=JUNE),
              period="2024", value="300", actor=actor, synthetic=True)  # fmt: skip
    client.force_login(world["users"]["viettel"])
    assert "synthetic demo data" in client.get("/ke-hoach/1529-kh-ubnd/ban-do/").content.decode()
