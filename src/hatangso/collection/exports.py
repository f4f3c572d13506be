"""Exports of reported values in the formats offices exchange: CSV, XLSX, DHIS2 dataValueSets JSON.

CSV and XLSX use the columns of `hatangso import values`, so an export re-imports as it is.
"""

import csv
import json
from pathlib import Path

from openpyxl import Workbook
from openpyxl.styles import Font

from hatangso.collection.models import DataValue
from hatangso.utilities.errors import UserError
from hatangso.utilities.numbers import plain_decimal
from hatangso.utilities.spreadsheets import append_row, csv_cell

FORMATS = ("csv", "xlsx", "dhis2-json")
COLUMNS = ["ky", "ma_don_vi", "ten_don_vi", "ma_chi_so", "doanh_nghiep", "gia_tri", "ghi_chu"]
SYNTHETIC_NOTE = "dữ liệu mẫu / synthetic demo data"


def _rows(values) -> list[list[str]]:
    return [
        [
            v.period,
            v.unit.code,
            v.unit.name,
            v.data_element.code,
            v.operator.code if v.operator_id else "",
            plain_decimal(v.value),
            v.comment,
        ]
        for v in values
    ]


def export_values(values, *, path: Path, fmt: str) -> int:
    """Write `values` (a queryset already scoped by the caller) to `path`; returns the count."""
    if fmt not in FORMATS:
        raise UserError(
            f"Định dạng '{fmt}' không có (dùng {', '.join(FORMATS)})",
            f"Unknown format '{fmt}' (use {', '.join(FORMATS)})",
        )
    values = list(values.select_related("data_element", "unit", "operator"))
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    synthetic = any(v.synthetic for v in values)
    if fmt == "csv":
        with path.open("w", encoding="utf-8", newline="") as handle:
            writer = csv.writer(handle)
            writer.writerow(COLUMNS)
            # unit names and comments are user text: a formula-like cell is written as text
            writer.writerows([csv_cell(cell) for cell in row] for row in _rows(values))
    elif fmt == "xlsx":
        workbook = Workbook()
        sheet = workbook.active
        sheet.title = "so_lieu"
        sheet.append(COLUMNS)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for row in _rows(values):
            append_row(sheet, row)  # unit names and comments are user text: never formulas
        sheet.freeze_panes = "A2"
        if synthetic:
            workbook.create_sheet("ghi_chu").append([f"Tệp có {SYNTHETIC_NOTE}"])
        workbook.save(path)
    else:
        document = {
            "dataValues": [
                {
                    "dataElement": v.data_element.code,
                    "period": v.period,
                    "orgUnit": v.unit.code,
                    **({"attributeOptionCombo": v.operator.code} if v.operator_id else {}),
                    "value": plain_decimal(v.value),
                    "comment": v.comment,
                    "storedBy": v.updated_by,
                    "lastUpdated": v.updated_at.isoformat(),
                }
                for v in values
            ]
        }
        if synthetic:
            document["comment"] = SYNTHETIC_NOTE
        path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
    return len(values)


def all_values():
    """Every value, for the command line (which acts with the machine's authority)."""
    return DataValue.objects.order_by("data_element__code", "unit__code", "period_start", "operator__code")
