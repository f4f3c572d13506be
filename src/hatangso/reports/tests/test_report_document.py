"""The report an office signs as it is: tables that keep their rows whole and repeat their header,
a document in Vietnamese, the five sections with drafts marked, every task with its lead; the
workbook's sheet names, header rows and print setup; the output file checked against the format."""

import re
from datetime import date

import pytest
from docx import Document
from docx.oxml.ns import qn
from openpyxl import load_workbook

from hatangso.reports.charts import MAP_FILLS, MAP_LABEL, report_trend, trend
from hatangso.reports.content import gather
from hatangso.reports.narrative import DRAFT_NOTE
from hatangso.reports.services import build_report
from hatangso.reports.tests.test_reports import SECTION_HEADINGS, Y2024
from hatangso.utilities.periods import period_label
from hatangso.web.tests.test_public import run_cli  # noqa: F401  (the in-process `hatangso` fixture)

TASK_HEADERS = [
    "STT",
    "Nhiệm vụ, giải pháp",
    "Chủ trì",
    "Phối hợp",
    "Thời hạn",
    "Kết quả, tiến độ",
    "Đánh giá",
]
# Words of the engine's and the registry's English that once reached the tables' cells.
ENGLISH = re.compile(
    r"\b(measurements|registry|values|geography|no data|denominator|source|condition)\b", re.I
)


@pytest.fixture
def document(reported, tmp_path):
    out = tmp_path / "r.docx"
    build_report(
        plan=reported,
        period=Y2024,
        unit=reported.area_unit,
        fmt="docx",
        out=out,
        report_date=date(2024, 11, 5),
    )
    return Document(out)


def test_tables_keep_their_rows_whole_and_repeat_their_header_in_a_vietnamese_document(document):
    assert len(document.tables) >= 5  # header, banner, indicators, tasks, communes, signature
    for table in document.tables:
        rows = table._tbl.tr_lst
        assert rows[0].trPr.find(qn("w:tblHeader")) is not None
        assert all(row.trPr.find(qn("w:cantSplit")) is not None for row in rows)
    # Vietnamese, with at least 6 pt between the paragraphs of the body (NĐ 30).
    languages = list(document.styles.element.iter(qn("w:lang")))
    assert languages and {lang.get(qn("w:val")) for lang in languages} == {"vi-VN"}
    assert "en-US" not in document.styles.element.xml
    paragraphs = document.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == SECTION_HEADINGS[0])
    body = [p for p in paragraphs[start:] if p.text.strip()]
    assert all(p.paragraph_format.space_after is None or p.paragraph_format.space_after.pt >= 6 for p in body)
    for table in document.tables[2:-1]:  # the data tables (not the header block and the signature)
        for row in table.rows:
            for cell in row.cells:
                assert not ENGLISH.search(cell.text), cell.text
                assert "…" not in cell.text  # nothing cut short


def test_five_sections_drafts_marked_and_every_task_with_its_lead(document):
    paragraphs = [p.text for p in document.paragraphs]
    positions = [paragraphs.index(heading) for heading in SECTION_HEADINGS]
    assert positions == sorted(positions)
    drafted = [p for p in document.paragraphs if any(r.font.highlight_color for r in p.runs)]
    assert DRAFT_NOTE in [p.text for p in drafted]
    limitations = paragraphs[positions[2] + 1 : positions[3]]
    # Every indicator without data is a limitation, with the engine's reason in Vietnamese.
    assert any(
        p.startswith("- Tỷ lệ dùng chung cột treo cáp: chưa có số liệu để đánh giá") for p in limitations
    )
    assert any(
        p.startswith("- Tỷ lệ hộ gia đình có truy nhập Internet băng rộng cáp quang đạt 88,0%, chưa đạt")
        and "các xã, phường còn thấp nhất:" in p
        for p in limitations
    )
    next_steps = paragraphs[positions[3] + 1 : positions[4]]
    assert any(
        p.startswith("- Tiếp tục triển khai") and "Phòng Văn hóa và Thông tin:" in p for p in next_steps
    )
    assert {p.text for p in drafted} >= set(limitations + next_steps) - {""}
    # Every task of sections III and IV has its lead, partners and deadline (from section VI).
    table = next(t for t in document.tables if t.rows[0].cells[1].text == "Nhiệm vụ, giải pháp")
    assert [c.text for c in table.rows[0].cells] == TASK_HEADERS
    rows = [[c.text for c in row.cells] for row in table.rows[1:]]
    of_iii_and_iv = [r for r in rows if r[1].startswith(("III.", "IV."))]
    assert len(of_iii_and_iv) == 32
    assert all(r[2] != "—" and r[3] != "—" and r[4] == "30/11/2024" for r in of_iii_and_iv)
    first = next(r for r in rows if r[1].startswith("III.1.a. "))
    assert first[2] == "Phòng Văn hóa và Thông tin" and "Ủy ban nhân dân các xã, phường" in first[3]
    summary = next(
        p.text for p in document.paragraphs if p.text.startswith("Trong ") and "nhiệm vụ" in p.text
    )
    counts = [int(n) for n in re.findall(r"(\d+) (?:hoàn thành|đang thực hiện|chưa triển khai|quá hạn|"
                                         r"chờ điều kiện|không thực hiện)", summary)]  # fmt: skip
    assert sum(counts) == len(rows) and "chưa triển khai" in summary and "chờ điều kiện" in summary


