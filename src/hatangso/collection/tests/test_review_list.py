"""The plan owner finds any report (every year, every state) through filters and a search, exports
the list, and confirms each step before it is taken; the reporter confirms sending."""

from datetime import date
from io import BytesIO

import pytest
from openpyxl import load_workbook

from hatangso.collection import workflow
from hatangso.collection.models import DataValue, Submission
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.registry.models import Operator

PLAN = "/ke-hoach/1529-kh-ubnd"


@pytest.fixture
def reports(seed_plan, actor):
    """Tứ Hạ's yearly report approved, Hương Toàn's returned, VNPT's January report submitted."""
    day = date(2024, 6, 1)
    yearly = seed_plan.forms.get(code="ubnd_xa_nam")
    monthly = seed_plan.forms.get(code="doanh_nghiep_thang")

    def report(form, unit, operator, period):
        return workflow.get_submission(form=form, unit=unit, operator=operator, period=period,
                                       user=COMMAND_LINE, actor=actor)  # fmt: skip

    tu_ha = report(yearly, resolve_unit("19996", start=day), None, "2024")
    tu_ha = workflow.approve(submission=workflow.submit(submission=tu_ha, user=COMMAND_LINE, actor=actor),
                             user=COMMAND_LINE, actor=actor)  # fmt: skip
    toan = report(yearly, resolve_unit("20005", start=day), None, "2024")
    toan = workflow.submit(submission=toan, user=COMMAND_LINE, actor=actor)
    toan = workflow.return_submission(
        submission=toan, comment="=SUM(A1) thiếu số hộ", user=COMMAND_LINE, actor=actor
    )
    vnpt = report(monthly, seed_plan.area_unit, Operator.objects.get(code="vnpt"), "202401")
    vnpt = workflow.submit(submission=vnpt, user=COMMAND_LINE, actor=actor)
    return {"tu_ha": tu_ha, "toan": toan, "vnpt": vnpt}


def log_in(client, actor, role, unit="480"):
    user = create_user(username=f"u-{role}", password="a long passphrase 2024", actor=actor)
    agency = Agency.objects.get(code="phong_tckh") if role == "agency" else None
    grant_membership(user=user, role=role, unit=resolve_unit(unit, start=date(2024, 6, 1)), actor=actor,
                     agency=agency)  # fmt: skip
    client.force_login(user)
    return user


def listed(page: str, report: Submission) -> bool:
    return f'href="/duyet/{report.pk}/"' in page


def test_the_list_holds_every_report_in_every_state(reports, client, actor):
    log_in(client, actor, "plan_owner")
    page = client.get(f"{PLAN}/duyet/").content.decode()
    assert all(listed(page, r) for r in reports.values())
    assert f'href="/duyet/{reports["tu_ha"].pk}/?action=reopen">Mở lại để sửa' in page
    assert f'href="/duyet/{reports["vnpt"].pk}/?action=approve">Duyệt' in page
    assert f'href="/duyet/{reports["vnpt"].pk}/?action=return">Trả lại' in page
    assert "Tháng 1/2024" in page or "Tháng 01/2024" in page  # the period in words, not 202401
    assert ">202401<" not in page


@pytest.mark.parametrize(
    ("query", "shown"),
    [
        ("status=approved", {"tu_ha"}),
        ("status=returned", {"toan"}),
        ("period=202401", {"vnpt"}),
        ("form={yearly}", {"tu_ha", "toan"}),
        ("reporter=u{toan_unit}", {"toan"}),
        ("reporter=o{vnpt_operator}", {"vnpt"}),
        ("q=hương toàn", {"toan"}),
        ("q=thiếu số hộ", {"toan"}),
        ("q=VNPT&status=submitted", {"vnpt"}),
    ],
)
def test_filters_and_search(reports, client, actor, seed_plan, query, shown):
    log_in(client, actor, "plan_owner")
    query = query.format(yearly=seed_plan.forms.get(code="ubnd_xa_nam").pk, toan_unit=reports["toan"].unit_id,
                         vnpt_operator=reports["vnpt"].operator_id)  # fmt: skip
    page = client.get(f"{PLAN}/duyet/?{query}").content.decode()
    assert {name for name, report in reports.items() if listed(page, report)} == shown


def test_a_value_the_filters_do_not_offer_is_told(reports, client, actor):
    log_in(client, actor, "plan_owner")
    response = client.get(f"{PLAN}/duyet/?status=published")
    assert response.status_code == 400
    page = response.content.decode()
    assert "Bộ lọc có giá trị không có trong danh sách; chọn lại trong danh sách." in page
    assert not any(listed(page, r) for r in reports.values())


