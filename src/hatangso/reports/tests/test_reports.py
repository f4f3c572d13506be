"""The results report: DOCX in the NĐ 30 format, XLSX with the scorecard's numbers, PDF via
LibreOffice, placeholders instead of invented prose, and the synthetic banner."""

import shutil
from datetime import date

import pytest
from docx import Document
from openpyxl import load_workbook

from hatangso.analytics.services import evaluate_scorecard
from hatangso.collection.models import DataElement, DataValue
from hatangso.collection.services import set_value
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import resolve_unit
from hatangso.geography.services import create_village
from hatangso.registry.models import Operator
from hatangso.reports.docx_report import SYNTHETIC_BANNER, document_date
from hatangso.reports.models import ReportText
from hatangso.reports.narrative import PLACEHOLDER, indicator_sentence
from hatangso.reports.services import build_report, load_report_texts, set_report_text
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.periods import parse_period

Y2024 = parse_period("2024")
SECTION_HEADINGS = (
    "I. TÌNH HÌNH TRIỂN KHAI",
    "II. KẾT QUẢ THỰC HIỆN",
    "III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN",
    "IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI",
    "V. ĐỀ XUẤT, KIẾN NGHỊ",
)


def texts_of(document) -> list[str]:
    return [p.text for p in document.paragraphs]


def test_the_docx_follows_the_administrative_format(reported, tmp_path):
    path = build_report(
        plan=reported,
        period=Y2024,
        unit=reported.area_unit,
        fmt="docx",
        out=tmp_path / "r.docx",
        report_date=date(2024, 11, 5),
    )
    document = Document(path)
    section = document.sections[0]
    assert (round(section.page_width.mm), round(section.page_height.mm)) == (210, 297)
    assert (round(section.top_margin.mm), round(section.bottom_margin.mm)) == (20, 20)
    assert (round(section.left_margin.mm), round(section.right_margin.mm)) == (30, 15)
    assert document.styles["Normal"].font.name == "Times New Roman"
    assert section.different_first_page_header_footer is True  # no page number on page 1
    assert "PAGE" in section.header._element.xml

    header = document.tables[0]
    left, right = (cell.text for cell in header.rows[0].cells)
    assert (
        "UBND THỊ XÃ HƯƠNG TRÀ" in left
        and "PHÒNG VĂN HÓA VÀ THÔNG TIN" in left
        and "Số:" in left
        and "/BC-VHTT" in left
    )
    assert "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM" in right and "Độc lập - Tự do - Hạnh phúc" in right
    dated = next(p for p in header.rows[0].cells[1].paragraphs if "ngày" in p.text)
    assert dated.text == "Hương Trà, ngày 05 tháng 11 năm 2024" and all(r.italic for r in dated.runs)
    paragraphs = texts_of(document)
    assert "BÁO CÁO" in paragraphs
    assert any(
        p.startswith(
            "Kết quả thực hiện Kế hoạch Phát triển hạ tầng số trên địa bàn thị xã Hương Trà năm 2024"
        )
        for p in paragraphs
    )
    for heading in SECTION_HEADINGS:
        assert heading in paragraphs
    # Nothing written by the plan owner yet: I, III and IV are drafted from the data and marked as a
    # draft; the proposals (V) only people can write: a marked placeholder, never invented prose.
    assert paragraphs.count(PLACEHOLDER) == 1
    closing = document.tables[-1]
    assert (
        "Nơi nhận:" in closing.rows[0].cells[0].text and "- Lưu: VT, VHTT." in closing.rows[0].cells[0].text
    )
    assert "TRƯỞNG PHÒNG" in closing.rows[0].cells[1].text


