"""Writes of reported values: file imports (all-or-nothing) and single values."""

from dataclasses import dataclass, replace
from datetime import date, datetime
from decimal import Decimal
from functools import partial
from itertools import repeat
from pathlib import Path
from typing import NamedTuple

from django.db import IntegrityError, transaction
from django.utils import timezone

from hatangso.collection.dhis2 import (
    Dhis2Ids,
    Kind,
    combo_problem,
    parse_flag,
    parse_timestamp,
    read_values_file,
    unmapped_problem,
)
from hatangso.collection.models import (
    DataElement,
    DataValue,
    FormElement,
    ImportBatch,
    ReportForm,
    Submission,
)
from hatangso.collection.validation import ValueProblem, check_comment, check_value
from hatangso.collection.workflow import (
    approved_submission_for,
    attach_import,
    check_reporter,
    get_submission,
    lock_reports,
    reporting_unit,
    submit,
)
from hatangso.core.changelog import Actor, record_change, record_inserted, record_rows, row_snapshot, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE, may_manage_plan, scope_for
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator
from hatangso.utilities.answers import Answers
from hatangso.utilities.bulk import collector_paused, insert_rows, update_rows
from hatangso.utilities.errors import Conflict, NotFound, UserError
from hatangso.utilities.importing import ImportRejected, RowError, RowErrors, keep_original
from hatangso.utilities.periods import Period, parse_period
from hatangso.utilities.text import match_key

# Accepted header names (matched without accents or case), Vietnamese first, then DHIS2's (its
# dataValueSet fields, and both spellings of its CSV header).
VALUE_COLUMNS = {
    "period": {"ky", "ky_bao_cao", "period"},
    "unit_code": {"ma_don_vi", "ma_dvhc", "unit_code", "org_unit", "orgunit"},
    "unit_name": {"ten_don_vi", "don_vi", "unit_name"},
    "data_element": {"ma_chi_so", "ma_phan_tu", "ma_du_lieu", "data_element", "dataelement"},
    "operator": {"doanh_nghiep", "ma_doanh_nghiep", "operator", "attributeoptioncombo", "attroptcombo"},
    "combo": {"categoryoptioncombo", "catoptcombo"},
    "value": {"gia_tri", "so_lieu", "value"},
    "comment": {"ghi_chu", "comment", "cmt"},
    "stored_by": {"storedby", "strby"},
    "created": {"created"},
    "followup": {"followup", "flwup"},
    "deleted": {"deleted"},
    "data_set": {"dataset"},
    "complete_date": {"completedate"},
}
REQUIRED_VALUE_COLUMNS = ("period", "data_element", "value")
# The values files an upload may send: templates, CSV, and DHIS2's JSON, XML and ADX.
VALUE_FILE_SUFFIXES = frozenset({".xlsx", ".csv", ".json", ".xml", ".adx"})


@dataclass(frozen=True)
class ValueImportSummary:
    batch: ImportBatch
    created: int
    updated: int
    unchanged: int
    skipped: int = 0  # rows with an empty value: not reported
    deleted: int = 0
    submitted: int = 0  # reports the file completed (DHIS2's completeDate) and the import sent


class _Row(NamedTuple):  # a tuple: a national file makes a million of them
    element: DataElement
    unit: AdministrativeUnit
    period: Period
    operator: Operator | None
    value: Decimal | None  # None: the row deletes the value (DHIS2's `deleted: true`)
    comment: str
    number: int = 0  # the file's row, for errors found when writing
    cell: str = ""  # the value as the file wrote it
    stored_by: str = ""  # DHIS2's storedBy: who entered the value at the source
    created: datetime | None = None
    followup: bool | None = None  # DHIS2's follow-up mark; None: the file does not say, keep it
    # DHIS2's completeDate with its dataSet: the report (form, reporting unit) the file completes,
    # and when (kept from the command line only, like `created`).
    completes: tuple[ReportForm, AdministrativeUnit] | None = None
    completed_at: datetime | None = None

    @property
    def deletes(self) -> bool:
        return self.value is None


def _map_columns(columns: list[str]) -> dict[str, str]:
    mapping = {}
    for field, aliases in VALUE_COLUMNS.items():
        found = [c for c in columns if c in aliases]
        if found:
            mapping[field] = found[0]
    missing = [f for f in REQUIRED_VALUE_COLUMNS if f not in mapping]
    if "unit_code" not in mapping and "unit_name" not in mapping:
        missing.append("unit_code")
    if missing:
        raise UserError(
            f"Tệp thiếu cột {', '.join(missing)} (cột bắt buộc: ky, ma_don_vi, ma_chi_so, gia_tri)",
            f"The file lacks column(s) {', '.join(missing)} (required: period, unit_code, "
            f"data_element, value)",
        )
    return mapping


def _unit_name_matches(unit: AdministrativeUnit, name: str) -> bool:
    key = match_key(name)
    short = match_key(unit.name.removeprefix(unit.type_name)) if unit.type_name else None
    return key in {match_key(unit.name), short}


