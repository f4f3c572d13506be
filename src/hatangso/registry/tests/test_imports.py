"""Registry imports: all-or-nothing with named rows, the real OpenCelliD extract, boundaries."""

import json
from pathlib import Path

import pytest

from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.services import import_boundaries
from hatangso.registry.imports import (
    import_ducts,
    import_gov_links,
    import_opencellid,
    import_poles,
    import_stations,
    import_zones,
)
from hatangso.registry.models import (
    DuctSegment,
    GovernmentLink,
    IndustrialZone,
    Operator,
    Pole,
    Site,
    Station,
)
from hatangso.utilities.importing import ImportRejected
from hatangso.utilities.testing import RESEARCH_DATA, needs_shared

RESEARCH = RESEARCH_DATA
OPENCELLID_HEADER = (
    "radio,mcc,net,area,cell,unit,lon,lat,range,samples,changeable,created,updated,averageSignal"
)

# A square around Tứ Hạ (19996) and one around Hương Toàn (20005), side by side; synthetic shapes.
TU_HA = [[107.40, 16.50], [107.50, 16.50], [107.50, 16.60], [107.40, 16.60], [107.40, 16.50]]
HUONG_TOAN = [[107.50, 16.50], [107.60, 16.50], [107.60, 16.60], [107.50, 16.60], [107.50, 16.50]]


def feature_collection(features):
    return {"type": "FeatureCollection", "features": features}


def feature(properties: dict, geometry: dict) -> dict:
    return {"type": "Feature", "properties": properties, "geometry": geometry}


def polygon(ring) -> dict:
    return {"type": "Polygon", "coordinates": [ring]}


def write_json(path: Path, data) -> Path:
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture
def boundaries(seed_plan, actor, tmp_path):
    path = write_json(
        tmp_path / "ranh-gioi.geojson",
        feature_collection(
            [
                feature({"ma": "19996"}, polygon(TU_HA)),
                feature({"ma": "20005"}, polygon(HUONG_TOAN)),
            ]
        ),
    )
    assert import_boundaries(path=path, actor=actor, on=seed_plan.issued_on, synthetic=True) == 2


