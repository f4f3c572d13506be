"""DHIS2 exchange: dataValueSet XML and ADX read into the values import's rows, DHIS2 UIDs mapped to
our codes, DHIS2's timestamps, and the metadata a DHIS2 instance needs to receive our values.

Formats as documented in the DHIS2 Web API guide, "Data values" and "ADX data format".
"""

import re
from datetime import date, datetime
from pathlib import Path
from xml.etree import ElementTree

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeElementTree
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hatangso.collection.models import DataElement, Dhis2Mapping, ReportForm
from hatangso.collection.validation import ValueProblem
from hatangso.core.changelog import Actor, record_change, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.geography.models import AdministrativeUnit
from hatangso.registry.models import Operator
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected, RowErrors, map_columns
from hatangso.utilities.periods import parse_period
from hatangso.utilities.tabular import DATA_VALUE_FIELDS, DATA_VALUE_SET_FIELDS, Table, header_key, read_table
from hatangso.utilities.text import clean_text

DEFAULT_COMBO_UID = "HllvX50cXC0"  # DHIS2's "default" category (and attribute) option combo
DEFAULT_COMBO_CODE = "default"
DXF_NAMESPACE = "http://dhis2.org/schema/dxf/2.0"
ADX_NAMESPACE = "urn:ihe:qrph:adx:2015"
# The attribute category of enterprise forms: in ADX groups (operator="viettel") and the metadata.
OPERATOR_CATEGORY = "operator"
UID_PATTERN = re.compile(r"^[A-Za-z][A-Za-z0-9]{10}$")
MAX_XML_BYTES = 50 * 2**20
Kind = Dhis2Mapping.Kind
_KIND_NAMES = {
    Kind.DATA_ELEMENT: ("phần tử dữ liệu", "data element"),
    Kind.ORG_UNIT: ("đơn vị", "org unit"),
    Kind.CATEGORY_OPTION_COMBO: ("tổ hợp phân tổ", "category option combo"),
    Kind.ATTRIBUTE_OPTION_COMBO: ("doanh nghiệp", "attribute option combo"),
    Kind.DATA_SET: ("biểu", "data set"),
}


def is_default_combo(text: str) -> bool:
    return text == DEFAULT_COMBO_UID or text.casefold() in {"", DEFAULT_COMBO_CODE}


def dhis2_timestamp(moment: datetime) -> str:
    """DHIS2's form, local time to the millisecond: 2024-07-01T10:20:30.123."""
    local = timezone.localtime(moment)
    return f"{local:%Y-%m-%dT%H:%M:%S}.{local.microsecond // 1000:03d}"


def parse_timestamp(text: str) -> datetime:
    """A DHIS2 timestamp or day; one without a zone is local time."""
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueProblem(
            f"thời điểm '{text}' phải có dạng 2024-07-01T10:20:30.123",
            f"time '{text}' must look like 2024-07-01T10:20:30.123",
        ) from None
    return moment if timezone.is_aware(moment) else timezone.make_aware(moment)


def parse_flag(text: str) -> bool:
    return text.casefold() in {"true", "1", "t", "yes"}


class Dhis2Ids:
    """The UID mappings, fetched once per import: a mapped UID reads as its code."""

    def __init__(self):
        self.codes = {(m.kind, m.uid): m.code for m in Dhis2Mapping.objects.all()}

    def code(self, kind: str, text: str) -> str:
        return self.codes.get((kind, text), text)

    def unmapped(self, kind: str, text: str) -> bool:
        return bool(UID_PATTERN.match(text)) and (kind, text) not in self.codes

    def is_default(self, kind: str, text: str) -> bool:
        return is_default_combo(self.code(kind, text))


def unmapped_problem(kind: str, uid: str) -> ValueProblem:
    vi, en = _KIND_NAMES[kind]
    return ValueProblem(
        f"chưa biết {vi} có UID {uid}; hãy ánh xạ bằng `hatangso dhis2 map {kind} {uid} MÃ`",
        f"unknown {en} UID {uid}; map it with `hatangso dhis2 map {kind} {uid} CODE`",
    )


def combo_problem(element: DataElement, combo: str) -> ValueProblem:
    return ValueProblem(
        f"{element.code} không có phân tổ {combo}; chỉ nhận tổng (tổ hợp mặc định), không ghi đè tổng "
        f"bằng một phần",
        f"{element.code} has no disaggregation {combo}; only the total (default combo) is accepted, a "
        f"part never replaces the total",
    )