class _UnitLookup:
    """Units by code and by name, each with its validity, fetched once per import."""

    def __init__(self):
        self.by_code: dict[str, list[AdministrativeUnit]] = {}
        self.all = list(AdministrativeUnit.objects.all())
        for unit in self.all:
            self.by_code.setdefault(unit.code, []).append(unit)

    def find(self, code: str, name: str, period: Period) -> AdministrativeUnit:
        if code:
            units = self.by_code.get(code)
            if not units:
                raise ValueProblem(f"không có đơn vị mã {code}", f"no unit has code {code}")
            valid = [u for u in units if u.is_valid_between(period.start, period.end)]
            if not valid:
                raise ValueProblem(
                    f"mã {code} không có hiệu lực trong kỳ {period}",
                    f"code {code} is not valid in period {period}",
                )
            return valid[0]
        valid = [
            u
            for u in self.all
            if u.is_valid_between(period.start, period.end) and _unit_name_matches(u, name)
        ]
        if len(valid) != 1:
            raise ValueProblem(
                "không tìm thấy đơn vị theo tên; hãy ghi mã đơn vị"
                if not valid
                else "tên đơn vị trùng nhau; hãy ghi mã đơn vị",
                "no unit has this name; give the unit code"
                if not valid
                else "several units have this name; give the unit code",
            )
        return valid[0]


def _same_as_stored(row: "_Row") -> bool:
    """Whether the file changes nothing stored (the value as it is, or a deleted value that is not
    there): repeating locked data changes nothing."""
    stored = DataValue.objects.filter(
        data_element=row.element, unit=row.unit, period=row.period.code, operator=row.operator
    )
    if row.deletes:
        return not stored.exists()
    if row.followup is not None:
        stored = stored.filter(followup=row.followup)
    return stored.filter(value=row.value, comment=row.comment).exists()


class _ApprovedReports:
    """Approved submissions, fetched once per import, to refuse rows that would change locked data:
    all of them while the file is read, then the ones `lock_reports` locked when it is written."""

    def __init__(self, submissions: list[Submission] | None = None):
        if submissions is None:
            submissions = (
                Submission.objects.filter(status=Submission.Status.APPROVED)
                .select_related("form", "unit", "operator")
                .prefetch_related("form__elements")
            )
        # By period and operator: a file's million rows each look up the few of theirs.
        self.by_period: dict[tuple[str, int | None], list[tuple[Submission, set[int]]]] = {}
        for s in submissions:
            if s.status == Submission.Status.APPROVED:
                elements = {e.pk for e in s.form.elements.all()}
                self.by_period.setdefault((s.period, s.operator_id), []).append((s, elements))

    def find(self, element, unit, operator, period: str) -> Submission | None:
        for submission, elements in self.by_period.get((period, operator.pk if operator else None), ()):
            if element.pk in elements and unit.path.startswith(submission.unit.path):
                return submission
        return None


def _check_level(element: DataElement, unit: AdministrativeUnit) -> None:
    if element.reporter == DataElement.Reporter.VILLAGE and unit.level != "village":
        raise ValueProblem(
            f"{element.code} được báo cáo theo thôn/TDP, không theo {unit.get_level_display()}",
            f"{element.code} is reported per village, not per {unit.level}",
        )
    if element.reporter != DataElement.Reporter.VILLAGE and unit.level == "village":
        raise ValueProblem(
            f"{element.code} không báo cáo theo thôn/TDP", f"{element.code} is not reported per village"
        )


