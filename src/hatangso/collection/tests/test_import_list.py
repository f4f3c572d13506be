"""The imports page /tep-nhap/: the files a user may see, and a rejected file's error report (the file
wrote nothing but its report: a rejected batch with every row error, its uploader's alone)."""

import json
from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from hatangso.collection.models import DataValue, ImportBatch, Submission
from hatangso.core.models import ChangeLogEntry
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator, Station
from hatangso.utilities.importing import ImportRejected

PASSWORD = "a long passphrase 2024"
JUNE = date(2024, 6, 1)
BAD = "ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,population,12000\n2024,19996,households,ba nghìn\n"
GOOD = "ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,population,12000\n"


@pytest.fixture
def users(seed_plan, actor):
    def make(name, role=None, **membership):
        user = create_user(username=name, password=PASSWORD, actor=actor)
        if role:
            grant_membership(user=user, role=role, actor=actor, **membership)
        return user

    found = {
        "tuha": make("tuha", "commune", unit=resolve_unit("19996", start=JUNE)),
        "huongtoan": make("huongtoan", "commune", unit=resolve_unit("20005", start=JUNE)),
        "owner": make("vhtt", "plan_owner", unit=seed_plan.area_unit),
        "viettel": make("viettel", "enterprise", operator=Operator.objects.get(code="viettel")),
        "admin": make("admin"),
    }
    found["admin"].is_superuser = True
    found["admin"].save()
    return found


def upload(client, plan, name, text):
    form = plan.forms.get(code="ubnd_xa_nam").pk
    return client.post(f"/nhap-lieu/{form}/2024/", {"file": SimpleUploadedFile(name, text.encode())})


def page_of(client, user) -> str:
    client.force_login(user)
    response = client.get("/tep-nhap/")
    assert response.status_code == 200
    return response.content.decode()


def test_a_rejected_upload_keeps_its_error_report_and_writes_no_data(seed_plan, users, client, table_counts):
    client.force_login(users["tuha"])
    before = table_counts()
    entries = ChangeLogEntry.objects.count()
    upload(client, seed_plan, "sai.csv", BAD)
    assert table_counts() == before  # no value, no report, no accepted batch
    assert not DataValue.objects.exists() and not Submission.objects.exists()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.kind, batch.file_name, batch.rows) == ("rejected", "values", "sai.csv", 1)
    assert batch.errors == [
        {
            "row": 3,
            "column": "gia_tri",
            "value": "ba nghìn",
            "reason_vi": "không phải là số",
            "reason_en": "is not a number",
        }
    ]
    assert batch.uploaded_by == users["tuha"] and batch.submissions.count() == 0
    assert ChangeLogEntry.objects.count() == entries + 1  # the rejected batch, audited; nothing else
    page = page_of(client, users["tuha"])
    assert "sai.csv" in page and "Bị từ chối: 1 lỗi" in page
    assert "ba nghìn" in page and "không phải là số" in page and "is not a number" in page
    download = client.get(f"/tep-nhap/{batch.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == BAD.encode()
    # Its cells are the uploader's: not the other commune's, not the plan owner's; a superuser's.
    for other in ("huongtoan", "owner", "viettel"):
        assert "sai.csv" not in page_of(client, users[other]), other
        assert client.get(f"/tep-nhap/{batch.pk}/").status_code == 404
    assert "ba nghìn" in page_of(client, users["admin"])


def test_accepted_imports_are_listed_within_the_scope(seed_plan, users, client):
    client.force_login(users["tuha"])
    upload(client, seed_plan, "dung.csv", GOOD)
    batch = ImportBatch.objects.get(status="accepted")
    page = page_of(client, users["tuha"])
    assert "dung.csv" in page and f"/tep-nhap/{batch.pk}/" in page and "Đã nhập" in page
    assert "<td>số liệu</td>" in page and "<td>values</td>" not in page  # the kind in words
    assert "Phường Tứ Hạ · Năm 2024" in page  # the report it belongs to, in words
    assert "dung.csv" in page_of(client, users["owner"])
    assert "dung.csv" not in page_of(client, users["huongtoan"])
    assert "dung.csv" not in page_of(client, users["viettel"])
    client.logout()
    response = client.get("/tep-nhap/")
    assert response.status_code == 302 and response.url.startswith("/dang-nhap/")


def test_a_rejected_command_line_import_is_recorded_for_the_superuser(seed_plan, users, client, tmp_path):
    path = tmp_path / "sai-cli.csv"
    path.write_text(BAD, encoding="utf-8")
    with pytest.raises(ImportRejected):  # the command prints it and exits 1
        call_command("import", "values", str(path))
    batch = ImportBatch.objects.get()
    assert batch.status == "rejected" and batch.uploaded_by is None and batch.created_by == "system"
    assert not DataValue.objects.exists()
    page = page_of(client, users["admin"])
    assert "sai-cli.csv" in page and "<td>hệ thống</td>" in page  # a command's import, in words
    assert "sai-cli.csv" not in page_of(client, users["owner"])


def test_a_rejected_registry_upload_is_recorded_and_lands_no_station(seed_plan, users, client, actor):
    _, token = create_api_token(user=users["viettel"], name="t", actor=actor)
    text = "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do\nV1,viettel,4G,16.53,107.47\n"
    text += "N1,vnpt,4G,16.53,107.47\n"
    response = client.post(
        "/api/v1/registry/imports/stations",
        {"file": SimpleUploadedFile("tram.csv", text.encode())},
        HTTP_AUTHORIZATION=f"Bearer {token}",
    )
    assert response.status_code == 400
    assert json.loads(response.content)["errors"][0]["reason_en"] == "VNPT is outside your scope"
    assert not Station.objects.exists()
    batch = ImportBatch.objects.get()
    assert (batch.status, batch.kind, batch.uploaded_by) == ("rejected", "stations", users["viettel"])
    assert "VNPT ngoài phạm vi của bạn" in page_of(client, users["viettel"])
