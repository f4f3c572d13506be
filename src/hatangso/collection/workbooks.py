"""Excel templates of report forms: generated per form, reporter and period, filled offline,
re-imported with `hatangso import values` (or the same service behind the web and API)."""

from datetime import timedelta
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation

from hatangso.collection.models import DataElement, DataValue, ReportForm
from hatangso.collection.workflow import check_reporter
from hatangso.geography.models import AdministrativeUnit
from hatangso.registry.models import Operator
from hatangso.utilities.numbers import format_date
from hatangso.utilities.periods import parse_period
from hatangso.utilities.spreadsheets import append_row

DATA_SHEET = "so_lieu"
HEADER = [
    "ky",
    "ma_don_vi",
    "ten_don_vi",
    "ma_chi_so",
    "ten_chi_so",
    "don_vi_tinh",
    "doanh_nghiep",
    "gia_tri",
    "ghi_chu",
]
VALUE_COLUMN = HEADER.index("gia_tri") + 1
EDITABLE = {"gia_tri", "ghi_chu"}
INPUT_FILL = PatternFill("solid", fgColor="FFF7D6")

_VALIDATIONS = {
    DataElement.ValueType.COUNT: lambda: DataValidation(
        type="whole",
        operator="greaterThanOrEqual",
        formula1="0",
        allow_blank=True,
        error="Số đếm: số nguyên không âm / a whole number ≥ 0",
        errorTitle="Giá trị không hợp lệ",
    ),
    DataElement.ValueType.PERCENTAGE: lambda: DataValidation(
        type="decimal",
        operator="between",
        formula1="0",
        formula2="100",
        allow_blank=True,
        error="Tỷ lệ từ 0 đến 100 / a percentage from 0 to 100",
        errorTitle="Giá trị không hợp lệ",
    ),
    DataElement.ValueType.BOOLEAN: lambda: DataValidation(
        type="list",
        formula1='"0,1"',
        allow_blank=True,
        error="1 = có, 0 = không / 1 = yes, 0 = no",
        errorTitle="Giá trị không hợp lệ",
    ),
    DataElement.ValueType.NUMBER: lambda: DataValidation(
        type="decimal",
        operator="between",
        formula1="-1E+15",
        formula2="1E+15",
        allow_blank=True,
        error="Phải là số / must be a number",
        errorTitle="Giá trị không hợp lệ",
    ),
}


def form_rows(form: ReportForm, unit: AdministrativeUnit, period) -> list[tuple]:
    """(unit, element) pairs the reporter fills: its own elements on its unit(s), village elements
    on each village in force during the period."""
    units = [unit]
    if unit.level != "commune":  # an area (district): every commune in force in the period
        units = list(
            unit.children.filter(level="commune").valid_between(period.start, period.end).order_by("code")
        )
    rows = []
    for element in form.ordered_elements():
        for place in units:
            if element.reporter == DataElement.Reporter.VILLAGE:
                villages = place.children.filter(level="village").valid_between(period.start, period.end)
                rows.extend((village, element) for village in villages.order_by("code"))
            else:
                rows.append((place, element))
    return rows


def reported_values(rows: list[tuple], period, operator: Operator | None) -> dict:
    """What the reporter entered before for these (unit, element) rows, whichever plan's form they
    were entered on: {(unit id, element id): DataValue}."""
    return {
        (v.unit_id, v.data_element_id): v
        for v in DataValue.objects.filter(
            data_element__in={element.pk for _, element in rows},
            unit__in={u.pk for u, _ in rows},
            period=period.code,
            operator=operator,
        )
    }


def write_template(
    *,
    form: ReportForm,
    unit: AdministrativeUnit,
    period: str,
    path: Path,
    operator: Operator | None = None,
) -> int:
    """Write the form's template for a reporter and period, pre-filled with values entered before.
    Returns the number of rows to fill."""
    parsed = parse_period(period)
    if form.reporter == ReportForm.Reporter.ENTERPRISE or unit.level == "commune":
        check_reporter(form, unit, operator, parsed.code)
    rows = form_rows(form, unit, parsed)
    existing = reported_values(rows, parsed, operator)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = DATA_SHEET
    sheet.append(HEADER)
    validations = {}
    for number, (place, element) in enumerate(rows, start=2):
        current = existing.get((place.pk, element.pk))
        append_row(  # names and comments are data: written as text, never as a live formula
            sheet,
            [
                parsed.code,
                place.code,
                place.name,
                element.code,
                element.name,
                element.unit,
                operator.code if operator else "",
                float(current.value) if current else None,
                current.comment if current else "",
            ],
        )
        validation = validations.setdefault(element.value_type, _VALIDATIONS[element.value_type]())
        validation.add(sheet.cell(row=number, column=VALUE_COLUMN))
    for validation in validations.values():
        sheet.add_data_validation(validation)
    for column_index, name in enumerate(HEADER, start=1):
        sheet.cell(row=1, column=column_index).font = Font(bold=True)
        if name in EDITABLE:
            for row in range(2, len(rows) + 2):
                cell = sheet.cell(row=row, column=column_index)
                cell.protection = Protection(locked=False)
                cell.fill = INPUT_FILL
    for letter, width in zip("ABCDEFGHI", (9, 12, 28, 34, 60, 12, 13, 14, 30), strict=True):
        sheet.column_dimensions[letter].width = width
    sheet.freeze_panes = "A2"
    # Locked header and codes: only the yellow value and comment cells can be typed into.
    sheet.protection.sheet = True
    sheet.protection.formatRows = False
    sheet.protection.formatColumns = False

    guide = workbook.create_sheet("huong_dan")
    due = parsed.end + timedelta(days=form.due_days)
    who = operator.name if operator else unit.name
    lines = [
        (form.name, True),
        (f"Kế hoạch: {form.plan.code} — {form.plan.title}", False),
        (f"Đơn vị báo cáo: {who}", False),
        (f"Kỳ báo cáo: {parsed.code} ({format_date(parsed.start)} – {format_date(parsed.end)})", False),
        (f"Hạn nộp: {format_date(due)}", False),
        ("", False),
        ("Cách điền", True),
        ("1. Chỉ nhập vào các ô màu vàng ở trang 'so_lieu': cột gia_tri (số liệu) và ghi_chu.", False),
        (
            "2. Số đếm là số nguyên không âm; ô có/không nhập 1 (có) hoặc 0 (không); tỷ lệ từ 0 đến 100.",
            False,
        ),
        (
            "3. Không sửa mã, không thêm hay xóa dòng, không nhập công thức. "
            "Dòng để trống là chưa có số liệu.",
            False,
        ),
        (
            "4. Nộp tệp qua hệ thống hoặc: hatangso import values <tệp>.xlsx. "
            "Nếu có ô sai, hệ thống báo đúng dòng và cột và không ghi gì; sửa rồi nộp lại.",
            False,
        ),
        ("", False),
        (
            "English: fill only the yellow cells (gia_tri = value, ghi_chu = comment) of sheet 'so_lieu'; "
            "do not change codes or rows; empty means not reported.",
            False,
        ),
    ]
    for text, bold in lines:
        append_row(guide, [text])  # the form's and plan's names are data too
        guide.cell(row=guide.max_row, column=1).font = Font(bold=bold)
        guide.cell(row=guide.max_row, column=1).alignment = Alignment(wrap_text=False)
    guide.column_dimensions["A"].width = 110
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    workbook.save(path)
    return len(rows)