def _parse_rows(table, mapping, today: date, user) -> tuple[list[_Row], RowErrors, int]:
    errors = RowErrors()
    problems = errors.errors  # counted twice a row: the list's own length, not a call into Python
    scope = scope_for(user)
    elements = {e.code: e for e in DataElement.objects.all()}
    operators = {}
    for operator in Operator.objects.all():
        operators[match_key(operator.code)] = operator
        operators[match_key(operator.short_name)] = operator
    form_elements: dict[str, set[int]] = {}
    for form_code, element_id in FormElement.objects.values_list("form__code", "element_id"):
        form_elements.setdefault(form_code, set()).add(element_id)
    forms = {f.code: f for f in ReportForm.objects.select_related("plan__area_unit")}
    ids = Dhis2Ids()
    units = _UnitLookup()
    locks = _ApprovedReports()
    seen: dict[tuple, int] = {}
    parsed: list[_Row] = []
    skipped = 0

    # A problem found (UserError, ValueProblem) is kept as the answer: each row it concerns reports it.
    answers = partial(Answers, kept=(UserError, ValueProblem))

    def period_of(text: str) -> Period:
        period = parse_period(text)
        if period.start > today:
            raise ValueProblem(f"kỳ {period} chưa bắt đầu", f"period {period} has not started yet")
        return period

    # By the file's text: a period or the problem with it, an element (None: unknown), whether a
    # combo is the total, an operator cell the unit's own value, its operator (None: unknown), and
    # by (code, name, period) a unit or the problem finding it.
    periods = answers(period_of)
    elements_named = answers(lambda text: elements.get(ids.code(Kind.DATA_ELEMENT, text)))
    totals = answers(lambda text: ids.is_default(Kind.CATEGORY_OPTION_COMBO, text))
    owns = answers(lambda text: ids.is_default(Kind.ATTRIBUTE_OPTION_COMBO, text))
    operators_named = answers(
        lambda text: operators.get(match_key(ids.code(Kind.ATTRIBUTE_OPTION_COMBO, text)))
    )
    units_named = answers(lambda key: units.find(ids.code(Kind.ORG_UNIT, key[0]), key[1], periods[key[2]]))

    # A row's cells by field, in this order ("" where the file has no such column, or a DHIS2 value
    # no such field): read into names at once, a million rows' fields are then plain variables.
    order = ("period", "unit_code", "unit_name", "data_element", "operator", "combo", "value", "comment",
             "stored_by", "created", "followup", "deleted", "data_set", "complete_date")  # fmt: skip
    columns = [mapping.get(field) for field in order]  # None: no such column

    # The current row's number and cells: a problem is always the row being read.
    def fail(field: str, problem) -> None:
        cell = cells.get(mapping.get(field), "")
        errors.add(number, mapping.get(field, field), cell, problem.vi, problem.en)

    def checked(field: str, check, *args):
        """`check(*args)`, or None with its problem kept against the field."""
        try:
            return check(*args)
        except ValueProblem as exc:
            fail(field, exc)

    def unknown(field: str, kind: str, problem: ValueProblem) -> ValueProblem:
        cell = cells.get(mapping.get(field), "")
        return unmapped_problem(kind, cell) if ids.unmapped(kind, cell) else problem

    allowed: dict[tuple[int, int | None], bool] = {}  # (unit, operator): may the user write there
    levels_fit: set[tuple[int, str]] = set()  # (element, unit level) found to fit each other
    from_source = user is COMMAND_LINE
    for number, cells in table.rows:
        (period_text, unit_code, unit_name, element_code, operator_text, combo, value_text, comment,
         stored_by, created_text, followup_text, deleted_text, data_set, complete_text) = map(
            cells.get, columns, repeat("")
        )  # fmt: skip
        deletes = bool(deleted_text) and parse_flag(deleted_text)
        if not value_text and not deletes:
            skipped += 1  # an empty value is "not reported" (a template row left blank)
            continue
        failed_before = len(problems)  # a row with a problem is not kept (every problem is reported)
        period = periods[period_text]
        if isinstance(period, Exception):
            fail("period", period)
            period = None

        element = elements_named[element_code]
        if element is None:
            problem = ValueProblem("không có phần tử dữ liệu mã này", "unknown data element code")
            fail("data_element", unknown("data_element", Kind.DATA_ELEMENT, problem))
        elif combo and not totals[combo]:
            fail("combo", combo_problem(element, combo))

        form_code = ids.code(Kind.DATA_SET, data_set) if data_set else ""
        if form_code:
            if form_code not in form_elements:
                problem = ValueProblem("không có biểu mã này", "unknown data set (form) code")
                fail("data_set", unknown("data_set", Kind.DATA_SET, problem))
            elif element is not None and element.pk not in form_elements[form_code]:
                fail(
                    "data_set",
                    ValueProblem(
                        f"{element.code} không thuộc biểu {form_code}",
                        f"{element.code} is not on form {form_code}",
                    ),
                )

        unit = None
        if period is not None:
            try:
                unit = units_named[unit_code, unit_name, period_text]
                if isinstance(unit, Exception):
                    raise unknown("unit_code", Kind.ORG_UNIT, unit).with_traceback(None)
                if unit_code and unit_name and not _unit_name_matches(unit, unit_name):
                    problem = ValueProblem(
                        f"tên đơn vị không khớp với mã {unit.code} ({unit.name})",
                        f"unit name does not match code {unit.code} ({unit.name})",
                    )
                    fail("unit_name", problem)
                if element is not None and (element.id, unit.level) not in levels_fit:
                    _check_level(element, unit)
                    levels_fit.add((element.id, unit.level))
            except ValueProblem as exc:
                fail("unit_code" if unit_code else "unit_name", exc)

        operator = None
        if operator_text and not owns[operator_text]:
            operator = operators_named[operator_text]
            if operator is None:
                problem = ValueProblem("không có doanh nghiệp này", "unknown operator")
                fail("operator", unknown("operator", Kind.ATTRIBUTE_OPTION_COMBO, problem))
        elif element is not None and element.reporter == DataElement.Reporter.ENTERPRISE:
            fail(
                "operator",
                ValueProblem(
                    "số liệu của doanh nghiệp phải ghi doanh nghiệp", "enterprise data must name the operator"
                ),
            )

        value = (
            checked("value", check_value, element, value_text)
            if element is not None and not deletes
            else None
        )
        if comment:
            checked("comment", check_comment, comment)
        created = checked("created", parse_timestamp, created_text) if created_text else None
        completed_at = checked("complete_date", parse_timestamp, complete_text) if complete_text else None
        if len(problems) > failed_before:
            continue
        # Who entered a value at the source, and when, come from the file on the command line (a
        # DHIS2 exchange), and so does when its report was completed; an upload's values are the
        # uploader's, entered (and sent) now.
        row = _Row(  # by position, in _Row's order: keywords cost a million rows half a second
            element, unit, period, operator, value, comment, number, value_text,
            stored_by[:150] if from_source else "",  # stored_by
            created if from_source else None,  # created
            parse_flag(followup_text) if followup_text else None,  # followup
            None,  # completes: below
            completed_at if from_source else None,  # completed_at
        )  # fmt: skip
        locked = locks.by_period and locks.find(element, unit, operator, period.code)
        if locked and not _same_as_stored(row):
            fail("value", _locked_problem(locked))
            continue
        where = (unit.id, operator.id if operator else None)
        if where not in allowed:
            allowed[where] = scope.can_write_value(unit=unit, operator=operator)
        if not allowed[where]:
            who = f"{unit.code}{' / ' + operator.code if operator else ''}"
            fail(
                "operator" if operator else "unit_code",
                ValueProblem(f"{who} ngoài phạm vi của bạn", f"{who} is outside your scope"),
            )
            continue
        if completed_at is not None:
            try:
                row = row._replace(
                    completes=_completed_report(forms.get(form_code), unit, operator, period, scope)
                )
            except ValueProblem as exc:
                fail("complete_date", exc)
                continue
        key = (element.id, where[0], period.code, where[1])
        if key in seen:
            fail(
                "data_element",
                ValueProblem(
                    f"trùng với dòng {seen[key]} (cùng phần tử, đơn vị, kỳ, doanh nghiệp)",
                    f"duplicates row {seen[key]} (same element, unit, period, operator)",
                ),
            )
            continue
        seen[key] = number
        parsed.append(row)
    return parsed, errors, skipped


