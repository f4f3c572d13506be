"""Web data entry: the rows a reporter fills for a form and period, and saving them all at once."""

from dataclasses import dataclass, field

from django.db import transaction

from hatangso.collection.models import DataElement, ReportForm
from hatangso.collection.services import enter_value
from hatangso.core.changelog import Actor
from hatangso.core.models import Role
from hatangso.core.scoping import scope_for
from hatangso.geography.models import AdministrativeUnit
from hatangso.registry.models import Operator
from hatangso.utilities.errors import UserError
from hatangso.utilities.numbers import plain_decimal
from hatangso.utilities.periods import Period


@dataclass
class EntryRow:
    unit: AdministrativeUnit
    element: DataElement
    value: str = ""
    version: int | None = None
    error: str = ""

    @property
    def key(self) -> str:
        return f"{self.unit.pk}-{self.element.pk}"


@dataclass
class Reporter:
    """Whom a user reports as for a form: a commune, or an operator for the plan's area."""

    unit: AdministrativeUnit
    operator: Operator | None = None
    label: str = field(default="")


def reporters_for(user, form: ReportForm, period: Period) -> list[Reporter]:
    expected_operators = set(form.operators.values_list("pk", flat=True))
    found = []
    for membership in scope_for(user).memberships:
        is_commune = form.reporter == ReportForm.Reporter.COMMUNE and membership.role == Role.COMMUNE
        is_operator = form.reporter == ReportForm.Reporter.ENTERPRISE and membership.role == Role.ENTERPRISE
        if is_commune and membership.unit.is_valid_between(period.start, period.end):
            found.append(Reporter(unit=membership.unit, label=membership.unit.name))
        elif is_operator and (not expected_operators or membership.operator_id in expected_operators):
            found.append(
                Reporter(
                    unit=form.plan.area_unit,
                    operator=membership.operator,
                    label=membership.operator.short_name,
                )
            )
    return found


def entry_rows(form: ReportForm, reporter: Reporter, period: Period) -> list[EntryRow]:
    from hatangso.collection.workbooks import form_rows, reported_values  # imports openpyxl

    pairs = form_rows(form, reporter.unit, period)
    current = reported_values(form, pairs, period, reporter.operator)
    rows = []
    for unit, element in pairs:
        value = current.get((unit.pk, element.pk))
        rows.append(
            EntryRow(
                unit=unit,
                element=element,
                value=plain_decimal(value.value) if value else "",
                version=value.version if value else None,
            )
        )
    return rows


def save_entries(
    *, user, actor: Actor, rows: list[EntryRow], posted: dict, reporter: Reporter, period: Period
) -> tuple[int, bool]:
    """Save every changed row, all or nothing. Returns (saved count, ok); on problems each row
    carries its error and nothing is written."""
    changed = []
    for row in rows:
        new = (posted.get(f"value-{row.key}") or "").strip()
        seen = posted.get(f"version-{row.key}") or None
        if new == row.value:
            continue
        row.value, row.version = new, int(seen) if seen else None
        if new:
            changed.append(row)
    saved = 0
    try:
        with transaction.atomic():
            for row in changed:
                try:
                    enter_value(
                        user=user,
                        actor=actor,
                        element_code=row.element.code,
                        unit_code=row.unit.code,
                        period=period.code,
                        value=row.value,
                        operator_code=reporter.operator.code if reporter.operator else None,
                        version=row.version,
                    )
                    saved += 1
                except UserError as exc:
                    row.error = exc.vi
            if any(row.error for row in rows):
                raise _Rollback
    except _Rollback:
        return 0, False
    return saved, True


class _Rollback(Exception):
    pass