# --- Reading ---------------------------------------------------------------------------------------


def read_values_file(path: Path) -> Table:
    """A values file: DHIS2 dataValueSet XML or ADX (.xml, .adx), else what `read_table` reads (CSV,
    XLSX, dataValueSet JSON)."""
    path = Path(path)
    if path.suffix.lower() in {".xml", ".adx"} and path.is_file():
        return _read_xml(path)
    return read_table(path)


def _read_xml(path: Path) -> Table:
    if path.stat().st_size > MAX_XML_BYTES:
        raise UserError(
            f"Tệp {path.name} lớn hơn {MAX_XML_BYTES // 2**20} MB; hãy chia thành nhiều tệp",
            f"File {path.name} is larger than {MAX_XML_BYTES // 2**20} MB; split it into several files",
        )
    try:
        # A file from outside: no entity declarations, no external references (defusedxml).
        root = SafeElementTree.parse(path).getroot()
    except (ElementTree.ParseError, DefusedXmlException) as exc:
        raise UserError(
            f"Tệp {path.name} không phải XML hợp lệ ({exc})", f"File {path.name} is not valid XML ({exc})"
        ) from None
    if root.tag == f"{{{DXF_NAMESPACE}}}dataValueSet":
        defaults = {f: root.get(f, "") for f in DATA_VALUE_SET_FIELDS}
        items = [{**defaults, **value.attrib} for value in root.iter(f"{{{DXF_NAMESPACE}}}dataValue")]
    elif root.tag == f"{{{ADX_NAMESPACE}}}adx":
        items = [item for group in root.iter(f"{{{ADX_NAMESPACE}}}group") for item in _adx_values(group)]
    else:
        raise UserError(
            f"Tệp {path.name} không phải dataValueSet DHIS2 (xmlns {DXF_NAMESPACE}) hay ADX "
            f"(xmlns {ADX_NAMESPACE})",
            f"File {path.name} is neither a DHIS2 dataValueSet (xmlns {DXF_NAMESPACE}) nor ADX "
            f"(xmlns {ADX_NAMESPACE})",
        )
    rows = [
        (number, {header_key(f): clean_text(item.get(f, "")) for f in DATA_VALUE_FIELDS})
        for number, item in enumerate(items, start=1)
    ]
    return Table(columns=[header_key(f) for f in DATA_VALUE_FIELDS], rows=rows)


_ADX_GROUP_FIELDS = {"orgUnit", "period", "dataSet", "completeDate", "attributeOptionCombo"}


def _adx_values(group: ElementTree.Element) -> list[dict]:
    """An ADX group's values as dataValueSet items. Attributes beyond the documented ones are
    categories: on the group the attribute categories (ours: `operator`), on a value its
    disaggregation, which the import refuses by name."""
    own = {k: v for k, v in group.attrib.items() if not k.startswith("{")}
    defaults = {k: own[k] for k in _ADX_GROUP_FIELDS if k in own}
    defaults["period"] = adx_period(own.get("period", ""))
    categories = {k: v for k, v in own.items() if k not in _ADX_GROUP_FIELDS}
    if "attributeOptionCombo" not in defaults and categories:
        defaults["attributeOptionCombo"] = (
            categories[OPERATOR_CATEGORY]
            if list(categories) == [OPERATOR_CATEGORY]
            else _combo_text(categories)
        )
    items = []
    for value in group.iter(f"{{{ADX_NAMESPACE}}}dataValue"):
        attributes = {k: v for k, v in value.attrib.items() if not k.startswith("{")}
        disaggregation = {k: v for k, v in attributes.items() if k not in DATA_VALUE_FIELDS}
        item = {**defaults, **{k: v for k, v in attributes.items() if k in DATA_VALUE_FIELDS}}
        annotation = value.find(f"{{{ADX_NAMESPACE}}}annotation")
        if annotation is not None and annotation.text:
            item["comment"] = annotation.text  # ADX's comment on a value
        if disaggregation and "categoryOptionCombo" not in item:
            item["categoryOptionCombo"] = _combo_text(disaggregation)
        items.append(item)
    return items


def _combo_text(categories: dict[str, str]) -> str:
    return ", ".join(f"{k}={v}" for k, v in categories.items())


_ADX_PERIOD = re.compile(r"^(\d{4})-(\d{2})-(\d{2})/P(1Y|3M|1M)$")