def _completed_report(form, unit, operator, period: Period, scope) -> tuple[ReportForm, AdministrativeUnit]:
    """The report a row's completeDate completes: its data set's, of the unit reporting the row (the
    commune of a village, the plan's area for an operator), which the importer must be able to send."""
    if form is None:
        raise ValueProblem(
            "completeDate cần dataSet (mã biểu) để biết báo cáo nào đã xong",
            "completeDate needs a dataSet (form code) to tell which report is complete",
        )
    reporter = reporting_unit(form, unit)
    if reporter is None or not unit.path.startswith(reporter.path):
        raise ValueProblem(
            f"{unit.code} không thuộc địa bàn báo cáo của biểu {form.code}",
            f"{unit.code} is outside the area form {form.code} reports on",
        )
    try:
        check_reporter(form, reporter, operator, period.code)
    except UserError as exc:
        raise ValueProblem(exc.vi, exc.en) from None
    if not scope.can_write_value(unit=reporter, operator=operator):
        raise ValueProblem(
            f"bạn không gửi được báo cáo {form.code} của {reporter.code}",
            f"you cannot send the report {form.code} of {reporter.code}",
        )
    return form, reporter


def _locked_problem(submission: Submission) -> ValueProblem:
    return ValueProblem(
        f"thuộc báo cáo đã duyệt ({submission}); cần mở lại trước khi sửa",
        f"belongs to an approved report ({submission}); re-open it first",
    )


class _LockedRows(Exception):
    """Rows found locked when writing (an approval committed after the file was read)."""

    def __init__(self, errors: list):
        super().__init__(len(errors))
        self.errors = errors


def import_values(*, path: Path, actor: Actor, user, synthetic: bool = False) -> ValueImportSummary:
    """Import data values from CSV/XLSX or DHIS2 (dataValueSet JSON, XML or CSV, ADX). Any bad row
    rejects the whole file; nothing is written. Every row must lie within the `user`'s scope (a web
    upload's uploader); the command line (`COMMAND_LINE`) runs with the machine's authority. The
    original file is kept with the reports it feeds."""
    with collector_paused():
        return _import_values(path=Path(path), actor=actor, user=user, synthetic=synthetic)


