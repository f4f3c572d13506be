"""The results report as DOCX in the administrative format of Nghị định 30/2020/NĐ-CP, Phụ lục I:
A4, margins 20/20/30/15 mm, Times New Roman, the header table (issuing body | Quốc hiệu, Tiêu ngữ),
số/ký hiệu, địa danh and date in italics, title, body, Nơi nhận beside the signature block, page
numbers centred at the top from page 2 on."""

import io
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from hatangso.analytics.status import Status
from hatangso.reports import charts
from hatangso.reports.content import SOURCE_NAMES, ReportContent
from hatangso.reports.narrative import (
    PLACEHOLDER,
    indicator_sentence,
    period_words,
    share_of_target,
    summary_sentence,
    target_text,
)
from hatangso.utilities.numbers import format_amount, format_number, unit_label

FONT = "Times New Roman"
SYNTHETIC_BANNER = "DỮ LIỆU MẪU — synthetic demo data: báo cáo minh họa, không phải số liệu thật"
ILLUSTRATIVE_BANNER = "KẾ HOẠCH MINH HỌA — illustrative plan, not an issued document"


def banners(content: ReportContent) -> list[str]:
    """The notices every page-1 of a report (and every sheet) carries: synthetic data, a plan that
    was never issued."""
    return [
        *([SYNTHETIC_BANNER] if content.synthetic else []),
        *([ILLUSTRATIVE_BANNER] if content.plan.illustrative else []),
    ]


def document_date(place: str, day: date) -> str:
    """'Hương Trà, ngày 05 tháng 02 năm 2025': days below 10 and months 1–2 with a leading zero."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"{place}, ngày {day.day:02d} tháng {month} năm {day.year}"


def _font(run, size: float, bold: bool = False, italic: bool = False, colour: RGBColor | None = None):
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    if colour is not None:
        run.font.color.rgb = colour
    return run


def _paragraph(container, text: str = "", *, size: float = 14, bold=False, italic=False, align=None,
               indent: bool = False, after: float = 6, colour=None):  # fmt: skip
    paragraph = container.add_paragraph()
    if text:
        _font(paragraph.add_run(text), size, bold, italic, colour)
    fmt = paragraph.paragraph_format
    fmt.space_after, fmt.space_before = Pt(after), Pt(0)
    fmt.line_spacing = 1.15
    if align is not None:
        paragraph.alignment = align
    if indent:
        fmt.first_line_indent = Cm(1.27)
    return paragraph


def _rule(container, width_share: float, width_mm: float) -> None:
    """A solid centred line `width_share` of `width_mm` wide: an empty, tiny paragraph with a bottom
    border, narrowed by equal indents (NĐ 30's rule under the issuing body, the motto, the title)."""
    paragraph = container.add_paragraph()
    margin = Mm(width_mm * (1 - width_share) / 2)
    fmt = paragraph.paragraph_format
    fmt.left_indent = fmt.right_indent = margin
    fmt.space_before = fmt.space_after = Pt(0)
    fmt.line_spacing = Pt(2)
    borders = OxmlElement("w:pBdr")
    bottom = OxmlElement("w:bottom")
    for key, value in (("w:val", "single"), ("w:sz", "6"), ("w:space", "1"), ("w:color", "000000")):
        bottom.set(qn(key), value)
    borders.append(bottom)
    paragraph._p.get_or_add_pPr().append(borders)


def _widths(table, widths) -> None:
    """Fixed column widths (LibreOffice reads the grid, Word the cells: set both)."""
    table.autofit = False
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    table._tbl.tblPr.append(layout)
    for column, width in zip(table.columns, widths, strict=True):
        column.width = width
    for row in table.rows:
        for cell, width in zip(row.cells, widths, strict=True):
            cell.width = width


def _no_borders(table) -> None:
    borders = OxmlElement("w:tblBorders")
    for edge in ("top", "left", "bottom", "right", "insideH", "insideV"):
        element = OxmlElement(f"w:{edge}")
        element.set(qn("w:val"), "nil")
        borders.append(element)
    table._tbl.tblPr.append(borders)


def _page_number_header(section) -> None:
    """Page numbers centred in the top margin, none on page 1."""
    section.different_first_page_header_footer = True
    paragraph = section.header.paragraphs[0]
    paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    properties = OxmlElement("w:rPr")
    size = OxmlElement("w:sz")
    size.set(qn("w:val"), "26")
    properties.append(size)
    run.append(properties)
    text = OxmlElement("w:t")
    text.text = "2"
    run.append(text)
    field.append(run)
    paragraph._p.append(field)


def _setup(document) -> None:
    section = document.sections[0]
    section.orientation = WD_ORIENT.PORTRAIT
    section.page_width, section.page_height = Mm(210), Mm(297)
    section.top_margin, section.bottom_margin = Mm(20), Mm(20)
    section.left_margin, section.right_margin = Mm(30), Mm(15)
    section.header_distance = Mm(10)
    normal = document.styles["Normal"]
    normal.font.name = FONT
    normal.font.size = Pt(14)
    normal.element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    _page_number_header(section)


def _header(document, content: ReportContent) -> None:
    settings = content.settings
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    # Slightly wider than the text area, as offices' templates are, so the Quốc hiệu fits one line.
    _widths(table, (Mm(72), Mm(102)))
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(int(Mm(-4.5).twips)))
    indent.set(qn("w:type"), "dxa")
    table._tbl.tblPr.append(indent)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    first = left.paragraphs[0]
    if settings["parent_body"]:
        _font(first.add_run(settings["parent_body"].upper()), 12.5)
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _paragraph(
            left,
            settings["issuing_body"].upper(),
            size=12.5,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            after=0,
        )
    else:
        _font(first.add_run(settings["issuing_body"].upper()), 12.5, bold=True)
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _rule(left, 0.35, 72)
    _paragraph(
        left, f"Số:        /{settings['symbol']}", size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=0
    ).paragraph_format.space_before = Pt(6)

    motto = right.paragraphs[0]
    motto.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(motto.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 12, bold=True)
    _paragraph(
        right, "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0
    )
    _rule(right, 0.55, 102)
    dated = _paragraph(
        right, document_date(settings["place"], content.report_date), size=13.5, italic=True,
        align=WD_ALIGN_PARAGRAPH.CENTER, after=0,
    )  # fmt: skip
    dated.paragraph_format.space_before = Pt(6)


