"""The data-entry pages: a commune clerk and an operator engineer enter, save and submit."""

from datetime import date

import pytest

from hatangso.collection.models import DataElement, DataValue, Submission
from hatangso.collection.services import set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.geography.services import create_village
from hatangso.registry.models import Operator

PASSWORD = "a long passphrase 2024"


@pytest.fixture
def clerk(seed_plan, actor, client):
    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    create_village(commune=tu_ha, name="TDP 1", actor=actor)
    user = create_user(username="tuha", password=PASSWORD, actor=actor)
    grant_membership(user=user, role="commune", unit=tu_ha, actor=actor)
    client.force_login(user)
    return tu_ha


def form_id(plan, code="ubnd_xa_nam"):
    return plan.forms.get(code=code).pk


def field(unit, code):
    return f"{unit.pk}-{DataElement.objects.get(code=code).pk}"


def test_login_page_and_redirect(seed_plan, client, actor):
    assert client.get("/nhap-lieu/").status_code == 302
    page = client.get("/dang-nhap/").content.decode()
    assert 'name="username"' in page and 'autocomplete="current-password"' in page
    create_user(username="tuha", password=PASSWORD, actor=actor)
    response = client.post("/dang-nhap/", {"username": "tuha", "password": PASSWORD})
    assert response.status_code == 302 and response.url == "/"  # the dashboard


def test_the_clerk_sees_its_forms_only(clerk, seed_plan, client):
    page = client.get("/nhap-lieu/").content.decode()
    assert "Biểu báo cáo năm của UBND xã, phường về hạ tầng số" in page
    assert "doanh nghiệp viễn thông về thuê bao" not in page
    assert client.get(f"/nhap-lieu/{form_id(seed_plan, 'doanh_nghiep_quy')}/2024Q3/").status_code == 404


def test_save_a_draft_then_submit(clerk, seed_plan, client):
    url = f"/nhap-lieu/{form_id(seed_plan)}/2024/"
    page = client.get(url).content.decode()
    assert "Phường Tứ Hạ" in page and "TDP 1" in page
    response = client.post(
        url,
        {
            f"value-{field(clerk, 'population')}": "12.000",
            f"value-{field(clerk, 'households')}": "3000",
            "action": "save",
        },
    )
    assert response.status_code == 302
    assert DataValue.objects.get(data_element__code="population").value == 12000
    page = client.get(url).content.decode()
    assert 'value="12000"' in page and "Đã lưu 2 giá trị (bản nháp)." in page

    response = client.post(
        url,
        {
            f"value-{field(clerk, 'households_ftth')}": "2900",
            f"version-{field(clerk, 'households_ftth')}": "",
            "action": "submit",
            "confirmed": "1",
        },
    )
    assert response.status_code == 302
    submission = Submission.objects.get()
    assert (submission.status, submission.unit) == ("submitted", clerk)
    page = client.get(url).content.decode()
    assert "Đã gửi" in page and "disabled" in page
    client.post(url, {f"value-{field(clerk, 'population')}": "1", "action": "save"})
    assert DataValue.objects.get(data_element__code="population").value == 12000  # locked once sent


