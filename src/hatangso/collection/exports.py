"""Exports of reported values in the formats offices exchange: CSV, XLSX, DHIS2 dataValueSets (JSON
and XML) and ADX (and the DHIS2 metadata that receives them).

CSV and XLSX use the columns of `hatangso import values`, so an export re-imports as it is.
"""

import csv
import json
from pathlib import Path
from xml.etree import ElementTree

from django.db.models import Q
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from hatangso.collection.dhis2 import (
    ADX_NAMESPACE,
    DEFAULT_COMBO_CODE,
    DXF_NAMESPACE,
    OPERATOR_CATEGORY,
    adx_period_text,
    dhis2_metadata,
    dhis2_timestamp,
)
from hatangso.collection.models import DataValue, ReportForm, Submission
from hatangso.collection.workflow import reporting_unit
from hatangso.utilities.errors import UserError
from hatangso.utilities.numbers import plain_decimal
from hatangso.utilities.periods import parse_period
from hatangso.utilities.spreadsheets import append_row, csv_cell

FORMATS = ("csv", "xlsx", "dhis2-json", "dhis2-xml", "adx")
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


def export_values(values, *, path: Path, fmt: str, form: ReportForm | None = None) -> int:
    """Write `values` (a queryset already scoped by the caller) to `path`; returns the count. With a
    `form` only its values are written, and a DHIS2 file names it as its data set."""
    if fmt not in FORMATS:
        raise UserError(
            f"Định dạng '{fmt}' không có (dùng {', '.join(FORMATS)})",
            f"Unknown format '{fmt}' (use {', '.join(FORMATS)})",
        )
    if form is not None:
        values = values.filter(data_element__in=form.elements.all())
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
    elif fmt == "adx":
        _write_xml(_adx(values, form), path)
    else:
        document = _data_set_fields(form, values) if form is not None else {}
        items = [_dhis2_value(v) for v in values]
        if fmt == "dhis2-json":
            document["dataValues"] = items
            path.write_text(json.dumps(document, ensure_ascii=False, indent=1), encoding="utf-8")
        else:
            _write_xml(_data_value_set(document, items), path)
    return len(values)


def _write_xml(root: ElementTree.Element, path: Path) -> None:
    ElementTree.indent(root)
    ElementTree.ElementTree(root).write(path, encoding="UTF-8", xml_declaration=True)


def _attributes(fields: dict) -> dict[str, str]:
    """XML attributes as DHIS2 writes them: booleans `true`/`false`, empty fields left out."""
    return {
        name: ("true" if value else "false") if isinstance(value, bool) else str(value)
        for name, value in fields.items()
        if value not in ("", None)
    }


def _data_value_set(fields: dict, items: list[dict]) -> ElementTree.Element:
    """The dataValueSet XML: the same fields as the JSON, as attributes (DHIS2's XML form)."""
    root = ElementTree.Element("dataValueSet", {"xmlns": DXF_NAMESPACE, **_attributes(fields)})
    for item in items:
        ElementTree.SubElement(root, "dataValue", _attributes(item))
    return root