def adx_period(text: str) -> str:
    """ADX's start/duration as our period code (2024-07-01/P3M → 2024Q3); any other period is left
    as written, for the period check to refuse."""
    match = _ADX_PERIOD.match(text.strip())
    if not match:
        return text
    year, month, day, duration = match[1], int(match[2]), match[3], match[4]
    if day != "01":
        return text
    if duration == "1Y" and month == 1:
        return year
    if duration == "3M" and month in {1, 4, 7, 10}:
        return f"{year}Q{(month + 2) // 3}"
    if duration == "1M":
        return f"{year}{month:02d}"
    return text


_ADX_DURATIONS = {"yearly": "P1Y", "quarterly": "P3M", "monthly": "P1M"}


def adx_period_text(code: str) -> str:
    """Our period code as ADX writes it: 2024Q3 → 2024-07-01/P3M (the reverse of `adx_period`)."""
    period = parse_period(code)
    return f"{period.start:%Y-%m-%d}/{_ADX_DURATIONS[period.kind]}"


# --- UID mappings ----------------------------------------------------------------------------------


def _check_code(kind: str, code: str) -> None:
    known = {
        Kind.DATA_ELEMENT: lambda: DataElement.objects.filter(code=code).exists(),
        Kind.ORG_UNIT: lambda: AdministrativeUnit.objects.filter(code=code).exists(),
        Kind.ATTRIBUTE_OPTION_COMBO: lambda: is_default_combo(code)
        or Operator.objects.filter(code=code).exists(),
        Kind.CATEGORY_OPTION_COMBO: lambda: is_default_combo(code),
        Kind.DATA_SET: lambda: ReportForm.objects.filter(code=code).exists(),
    }[kind]
    if not known():
        vi, en = _KIND_NAMES[kind]
        raise ValueProblem(f"không có {vi} mã {code}", f"no {en} has code {code}")


def _check_uid(uid: str) -> None:
    if not UID_PATTERN.match(uid):
        raise ValueProblem(
            f"UID DHIS2 '{uid}' phải có 11 chữ và số, bắt đầu bằng chữ",
            f"DHIS2 UID '{uid}' must be 11 letters and digits, starting with a letter",
        )


def _check_kind(kind: str) -> None:
    if kind not in Kind.values:
        raise ValueProblem(
            f"loại '{kind}' không có (dùng {', '.join(Kind.values)})",
            f"unknown kind '{kind}' (use {', '.join(Kind.values)})",
        )


@transaction.atomic
def map_uid(*, kind: str, uid: str, code: str, actor: Actor) -> Dhis2Mapping:
    """Record (or change) the code a DHIS2 UID stands for; change-logged."""
    try:
        _check_kind(kind)
        _check_uid(uid)
        _check_code(kind, code)
    except ValueProblem as exc:
        raise UserError(f"Không ánh xạ được: {exc.vi}", f"Cannot map: {exc.en}") from None
    return _save_mapping(kind, uid, code, actor)


def _save_mapping(kind: str, uid: str, code: str, actor: Actor) -> Dhis2Mapping:
    mapping = Dhis2Mapping.objects.select_for_update().filter(kind=kind, uid=uid).first()
    if mapping is None:
        mapping = Dhis2Mapping.objects.create(kind=kind, uid=uid, code=code, created_by=actor.name)
        record_change(actor, ChangeLogEntry.Action.CREATE, mapping)
    elif mapping.code != code:
        before = snapshot(mapping)
        mapping.code = code
        mapping.save()
        record_change(actor, ChangeLogEntry.Action.UPDATE, mapping, before=before)
    return mapping


MAPPING_COLUMNS = {"kind": {"kind", "loai"}, "uid": {"uid", "id"}, "code": {"code", "ma"}}


def map_uids_from_file(*, path: Path, actor: Actor) -> int:
    """A mapping file (columns kind, uid, code); any bad row rejects the whole file."""
    table = read_table(path)
    mapping = map_columns(table.columns, MAPPING_COLUMNS, required=("kind", "uid", "code"))
    errors, rows = RowErrors(), []
    for number, cells in table.rows:
        kind, uid, code = (cells.get(mapping[f], "") for f in ("kind", "uid", "code"))
        checks = [("kind", kind, _check_kind), ("uid", uid, _check_uid)]
        if kind in Kind.values:
            checks.append(("code", code, lambda code, kind=kind: _check_code(kind, code)))
        for column, text, check in checks:
            try:
                check(text)
            except ValueProblem as exc:
                errors.add(number, mapping[column], text, exc.vi, exc.en)
        rows.append((kind, uid, code))
    if errors:
        raise ImportRejected(Path(path).name, errors.errors)
    with transaction.atomic():
        for kind, uid, code in rows:
            _save_mapping(kind, uid, code, actor)
    return len(rows)