def test_a_bad_cell_saves_nothing_and_is_marked(clerk, seed_plan, client):
    url = f"/nhap-lieu/{form_id(seed_plan)}/2024/"
    response = client.post(
        url,
        {
            f"value-{field(clerk, 'population')}": "12000",
            f"value-{field(clerk, 'households')}": "-3",
            "action": "save",
        },
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "households: số đếm không được âm" in page and 'aria-invalid="true"' in page
    assert "chưa lưu gì" in page
    assert DataValue.objects.count() == 0


def test_a_stale_page_cannot_overwrite_a_newer_value(clerk, seed_plan, client, actor):
    url = f"/nhap-lieu/{form_id(seed_plan)}/2024/"
    households = DataElement.objects.get(code="households")
    set_value(
        element=households, unit=clerk, period="2024", value="3000", actor=actor
    )  # version 1 on the page
    set_value(
        element=households, unit=clerk, period="2024", value="3100", actor=actor
    )  # someone else: version 2
    response = client.post(
        url,
        {
            f"value-{field(clerk, 'households')}": "3050",
            f"version-{field(clerk, 'households')}": "1",
            "action": "save",
        },
    )
    assert "người khác (system) vừa sửa giá trị này thành 3100" in response.content.decode()
    assert DataValue.objects.get().value == 3100


def test_an_operator_engineer_enters_for_every_commune(seed_plan, actor, client):
    user = create_user(username="viettel", password=PASSWORD, actor=actor)
    grant_membership(user=user, role="enterprise", operator=Operator.objects.get(code="viettel"), actor=actor)
    client.force_login(user)
    url = f"/nhap-lieu/{form_id(seed_plan, 'doanh_nghiep_quy')}/2024Q3/"
    binh_thanh = resolve_unit("20041", start=date(2024, 6, 1))
    client.post(url, {f"value-{field(binh_thanh, 'bts_sites')}": "7", "action": "save"})
    value = DataValue.objects.get()
    assert (value.unit, value.operator.code, value.period) == (binh_thanh, "viettel", "2024Q3")
    excel = client.get(url + "excel/")
    assert excel.status_code == 200
    assert excel["Content-Disposition"].startswith(
        'attachment; filename="doanh_nghiep_quy-2024Q3-viettel.xlsx"'
    )


def _template(client, plan, tmp_path, code="ubnd_xa_nam", period="2024"):
    response = client.get(f"/nhap-lieu/{form_id(plan, code)}/{period}/excel/")
    assert response.status_code == 200
    path = tmp_path / "bieu-da-dien.xlsx"
    path.write_bytes(b"".join(response.streaming_content))
    return path


def test_upload_a_filled_template_keeps_the_file_with_the_report(clerk, seed_plan, client, tmp_path):
    from hatangso.collection.tests.test_templates import fill

    path = _template(client, seed_plan, tmp_path)
    fill(path, {("19996", "population"): 12000, ("19996", "households"): 3100})
    url = f"/nhap-lieu/{form_id(seed_plan)}/2024/"
    with path.open("rb") as handle:
        response = client.post(url, {"file": handle})
    assert response.status_code == 302
    page = client.get(url).content.decode()
    assert "Đã nhập tệp bieu-da-dien.xlsx: 2 giá trị mới, 0 sửa, 0 không đổi." in page
    submission = Submission.objects.get(form__code="ubnd_xa_nam", unit=clerk, period="2024")
    assert submission.status == "draft"
    batch = submission.imports.get()
    assert batch.file_name == "bieu-da-dien.xlsx" and batch.created_by == "tuha"
    assert f"/tep-nhap/{batch.pk}/" in page
    download = client.get(f"/tep-nhap/{batch.pk}/")
    assert download.status_code == 200 and b"".join(download.streaming_content) == path.read_bytes()


def test_an_upload_with_a_bad_cell_lands_nothing_and_names_the_cell(clerk, seed_plan, client, tmp_path):
    from hatangso.collection.tests.test_templates import fill

    path = _template(client, seed_plan, tmp_path)
    fill(path, {("19996", "population"): 12000, ("19996", "households"): "ba nghìn"})
    with path.open("rb") as handle:
        page = client.post(f"/nhap-lieu/{form_id(seed_plan)}/2024/", {"file": handle}).content.decode()
    assert "Tệp bieu-da-dien.xlsx có 1 lỗi; không dữ liệu nào được ghi" in page
    assert "ba nghìn" in page and "không phải là số" in page and "is not a number" in page
    assert not DataValue.objects.exists() and not Submission.objects.exists()


def test_an_upload_with_another_communes_rows_is_refused(clerk, seed_plan, client, tmp_path):
    path = tmp_path / "gia-tri.csv"
    path.write_text("ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,population,100\n2024,20005,population,200\n")
    with path.open("rb") as handle:
        page = client.post(f"/nhap-lieu/{form_id(seed_plan)}/2024/", {"file": handle}).content.decode()
    assert "20005 ngoài phạm vi của bạn" in page and "20005 is outside your scope" in page
    assert not DataValue.objects.exists()


def test_an_upload_of_the_wrong_kind_is_refused(clerk, seed_plan, client, tmp_path):
    path = tmp_path / "bieu.exe"
    path.write_bytes(b"MZ")
    with path.open("rb") as handle:
        page = client.post(f"/nhap-lieu/{form_id(seed_plan)}/2024/", {"file": handle}).content.decode()
    assert "Chỉ nhận tệp .adx, .csv, .json, .xlsx, .xml, tối đa 20 MB (tệp bieu.exe không hợp lệ)" in page
    assert not DataValue.objects.exists()


def test_a_file_imported_for_all_communes_is_not_handed_to_one(clerk, seed_plan, client, tmp_path, actor):
    from hatangso.collection.services import import_values

    path = tmp_path / "ca-thi-xa.csv"
    path.write_text("ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,population,100\n2024,20005,population,200\n")
    batch = import_values(path=path, actor=actor, user=COMMAND_LINE).batch
    assert set(batch.submissions.values_list("unit__code", flat=True)) == {"19996", "20005"}
    assert client.get(f"/tep-nhap/{batch.pk}/").status_code == 404
    page = client.get(f"/nhap-lieu/{form_id(seed_plan)}/2024/").content.decode()
    assert f"/tep-nhap/{batch.pk}/" not in page
