"""The results report as DOCX in the administrative format of Nghị định 30/2020/NĐ-CP, Phụ lục I:
A4, margins 20/20/30/15 mm, Times New Roman, the header table (issuing body | Quốc hiệu, Tiêu ngữ),
số/ký hiệu, địa danh and date in italics, title, body, Nơi nhận beside the signature block, page
numbers centred at the top from page 2 on."""

import io
from dataclasses import replace
from datetime import date

from docx import Document
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_COLOR_INDEX
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Mm, Pt, RGBColor

from hatangso.analytics.status import Status
from hatangso.collection.models import DataElement
from hatangso.reports import charts
from hatangso.reports.content import SOURCE_NAMES, ReportContent, appendix_rows
from hatangso.reports.narrative import (
    DRAFT_NOTE,
    PLACEHOLDER,
    deployment_draft,
    indicator_sentence,
    limitations_draft,
    next_steps_draft,
    period_words,
    share_of_target,
    summary_sentence,
    target_text,
    task_summary,
)
from hatangso.utilities.numbers import format_amount, format_date, format_number, unit_label

FONT = "Times New Roman"
LANGUAGE = "vi-VN"
HEADER_LEFT, HEADER_RIGHT = 80, 101  # mm: the header table's columns
SYNTHETIC_BANNER = "DỮ LIỆU MẪU — synthetic demo data: báo cáo minh họa, không phải số liệu thật"
ILLUSTRATIVE_BANNER = "KẾ HOẠCH MINH HỌA — illustrative plan, not an issued document"


def banners(content: ReportContent) -> list[str]:
    """The notices every page-1 of a report (and every sheet) carries: synthetic data, a plan that
    was never issued."""
    return [
        *([SYNTHETIC_BANNER] if content.synthetic else []),
        *([ILLUSTRATIVE_BANNER] if content.plan.illustrative else []),
    ]


def date_words(day: date) -> str:
    """'ngày 05 tháng 02 năm 2025': days below 10 and months 1–2 with a leading zero (NĐ 30)."""
    month = f"{day.month:02d}" if day.month <= 2 else str(day.month)
    return f"ngày {day.day:02d} tháng {month} năm {day.year}"


def document_date(place: str, day: date) -> str:
    """'Hương Trà, ngày 05 tháng 02 năm 2025'."""
    return f"{place}, {date_words(day)}"


def _font(run, size: float, bold: bool = False, italic: bool = False, colour: RGBColor | None = None,
          draft: bool = False):  # fmt: skip
    run.font.name = FONT
    run._element.get_or_add_rPr().get_or_add_rFonts().set(qn("w:eastAsia"), FONT)
    run.font.size = Pt(size)
    run.bold, run.italic = bold, italic
    if colour is not None:
        run.font.color.rgb = colour
    if draft:  # the owner confirms or rewrites it on the report page before the report is issued
        run.font.highlight_color = WD_COLOR_INDEX.YELLOW
    return run


def _paragraph(container, text: str = "", *, size: float = 14, bold=False, italic=False, align=None,
               indent: bool = False, after: float = 6, colour=None, draft: bool = False):  # fmt: skip
    paragraph = container.add_paragraph()
    if text:
        _font(paragraph.add_run(text), size, bold, italic, colour, draft)
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


def _side_padding(table, mm: float) -> None:
    """The cells' left and right padding (Word's default is 1,9 mm)."""
    margins = OxmlElement("w:tblCellMar")
    for edge in ("left", "right"):
        margin = OxmlElement(f"w:{edge}")
        margin.set(qn("w:w"), str(int(Mm(mm).twips)))
        margin.set(qn("w:type"), "dxa")
        margins.append(margin)
    table._tbl.tblPr.append(margins)


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
    _vietnamese(document)
    _page_number_header(section)


def _vietnamese(document) -> None:
    """The document's language is Vietnamese (python-docx's template says en-US), so that Word
    checks the spelling in Vietnamese instead of marking every word."""
    defaults = document.styles.element.find(qn("w:docDefaults"))
    properties = defaults.find(qn("w:rPrDefault")).find(qn("w:rPr"))
    if properties.find(qn("w:lang")) is None:
        properties.append(OxmlElement("w:lang"))
    for language in document.styles.element.iter(qn("w:lang")):
        language.set(qn("w:val"), LANGUAGE)
        language.set(qn("w:eastAsia"), LANGUAGE)