def _import_values(*, path: Path, actor: Actor, user, synthetic: bool) -> ValueImportSummary:
    try:
        table = read_values_file(path)
        mapping = _map_columns(table.columns)
    except UserError as exc:
        if path.is_file():  # a file refused whole (not the format, a column missing) is kept too
            record_rejected_import(
                kind="values", path=path, errors=[], actor=actor, synthetic=synthetic, reason=exc
            )
        raise
    rows, errors, skipped = _parse_rows(table, mapping, today=timezone.localdate(), user=user)
    if errors:
        record_rejected_import(
            kind="values", path=path, errors=errors.errors, actor=actor, synthetic=synthetic
        )
        raise ImportRejected(path.name, errors.errors)
    if not rows:
        raise UserError(f"Tệp {path.name} không có dòng số liệu nào", f"File {path.name} has no data rows")
    stored, digest = keep_original(path, "values")
    try:
        summary = _write_values(
            rows, actor=actor, user=user, file_name=path.name, stored=str(stored), digest=digest,
            synthetic=synthetic, value_column=mapping["value"],
        )  # fmt: skip
    except _LockedRows as exc:
        stored.unlink(missing_ok=True)
        record_rejected_import(kind="values", path=path, errors=exc.errors, actor=actor, synthetic=synthetic)
        raise ImportRejected(path.name, exc.errors) from None
    except IntegrityError:
        # Someone entered one of the file's values first, between reading the file and writing it.
        stored.unlink(missing_ok=True)
        raise Conflict(
            f"Trong lúc nhập tệp {path.name}, người khác vừa nhập một số liệu của tệp; không dữ liệu nào "
            f"được ghi, hãy nhập lại tệp",
            f"While {path.name} was imported someone else entered one of its values; nothing was "
            f"written, import the file again",
        ) from None
    return replace(summary, skipped=skipped)


def record_import_batch(
    *, kind: str, file_name: str, stored_path: str, sha256: str, rows: int, actor: Actor, synthetic: bool
) -> ImportBatch:
    """The import batch of a kept file (or a computed layer), change-logged; call it inside the
    transaction that writes what the batch brought."""
    batch = ImportBatch.objects.create(
        kind=kind, file_name=file_name, stored_path=stored_path, sha256=sha256, rows=rows,
        created_by=actor.name, synthetic=synthetic,
    )  # fmt: skip
    record_change(actor, ChangeLogEntry.Action.CREATE, batch)
    return batch


REJECTED_ERRORS_KEPT = 1000  # row errors stored with a rejected batch; the count is always complete


def record_rejected_import(
    *,
    kind: str,
    path: Path,
    errors: list,
    actor: Actor,
    synthetic: bool = False,
    reason: UserError | None = None,
):
    """A refused file: keep it (under imports/rejected) and record a rejected batch with its row
    errors, or the one `reason` refusing the whole file (no row named), change-logged, so the imports
    page shows the error report. Nothing else is written; call it outside the import's transaction,
    before raising."""
    if reason is not None:
        errors = [RowError("", "", "", reason.vi, reason.en)]  # no row: the whole file is refused
    stored, digest = keep_original(path, "rejected")
    with transaction.atomic():
        batch = ImportBatch.objects.create(
            kind=kind, file_name=Path(path).name, stored_path=str(stored), sha256=digest, rows=len(errors),
            created_by=actor.name, synthetic=synthetic, status=ImportBatch.Status.REJECTED,
            errors=[e.as_dict() for e in errors[:REJECTED_ERRORS_KEPT]],
            uploaded_by=actor.account,
        )  # fmt: skip
        record_change(actor, ChangeLogEntry.Action.CREATE, batch)
    return batch


def keep_refused(*, kind: str, path: Path, exc: UserError, actor: Actor, since: datetime, synthetic=False):
    """Keep a refused file with its row errors (or the one reason refusing it whole), as
    `record_rejected_import`, unless the import recorded the refusal itself since `since` (the
    values and registry imports do for their row errors). Every import entrance calls it: the
    command line, the web upload and the API."""
    recorded = ImportBatch.objects.filter(
        status=ImportBatch.Status.REJECTED, file_name=Path(path).name, created_at__gte=since
    )
    if not Path(path).is_file() or recorded.exists():
        return
    errors = getattr(exc, "errors", None)  # ImportRejected names its rows
    record_rejected_import(
        kind=kind, path=Path(path), errors=errors or [], reason=None if errors else exc, actor=actor,
        synthetic=synthetic,
    )  # fmt: skip


def refusal_keeper(kind: str, actor: Actor, synthetic: bool = False):
    """`keep_refused` for an import starting now: call it with the file and the error."""
    return partial(keep_refused, kind=kind, actor=actor, synthetic=synthetic, since=timezone.now())