def _title(document, content: ReportContent) -> None:
    _paragraph(document, "", after=6)
    _paragraph(document, "BÁO CÁO", size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)
    plan = content.plan
    issued = f"{plan.issued_on.day:02d}/{plan.issued_on.month:02d}/{plan.issued_on.year}"
    subject = f"Kết quả thực hiện {plan.title} (Kế hoạch số {plan.code} ngày {issued} của {plan.issuer})"
    if content.unit != plan.area_unit:
        subject += f" — {content.unit.name}"
    _paragraph(document, subject, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    _rule(document, 0.25, 165)
    document.paragraphs[-1].paragraph_format.space_after = Pt(12)


def _banner(document, text: str) -> None:
    table = document.add_table(rows=1, cols=1)
    table.style = "Table Grid"
    cell = table.rows[0].cells[0]
    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:fill"), "FFF4D6")
    cell._tc.get_or_add_tcPr().append(shade)
    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(cell.paragraphs[0].add_run(text), 12, bold=True, colour=RGBColor(0x8A, 0x5A, 0x00))
    _paragraph(document, "", after=0)


def _text_or_placeholder(document, content: ReportContent, section: str) -> None:
    text = content.texts.get(section)
    if not text:
        _paragraph(document, PLACEHOLDER, italic=True, indent=True, colour=RGBColor(0xB3, 0x26, 0x1E))
        return
    for line in [line.strip() for line in text.splitlines() if line.strip()]:
        _paragraph(document, line, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)


def _cell(cell, text: str, *, bold=False, align=WD_ALIGN_PARAGRAPH.LEFT, size: float = 11) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _font(paragraph.add_run(text), size, bold=bold)


def _note(evaluation) -> str:
    parts = []
    if (
        evaluation.numerator is not None
        and evaluation.denominator is not None
        and evaluation.indicator.is_ratio
        and evaluation.status in (Status.ACHIEVED, Status.NOT_ACHIEVED)
    ):
        parts.append(f"{format_number(evaluation.numerator, 0)}/{format_number(evaluation.denominator, 0)}")
    sources = [SOURCE_NAMES[s] for s in evaluation.sources if s != "geography"]
    if sources:
        parts.append("nguồn: " + ", ".join(sources))
    if "over_100" in evaluation.flags:
        parts.append("vượt 100% do doanh nghiệp đếm thuê bao")
    if "estimated" in evaluation.flags:
        parts.append("ước tính: xã, phường sáp nhập một phần, chia theo tỷ lệ")
    if evaluation.status == Status.NO_DATA:
        parts.append("chưa có số liệu")
    return "; ".join(parts)


def _indicator_table(document, content: ReportContent) -> None:
    headers = ["STT", "Chỉ tiêu", "ĐVT", "Kế hoạch", "Thực hiện", "Tỷ lệ %", "Đánh giá", "Ghi chú"]
    widths = [Mm(10), Mm(45), Mm(12), Mm(16), Mm(16), Mm(17), Mm(19), Mm(30)]
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for number, evaluation in enumerate(content.evaluations, start=1):
        indicator = evaluation.indicator
        row = table.add_row().cells
        share = share_of_target(evaluation)
        values = [
            (str(number), WD_ALIGN_PARAGRAPH.CENTER),
            (indicator.name, WD_ALIGN_PARAGRAPH.LEFT),
            (unit_label(indicator.unit), WD_ALIGN_PARAGRAPH.CENTER),
            (target_text(evaluation), WD_ALIGN_PARAGRAPH.RIGHT),
            (format_amount(evaluation.value, indicator.unit), WD_ALIGN_PARAGRAPH.RIGHT),
            (f"{format_number(share, 1)}%" if share is not None else "—", WD_ALIGN_PARAGRAPH.RIGHT),
            (Status(evaluation.status).text, WD_ALIGN_PARAGRAPH.CENTER),
            (_note(evaluation), WD_ALIGN_PARAGRAPH.LEFT),
        ]
        for cell, (text, align) in zip(row, values, strict=True):
            _cell(cell, text, align=align, size=10.5 if align == WD_ALIGN_PARAGRAPH.LEFT else 11)
    _widths(table, widths)


def _commune_table(document, content: ReportContent) -> None:
    shown = [
        e
        for e in content.evaluations
        if any(r.get(e.indicator.code) and r[e.indicator.code].value is not None for _, r in content.communes)
    ]
    if not content.communes or not shown:
        _paragraph(document, "Chưa có số liệu theo xã, phường.", indent=True)
        return
    table = document.add_table(rows=1, cols=1 + len(content.communes))
    table.style = "Table Grid"
    _cell(table.rows[0].cells[0], "Chỉ tiêu", bold=True, size=9.5)
    for cell, (commune, _) in zip(table.rows[0].cells[1:], content.communes, strict=True):
        _cell(cell, commune.name, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=9.5)
    for evaluation in shown:
        row = table.add_row().cells
        number = content.evaluations.index(evaluation) + 1
        _cell(row[0], f"{number}. {evaluation.indicator.name}", size=9.5)
        for cell, (_, results) in zip(row[1:], content.communes, strict=True):
            result = results.get(evaluation.indicator.code)
            value = result.value if result is not None else None
            _cell(
                cell,
                format_amount(value, evaluation.indicator.unit),
                align=WD_ALIGN_PARAGRAPH.RIGHT,
                size=9.5,
            )
    share = 120 / len(content.communes)
    _widths(table, [Mm(45)] + [Mm(share)] * len(content.communes))


def _chart(document, spec: dict | None, caption: str, missing: str) -> None:
    if spec is None:
        _paragraph(document, missing, italic=True, indent=True, size=12)
        return
    document.add_picture(io.BytesIO(charts.render_png(spec)), width=Mm(160))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, caption, size=12, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _tasks(document, content: ReportContent) -> None:
    if not content.tasks:
        _paragraph(document, "Kế hoạch không có nhiệm vụ, giải pháp được theo dõi.", indent=True)
        return
    done = sum(1 for t in content.tasks if t.state == "Hoàn thành")
    late = sum(1 for t in content.tasks if t.state == "Quá hạn")
    waiting = sum(1 for t in content.tasks if t.state == "Chờ điều kiện")
    _paragraph(
        document,
        f"Trong {len(content.tasks):02d} nhiệm vụ, giải pháp và trách nhiệm của Kế hoạch: "
        f"{done:02d} hoàn thành; {late:02d} quá hạn; {waiting:02d} chờ điều kiện; "
        "còn lại đang hoặc chưa triển khai.",
        indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )  # fmt: skip
    table = document.add_table(rows=1, cols=5)
    table.style = "Table Grid"
    headers = ["Mục", "Nhiệm vụ, giải pháp", "Chủ trì", "Tình trạng", "Kết quả, minh chứng"]
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    for line in content.tasks:
        row = table.add_row().cells
        text = line.text if len(line.text) <= 240 else line.text[:239].rstrip() + "…"
        state = f"{line.state} ({line.progress}%)" if line.progress else line.state
        for cell, value in zip(row, [line.number, text, line.lead, state, line.evidence], strict=True):
            _cell(cell, value, size=10)
    _widths(table, [Mm(14), Mm(66), Mm(28), Mm(22), Mm(35)])


def _closing(document, content: ReportContent) -> None:
    settings = content.settings
    _paragraph(document, "", after=6)
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [Mm(85), Mm(80)])
    cant_split = OxmlElement("w:cantSplit")
    table.rows[0]._tr.get_or_add_trPr().append(cant_split)
    left, right = table.rows[0].cells
    label = left.paragraphs[0]
    label.paragraph_format.space_after = Pt(0)
    _font(label.add_run("Nơi nhận:"), 12, bold=True, italic=True)
    recipients = settings["recipients"]
    for index, recipient in enumerate(recipients):
        end = "." if index == len(recipients) - 1 else ";"
        line = recipient.rstrip(";.")
        _paragraph(left, f"- {line}{end}", size=11, after=0)
    signature = settings["signature"]
    first = True
    for text in (signature["authority"], signature["delegation"], signature["title"]):
        if not text:
            continue
        paragraph = right.paragraphs[0] if first else _paragraph(right, after=0)
        first = False
        paragraph.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _font(paragraph.add_run(text.upper()), 13.5, bold=True)
    for _ in range(4):
        _paragraph(right, "", after=0)
    name = signature["name"] or "[Họ và tên người ký]"
    _paragraph(right, name, size=13.5, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0)


