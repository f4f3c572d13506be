"""The results workbook: the scorecard, one sheet per indicator by commune, the values behind the
numbers, and the tasks; Vietnamese headers, frozen panes, number formats, no formula injection."""

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from hatangso.analytics.status import Status
from hatangso.collection.models import DataValue
from hatangso.geography.selectors import rollup_units
from hatangso.reports.content import SOURCE_NAMES, ReportContent, appendix_rows
from hatangso.reports.docx_report import banners, commune_kinds
from hatangso.reports.narrative import share_of_target
from hatangso.utilities.numbers import unit_label, unit_suffix
from hatangso.utilities.periods import period_label
from hatangso.utilities.spreadsheets import append_row, set_widths

PERCENT = '#,##0.0"%"'
COUNT = "#,##0"
HEADER_FILL = PatternFill("solid", fgColor="E8EDF4")


def value_format(unit: str) -> str:
    """A one-decimal number format that writes the unit as the DOCX does (`format_amount`): the
    cell keeps the exact value, Excel rounds it for display."""
    suffix = unit_suffix(unit)
    return f'#,##0.0"{suffix}"' if suffix else "#,##0.0"


def _header(sheet, titles: list[str]) -> None:
    """The column titles, frozen above the data and printed at the top of every page (A4 landscape,
    one page wide)."""
    append_row(sheet, titles)
    row = sheet.max_row
    for cell in sheet[row]:
        cell.font = Font(bold=True)
        cell.fill = HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = f"C{row + 1}"  # a coordinate: sheet.cell() would create the row below
    sheet.print_title_rows = f"{row}:{row}"
    sheet.page_setup.paperSize = sheet.PAPERSIZE_A4
    sheet.page_setup.orientation = sheet.ORIENTATION_LANDSCAPE
    sheet.page_setup.fitToWidth, sheet.page_setup.fitToHeight = 1, 0
    sheet.sheet_properties.pageSetUpPr.fitToPage = True


def _title(sheet, content: ReportContent, text: str) -> None:
    append_row(sheet, [text])
    sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, size=13)
    unit, period = content.unit, period_label(content.period.code)
    append_row(sheet, [f"{content.plan.code} · {unit.name} ({unit.code}) · {period}"])
    for text in banners(content):
        append_row(sheet, [text])
        sheet.cell(row=sheet.max_row, column=1).font = Font(bold=True, color="8A5A00")


SHEET_NAME_LIMIT = 31  # Excel's
FORBIDDEN_IN_SHEET_NAMES = str.maketrans({c: " " for c in "[]:*?/\\"})


def sheet_name(number: int, name: str) -> str:
    """'09 Tỷ lệ hộ gia đình có truy': the indicator's number and as many whole words of its name as
    Excel's 31 characters hold (the number keeps the names unique)."""
    words = name.translate(FORBIDDEN_IN_SHEET_NAMES).split()
    title = f"{number:02d}"
    for word in words:
        if len(title) + 1 + len(word) > SHEET_NAME_LIMIT:
            break
        title += f" {word}"
    return title


def _scorecard(workbook, content: ReportContent) -> None:
    sheet = workbook.active
    sheet.title = "Tổng hợp"
    _title(sheet, content, "Kết quả thực hiện các chỉ tiêu")
    _header(
        sheet,
        [
            "STT",
            "Mã",
            "Chỉ tiêu",
            "ĐVT",
            "Kế hoạch",
            "Thực hiện",
            "Tỷ lệ % so với KH",
            "Tử số",
            "Mẫu số",
            "Đánh giá",
            "Nguồn",
        ],
    )
    for number, e in enumerate(content.evaluations, start=1):
        append_row(
            sheet,
            [
                number, e.indicator.code, e.indicator.name, unit_label(e.indicator.unit),
                float(e.target),
                e.value, share_of_target(e), e.numerator, e.denominator, Status(e.status).text,
                ", ".join(SOURCE_NAMES[s] for s in e.sources),
            ],
        )  # fmt: skip
        row = sheet.max_row
        for column in (5, 6):
            sheet.cell(row=row, column=column).number_format = value_format(e.indicator.unit)
        sheet.cell(row=row, column=7).number_format = PERCENT  # Thực hiện as a share of Kế hoạch
        for column in (8, 9):
            sheet.cell(row=row, column=column).number_format = COUNT
    set_widths(sheet, {1: 5, 2: 30, 3: 60, 4: 7, 5: 11, 6: 11, 7: 12, 8: 12, 9: 12, 10: 18, 11: 30})


def _per_indicator(workbook, content: ReportContent) -> None:
    for number, e in enumerate(content.evaluations, start=1):
        sheet = workbook.create_sheet(sheet_name(number, e.indicator.name))
        _title(sheet, content, f"{number}. {e.indicator.name}")
        _header(sheet, ["Mã đơn vị", "Đơn vị", "Thực hiện", "Tử số", "Mẫu số", "Kế hoạch", "Đánh giá"])
        header_row = sheet.max_row
        for commune, results in content.communes:
            result = results.get(e.indicator.code)
            if result is None:
                continue
            append_row(
                sheet,
                [commune.code, commune.name, result.value, result.numerator, result.denominator,
                 float(result.target), Status(result.status).text],
            )  # fmt: skip
        append_row(
            sheet,
            [content.unit.code, f"{content.unit.name} (toàn địa bàn)", e.value, e.numerator, e.denominator,
             float(e.target), Status(e.status).text],
        )  # fmt: skip
        sheet.cell(row=sheet.max_row, column=2).font = Font(bold=True)
        for row in sheet.iter_rows(min_row=header_row + 1):
            row[2].number_format = value_format(e.indicator.unit)
            row[3].number_format = row[4].number_format = COUNT
            row[5].number_format = value_format(e.indicator.unit)
        set_widths(sheet, {1: 11, 2: 34, 3: 12, 4: 12, 5: 12, 6: 11, 7: 18})