def _header(document, content: ReportContent) -> None:
    settings = content.settings
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    # Wider than the text area, as offices' templates are, and without cell padding, so that the
    # issuing body ("PHÒNG VĂN HÓA VÀ THÔNG TIN") and the Quốc hiệu each fit one line.
    _widths(table, (Mm(HEADER_LEFT), Mm(HEADER_RIGHT)))
    indent = OxmlElement("w:tblInd")
    indent.set(qn("w:w"), str(int(Mm(-8).twips)))
    indent.set(qn("w:type"), "dxa")
    table._tbl.tblPr.append(indent)
    _side_padding(table, 0)
    left, right = table.rows[0].cells
    left.paragraphs[0].text = ""
    first = left.paragraphs[0]
    # A commune's UBND issues its own report: its name is not repeated as its own parent body.
    if settings["parent_body"] and settings["parent_body"].upper() != settings["issuing_body"].upper():
        _font(first.add_run(settings["parent_body"].upper()), 12)
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _paragraph(
            left,
            settings["issuing_body"].upper(),
            size=12,
            bold=True,
            align=WD_ALIGN_PARAGRAPH.CENTER,
            after=0,
        )
    else:
        _font(first.add_run(settings["issuing_body"].upper()), 12, bold=True)
        first.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _rule(left, 0.35, HEADER_LEFT)
    _paragraph(
        left, f"Số:        /{settings['symbol']}", size=13, align=WD_ALIGN_PARAGRAPH.CENTER, after=0
    ).paragraph_format.space_before = Pt(6)

    motto = right.paragraphs[0]
    motto.alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(motto.add_run("CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"), 12, bold=True)
    _paragraph(
        right, "Độc lập - Tự do - Hạnh phúc", size=13.5, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=0
    )
    _rule(right, 0.55, HEADER_RIGHT)
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
    if content.commune_document:
        subject += f" trên địa bàn {content.unit.name[0].lower()}{content.unit.name[1:]}"
    elif content.unit != plan.area_unit:
        subject += f" — {content.unit.name}"
    _paragraph(document, subject, size=14, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, after=2)
    _rule(document, 0.25, 165)
    document.paragraphs[-1].paragraph_format.space_after = Pt(12)


def _shade(cell, fill: str) -> None:
    shade = OxmlElement("w:shd")
    shade.set(qn("w:val"), "clear")
    shade.set(qn("w:fill"), fill)
    cell._tc.get_or_add_tcPr().append(shade)


def _banner(document, text: str) -> None:
    table = document.add_table(rows=1, cols=1)
    table.style = "Table Grid"
    cell = table.rows[0].cells[0]
    _shade(cell, "FFF4D6")
    cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _font(cell.paragraphs[0].add_run(text), 12, bold=True, colour=RGBColor(0x8A, 0x5A, 0x00))
    _paragraph(document, "", after=0)