def test_the_indicator_table_equals_the_scorecard(reported, tmp_path):
    path = build_report(
        plan=reported, period=Y2024, unit=reported.area_unit, fmt="docx", out=tmp_path / "r.docx"
    )
    document = Document(path)
    table = next(t for t in document.tables if t.rows[0].cells[0].text == "STT")
    assert [c.text for c in table.rows[0].cells] == [
        "STT",
        "Chỉ tiêu",
        "ĐVT",
        "Kế hoạch",
        "Thực hiện",
        "Tỷ lệ %",
        "Đánh giá",
        "Ghi chú",
    ]
    scorecard = evaluate_scorecard(plan=reported, unit=reported.area_unit, period=Y2024)
    # The 15 indicators, then the plan's 5 qualitative targets (II.2 IoT, II.3 cloud ×2, II.4, II.5).
    assert len(table.rows) == 1 + len(scorecard.evaluations) + 5 == 21
    rows = {row.cells[1].text: [c.text for c in row.cells] for row in table.rows[1:]}
    cloud = next(r for name, r in rows.items() if name.startswith("Phối hợp triển khai Hạ tầng điện toán"))
    assert cloud[3] == "Định tính" and cloud[6] == "Không thực hiện"  # only when the province deploys
    # A goal without a condition is judged by the tasks the plan file links to it: on today's date
    # the seed's tasks are past their 30/11/2024 deadline.
    iot = next(r for name, r in rows.items() if name.startswith("Phối hợp phủ sóng kết nối IoT"))
    assert iot[6:] == ["Chưa hoàn thành", "Mục II.2.iot; theo 2 nhiệm vụ (III.1.c, IV.2.a): 2 quá hạn"]
    fibre = rows["Tỷ lệ hộ gia đình có truy nhập Internet băng rộng cáp quang"]
    # (2900 + 1500) / (3000 + 2000) = 88% against 90%: Vietnamese number format with the one
    # decimal every screen shows, and not met.
    assert fibre[3:7] == ["90%", "88,0%", "97,8", "Chưa hoàn thành"]
    assert fibre[7].startswith("4.400/\u200b5.000")  # a narrow cell may break after the slash
    agencies = rows["Tỷ lệ cơ quan, ban, ngành thị xã và UBND xã, phường sử dụng nền tảng số"]
    assert agencies[6] == "Không thực hiện"
    assert rows["Tỷ lệ dùng chung cột treo cáp"][6] == "Chưa có thông tin"
    paragraphs = texts_of(document)
    assert any(
        "Tỷ lệ hộ gia đình có truy nhập Internet băng rộng cáp quang đạt 88,0%, "
        "chưa đạt chỉ tiêu kế hoạch (90%), còn thiếu 2,0 điểm phần trăm." in p
        for p in paragraphs
    )
    assert any("00/15 chỉ tiêu hoàn thành" in p for p in paragraphs)


def test_written_sections_replace_the_placeholders(reported, tmp_path, actor):
    texts = tmp_path / "noi-dung.yaml"
    texts.write_text(
        "kho_khan: |\n  Địa bàn rộng, dân cư phân tán.\nkien_nghi: Đề nghị hỗ trợ kinh phí.\n",
        encoding="utf-8",
    )
    assert (
        load_report_texts(
            path=texts, plan=reported, period="2024", unit=reported.area_unit, actor=actor, user=COMMAND_LINE
        )
        == 2
    )
    assert ChangeLogEntry.objects.filter(object_type="reports.reporttext").count() == 2
    document = Document(
        build_report(
            plan=reported, period=Y2024, unit=reported.area_unit, fmt="docx", out=tmp_path / "r.docx"
        )
    )
    paragraphs = texts_of(document)
    assert "Địa bàn rộng, dân cư phân tán." in paragraphs and "Đề nghị hỗ trợ kinh phí." in paragraphs
    # The owner's "khó khăn" replaces the drafted limitations of section III.
    assert not any("các xã, phường còn thấp nhất" in p for p in paragraphs)
    assert paragraphs.count(PLACEHOLDER) == 0
    set_report_text(
        plan=reported,
        period="2024",
        unit=reported.area_unit,
        section="kien_nghi",
        text="",
        actor=actor,
        user=COMMAND_LINE,
    )
    document = Document(
        build_report(
            plan=reported, period=Y2024, unit=reported.area_unit, fmt="docx", out=tmp_path / "r.docx"
        )
    )
    assert texts_of(document).count(PLACEHOLDER) == 1


def test_a_texts_file_with_an_unknown_section_writes_nothing(reported, tmp_path, actor, table_counts):
    texts = tmp_path / "noi-dung.yaml"
    texts.write_text("kho_khan: Thiếu vốn.\nthanh_tich: Rất tốt.\n", encoding="utf-8")
    before = table_counts()
    with pytest.raises(UserError) as error:
        load_report_texts(
            path=texts, plan=reported, period="2024", unit=reported.area_unit, actor=actor, user=COMMAND_LINE
        )
    assert (
        error.value.en == "noi-dung.yaml: unknown section(s) thanh_tich "
        "(known: trien_khai, thuan_loi, kho_khan, vuong_mac, phuong_huong, kien_nghi)"
    )
    assert table_counts() == before


def test_synthetic_data_says_so_on_the_first_page(reported, tmp_path):
    AdministrativeUnit.objects.filter(code="19996").update(synthetic=True)
    DataValue.objects.update(synthetic=True)
    document = Document(
        build_report(
            plan=reported, period=Y2024, unit=reported.area_unit, fmt="docx", out=tmp_path / "r.docx"
        )
    )
    assert document.tables[1].rows[0].cells[0].text == SYNTHETIC_BANNER