# --- Metadata export -------------------------------------------------------------------------------

_VALUE_TYPES = {
    DataElement.ValueType.COUNT: "INTEGER_ZERO_OR_POSITIVE",
    DataElement.ValueType.NUMBER: "NUMBER",
    DataElement.ValueType.PERCENTAGE: "PERCENTAGE",
    DataElement.ValueType.BOOLEAN: "BOOLEAN",
}
_AGGREGATION_TYPES = {DataElement.Aggregation.SUM: "SUM", DataElement.Aggregation.LAST: "LAST"}
_PERIOD_TYPES = {
    ReportForm.PeriodType.MONTHLY: "Monthly",
    ReportForm.PeriodType.QUARTERLY: "Quarterly",
    ReportForm.PeriodType.YEARLY: "Yearly",
}


def _day(value: date | None) -> str | None:
    return f"{value:%Y-%m-%d}T00:00:00.000" if value else None


def dhis2_metadata() -> dict:
    """Data elements, data sets (our forms), the operators as the attribute category of enterprise
    forms, and the unit hierarchy, all keyed by code (import with `identifier=CODE`). A unit code
    that names several versions (before and after a reorganisation) keeps the code on the current
    version; the older ones are exported as `<code>_<first day>`, closed on their last day."""
    operators = list(Operator.objects.order_by("code"))
    metadata: dict = {
        "categoryOptions": [
            {"code": o.code, "name": o.name, "shortName": o.short_name[:50]} for o in operators
        ],
        "categories": [
            {
                "code": OPERATOR_CATEGORY,
                "name": "Doanh nghiệp viễn thông",
                "shortName": "Doanh nghiệp",
                "dataDimensionType": "ATTRIBUTE",
                "categoryOptions": [{"code": o.code} for o in operators],
            }
        ],
        "categoryCombos": [
            {
                "code": OPERATOR_CATEGORY,
                "name": "Doanh nghiệp viễn thông",
                "dataDimensionType": "ATTRIBUTE",
                "categories": [{"code": OPERATOR_CATEGORY}],
            }
        ],
        "dataElements": [
            {
                "code": e.code,
                "name": e.name,
                "shortName": e.name[:50],
                "domainType": "AGGREGATE",
                "valueType": _VALUE_TYPES[e.value_type],
                "aggregationType": _AGGREGATION_TYPES[e.aggregation],
                "zeroIsSignificant": True,
                "categoryCombo": {"code": DEFAULT_COMBO_CODE},
            }
            for e in DataElement.objects.filter(Q(provider="values") | Q(forms__isnull=False))
            .distinct()
            .order_by("code")
        ],
        "dataSets": [
            {
                "code": form.code,
                "name": form.name,
                "shortName": form.name[:50],
                "periodType": _PERIOD_TYPES[form.period_type],
                "categoryCombo": {
                    "code": OPERATOR_CATEGORY
                    if form.reporter == ReportForm.Reporter.ENTERPRISE
                    else DEFAULT_COMBO_CODE
                },
                "dataSetElements": [
                    {"dataElement": {"code": e.code}} for e in form.elements.order_by("code")
                ],
            }
            for form in ReportForm.objects.order_by("plan__code", "order", "code")
        ],
        "organisationUnits": _organisation_units(),
    }
    return metadata


def _organisation_units() -> list[dict]:
    """One DHIS2 unit per code: DHIS2 keeps no unit history, so a code with several versions (before
    and after a reorganisation) is named and placed as its latest version, open from its first."""
    versions: dict[str, list[AdministrativeUnit]] = {}
    for unit in AdministrativeUnit.objects.select_related("parent").order_by("path", "valid_from"):
        versions.setdefault(unit.code, []).append(unit)
    exported = []
    for code, units in versions.items():
        latest = max(units, key=lambda u: u.valid_from or date.min)
        opened = min((u.valid_from for u in units), default=None, key=lambda d: d or date.min)
        closed = [u.valid_to for u in units]
        item = {
            "code": code,
            "name": latest.name,
            "shortName": latest.name[:50],
            "openingDate": _day(opened) or "1900-01-01T00:00:00.000",
        }
        if all(closed):
            item["closedDate"] = _day(max(closed))
        if latest.parent_id:
            item["parent"] = {"code": latest.parent.code}
        exported.append(item)
    return exported