def _most_varied(content: ReportContent) -> str | None:
    """The indicator whose commune values differ most: the comparison worth a chart."""
    spreads = {}
    for evaluation in content.evaluations:
        code = evaluation.indicator.code
        values = [r[code].value for _, r in content.communes if code in r and r[code].value is not None]
        if len(values) >= 2 and evaluation.indicator.unit == "%":
            spreads[code] = max(values) - min(values)
    return max(spreads, key=spreads.get) if spreads else None


def write_docx(content: ReportContent, path) -> None:
    document = Document()
    _setup(document)
    _header(document, content)
    _title(document, content)
    for text in banners(content):
        _banner(document, text)
    plan = content.plan
    heading = lambda text: _paragraph(document, text, bold=True, after=6)  # noqa: E731
    _paragraph(
        document,
        f"Thực hiện {plan.title} (Kế hoạch số {plan.code}), {content.settings['issuer_name']} "
        f"báo cáo kết quả thực hiện {period_words(content.period)} như sau:",
        indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )  # fmt: skip
    heading("I. KẾT QUẢ THỰC HIỆN")
    _paragraph(document, "Tình hình triển khai:", bold=True, italic=True, after=3)
    _text_or_placeholder(document, content, "trien_khai")
    heading("1. Kết quả thực hiện các chỉ tiêu")
    _paragraph(document, summary_sentence(content), indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    for evaluation in content.evaluations:
        _paragraph(
            document,
            "- " + indicator_sentence(evaluation),
            indent=True,
            align=WD_ALIGN_PARAGRAPH.JUSTIFY,
            after=3,
        )
    _paragraph(
        document,
        "Bảng 1. Kết quả thực hiện các chỉ tiêu",
        size=13,
        bold=True,
        align=WD_ALIGN_PARAGRAPH.CENTER,
    )
    _indicator_table(document, content)
    _paragraph(document, "", after=6)
    _chart(
        document,
        charts.indicators_vs_targets(content.evaluations),
        "Hình 1. Chỉ tiêu: thực hiện so với kế hoạch",
        "Chưa có chỉ tiêu nào có số liệu để vẽ biểu đồ.",
    )
    _chart(
        document,
        charts.report_trend(content),
        "Hình 2. Diễn biến các chỉ tiêu theo kỳ",
        "Chưa đủ số liệu các kỳ để vẽ diễn biến.",
    )
    heading("2. Kết quả thực hiện nhiệm vụ, giải pháp")
    _tasks(document, content)
    heading("3. Kết quả theo xã, phường")
    _commune_table(document, content)
    focus = _most_varied(content)
    if focus:
        indicator = next(e.indicator for e in content.evaluations if e.indicator.code == focus)
        values = [(commune, results[focus].value if focus in results else None)
                  for commune, results in content.communes]  # fmt: skip
        compared = [(c.name, r[focus].value, r[focus].target) for c, r in content.communes if focus in r]
        _chart(
            document, charts.commune_comparison(indicator, compared),
            "Hình 3. So sánh giữa các xã, phường", "",
        )  # fmt: skip
        _chart(
            document, charts.commune_map(indicator, {c.pk: v for c, v in values}),
            "Hình 4. Bản đồ theo xã, phường",
            "Chưa có ranh giới hành chính để vẽ bản đồ (nạp bằng: hatangso import boundaries TỆP).",
        )  # fmt: skip
    heading("II. ĐÁNH GIÁ CHUNG")
    for section, title in (
        ("thuan_loi", "1. Thuận lợi"),
        ("kho_khan", "2. Khó khăn"),
        ("vuong_mac", "3. Vướng mắc"),
    ):
        _paragraph(document, title, bold=True, italic=True, after=3)
        _text_or_placeholder(document, content, section)
    heading("III. KIẾN NGHỊ, ĐỀ XUẤT")
    _text_or_placeholder(document, content, "kien_nghi")
    _paragraph(
        document,
        f"Trên đây là báo cáo kết quả thực hiện {plan.title}"
        f"{'' if content.period.code == plan.period else ' ' + period_words(content.period)}./.",
        indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY,
    )  # fmt: skip
    _closing(document, content)
    document.core_properties.title = f"Báo cáo kết quả thực hiện {plan.code} {content.period.code}"
    document.core_properties.author = content.settings["issuing_body"]
    document.save(path)