def test_the_workbook_has_the_scorecards_numbers_and_no_formulas(reported, tmp_path, actor):
    village = create_village(
        commune=resolve_unit("19996", start=date(2024, 6, 1)), name='=HYPERLINK("x")', actor=actor
    )
    covered = DataElement.objects.get(code="village_ftth_covered")
    # (A formula-like comment is refused when the value is entered: collection.validation.)
    set_value(element=covered, unit=village, period="2024", value="1", actor=actor)
    path = build_report(
        plan=reported, period=Y2024, unit=reported.area_unit, fmt="xlsx", out=tmp_path / "r.xlsx"
    )
    workbook = load_workbook(path)
    sheet = workbook["Tổng hợp"]
    rows = [r for r in sheet.iter_rows(values_only=True) if r and isinstance(r[0], int)]
    scorecard = evaluate_scorecard(plan=reported, unit=reported.area_unit, period=Y2024)
    # The exact values (as doubles), under a one-decimal number format: Excel rounds them for display.
    assert [(r[1], r[5]) for r in rows] == [(e.indicator.code, e.value) for e in scorecard.evaluations]
    assert sheet.freeze_panes is not None
    assert len(workbook.sheetnames) == 1 + 15 + 2
    per_commune = workbook["09 Tỷ lệ hộ gia đình có truy"]
    values = {
        r[0]: r[2] for r in per_commune.iter_rows(values_only=True) if r and r[0] in ("19996", "20005", "480")
    }
    assert values == {"19996": pytest.approx(96.67, abs=0.01), "20005": 75.0, "480": 88.0}
    # A village named like a formula stays text wherever it appears.
    raw = workbook["Số liệu"]
    found = [c for row in raw.iter_rows() for c in row if c.value == '=HYPERLINK("x")']
    assert len(found) == 1 and all(c.data_type == "s" for c in found)
    for sheet in workbook:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (sheet.title, cell.coordinate, cell.value)


def test_dates_as_offices_write_them():
    assert document_date("Hương Trà", date(2025, 2, 5)) == "Hương Trà, ngày 05 tháng 02 năm 2025"
    assert document_date("Hương Trà", date(2023, 9, 30)) == "Hương Trà, ngày 30 tháng 9 năm 2023"


def test_sentences_never_claim_more_than_the_data(reported):
    evaluations = {
        e.indicator.code: e
        for e in evaluate_scorecard(plan=reported, unit=reported.area_unit, period=Y2024).evaluations
    }
    assert (
        indicator_sentence(evaluations["pole_sharing"])
        == "Tỷ lệ dùng chung cột treo cáp: chưa có thông tin để đánh giá."
    )
    assert indicator_sentence(evaluations["agencies_on_digital_platforms"]).endswith(
        "chưa thực hiện (khi cấp tỉnh triển khai)."
    )


@pytest.mark.skipif(shutil.which("soffice") is None, reason="LibreOffice is not installed (CI installs it)")
def test_the_pdf_is_converted_from_the_docx(reported, tmp_path):
    path = build_report(
        plan=reported, period=Y2024, unit=reported.area_unit, fmt="pdf", out=tmp_path / "r.pdf"
    )
    data = path.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000


def test_a_pdf_without_libreoffice_says_what_to_install(reported, tmp_path, monkeypatch):
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing to find: as on a machine without LibreOffice
    with pytest.raises(UserError) as error:
        build_report(plan=reported, period=Y2024, unit=reported.area_unit, fmt="pdf", out=tmp_path / "r.pdf")
    assert "apt-get install libreoffice-writer-nogui fonts-liberation" in error.value.en
    assert not (tmp_path / "r.pdf").exists()


def test_report_downloads_through_the_api(reported, client, actor):
    leader = create_user(username="lanhdao", password="a long passphrase 2024", actor=actor)
    grant_membership(user=leader, role="leader", unit=reported.area_unit, actor=actor)
    _, token = create_api_token(user=leader, name="t", actor=actor)
    response = client.get(
        "/api/v1/plans/1529-kh-ubnd/report.xlsx?period=2024", HTTP_AUTHORIZATION=f"Bearer {token}"
    )
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.xlsx"')
    assert response.content[:2] == b"PK"
    operator = create_user(username="viettel", password="a long passphrase 2024", actor=actor)
    grant_membership(
        user=operator, role="enterprise", operator=Operator.objects.get(code="viettel"), actor=actor
    )
    _, token = create_api_token(user=operator, name="t", actor=actor)
    # The workbook holds every operator's raw figures: not for an operator.
    assert (
        client.get("/api/v1/plans/1529-kh-ubnd/report.xlsx", HTTP_AUTHORIZATION=f"Bearer {token}").status_code
        == 404
    )
    assert client.get("/api/v1/plans/1529-kh-ubnd/report.xlsx").status_code == 401