def test_the_export_is_the_filtered_list_with_text_never_formulas(reports, client, actor):
    log_in(client, actor, "plan_owner")
    response = client.get(f"{PLAN}/duyet/excel/?status=returned")
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="duyet-bao-cao-1529-kh-ubnd.xlsx"'
    sheet = load_workbook(BytesIO(response.content)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:4] == ("Biểu", "Kỳ", "Đơn vị báo cáo", "Trạng thái")
    assert len(rows) == 2
    assert rows[1][1:4] == ("Năm 2024", "Xã Hương Toàn", "Trả lại")
    assert rows[1][8] == "=SUM(A1) thiếu số hộ" and sheet.cell(2, 9).data_type == "s"


@pytest.mark.parametrize(("role", "unit"), [("commune", "19996"), ("leader", "480"), ("agency", "480")])
def test_others_get_no_list_and_no_export(reports, client, actor, role, unit):
    log_in(client, actor, role, unit)
    assert client.get(f"{PLAN}/duyet/").status_code == 404
    assert client.get(f"{PLAN}/duyet/excel/").status_code == 404


@pytest.mark.parametrize(("name", "action", "before", "after"), [
    ("vnpt", "approve", "submitted", "approved"),
    ("vnpt", "return", "submitted", "returned"),
    ("tu_ha", "reopen", "approved", "draft"),
])  # fmt: skip
def test_each_step_asks_for_a_confirmation_first(reports, client, actor, name, action, before, after):
    log_in(client, actor, "plan_owner")
    report = reports[name]
    url = f"/duyet/{report.pk}/"
    logged = ChangeLogEntry.objects.count()
    asked = client.get(f"{url}?action={action}"), client.post(url, {"action": action, "comment": "x"})
    for response in asked:
        page = response.content.decode()
        assert response.status_code == 200 and 'name="confirmed" value="1"' in page
        assert "Quay lại, chưa làm gì" in page
    report.refresh_from_db()
    assert report.status == before and ChangeLogEntry.objects.count() == logged  # nothing written yet
    response = client.post(url, {"action": action, "comment": "Sai số thuê bao", "confirmed": "1"})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == after


def test_a_confirmed_return_without_a_reason_is_refused(reports, client, actor):
    log_in(client, actor, "plan_owner")
    url = f"/duyet/{reports['vnpt'].pk}/"
    logged = ChangeLogEntry.objects.count()
    response = client.post(url, {"action": "return", "comment": " ", "confirmed": "1"}, follow=True)
    assert "Cần ghi lý do trả lại" in response.content.decode()
    reports["vnpt"].refresh_from_db()
    assert reports["vnpt"].status == "submitted" and ChangeLogEntry.objects.count() == logged


def test_an_unknown_step_is_not_found(reports, client, actor):
    log_in(client, actor, "plan_owner")
    assert client.get(f"/duyet/{reports['vnpt'].pk}/?action=delete").status_code == 404
    posted = {"action": "delete", "confirmed": "1"}
    assert client.post(f"/duyet/{reports['vnpt'].pk}/", posted).status_code == 404


def test_the_reporter_confirms_sending(seed_plan, client, actor):
    user = log_in(client, actor, "commune", "19996")
    form = seed_plan.forms.get(code="ubnd_xa_nam")
    url = f"/nhap-lieu/{form.pk}/2024/"
    page = client.get(url).content.decode()
    field = page.split('name="value-', 1)[1].split('"', 1)[0]
    response = client.post(url, {f"value-{field}": "1200", "action": "submit"})
    page = response.content.decode()
    assert response.status_code == 200 and "Xác nhận gửi báo cáo" in page
    assert "Đã lưu 1 giá trị (bản nháp)." in page  # the values are kept as a draft meanwhile
    assert not Submission.objects.filter(status="submitted").exists()
    assert DataValue.objects.filter(unit__code="19996", value=1200).exists()
    response = client.post(url, {"action": "submit", "confirmed": "1"})
    assert response.status_code == 302
    submission = Submission.objects.get(unit__code="19996", form=form)
    assert submission.status == "submitted" and submission.submitted_by == user.username


def test_every_year_of_a_multi_year_plan_is_listed(reports, seed_plan, client, actor):
    type(seed_plan).objects.filter(pk=seed_plan.pk).update(end_year=2025)
    yearly = seed_plan.forms.get(code="ubnd_xa_nam")
    later = workflow.get_submission(form=yearly, operator=None, period="2025", user=COMMAND_LINE, actor=actor,
                                    unit=resolve_unit("19996", start=date(2025, 6, 1)))  # fmt: skip
    log_in(client, actor, "plan_owner")
    page = client.get(f"{PLAN}/duyet/?period=2025").content.decode()
    assert listed(page, later) and not listed(page, reports["tu_ha"])
    assert "<td>Năm 2025</td>" in page  # the completeness of the plan's second year too