def test_opencellid_rows_with_problems_land_nothing_and_are_named(seed_plan, actor, tmp_path, table_counts):
    path = tmp_path / "cells.csv"
    path.write_text(
        "\n".join(
            [
                OPENCELLID_HEADER,
                "LTE,452,4,1001,26113025,101,107.45,16.55,500,10,1,1577836800,1662704361,0",
                "LTE,452,4,1001,26113026,102,107.45,96.55,500,10,1,1577836800,1662704361,0",
                "WIMAX,452,4,1001,123,,107.45,16.55,500,10,1,1577836800,1662704361,0",
                "GSM,452,1,11987,abc,0,105.07,21.42,3548,9,1,1456906223,1662704361,0",
                "LTE,452,9,1001,5,1,107.45,16.55,500,10,1,1577836800,1662704361,0",
            ]
        )
        + "\n",
        encoding="utf-8",
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        import_opencellid(path=path, actor=actor, user=COMMAND_LINE)
    found = [(e.row, e.column, e.value, e.reason_en) for e in rejected.value.errors]
    assert found == [
        (3, "lat", "96.55", "must be between -90 and 90"),
        (4, "radio", "WIMAX", "unknown radio (use GSM, UMTS, LTE, NR)"),
        (5, "cell", "abc", "cell must be a non-negative integer"),
        (6, "net", "9", "no operator has MCC/MNC 452/9"),
    ]
    assert rejected.value.en == "File cells.csv has 4 error(s); nothing was written"
    assert table_counts() == before


def test_lte_cells_of_one_enodeb_become_one_station(seed_plan, actor, tmp_path, boundaries):
    enb = 102004  # ECI = eNB × 256 + sector
    rows = [
        f"LTE,452,4,1001,{enb * 256 + sector},{sector},107.450{sector},16.55,500,10,1,1577836800,1662704361,0"
        for sector in (1, 2, 3)
    ] + ["LTE,452,2,2001,30720001,7,107.55,16.55,800,4,1,1609459200,1662704361,0"]
    path = tmp_path / "cells.csv"
    path.write_text("\n".join([OPENCELLID_HEADER, *rows]) + "\n", encoding="utf-8")
    summary = import_opencellid(path=path, actor=actor, user=COMMAND_LINE)
    assert (summary.created, summary.updated) == (2, 0)
    viettel = Station.objects.get(operator__code="viettel")
    assert viettel.code == f"LTE-{enb}" and viettel.technology == "4G"
    assert (viettel.unit.code, viettel.unit_source) == ("19996", "polygon")
    assert viettel.in_service_from.isoformat() == "2020-01-01"
    vnpt = Station.objects.get(operator__code="vnpt")
    assert (vnpt.code, vnpt.unit.code) == ("LTE-120000", "20005")
    # The same file again changes nothing.
    assert import_opencellid(path=path, actor=actor, user=COMMAND_LINE).unchanged == 2


@needs_shared(RESEARCH)
def test_the_real_opencellid_extract_imports(seed_plan, actor):
    summary = import_opencellid(
        path=RESEARCH / "opencellid_diff_2022-09-10_mcc452_vietnam.csv", actor=actor, user=COMMAND_LINE
    )
    stations = Station.objects.all()
    assert summary.created == stations.count() == 178  # GSM: one station per cell
    assert set(stations.values_list("operator__code", flat=True)) == {"mobifone"}
    assert not stations.filter(unit__isnull=False).exists()  # no row lies in Huế; no boundaries loaded
    assert Site.objects.count() <= 178


def test_a_station_list_with_bad_rows_lands_nothing(seed_plan, actor, tmp_path, table_counts):
    path = tmp_path / "tram.csv"
    path.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,trang_thai\n"
        "HTA001,Viettel,4G,16.55,107.45,19996,hoạt động\n"
        "HTA002,Viettel,6G,16.55,107.45,19996,\n"
        "HTA001,Viettel,4G,16.56,107.46,19996,\n"
        "HTA003,SaigonNet,4G,16.56,107.46,19996,\n"
        "HTA004,VNPT,4G,16.56,,99999,đang bay\n",
        encoding="utf-8",
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        import_stations(path=path, actor=actor, user=COMMAND_LINE)
    assert [(e.row, e.column, e.reason_en) for e in rejected.value.errors] == [
        (3, "cong_nghe", "unknown technology (use 2G, 3G, 4G or 5G)"),
        (4, "ma_tram", "duplicates row 2"),
        (5, "doanh_nghiep", "unknown operator"),
        (6, "kinh_do", "value is missing"),
        (6, "trang_thai", "unknown status (use planned, active, inactive, removed)"),
        (6, "ma_don_vi", "no unit has code 99999"),
    ]
    assert table_counts() == before


def test_an_enterprise_imports_only_its_own_stations(seed_plan, actor, tmp_path, table_counts):
    user = create_user(username="viettel", password="a long passphrase 2024", actor=actor)
    grant_membership(user=user, role="enterprise", operator=Operator.objects.get(code="viettel"), actor=actor)
    path = tmp_path / "tram.csv"
    path.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi\n"
        "V1,viettel,4G,16.55,107.45,19996\nN1,vnpt,4G,16.55,107.45,19996\n",
        encoding="utf-8",
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        import_stations(path=path, actor=actor, user=user)
    assert [(e.row, e.reason_en) for e in rejected.value.errors] == [(3, "VNPT is outside your scope")]
    assert table_counts() == before


def test_poles_with_tenants_and_a_later_change(seed_plan, actor, tmp_path, boundaries):
    path = tmp_path / "cot.csv"
    path.write_text(
        "ma_cot,chu_so_huu,vi_do,kinh_do,doanh_nghiep_dung_chung,ngay_hoat_dong\n"
        "C1,Điện lực Hương Trà,16.55,107.45,viettel;vnpt,01/01/2020\n"
        "C2,viettel,16.55,107.55,viettel,01/01/2020\n",
        encoding="utf-8",
    )
    assert import_poles(path=path, actor=actor, user=COMMAND_LINE).created == 2
    c1 = Pole.objects.get(code="C1")
    assert (c1.owner, c1.owner_name, c1.unit.code) == (None, "Điện lực Hương Trà", "19996")
    assert set(c1.tenants.values_list("code", flat=True)) == {"viettel", "vnpt"}
    assert Pole.objects.get(code="C2").unit.code == "20005"
    path.write_text(path.read_text().replace("viettel,01/01/2020\n", "viettel;fpt,01/01/2020\n"))
    import_poles(path=path, actor=actor, user=COMMAND_LINE)
    assert Pole.objects.get(code="C2").tenancies.filter(until__isnull=True).count() == 2
    assert ChangeLogEntry.objects.filter(object_type="registry.poletenancy").count() == 4


def test_ducts_from_geojson_get_their_length(seed_plan, actor, tmp_path, boundaries):
    line = {"type": "LineString", "coordinates": [[107.45, 16.55], [107.46, 16.55]]}
    path = write_json(
        tmp_path / "cong-be.geojson",
        feature_collection(
            [
                feature({"ma": "D1", "chu_so_huu": "vnpt", "doanh_nghiep_dung_chung": "vnpt;viettel"}, line),
                feature({"ma": "D2", "chu_so_huu": "vnpt"}, {"type": "Point", "coordinates": [107.4, 16.5]}),
            ]
        ),
    )
    with pytest.raises(ImportRejected) as rejected:
        import_ducts(path=path, actor=actor, user=COMMAND_LINE)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(2, "geometry")]
    assert "Point" in rejected.value.errors[0].reason_en
    data = json.loads(path.read_text())
    data["features"] = data["features"][:1]
    write_json(path, data)
    import_ducts(path=path, actor=actor, user=COMMAND_LINE)
    duct = DuctSegment.objects.get()
    assert duct.length_m == pytest.approx(1067, abs=3)  # 0.01° of longitude at 16.55° N
    assert duct.unit.code == "19996" and duct.tenants.count() == 2