def _owner_text(document, content: ReportContent, section: str) -> bool:
    """The owner's paragraphs for a section, if written; whether there were any."""
    lines = [line.strip() for line in content.texts.get(section, "").splitlines() if line.strip()]
    for line in lines:
        _paragraph(document, line, indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    return bool(lines)


def _text_or_placeholder(document, content: ReportContent, section: str) -> None:
    if not _owner_text(document, content, section):
        _paragraph(document, PLACEHOLDER, italic=True, indent=True, colour=RGBColor(0xB3, 0x26, 0x1E))


def _text_or_draft(document, content: ReportContent, section: str, draft: list[str], bullets=False) -> None:
    """The owner's text for the section, else the sentences drafted from the data, highlighted as a
    draft until the owner writes the section on the report page."""
    if _owner_text(document, content, section):
        return
    for sentence in draft:
        _paragraph(document, ("- " if bullets else "") + sentence, indent=True,
                   align=WD_ALIGN_PARAGRAPH.JUSTIFY, draft=True)  # fmt: skip


def _cell(cell, text: str, *, bold=False, align=WD_ALIGN_PARAGRAPH.LEFT, size: float = 10.5) -> None:
    paragraph = cell.paragraphs[0]
    paragraph.alignment = align
    paragraph.paragraph_format.space_after = Pt(0)
    _font(paragraph.add_run(text), size, bold=bold)


def _heading(document, text: str, italic: bool = False) -> None:
    """A section's heading, kept on the page of the section's first lines."""
    _paragraph(document, text, bold=True, italic=italic).paragraph_format.keep_with_next = True


def _caption(document, text: str) -> None:
    """A table's title, kept on the page where its table begins."""
    paragraph = _paragraph(document, text, size=13, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER)
    paragraph.paragraph_format.keep_with_next = True


def _data_table(document, headers: list[str], size: float = 10.5):
    """A bordered table with its header row (`_finish` sets its widths once the rows are in)."""
    table = document.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    table.alignment = WD_TABLE_ALIGNMENT.CENTER
    for cell, text in zip(table.rows[0].cells, headers, strict=True):
        _cell(cell, text, bold=True, align=WD_ALIGN_PARAGRAPH.CENTER, size=size)
    return table


def _finish(table, widths: list[float]) -> None:
    _widths(table, [Mm(w) for w in widths])


def _keep_rows(document) -> None:
    """Every table's rows stay whole on a page, and its first row is repeated on every page the
    table runs onto (the header block and the signature are one-row tables: the same holds)."""
    for table in document.tables:
        for index, row in enumerate(table.rows):
            properties = row._tr.get_or_add_trPr()
            wanted = ("w:cantSplit", "w:tblHeader") if index == 0 else ("w:cantSplit",)
            for tag in wanted:
                if properties.find(qn(tag)) is None:
                    properties.append(OxmlElement(tag))


def _note(evaluation) -> str:
    parts = []
    if (
        evaluation.numerator is not None
        and evaluation.denominator is not None
        and evaluation.indicator.is_ratio
        and evaluation.status in (Status.ACHIEVED, Status.NOT_ACHIEVED)
    ):
        # A zero-width space after the slash: a narrow cell breaks there, never inside a number.
        numerator, denominator = (format_number(evaluation.numerator, 0),
                                  format_number(evaluation.denominator, 0))  # fmt: skip
        parts.append(f"{numerator}/\u200b{denominator}")
    sources = [SOURCE_NAMES[s] for s in evaluation.sources if s != "geography"]
    if sources:
        parts.append("theo " + ", ".join(sources))
    if "over_100" in evaluation.flags:
        parts.append("vượt 100% do doanh nghiệp đếm thuê bao")
    if "estimated" in evaluation.flags:
        parts.append("ước tính: xã, phường sáp nhập một phần, chia theo tỷ lệ")
    if evaluation.status == Status.NO_DATA:
        parts.append("chưa có số liệu")
    return "; ".join(parts)


def _indicator_table(document, content: ReportContent) -> None:
    """Every indicator, then the plan's qualitative targets with their state. Each column keeps one
    format: Thực hiện with one decimal and the unit, Tỷ lệ % with one decimal and no sign."""
    table = _data_table(
        document,
        ["STT", "Chỉ tiêu", "ĐVT", "Kế hoạch", "Thực hiện", "Tỷ lệ %", "Đánh giá", "Ghi chú"],
    )
    right, centre, left = WD_ALIGN_PARAGRAPH.RIGHT, WD_ALIGN_PARAGRAPH.CENTER, WD_ALIGN_PARAGRAPH.LEFT
    for number, evaluation in enumerate(content.evaluations, start=1):
        indicator = evaluation.indicator
        share = share_of_target(evaluation)
        values = [
            (str(number), centre),
            (indicator.name, left),
            (unit_label(indicator.unit), centre),
            (target_text(evaluation), right),
            (format_amount(evaluation.value, indicator.unit), right),
            (format_number(share, 1) if share is not None else "—", right),
            (Status(evaluation.status).text, centre),
            (_note(evaluation), left),
        ]
        for cell, (text, align) in zip(table.add_row().cells, values, strict=True):
            _cell(cell, text, align=align, size=10)
    for number, goal in enumerate(content.goals, start=len(content.evaluations) + 1):
        values = [
            (str(number), centre),
            (goal.text, left),
            ("—", centre),
            ("Định tính", right),
            ("—", right),
            ("—", right),
            (goal.status.text, centre),
            (f"Mục {goal.number}; {goal.note}", left),
        ]
        for cell, (text, align) in zip(table.add_row().cells, values, strict=True):
            _cell(cell, text, align=align, size=10)
    _finish(table, [12, 41, 14, 18, 18, 15, 18, 29])


COMMUNE_COLUMNS = 6  # indicators per commune table: more would not fit a portrait page


def _commune_table(document, content: ReportContent) -> None:
    """One row per commune, one column per indicator with commune figures (numbered as in Bảng 1),
    in tables of six indicators so that every name fits its column."""
    shown = [
        (number, e)
        for number, e in enumerate(content.evaluations, start=1)
        if any(r.get(e.indicator.code) and r[e.indicator.code].value is not None for _, r in content.communes)
    ]
    if not content.communes or not shown:
        _paragraph(document, "Chưa có số liệu theo xã, phường.", indent=True)
        return
    for start in range(0, len(shown), COMMUNE_COLUMNS):
        part = shown[start : start + COMMUNE_COLUMNS]
        width = (165 - 12 - 38) / len(part)
        table = _data_table(
            document,
            ["STT", "Xã, phường", *(f"Chỉ tiêu {n} ({unit_label(e.indicator.unit)})" for n, e in part)],
            size=10,
        )
        for index, (commune, results) in enumerate(content.communes, start=1):
            row = table.add_row().cells
            _cell(row[0], str(index), align=WD_ALIGN_PARAGRAPH.CENTER, size=10)
            _cell(row[1], commune.name, size=10)
            for cell, (_, e) in zip(row[2:], part, strict=True):
                result = results.get(e.indicator.code)
                value = result.value if result is not None else None
                _cell(cell, format_number(value), align=WD_ALIGN_PARAGRAPH.RIGHT, size=10)
        _finish(table, [12, 38, *([width] * len(part))])
        _paragraph(document, "", after=6)


def _chart(document, spec: dict | None, caption: str, missing: str) -> None:
    if spec is None:
        _paragraph(document, missing, italic=True, indent=True, size=12)
        return
    document.add_picture(io.BytesIO(charts.render_png(spec)), width=Mm(160))
    document.paragraphs[-1].alignment = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, caption, size=12, italic=True, align=WD_ALIGN_PARAGRAPH.CENTER)


