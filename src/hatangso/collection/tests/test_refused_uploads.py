"""A file refused whole through the web or the API is kept under imports/rejected with its reason, as
the command line keeps it; nothing else is written."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from hatangso.collection.models import ImportBatch
from hatangso.collection.tests.test_entry_pages import clerk, form_id  # noqa: F401 (a fixture)
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.registry.models import Operator


@pytest.fixture(autouse=True)
def own_home(settings, tmp_path):
    settings.HOME = tmp_path / "home"


def kept(settings) -> list[str]:
    """The kept refused files, by their uploaded names."""
    folder = settings.HOME / "imports" / "rejected"
    return sorted(p.name.split("-", 3)[-1] for p in folder.iterdir()) if folder.is_dir() else []


def refusal(name: str) -> tuple[str, str, str]:
    batch = ImportBatch.objects.get(status="rejected", file_name=name)
    return batch.kind, batch.errors[0]["reason_vi"], batch.errors[0]["reason_en"]


def test_a_web_upload_refused_whole_is_kept_with_its_reason(
    clerk,  # noqa: F811
    seed_plan,
    client,
    settings,
    table_counts,
):
    before = table_counts()
    url = f"/nhap-lieu/{form_id(seed_plan)}/2024/"
    missing = SimpleUploadedFile("thieu-cot.csv", b"ky,ma_don_vi,gia_tri\n2024,19996,100\n")
    page = client.post(url, {"file": missing}, follow=True).content.decode()
    lacks_vi = "Tệp thiếu cột data_element (cột bắt buộc: ky, ma_don_vi, ma_chi_so, gia_tri)"
    assert lacks_vi in page
    wrong = SimpleUploadedFile("bieu.exe", b"MZ")
    page = client.post(url, {"file": wrong}, follow=True).content.decode()
    wrong_vi = "Chỉ nhận tệp .adx, .csv, .json, .xlsx, .xml, tối đa 20 MB (tệp bieu.exe không hợp lệ)"
    assert wrong_vi in page
    assert table_counts() == before  # the rejected batches only
    assert kept(settings) == ["bieu.exe", "thieu-cot.csv"]
    assert refusal("thieu-cot.csv") == (
        "values",
        lacks_vi,
        "The file lacks column(s) data_element (required: period, unit_code, data_element, value)",
    )
    assert refusal("bieu.exe")[1] == wrong_vi
    assert ImportBatch.objects.get(file_name="bieu.exe").uploaded_by.username == "tuha"


@pytest.fixture
def token(seed_plan, actor):
    user = create_user(username="viettel", password="a long passphrase 2024", actor=actor)
    grant_membership(user=user, role="enterprise", operator=Operator.objects.get(code="viettel"), actor=actor)
    return create_api_token(user=user, name="t", actor=actor)[1]


def test_an_api_values_file_refused_whole_is_kept_with_its_reason(token, settings, client, table_counts):
    before = table_counts()
    upload = SimpleUploadedFile("trong.csv", b"ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,population,\n")
    response = client.post("/api/v1/values/import", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {token}")
    assert response.status_code == 400
    assert response.json()["detail"] == "Tệp trong.csv không có dòng số liệu nào"
    assert table_counts() == before
    assert kept(settings) == ["trong.csv"]
    assert refusal("trong.csv") == (
        "values", "Tệp trong.csv không có dòng số liệu nào", "File trong.csv has no data rows"
    )  # fmt: skip


def test_an_api_registry_file_refused_whole_is_kept_with_its_reason(token, settings, client, table_counts):
    before = table_counts()
    upload = SimpleUploadedFile("tram.csv", b"ma_tram,doanh_nghiep,vi_do,kinh_do\nV1,viettel,16.5,107.4\n")
    response = client.post(
        "/api/v1/registry/imports/stations", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 400
    body = response.json()
    assert body["detail_en"] == (
        "The file lacks column(s) technology (required: code, doanh_nghiep, cong_nghe, lat, kinh_do)"
    )
    assert table_counts() == before
    assert kept(settings) == ["tram.csv"]
    assert refusal("tram.csv") == ("stations", body["detail"], body["detail_en"])