@transaction.atomic
def _write_values(
    rows: list[_Row], *, actor, user, file_name, stored, digest, synthetic, value_column="value"
) -> ValueImportSummary:
    # The approved-report check again, now under the reports' locks: an approval that committed
    # since the file was read refuses its rows; one still to come waits for this write.
    units = {row.unit.id: row.unit for row in rows}  # by id: a unit's own hash is a call into Python
    periods = {row.period.code for row in rows}
    locks = _ApprovedReports(lock_reports(units=units.values(), periods=periods))
    locked_rows = RowErrors()
    for row in rows if locks.by_period else ():  # most files touch no approved report
        locked = locks.find(row.element, row.unit, row.operator, row.period.code)
        if locked and not _same_as_stored(row):
            problem = _locked_problem(locked)
            locked_rows.add(row.number, value_column, row.cell, problem.vi, problem.en)
    if locked_rows:
        raise _LockedRows(locked_rows.errors)
    batch = ImportBatch.objects.create(
        kind="values",
        file_name=file_name,
        stored_path=stored,
        sha256=digest,
        rows=len(rows),
        created_by=actor.name,
        synthetic=synthetic,
    )
    # The stored values the file may change, as rows of their columns (`_STORED`), not model objects:
    # a corrected national file changes a million.
    existing = {
        (v[_ELEMENT], v[_UNIT], v[_PERIOD], v[_OPERATOR]): v
        for v in DataValue.objects.filter(unit_id__in=units.keys(), period__in=periods).values_list(*_STORED)
    }
    to_create, to_update, unchanged, deleted = [], [], 0, 0
    now = timezone.now()
    if not existing and not any(row.deletes for row in rows):
        to_create, rows_to_compare = rows, ()  # a first import: every row is new
    else:
        rows_to_compare = rows
    for row in rows_to_compare:
        key = (row.element.id, row.unit.id, row.period.code, row.operator.id if row.operator else None)
        current = existing.get(key)
        if row.deletes:
            if current is None:
                unchanged += 1
                continue
            stored = DataValue.objects.select_related("data_element", "unit", "operator").get(pk=current[_PK])
            record_change(actor, ChangeLogEntry.Action.DELETE, stored, before=snapshot(stored))
            stored.delete()
            deleted += 1
        elif current is None:
            to_create.append(row)
        elif (current[_VALUE], current[_COMMENT]) == (row.value, row.comment) and row.followup in {
            None,
            current[_FOLLOWUP],
        }:
            unchanged += 1
        else:
            # DHIS2's storedBy names who entered the value at the source; the change log names the import.
            to_update.append((row, current, row.stored_by or actor.name))
    _update_values(to_update, batch=batch, now=now, actor=actor)
    created = _insert_values(to_create, batch=batch, actor=actor, synthetic=synthetic, now=now)
    record_change(actor, ChangeLogEntry.Action.CREATE, batch)
    attach_import(
        batch=batch,
        keys=((r.element, r.unit, r.operator, r.period.code) for r in rows if not r.deletes),
        actor=actor,
    )
    return ValueImportSummary(
        batch=batch, created=created, updated=len(to_update), unchanged=unchanged, deleted=deleted,
        submitted=_send_completed(rows, user=user, actor=actor),
    )  # fmt: skip


def _send_completed(rows: list[_Row], *, user, actor: Actor) -> int:
    """Send the reports the file completes (DHIS2's completeDate), after its values, as the entry
    page's send does (the user's permission, the change log); a report already sent or approved
    stays as it is (its values were checked against its approval lock). Returns how many were sent."""
    reports: dict[tuple, datetime | None] = {}
    for row in rows:
        if row.completes is not None:
            key = (*row.completes, row.operator, row.period.code)
            moments = [m for m in (reports.get(key), row.completed_at) if m is not None]
            reports[key] = max(moments, default=None)
    sent = 0
    for (form, reporter, operator, period), moment in reports.items():
        submission = get_submission(
            form=form, unit=reporter, operator=operator, period=period, user=user, actor=actor
        )
        if submission.status in {Submission.Status.DRAFT, Submission.Status.RETURNED}:
            submit(submission=submission, user=user, actor=actor, at=moment)
            sent += 1
    return sent


# A stored value's columns as `_write_values` reads them, and the places of those it compares.
_STORED = [field.attname for field in DataValue._meta.concrete_fields]
_PK, _ELEMENT, _UNIT, _PERIOD, _OPERATOR, _VALUE, _COMMENT, _FOLLOWUP, _VERSION = map(
    _STORED.index,
    ("id", "data_element_id", "unit_id", "period", "operator_id", "value", "comment", "followup", "version"),
)
# What a file changes in a stored value, and their places among its columns.
_CHANGED_VALUE_FIELDS = (
    "value", "comment", "followup", "import_batch_id", "updated_by", "version", "updated_at",
)  # fmt: skip
_CHANGED_AT = [_STORED.index(name) for name in _CHANGED_VALUE_FIELDS]


def _update_values(changed: list[tuple], *, batch: ImportBatch, now: datetime, actor: Actor) -> None:
    """Write a file's changed values — (row, stored columns, author) each — and their change log in
    bulk: a national file sent again changes up to a million. Each value's snapshots before and
    after are made as its change-log entry is written, not kept for them all."""

    def changes(row, stored, author) -> tuple:
        followup = stored[_FOLLOWUP] if row.followup is None else row.followup
        return row.value, row.comment, followup, batch.pk, author, stored[_VERSION] + 1, now

    update_rows(
        DataValue,
        list(_CHANGED_VALUE_FIELDS),
        [(*changes(row, stored, author), stored[_PK]) for row, stored, author in changed],
    )

    def entries():
        for row, stored, author in changed:
            after = list(stored)
            for place, value in zip(_CHANGED_AT, changes(row, stored, author), strict=True):
                after[place] = value
            text = DataValue.text(row.element.code, row.unit.code, row.period.code, row.operator, row.value)
            yield stored[_PK], text, row_snapshot(DataValue, stored), row_snapshot(DataValue, after)

    record_rows(actor, ChangeLogEntry.Action.UPDATE, DataValue, entries())