def _progress(line) -> str:
    parts = [f"Tiến độ {line.progress}%"] if line.progress else []
    parts.append(line.evidence or "Chưa có báo cáo kết quả")
    return "; ".join(parts)


# mm. The task and its partners take most of the width, and the cells are padded 1 mm instead of
# Word's 1,9: the demo's 48 tasks then take 7 landscape pages instead of 8 (rows never split, so a
# narrower column that adds a line to the tallest rows costs pages, not saves them).
TASK_WIDTHS = [10, 92, 30, 54, 19, 30, 17]
TASK_PADDING = 1.0


def _tasks(document, content: ReportContent) -> None:
    if not content.tasks:
        _paragraph(document, "Kế hoạch không có nhiệm vụ, giải pháp được theo dõi.", indent=True)
        return
    _paragraph(document, task_summary(content), indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    # Seven columns of text do not fit a portrait page without rows a page tall: the table gets
    # landscape pages of its own (NĐ 30 allows them for tables), then the report goes on upright.
    _new_section(document, landscape=True)
    _caption(document, "Bảng 2. Kết quả thực hiện nhiệm vụ, giải pháp")
    table = _data_table(
        document,
        ["STT", "Nhiệm vụ, giải pháp", "Chủ trì", "Phối hợp", "Thời hạn", "Kết quả, tiến độ", "Đánh giá"],
        size=10,
    )
    for index, line in enumerate(content.tasks, start=1):
        row = table.add_row().cells
        _cell(row[0], str(index), align=WD_ALIGN_PARAGRAPH.CENTER, size=10)
        _font(row[1].paragraphs[0].add_run(f"{line.number}. "), 10, bold=True)
        _font(row[1].paragraphs[0].add_run(line.text), 10)
        row[1].paragraphs[0].paragraph_format.space_after = Pt(0)
        _cell(row[2], line.lead or "—", size=10)
        _cell(row[3], line.coordinating or "—", size=10)
        _cell(row[4], format_date(line.due_date) or "—", align=WD_ALIGN_PARAGRAPH.CENTER, size=10)
        _cell(row[5], _progress(line), size=10)
        _cell(row[6], line.state, align=WD_ALIGN_PARAGRAPH.CENTER, size=10)
    _finish(table, TASK_WIDTHS)
    _side_padding(table, TASK_PADDING)
    _new_section(document, landscape=False)


def _new_section(document, *, landscape: bool) -> None:
    """A new page, turned or upright, with the same margins (the binding edge on the left) and
    the page number on every page of it."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    section.orientation = WD_ORIENT.LANDSCAPE if landscape else WD_ORIENT.PORTRAIT
    long, short = Mm(297), Mm(210)
    section.page_width, section.page_height = (long, short) if landscape else (short, long)
    section.different_first_page_header_footer = False


def _closing(document, content: ReportContent) -> None:
    settings = content.settings
    _paragraph(document, "", after=6).paragraph_format.keep_with_next = True
    table = document.add_table(rows=1, cols=2)
    _no_borders(table)
    _widths(table, [Mm(85), Mm(80)])
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


def _next_targets(content: ReportContent) -> dict[str, str]:
    """The targets of the year after the report's, where the plan sets one (a multi-year plan)."""
    year = content.period.start.year + 1
    targets = {}
    for evaluation in content.evaluations:
        target = evaluation.indicator.targets.filter(year=year, unit__isnull=True).first()
        if target is not None:
            following = replace(evaluation, target=target.value)
            targets[evaluation.indicator.code] = f"{target_text(following)} năm {year}"
    return targets


def write_docx(content: ReportContent, path) -> None:
    document = Document()
    _setup(document)
    _header(document, content)
    _title(document, content)
    for text in banners(content):
        _banner(document, text)
    plan = content.plan
    heading = lambda text: _heading(document, text)  # noqa: E731
    subheading = lambda text: _heading(document, text, italic=True)  # noqa: E731
    justified = dict(indent=True, align=WD_ALIGN_PARAGRAPH.JUSTIFY)
    _paragraph(
        document,
        f"Thực hiện {plan.title} (Kế hoạch số {plan.code}), {content.settings['issuer_name']} "
        f"báo cáo kết quả thực hiện {period_words(content.period)} như sau:",
        **justified,
    )
    _paragraph(document, DRAFT_NOTE, size=12, italic=True, **justified, draft=True)

    heading("I. TÌNH HÌNH TRIỂN KHAI")
    _text_or_draft(document, content, "trien_khai", deployment_draft(content))
    if content.texts.get("thuan_loi"):
        subheading("Thuận lợi")
        _owner_text(document, content, "thuan_loi")

    heading("II. KẾT QUẢ THỰC HIỆN")
    subheading("1. Kết quả thực hiện các chỉ tiêu")
    _paragraph(document, summary_sentence(content), **justified)
    for evaluation in content.evaluations:
        _paragraph(document, "- " + indicator_sentence(evaluation), **justified)
    _caption(document, "Bảng 1. Kết quả thực hiện các chỉ tiêu")
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
    subheading("2. Kết quả thực hiện nhiệm vụ, giải pháp")
    _tasks(document, content)
    if content.unit.level != "commune":
        subheading("3. Kết quả theo xã, phường")
        if content.appendix and content.communes:
            _paragraph(
                document,
                f"Kết quả thực hiện các chỉ tiêu của {len(content.communes):02d} {commune_kinds(content)} "
                f"tại Phụ lục kèm theo Báo cáo này.",
                **justified,
            )
        else:
            _commune_table(document, content)
            _commune_charts(document, content)

    heading("III. TỒN TẠI, HẠN CHẾ VÀ NGUYÊN NHÂN")
    names = dict(DataElement.objects.values_list("code", "name"))
    _text_or_draft(document, content, "kho_khan", limitations_draft(content, names), bullets=True)
    if content.texts.get("vuong_mac"):
        _owner_text(document, content, "vuong_mac")

    heading("IV. PHƯƠNG HƯỚNG, NHIỆM VỤ THỜI GIAN TỚI")
    _text_or_draft(document, content, "phuong_huong", next_steps_draft(content, _next_targets(content)),
                   bullets=True)  # fmt: skip

    heading("V. ĐỀ XUẤT, KIẾN NGHỊ")
    _text_or_placeholder(document, content, "kien_nghi")
    _paragraph(
        document,
        f"Trên đây là báo cáo kết quả thực hiện {plan.title}"
        f"{'' if content.period.code == plan.period else ' ' + period_words(content.period)}./.",
        **justified,
    ).paragraph_format.keep_with_next = True  # never a page with the signature alone
    _closing(document, content)
    if content.appendix and content.communes:
        _appendix(document, content)
    _keep_rows(document)
    document.core_properties.title = f"Báo cáo kết quả thực hiện {plan.code} {content.period.code}"
    document.core_properties.author = " ".join(content.settings["issuing_body"].split())
    document.core_properties.language = LANGUAGE
    document.save(path)


def _commune_charts(document, content: ReportContent) -> None:
    focus = _most_varied(content)
    if not focus:
        return
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


KINDS = ("Xã", "Phường", "Thị trấn", "Đặc khu")  # in the order offices name them


def commune_kinds(content: ReportContent) -> str:
    """'xã, phường, thị trấn': the kinds of the communes the report lists (no thị trấn after 2025)."""
    present = {commune.type_name for commune, _ in content.communes}
    return ", ".join(kind.lower() for kind in KINDS if kind in present) or "xã, phường"


def _mark(evaluation) -> str:
    """A unit's result as the appendix shows it: the value and the scorecard's rating symbol."""
    if evaluation is None:
        return Status.NO_DATA.symbol
    symbol = Status(evaluation.status).symbol
    return symbol if evaluation.value is None else f"{format_number(evaluation.value)} {symbol}"


APPENDIX_COLUMNS = 11  # indicators per appendix table: ≥ 18 mm each on a landscape page
APPENDIX_WIDTH = 252  # mm: a landscape page between the margins


def _appendix(document, content: ReportContent) -> None:
    """Phụ lục: every commune of the province (grouped under its district, with the district's and
    the province's own results) against every indicator, the values and ratings of the scorecard."""
    settings, kinds = content.settings, commune_kinds(content)
    _new_section(document, landscape=True)
    centre = WD_ALIGN_PARAGRAPH.CENTER
    _paragraph(document, "Phụ lục", bold=True, align=centre, after=0)
    _paragraph(document, f"KẾT QUẢ THỰC HIỆN CÁC CHỈ TIÊU THEO {kinds.upper()}", bold=True, align=centre,
               after=0)  # fmt: skip
    _paragraph(
        document,
        f"(Kèm theo Báo cáo số      /{settings['symbol']} {date_words(content.report_date)} của "
        f"{settings['issuer_name']})",
        italic=True, align=centre, after=0,
    )  # fmt: skip
    _rule(document, 0.15, APPENDIX_WIDTH)
    document.paragraphs[-1].paragraph_format.space_after = Pt(6)
    _paragraph(document, "Chỉ tiêu (số thứ tự như Bảng 1 của Báo cáo):", size=12, bold=True, after=0)
    for number, evaluation in enumerate(content.evaluations, start=1):
        indicator = evaluation.indicator
        _paragraph(document, f"{number}. {indicator.name} ({unit_label(indicator.unit) or 'số lượng'}); "
                   f"kế hoạch: {target_text(evaluation)}.", size=12, after=0)  # fmt: skip
    legend = "; ".join(f"{status.symbol} {status.text.lower()}" for status in Status)
    _paragraph(document, f"Đánh giá theo chỉ tiêu áp dụng cho từng đơn vị: {legend}.", size=12, italic=True)
    rows = appendix_rows(content)
    numbered = list(enumerate(content.evaluations, start=1))
    blocks = -(-len(numbered) // APPENDIX_COLUMNS)
    per_block = -(-len(numbered) // blocks)
    for start in range(0, len(numbered), per_block):
        part = numbered[start : start + per_block]
        width = min(30, (APPENDIX_WIDTH - 12 - 44) / len(part))
        headings = [_appendix_heading(n, e) for n, e in part]
        table = _data_table(document, ["STT", "Đơn vị", *headings], size=9.5)
        labels = []
        for index, unit, results in rows:
            cells = table.add_row().cells
            name = "Toàn địa bàn" if unit == content.unit else unit.name
            group = index is None  # the province's or a district's own results: bold, across STT
            if group:
                label = cells[0].merge(cells[1])
                labels.append(label)
                _cell(label, name, bold=True, size=9.5)
                for cell in (label, *cells[2:]):
                    _shade(cell, "EDEDED")
            else:
                _cell(cells[0], str(index), align=WD_ALIGN_PARAGRAPH.CENTER, size=9.5)
                _cell(cells[1], name, size=9.5)
            for cell, (_, e) in zip(cells[2:], part, strict=True):
                _cell(cell, _mark(results.get(e.indicator.code)), bold=group, align=WD_ALIGN_PARAGRAPH.RIGHT,
                      size=9.5)  # fmt: skip
        _finish(table, [12, 44, *([width] * len(part))])
        for label in labels:  # `_finish` gave a merged cell its second column's width
            label.width = Mm(12 + 44)
        _paragraph(document, "", after=6)


def _appendix_heading(number: int, evaluation) -> str:
    label = unit_label(evaluation.indicator.unit)
    return f"Chỉ tiêu {number}" + (f" ({label})" if label else "")
