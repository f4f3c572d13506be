"""The report at any level (issue 22 item 4): a province plan's report with its communes' results
as an appendix, the numbers of the scorecard API; a commune's report of the district plan as the
commune's own document."""

from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.oxml.ns import qn
from openpyxl import load_workbook

from hatangso.analytics.status import Status
from hatangso.core.scoping import COMMAND_LINE
from hatangso.demo.dataset import PROVINCE_PLAN_FILE
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.plans.services import load_plan
from hatangso.reports.services import build_report
from hatangso.reports.tests.test_reports import Y2024, texts_of
from hatangso.workplan.models import Task

STATUS_OF_SYMBOL = {status.symbol: status.value for status in Status}


def test_a_province_report_lists_its_communes_in_an_appendix_with_the_scorecards_numbers(
    reported, tmp_path, client, actor, django_user_model
):
    province = load_plan(path=PROVINCE_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    out = build_report(plan=province, period=Y2024, unit=province.area_unit, fmt="docx",
                       out=tmp_path / "tinh.docx", report_date=date(2024, 12, 10))  # fmt: skip
    document = Document(out)
    paragraphs = texts_of(document)
    start = paragraphs.index("Phụ lục")
    assert paragraphs[start + 1 : start + 3] == [
        "KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THEO XÃ, PHƯỜNG, THỊ TRẤN",
        "(Kèm theo Báo cáo số      /BC-STTTT ngày 10 tháng 12 năm 2024 của Sở Thông tin và Truyền thông)",
    ]
    assert any(p.endswith("thị trấn tại Phụ lục kèm theo Báo cáo này.") for p in paragraphs)
    assert document.sections[-1].orientation == WD_ORIENT.LANDSCAPE
    table = next(t for t in document.tables if [c.text for c in t.rows[0].cells][:2] == ["STT", "Đơn vị"])
    headers = [c.text for c in table.rows[0].cells]
    assert headers[2] == "Chỉ tiêu 1 (%)" and len(headers) == 2 + province.indicators.count()
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert all(row._tr.trPr.find(qn("w:cantSplit")) is not None for row in table.rows)
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    # The province's own row, the district's row above its communes, every commune numbered.
    names = list(rows)
    assert names[0] == "Toàn địa bàn"
    assert names.index("Thị xã Hương Trà") < names.index("Phường Tứ Hạ")
    assert rows["Phường Tứ Hạ"][0].isdigit() and rows["Thị xã Hương Trà"][0] == "Thị xã Hương Trà"  # merged
    assert len([r for r in rows.values() if r[0].isdigit()]) == 134  # Thừa Thiên Huế's communes in 2024

    admin = django_user_model.objects.create_superuser("quantri", "q@example.invalid", "a long pass 2024")
    client.force_login(admin)
    household_fiber = headers.index("Chỉ tiêu 1 (%)")
    for name, code in (("Phường Tứ Hạ", "19996"), ("Xã Hương Toàn", "20005"), ("Thị xã Hương Trà", "480"),
                       ("Xã Hương Bình", "20026")):  # fmt: skip
        card = client.get(f"/api/v1/plans/{province.slug}/scorecard?period=2024&unit={code}").json()
        api = next(i for i in card["indicators"] if i["code"] == "household_fiber")
        cell = rows[name][household_fiber]
        if api["value"] is None:
            assert cell == Status(api["status"]).symbol, name
        else:
            shown, symbol = cell.split()
            assert (float(shown.replace(",", ".")), STATUS_OF_SYMBOL[symbol]) == (api["value"], api["status"])
    assert rows["Phường Tứ Hạ"][household_fiber] == "96,7 ✓"  # 2.900 / 3.000 households, target 85 %

    book = load_workbook(build_report(plan=province, period=Y2024, unit=province.area_unit, fmt="xlsx",
                                      out=tmp_path / "tinh.xlsx"))  # fmt: skip
    sheet = book["Phụ lục xã, phường"]
    by_code = {row[1]: row for row in sheet.iter_rows(values_only=True) if row[1] in ("19996", "20005")}
    assert by_code["19996"][4:6] == (2900 / 3000 * 100, "Hoàn thành")
    assert by_code["20005"][4:6] == (75.0, "Chưa hoàn thành")
    assert sheet.print_title_rows and sheet.page_setup.orientation == "landscape"


def test_a_communes_report_of_the_district_plan_is_the_communes_own_document(reported, tmp_path):
    commune = resolve_unit("19996", start=date(2024, 6, 1))
    out = build_report(plan=reported, period=Y2024, unit=commune, fmt="docx", out=tmp_path / "xa.docx",
                       report_date=date(2024, 11, 5))  # fmt: skip
    document = Document(out)
    issuer, motto = (cell.text for cell in document.tables[0].rows[0].cells)
    assert issuer.split("\n") == ["ỦY BAN NHÂN DÂN", "PHƯỜNG TỨ HẠ", "", "Số:        /BC-UBND"]
    assert motto.endswith("Tứ Hạ, ngày 05 tháng 11 năm 2024")
    recipients, signature = (cell.text for cell in document.tables[-1].rows[0].cells)
    owner = "- UBND thị xã (qua Phòng Văn hóa và Thông tin);"  # the plan's report_to
    assert recipients.split("\n") == ["Nơi nhận:", owner, "- Lưu: VT."]
    assert signature.split("\n")[:2] == ["TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH"]
    paragraphs = texts_of(document)
    everything = "\n".join(paragraphs + [c.text for t in document.tables for r in t.rows for c in r.cells])
    assert "VHTT" not in everything and "PHÒNG VĂN HÓA" not in everything and "TRƯỞNG PHÒNG" not in everything
    opening = next(p for p in paragraphs if p.startswith("Thực hiện Kế hoạch Phát triển"))
    assert opening.endswith("), UBND phường Tứ Hạ báo cáo kết quả thực hiện năm 2024 như sau:")
    # Only what concerns the commune: no communes' section, the tasks of the communes' UBND.
    assert "3. Kết quả theo xã, phường" not in paragraphs and "Phụ lục" not in paragraphs
    tasks = next(t for t in document.tables if t.rows[0].cells[1].text == "Nhiệm vụ, giải pháp")
    communes = Agency.Kind.COMMUNE_COMMITTEE
    expected = [
        i for i in reported.items.filter(task__isnull=False)
        if (i.lead_id and i.lead.kind == communes) or i.coordinating.filter(kind=communes).exists()
    ]  # fmt: skip
    assert 0 < len(tasks.rows) - 1 == len(expected) < Task.objects.filter(item__plan=reported).count()


def test_a_commune_plans_own_report_is_its_ubnds_document(reference_units, actor):
    """The illustrative plan of phường Hương Trà is issued by its UBND: the report's header is the
    UBND's name on two lines (the plan file keeps the line), signed TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH."""
    from hatangso.demo.dataset import COMMUNE_PLAN_FILE
    from hatangso.reports.content import gather
    from hatangso.utilities.periods import parse_period

    plan = load_plan(path=COMMUNE_PLAN_FILE, actor=actor).plan
    day = date(2026, 12, 7)
    settings = gather(plan=plan, unit=plan.area_unit, period=parse_period("2026"), report_date=day).settings
    assert settings["issuing_body"] == "ỦY BAN NHÂN DÂN\nPHƯỜNG HƯƠNG TRÀ" and settings["parent_body"] == ""
    assert (settings["symbol"], settings["place"]) == ("BC-UBND", "Hương Trà")
    signature = settings["signature"]
    assert (signature["authority"], signature["title"]) == ("TM. ỦY BAN NHÂN DÂN", "CHỦ TỊCH")
    assert settings["recipients"][-1] == "Lưu: VT"