def test_periods_in_words():
    from hatangso.reports.narrative import period_words

    assert [period_words(parse_period(c)) for c in ("2024", "2024Q3", "202409")] == [
        "năm 2024",
        "quý III năm 2024",
        "tháng 9 năm 2024",
    ]


def test_the_owner_writes_the_sections_on_the_report_page(reported, client, actor):
    owner = create_user(username="vhtt", password="a long passphrase 2024", actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=reported.area_unit, actor=actor)
    client.force_login(owner)
    page = client.get("/ke-hoach/1529-kh-ubnd/bao-cao/").content.decode()
    assert "Thuận lợi" in page and "/ke-hoach/1529-kh-ubnd/bao-cao/tai/docx/" in page
    assert "Phương hướng, nhiệm vụ thời gian tới" in page  # section IV has its field
    directions = "Năm 2025 phủ sóng băng rộng di động đến 100% thôn, tổ dân phố."
    client.post(
        "/ke-hoach/1529-kh-ubnd/bao-cao/",
        {"kho_khan": "Địa hình đồi núi ở Bình Tiến.", "phuong_huong": directions, "kien_nghi": ""},
    )
    page = client.get("/ke-hoach/1529-kh-ubnd/bao-cao/").content.decode()
    assert "Địa hình đồi núi ở Bình Tiến." in page and directions in page
    written = ReportText.objects.get(plan=reported, section="phuong_huong")
    assert ChangeLogEntry.objects.filter(
        object_type="reports.reporttext", object_id=str(written.pk), user=owner
    ).exists()
    response = client.get("/ke-hoach/1529-kh-ubnd/bao-cao/tai/docx/")
    assert response.status_code == 200 and response["Content-Disposition"].endswith('.docx"')
    import io

    paragraphs = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "Địa hình đồi núi ở Bình Tiến." in paragraphs
    # The owner's section IV replaces the drafted next steps, under the section's heading.
    heading = paragraphs.index("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI")
    assert paragraphs[heading + 1 : heading + 3] == [directions, "V. ĐỀ XUẤT, KIẾN NGHỊ"]
    assert not any(p.startswith("- Tiếp tục triển khai") for p in paragraphs)
    clerk = create_user(username="tuha", password="a long passphrase 2024", actor=actor)
    grant_membership(
        user=clerk, role="commune", unit=resolve_unit("19996", start=date(2024, 6, 1)), actor=actor
    )
    client.force_login(clerk)
    assert client.get("/ke-hoach/1529-kh-ubnd/bao-cao/").status_code == 404
    assert client.post("/ke-hoach/1529-kh-ubnd/bao-cao/", {"phuong_huong": "Ghi đè"}).status_code == 404
    with pytest.raises(NotFound):
        set_report_text(plan=reported, period="2024", unit=reported.area_unit, section="phuong_huong",
                        text="Ghi đè", actor=actor, user=clerk)  # fmt: skip
    assert ReportText.objects.get(pk=written.pk).text == directions


def test_every_provider_is_named_in_vietnamese_in_the_reports_notes():
    from hatangso.analytics.providers import PROVIDERS
    from hatangso.reports.content import SOURCE_NAMES

    assert set(PROVIDERS) | {"geography"} <= set(SOURCE_NAMES)
    assert not any(name.isascii() for name in SOURCE_NAMES.values())  # Vietnamese words, not codes


def test_a_ceiling_has_no_share_of_its_target():
    """'Tỷ lệ %' is the completion of a target to reach; 4 % under a ceiling of 5 % is no 80 %."""
    from decimal import Decimal

    from hatangso.analytics.engine import Evaluation
    from hatangso.analytics.status import Status
    from hatangso.plans.models import Indicator
    from hatangso.reports.narrative import share_of_target

    def evaluation(comparison: str, target: int, value: float) -> Evaluation:
        indicator = Indicator(code="x", comparison=comparison, target=Decimal(target), unit="%")
        return Evaluation(indicator=indicator, status=Status.ACHIEVED, target=Decimal(target), value=value)

    assert share_of_target(evaluation("<", 5, 4.0)) is None
    assert share_of_target(evaluation("<=", 5, 4.0)) is None
    assert share_of_target(evaluation(">=", 85, 90.7)) == pytest.approx(106.70588, rel=1e-6)