def _values(workbook, content: ReportContent) -> None:
    sheet = workbook.create_sheet("Số liệu")
    _title(sheet, content, "Số liệu báo cáo dùng để tính")
    _header(
        sheet,
        [
            "Kỳ",
            "Mã đơn vị",
            "Đơn vị",
            "Mã chỉ số",
            "Chỉ số",
            "Doanh nghiệp",
            "Giá trị",
            "Ghi chú",
            "Dữ liệu mẫu",
        ],
    )
    units = rollup_units(content.unit, start=content.period.start, end=content.period.end)
    values = (
        DataValue.objects.filter(
            unit__in=units, period_start__gte=content.period.start, period_end__lte=content.period.end
        )
        .select_related("data_element", "unit", "operator")
        .order_by("data_element__code", "unit__code", "period_start", "operator__code")
    )
    for row, v in enumerate(values.iterator(chunk_size=2000), start=sheet.max_row + 1):
        append_row(
            sheet,
            [v.period, v.unit.code, v.unit.name, v.data_element.code, v.data_element.name,
             v.operator.short_name if v.operator_id else "", float(v.value), v.comment,
             "có" if v.synthetic else ""],
        )  # fmt: skip
        whole = v.value == v.value.to_integral_value()
        sheet.cell(row=row, column=7).number_format = COUNT if whole else "#,##0.0##"
    set_widths(sheet, {1: 9, 2: 11, 3: 28, 4: 30, 5: 45, 6: 14, 7: 12, 8: 30, 9: 10})


def _tasks(workbook, content: ReportContent) -> None:
    sheet = workbook.create_sheet("Nhiệm vụ")
    _title(sheet, content, "Nhiệm vụ, giải pháp của Kế hoạch")
    _header(
        sheet,
        ["STT", "Mục", "Loại", "Nhiệm vụ, giải pháp", "Chủ trì", "Phối hợp", "Thời hạn", "Đánh giá",
         "Tiến độ (%)", "Kết quả, minh chứng"],
    )  # fmt: skip
    for number, line in enumerate(content.tasks, start=1):
        append_row(
            sheet,
            [number, line.number, line.kind, line.text, line.lead, line.coordinating, line.due_date,
             line.state, line.progress, line.evidence],
        )  # fmt: skip
        row = sheet.max_row
        sheet.cell(row=row, column=7).number_format = "DD/MM/YYYY"
        sheet.cell(row=row, column=9).number_format = COUNT
        for column in (4, 5, 6, 10):
            sheet.cell(row=row, column=column).alignment = Alignment(wrap_text=True, vertical="top")
    set_widths(sheet, {1: 5, 2: 9, 3: 12, 4: 70, 5: 28, 6: 34, 7: 11, 8: 15, 9: 10, 10: 50})


def _appendix(workbook, content: ReportContent) -> None:
    """The DOCX's Phụ lục: one row per commune (after the province's and each district's own row),
    each indicator's value and rating side by side."""
    sheet = workbook.create_sheet("Phụ lục xã, phường")
    _title(sheet, content, f"Phụ lục: Kết quả thực hiện các chỉ tiêu theo {commune_kinds(content)}")
    numbered = list(enumerate(content.evaluations, start=1))
    titles = []
    for number, e in numbered:
        label = unit_label(e.indicator.unit)
        titles += [f"{number}. {e.indicator.name}" + (f" ({label})" if label else ""), f"Đánh giá {number}"]
    _header(sheet, ["STT", "Mã đơn vị", "Đơn vị", "Thuộc", *titles])
    header_row = sheet.max_row
    for number, unit, results in appendix_rows(content):
        parent = "toàn địa bàn" if unit == content.unit else "" if number is None else unit.parent.name
        cells = []
        for _, e in numbered:
            result = results.get(e.indicator.code)
            cells += [result.value, Status(result.status).text] if result else [None, Status.NO_DATA.text]
        append_row(sheet, [number, unit.code, unit.name, parent, *cells])
        if number is None:  # the province's or a district's own results
            for cell in sheet[sheet.max_row]:
                cell.font = Font(bold=True)
    for row in sheet.iter_rows(min_row=header_row + 1):
        for index, (_, e) in enumerate(numbered):
            row[4 + 2 * index].number_format = value_format(e.indicator.unit)
    set_widths(sheet, {1: 5, 2: 10, 3: 26, 4: 22, **{5 + i: 14 for i in range(2 * len(numbered))}})


def write_xlsx(content: ReportContent, path) -> None:
    workbook = Workbook()
    _scorecard(workbook, content)
    _per_indicator(workbook, content)
    _values(workbook, content)
    _tasks(workbook, content)
    if content.appendix and content.communes:
        _appendix(workbook, content)
    workbook.save(path)