def test_a_report_dated_after_the_deadline_warns_the_owner_not_the_reader(reported, run_cli, tmp_path):  # noqa: F811
    out = tmp_path / "r.docx"
    code, stdout, _ = run_cli("report", "--format", "docx", "--out", str(out), "--date", "2024-12-15")
    assert code == 0
    warning = (
        "Ngày báo cáo 15/12/2024 sau hạn báo cáo 30/11/2024 của kế hoạch: các nhiệm vụ chưa hoàn thành "
        "đều ghi là quá hạn; chọn ngày báo cáo không muộn hơn 30/11/2024 nếu đây là báo cáo đúng hạn."
    )
    assert warning in stdout
    text = "\n".join(p.text for p in Document(out).paragraphs)
    assert "hạn báo cáo 30/11/2024" not in text and "quá hạn" in text
    code, stdout, _ = run_cli("report", "--format", "docx", "--out", str(out), "--date", "2024-11-30")
    assert code == 0 and "sau hạn báo cáo" not in stdout


@pytest.mark.parametrize(
    ("fmt", "name", "message"),
    [
        (
            "pdf",
            "bao-cao.docx",
            "Lỗi / Error: Tệp bao-cao.docx không có đuôi .pdf của định dạng pdf: đặt tên tệp đuôi .pdf hoặc "
            "chọn định dạng theo đuôi tệp / bao-cao.docx does not end in .pdf, the format asked for: name "
            "the file .pdf or choose the format of its extension",
        ),
        (
            "docx",
            "khong-co/bao-cao.docx",
            "Lỗi / Error: Không có thư mục {tmp}/khong-co: tạo thư mục trước hoặc chọn thư mục khác / "
            "There is no folder {tmp}/khong-co: create it first or choose another one",
        ),
    ],
)
def test_an_output_file_that_does_not_fit_is_refused(
    seed_plan,
    run_cli,  # noqa: F811
    tmp_path,
    table_counts,
    fmt,
    name,
    message,
):
    texts = tmp_path / "noi-dung.yaml"
    texts.write_text("kien_nghi: Đề nghị hỗ trợ kinh phí.\n", encoding="utf-8")
    before = table_counts()
    out = tmp_path / name
    code, _, err = run_cli("report", "--format", fmt, "--out", str(out), "--texts", str(texts))
    assert code == 1 and err == message.format(tmp=tmp_path)
    assert not out.exists() and not (tmp_path / "khong-co").exists() and table_counts() == before


def test_the_workbook_has_vietnamese_sheets_and_prints_on_a4_landscape(reported, tmp_path):
    path = build_report(
        plan=reported, period=Y2024, unit=reported.area_unit, fmt="xlsx", out=tmp_path / "r.xlsx"
    )
    workbook = load_workbook(path)
    names = workbook.sheetnames
    assert names[0] == "Tổng hợp" and names[-2:] == ["Số liệu", "Nhiệm vụ"]
    assert len(set(names)) == len(names) and all(len(n) <= 31 for n in names)
    assert "01 Tỷ lệ thôn, TDP được phủ" in names
    for sheet in workbook:
        header = next(r for r in range(1, sheet.max_row + 1) if sheet.cell(row=r, column=1).font.bold
                      and sheet.cell(row=r, column=1).fill.fgColor.rgb.endswith("E8EDF4"))  # fmt: skip
        assert sheet.print_title_rows == f"${header}:${header}"
        if sheet.max_row > header:
            assert any(c.value is not None for c in sheet[header + 1]), sheet.title
        setup = sheet.page_setup
        assert setup.orientation == "landscape" and int(setup.paperSize) == int(sheet.PAPERSIZE_A4)
        assert sheet.page_setup.fitToWidth == 1 and sheet.sheet_properties.pageSetUpPr.fitToPage
    summary = workbook["Tổng hợp"]
    sources = {row[10] for row in summary.iter_rows(values_only=True) if row and isinstance(row[0], int)}
    assert not any(ENGLISH.search(s or "") for s in sources)
    raw = workbook["Số liệu"]
    households = next(c for row in raw.iter_rows() for c in row if c.value == 3000)
    assert households.number_format == "#,##0"


def test_the_trend_reads_periods_and_keeps_the_order_of_the_table(reported):
    assert [period_label(c) for c in ("2023", "2024Q1", "2024Q4", "202401", "202412")] == [
        "Năm 2023", "Quý I/2024", "Quý IV/2024", "Tháng 01/2024", "Tháng 12/2024",
    ]  # fmt: skip
    series = [(f"{n}. chỉ tiêu", {"2023": 1.0, "2024Q1": 2.0}) for n in (1, 2, 12, 13)]
    spec = trend(["2023", "2024Q1"], series, labels={"2023": "Năm 2023", "2024Q1": "Quý I/2024"})
    assert spec["encoding"]["color"]["scale"]["domain"] == [
        "1. chỉ tiêu",
        "2. chỉ tiêu",
        "12. chỉ tiêu",
        "13. chỉ tiêu",
    ]
    assert spec["encoding"]["x"]["sort"] == ["Năm 2023", "Quý I/2024"]
    content = gather(plan=reported, unit=reported.area_unit, period=Y2024, report_date=date(2024, 11, 5))
    assert report_trend(content) is None or "…" not in str(report_trend(content))


def _luminance(colour: str) -> float:
    def channel(value: int) -> float:
        c = value / 255
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (int(colour[i : i + 2], 16) for i in (1, 3, 5))
    return 0.2126 * channel(r) + 0.7152 * channel(g) + 0.0722 * channel(b)


def test_the_maps_names_are_readable_on_every_fill():
    label = _luminance(MAP_LABEL)
    for fill in MAP_FILLS:
        lighter, darker = sorted((label, _luminance(fill)), reverse=True)
        assert (lighter + 0.05) / (darker + 0.05) >= 4.5, fill