def _adx(values: list[DataValue], form: ReportForm | None) -> ElementTree.Element:
    """ADX: one group per unit, period, operator and data set (`form`, else the form holding the
    element for that kind of period), with the completion day of the group's report when it is
    sent or approved; the operator is the attribute category `operator`, a comment the value's
    annotation. ADX has no author, times or follow-up mark."""
    forms = list(
        ReportForm.objects.select_related("plan__area_unit")
        .prefetch_related("elements")
        .order_by("plan__code", "order", "code")
    )
    by_code = {each.code: each for each in forms}
    completed = _completion_days({v.period for v in values})
    groups: dict[tuple, list[DataValue]] = {}
    for value in values:
        data_set = form.code if form is not None else _form_holding(value, forms)
        key = (value.unit.code, value.period, value.operator.code if value.operator_id else "", data_set)
        groups.setdefault(key, []).append(value)
    root = ElementTree.Element("adx", {"xmlns": ADX_NAMESPACE, "exported": dhis2_timestamp(timezone.now())})
    for (unit, period, operator, data_set), members in groups.items():
        complete = None
        if data_set:
            reporter = reporting_unit(by_code[data_set], members[0].unit)
            report = (by_code[data_set].pk, reporter.pk if reporter else None, members[0].operator_id, period)
            complete = completed.get(report)
        attributes = {
            "orgUnit": unit,
            "period": adx_period_text(period),
            "dataSet": data_set,
            "completeDate": complete,
            OPERATOR_CATEGORY: operator,
        }
        group = ElementTree.SubElement(root, "group", _attributes(attributes))
        for value in members:
            element = ElementTree.SubElement(
                group,
                "dataValue",
                {"dataElement": value.data_element.code, "value": plain_decimal(value.value)},
            )
            if value.comment:
                ElementTree.SubElement(element, "annotation").text = value.comment
    return root


def _completion_days(periods: set[str]) -> dict[tuple, str]:
    """The completion day of every sent or approved report of these periods, by (form, unit,
    operator, period) ids."""
    return {
        (r.form_id, r.unit_id, r.operator_id, r.period): f"{timezone.localtime(r.submitted_at):%Y-%m-%d}"
        for r in Submission.objects.filter(
            period__in=periods,
            status__in=[Submission.Status.SUBMITTED, Submission.Status.APPROVED],
            submitted_at__isnull=False,
        )
    }


def _form_holding(value: DataValue, forms: list[ReportForm]) -> str:
    """The first form asking for the value's element in its kind of period ('' when none does)."""
    kind = parse_period(value.period).kind
    return next(
        (f.code for f in forms if f.period_type == kind and value.data_element in f.elements.all()), ""
    )


def _dhis2_value(value: DataValue) -> dict:
    """Every field DHIS2 writes for a data value, keyed by codes (idScheme=code)."""
    return {
        "dataElement": value.data_element.code,
        "period": value.period,
        "orgUnit": value.unit.code,
        "categoryOptionCombo": DEFAULT_COMBO_CODE,
        "attributeOptionCombo": value.operator.code if value.operator_id else DEFAULT_COMBO_CODE,
        "value": plain_decimal(value.value),
        "storedBy": value.updated_by,
        "created": dhis2_timestamp(value.created_at),
        "lastUpdated": dhis2_timestamp(value.updated_at),
        "comment": value.comment,
        "followup": value.followup,
    }


def _data_set_fields(form: ReportForm, values: list[DataValue]) -> dict:
    """The form as the data set, and its completion day when the values are one completed report."""
    fields = {"dataSet": form.code}
    reports = {(v.period, v.operator_id) for v in values}
    if len(reports) != 1:
        return fields
    period, operator = reports.pop()
    completed = [
        report
        for report in Submission.objects.filter(
            Q(operator_id=operator) if operator else Q(operator__isnull=True),
            form=form,
            period=period,
            status__in=[Submission.Status.SUBMITTED, Submission.Status.APPROVED],
            submitted_at__isnull=False,
        ).select_related("unit")
        if all(v.unit.path.startswith(report.unit.path) for v in values)
    ]
    if len(completed) == 1:
        fields["completeDate"] = f"{timezone.localtime(completed[0].submitted_at):%Y-%m-%d}"
    return fields


def write_dhis2_metadata(path: Path) -> dict:
    """The DHIS2 metadata file (see `dhis2_metadata`); returns how many objects of each kind."""
    metadata = dhis2_metadata()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(metadata, ensure_ascii=False, indent=1), encoding="utf-8")
    return {kind: len(objects) for kind, objects in metadata.items()}


def all_values():
    """Every value, for the command line (which acts with the machine's authority)."""
    return DataValue.objects.order_by("data_element__code", "unit__code", "period_start", "operator__code")
