"""Station and OpenCelliD imports never hide rows: the rows outside every boundary are counted and
printed, left out by default (like Ookla's and M-Lab's) or kept flagged with --keep-outside, and the
same file imported again adds nothing."""

import pytest
from django.core.management import call_command

from hatangso.collection.models import ImportBatch
from hatangso.core.scoping import COMMAND_LINE
from hatangso.registry.imports import import_opencellid, import_stations
from hatangso.registry.models import Station
from hatangso.registry.tests import test_imports
from hatangso.utilities.errors import UserError
from hatangso.utilities.testing import RESEARCH_DATA, needs_shared

OPENCELLID_HEADER = test_imports.OPENCELLID_HEADER
boundaries = test_imports.boundaries  # the two communes' squares (a fixture)

# Inside Tứ Hạ's square (test_imports.TU_HA): two LTE sectors of one eNodeB; then a GSM cell in
# Hà Nội, outside every boundary.
CELLS = [
    "LTE,452,4,1001,26113025,1,107.451,16.55,500,10,1,1577836800,1662704361,0",
    "LTE,452,4,1001,26113026,2,107.452,16.55,500,10,1,1577836800,1662704361,0",
    "GSM,452,1,11987,45002,0,105.85,21.03,3548,9,1,1456906223,1662704361,0",
]
LEFT_OUT = "1 dòng ngoài mọi ranh giới, bỏ qua / 1 rows outside every boundary, left out"
KEPT = "1 dòng ngoài mọi ranh giới, giữ và đánh dấu / 1 rows outside every boundary, kept flagged"


@pytest.fixture(autouse=True)
def own_home(settings, tmp_path):
    settings.HOME = tmp_path / "home"


@pytest.fixture
def cells(tmp_path):
    path = tmp_path / "cells.csv"
    path.write_text("\n".join([OPENCELLID_HEADER, *CELLS]) + "\n", encoding="utf-8")
    return path


def test_opencellid_leaves_out_the_cells_outside_and_says_so_each_time(seed_plan, boundaries, cells, capsys):
    call_command("import", "opencellid", str(cells))
    call_command("import", "opencellid", str(cells))
    out = " ".join(capsys.readouterr().out.split())  # as printed, unwrapped
    [station] = Station.objects.all()
    assert (station.code, station.unit.code, station.unit_source) == ("LTE-102004", "19996", "polygon")
    assert "opencellid: 1 mới / created, 0 cập nhật / updated, 0 không đổi / unchanged" in out
    assert "opencellid: 0 mới / created, 0 cập nhật / updated, 1 không đổi / unchanged" in out
    assert out.count(LEFT_OUT) == 2


def test_keep_outside_keeps_the_cells_flagged_and_a_second_import_adds_nothing(
    seed_plan, boundaries, cells, capsys
):
    call_command("import", "opencellid", str(cells), "--keep-outside")
    call_command("import", "opencellid", str(cells), "--keep-outside")
    out = " ".join(capsys.readouterr().out.split())  # as printed, unwrapped
    outside = Station.objects.get(code="GSM-11987-45002")
    assert (outside.unit, outside.unit_source, outside.status) == (None, "outside", "active")
    assert Station.objects.count() == 2
    assert "opencellid: 0 mới / created, 0 cập nhật / updated, 2 không đổi / unchanged" in out
    assert out.count(KEPT) == 2


def test_a_station_list_counts_its_rows_outside(seed_plan, actor, boundaries, tmp_path):
    path = tmp_path / "tram.csv"
    path.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi\n"
        "V1,viettel,4G,16.55,107.45,\n"
        "V2,viettel,4G,21.03,105.85,\n"  # Hà Nội: outside every boundary
        "V3,viettel,4G,21.03,105.85,20005\n",  # outside, but its commune declared
        encoding="utf-8",
    )
    summary = import_stations(path=path, actor=actor, user=COMMAND_LINE)
    assert (summary.created, summary.outside) == (2, 1)
    assert dict(Station.objects.values_list("code", "unit_source")) == {"V1": "polygon", "V3": "declared"}
    assert import_stations(path=path, actor=actor, keep_outside=True, user=COMMAND_LINE).created == 1
    assert Station.objects.get(code="V2").unit_source == "outside"


@needs_shared(RESEARCH_DATA)
def test_a_national_extract_with_no_cell_in_the_area_is_refused_with_its_count_and_kept(
    seed_plan, actor, boundaries, settings, table_counts
):
    path = RESEARCH_DATA / "opencellid_diff_2022-09-10_mcc452_vietnam.csv"
    before = table_counts()
    with pytest.raises(UserError) as caught:
        call_command("import", "opencellid", str(path))
    assert caught.value.en == (
        "No row of opencellid_diff_2022-09-10_mcc452_vietnam.csv lies inside a known boundary: 178 rows "
        "outside every boundary (--keep-outside, or keep_outside=true in the API, keeps them)"
    )
    assert table_counts() == before  # the rejected batch only
    batch = ImportBatch.objects.get(status="rejected")
    assert (batch.kind, batch.errors[0]["reason_en"]) == ("opencellid", caught.value.en)
    assert [p.name.endswith(path.name) for p in (settings.HOME / "imports" / "rejected").iterdir()] == [True]
    summary = import_opencellid(path=path, actor=actor, keep_outside=True, user=COMMAND_LINE)
    assert (summary.created, summary.outside) == (178, 178)
    assert not Station.objects.exclude(unit_source="outside").exists()


def test_the_stations_api_leaves_out_or_keeps_the_rows_outside(seed_plan, boundaries, client, actor):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from hatangso.core.services import create_api_token, create_user, grant_membership
    from hatangso.registry.models import Operator

    user = create_user(username="viettel", password="a long passphrase 2024", actor=actor)
    grant_membership(user=user, role="enterprise", operator=Operator.objects.get(code="viettel"), actor=actor)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {create_api_token(user=user, name='t', actor=actor)[1]}"}
    text = (
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do\n"
        "V1,viettel,4G,16.55,107.45\n"
        "V2,viettel,4G,21.03,105.85\n"  # Hà Nội: outside every boundary
    )

    def send(kind="stations", query=""):
        upload = SimpleUploadedFile("tram.csv", text.encode(), content_type="text/csv")
        response = client.post(f"/api/v1/registry/imports/{kind}{query}", {"file": upload}, **auth)
        return response.status_code, response.json()

    status, body = send()
    assert (status, body["created"], body["notes"][0]) == (200, 1, LEFT_OUT)
    assert list(Station.objects.values_list("code", flat=True)) == ["V1"]
    status, body = send(query="?keep_outside=true")
    assert (status, body["created"], body["unchanged"], body["notes"][0]) == (200, 1, 1, KEPT)
    assert Station.objects.get(code="V2").unit_source == "outside"
    status, body = send("poles", "?keep_outside=true")
    assert (status, body["detail"], body["detail_en"]) == (
        400,
        "keep_outside chỉ dùng cho stations, không dùng cho poles",
        "keep_outside is for stations only, not for poles",
    )
    assert not ImportBatch.objects.filter(kind="poles").exists()