def test_gov_links_need_the_office_unit(seed_plan, actor, tmp_path):
    path = tmp_path / "tslcd.csv"
    path.write_text(
        "ma,tru_so,tru_so_ubnd,ma_don_vi,loai_ket_noi,bang_thong,doanh_nghiep,trang_thai\n"
        "L1,UBND phường Tứ Hạ,1,19996,tslcd_2,20,vnpt,active\n"
        "L2,UBND xã Hương Toàn,1,,cấp II,20,vnpt,active\n"
        "L3,Phòng VH-TT,0,480,wifi,20,vnpt,active\n",
        encoding="utf-8",
    )
    with pytest.raises(ImportRejected) as rejected:
        import_gov_links(path=path, actor=actor, user=COMMAND_LINE)
    assert [(e.row, e.column, e.reason_en) for e in rejected.value.errors] == [
        (3, "ma_don_vi", "the office's unit code is missing"),
        (4, "loai_ket_noi", "unknown link type (use tslcd_2, tslcd_1, other)"),
    ]
    path.write_text(path.read_text().replace(",,cấp II", ",20005,cấp II").replace("wifi", "other"))
    assert import_gov_links(path=path, actor=actor, user=COMMAND_LINE).created == 3
    assert GovernmentLink.objects.filter(commune_office=True).count() == 2


def test_zones_with_iot_coverage(seed_plan, actor, tmp_path, boundaries):
    square = [[107.41, 16.51], [107.42, 16.51], [107.42, 16.52], [107.41, 16.52], [107.41, 16.51]]
    path = write_json(
        tmp_path / "kcn.geojson",
        feature_collection(
            [
                feature(
                    {"ma": "KCN1", "ten": "Cụm công nghiệp mẫu", "iot": "viettel:nb_iot; vnpt:lte-m"},
                    polygon(square),
                )
            ]
        ),
    )
    import_zones(path=path, actor=actor, synthetic=True, user=COMMAND_LINE)
    zone = IndustrialZone.objects.get()
    assert zone.unit.code == "19996"
    assert sorted(zone.coverage.values_list("operator__code", "technology")) == [
        ("viettel", "nb_iot"),
        ("vnpt", "lte_m"),
    ]


def test_boundaries_with_an_unknown_code_land_nothing(seed_plan, actor, tmp_path, table_counts):
    path = write_json(
        tmp_path / "rg.geojson",
        feature_collection(
            [
                feature({"ma": "19996"}, polygon(TU_HA)),
                feature({"ma": "77777"}, polygon(HUONG_TOAN)),
            ]
        ),
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        import_boundaries(path=path, actor=actor, on=seed_plan.issued_on)
    assert [(e.row, e.value) for e in rejected.value.errors] == [(2, "77777")]
    assert table_counts() == before