# The columns of a new value a file gives, in `_insert_values`' order; the others are the import's.
_NEW_VALUE_COLUMNS = (
    "data_element_id", "unit_id", "period", "period_start", "period_end", "operator_id", "value", "comment",
    "followup", "created_by", "updated_by", "created_at",
)  # fmt: skip


def _insert_values(
    rows: list[_Row], *, batch: ImportBatch, actor: Actor, synthetic: bool, now: datetime
) -> int:
    """Write a file's new values and their change log in bulk, without model objects (a national
    file has a million); each value's creation time is the write's `now`, or DHIS2's `created` when
    the file gives one."""
    author = actor.name  # a property: asked once, not twice a row
    values = [
        (row.element.id, row.unit.id, row.period.code, row.period.start, row.period.end,
         row.operator.id if row.operator else None, row.value, row.comment, bool(row.followup),
         row.stored_by or author, row.stored_by or author, row.created or now)
        for row in rows
    ]  # fmt: skip
    ids = insert_rows(
        DataValue, _NEW_VALUE_COLUMNS, values, synthetic=synthetic, import_batch_id=batch.pk, updated_at=now
    )
    if ids:  # the batch's changed values are older than its new ones
        created = DataValue.objects.filter(import_batch=batch, pk__gte=ids[0])
        record_inserted(actor, created, text=DataValue.description())
    return len(ids)


@transaction.atomic
def set_value(
    *,
    element: DataElement,
    unit: AdministrativeUnit,
    period: str,
    value: str,
    actor: Actor,
    operator: Operator | None = None,
    comment: str = "",
    synthetic: bool = False,
    expected_version: int | None = None,
    first_entry: bool = False,
    reason: str = "",
) -> DataValue:
    """Enter or change one value (forms, API, demo), with the same checks as an import.

    `expected_version` is the version the editor saw: if someone saved in between, the change is
    refused rather than silently overwriting theirs. With `first_entry` (no version: the editor saw
    no value) an existing value is refused too, so of two first entries one wins and the other is
    told who entered it. Values of an approved report are locked; the check is made under the
    reports' locks, so an approval is either seen or waits for this write.
    """
    parsed_period = parse_period(period)
    try:
        number = check_value(element, value)
        check_comment(comment)
        _check_level(element, unit)
    except ValueProblem as exc:
        raise UserError(f"{element.code}: {exc.vi}", f"{element.code}: {exc.en}") from exc
    if not unit.is_valid_between(parsed_period.start, parsed_period.end):
        raise UserError(
            f"{unit} không có hiệu lực trong kỳ {period}", f"{unit} is not valid in period {period}"
        )
    locked = approved_submission_for(element, unit, operator, parsed_period.code, lock=True)
    current = (
        DataValue.objects.filter(
            data_element=element, unit=unit, period=parsed_period.code, operator=operator
        )
        .select_for_update()
        .first()
    )
    if current is not None and expected_version is None and first_entry:
        raise _already_entered(current)
    if locked and current is not None and (current.value, current.comment) == (number, comment):
        return current  # repeating locked data changes nothing
    if locked:
        raise Conflict(
            f"Số liệu thuộc báo cáo đã duyệt ({locked}); cần mở lại báo cáo trước khi sửa",
            f"The value belongs to an approved report ({locked}); re-open it before changing it",
        )
    if current is not None and expected_version is not None and current.version != expected_version:
        raise Conflict(
            f"{element.code}: người khác ({current.updated_by}) vừa sửa giá trị này thành "
            f"{current.value.normalize():f}; hãy tải lại và nhập lại",
            f"{element.code}: someone else ({current.updated_by}) has just changed this value to "
            f"{current.value.normalize():f}; reload and enter it again",
        )
    if current is None:
        try:
            with transaction.atomic():  # a savepoint: a parallel first entry may have inserted it
                current = DataValue.objects.create(
                    data_element=element,
                    unit=unit,
                    period=parsed_period.code,
                    period_start=parsed_period.start,
                    period_end=parsed_period.end,
                    operator=operator,
                    value=number,
                    comment=comment,
                    synthetic=synthetic,
                    created_by=actor.name,
                    updated_by=actor.name,
                )
        except IntegrityError:
            winner = DataValue.objects.filter(
                data_element=element, unit=unit, period=parsed_period.code, operator=operator
            ).first()
            if winner is None:
                raise
            raise _already_entered(winner) from None
        record_change(actor, ChangeLogEntry.Action.CREATE, current, reason=reason)
        return current
    before = snapshot(current)
    current.value, current.comment, current.updated_by = number, comment, actor.name
    current.import_batch = None  # typed in over the file's value: no longer the file's (its evidence)
    current.version += 1
    current.save()
    record_change(actor, ChangeLogEntry.Action.UPDATE, current, before=before, reason=reason)
    return current


def _already_entered(value: DataValue) -> Conflict:
    return Conflict(
        f"Giá trị này đã có (phiên bản {value.version}, do {value.updated_by} nhập); gửi kèm phiên bản "
        f"bạn đã xem để sửa",
        f"This value exists (version {value.version}, entered by {value.updated_by}); send the version "
        f"you changed",
    )


def enter_value(
    *,
    user,
    actor: Actor,
    element_code: str,
    unit_code: str,
    period: str,
    value: str,
    operator_code: str | None = None,
    comment: str = "",
    version: int | None = None,
    reason: str = "",
) -> DataValue:
    """One value from the web or the API, by codes, within the user's scope.

    Outside the scope the unit or operator does not exist for the user (NotFound). Changing an
    existing value needs the version the user saw, so nobody overwrites a change unseen.
    """
    element = DataElement.objects.filter(code=element_code).first()
    if element is None:
        raise NotFound(f"Không có phần tử dữ liệu '{element_code}'", f"No data element '{element_code}'")
    parsed = parse_period(period)
    unit = resolve_unit(unit_code, start=parsed.start, end=parsed.end)
    operator = None
    if operator_code:
        operator = Operator.objects.filter(code=operator_code).first()
        if operator is None:
            raise NotFound(f"Không có doanh nghiệp '{operator_code}'", f"No operator '{operator_code}'")
    if not scope_for(user).can_write_value(unit=unit, operator=operator):
        raise NotFound(
            f"Không có {unit.code}{' / ' + operator.code if operator else ''} trong phạm vi của bạn",
            f"No {unit.code}{' / ' + operator.code if operator else ''} within your scope",
        )
    return set_value(
        element=element,
        unit=unit,
        period=parsed.code,
        value=value,
        actor=actor,
        operator=operator,
        comment=comment,
        expected_version=version,
        first_entry=version is None,
        reason=reason,
    )


@transaction.atomic
def add_form_field(
    *,
    form: ReportForm,
    code: str,
    name: str,
    value_type: str,
    aggregation: str,
    unit: str = "",
    per_village: bool = False,
    user,
    actor: Actor,
) -> FormElement:
    """A custom field the plan owner adds to a form without touching code or the plan file.

    It becomes a data element like the file's own, is collected on the web, in templates, by the
    API and in exports, and survives reloading the plan file.
    """
    if not may_manage_plan(user, form.plan):
        raise NotFound(f"Không có biểu '{form.code}'", f"No form '{form.code}'")
    if DataElement.objects.filter(code=code).exists():
        raise Conflict(
            f"Mã '{code}' đã được dùng cho một phần tử dữ liệu khác; hãy chọn mã khác",
            f"Code '{code}' is already used by another data element; choose another code",
        )
    reporter = {
        ReportForm.Reporter.COMMUNE: DataElement.Reporter.VILLAGE
        if per_village
        else DataElement.Reporter.COMMUNE,
        ReportForm.Reporter.ENTERPRISE: DataElement.Reporter.ENTERPRISE,
        ReportForm.Reporter.DISTRICT: DataElement.Reporter.DISTRICT,
    }[form.reporter]
    if per_village and form.reporter != ReportForm.Reporter.COMMUNE:
        raise UserError(
            "Chỉ biểu của xã, phường mới có trường theo thôn/TDP",
            "Only a commune form can have per-village fields",
        )
    element = DataElement.objects.create(
        code=code,
        name=name,
        value_type=value_type,
        aggregation=aggregation,
        unit=unit,
        reporter=reporter,
        across_sources=DataElement.AcrossSources.SUM,
    )
    record_change(actor, ChangeLogEntry.Action.CREATE, element)
    last = form.fields.order_by("-order").values_list("order", flat=True).first() or 0
    field = FormElement.objects.create(form=form, element=element, order=last + 1, added_on_web=True)
    record_change(actor, ChangeLogEntry.Action.CREATE, field)
    return field


@transaction.atomic
def remove_form_field(*, field: FormElement, user, actor: Actor) -> None:
    """Take a custom field off its form; refused once anyone has reported a value for it."""
    if not may_manage_plan(user, field.form.plan):
        raise NotFound("Không có trường này", "No such field")
    if not field.added_on_web:
        raise UserError(
            f"Trường {field.element.code} thuộc tệp kế hoạch; sửa tệp kế hoạch để bỏ",
            f"Field {field.element.code} comes from the plan file; change the file to remove it",
        )
    if DataValue.objects.filter(data_element=field.element).exists():
        raise Conflict(
            f"Đã có số liệu cho {field.element.code}; không bỏ được trường này",
            f"Values exist for {field.element.code}; the field cannot be removed",
        )
    record_change(actor, ChangeLogEntry.Action.DELETE, field, before=snapshot(field))
    element = field.element
    field.delete()
    if not element.forms.exists():
        record_change(actor, ChangeLogEntry.Action.DELETE, element, before=snapshot(element))
        element.delete()
