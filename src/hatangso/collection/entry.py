"""Web data entry, collected once: a reporter's entry for a period gathers the forms of every plan
that needs its figures then, and asks each figure once (DHIS2's data sets sharing data elements:
the value is one, each plan's report of it is its own). Saving writes the one value; submitting
sends each plan's report; a figure in a report already sent or approved is shown, not asked."""

from dataclasses import dataclass, field
from datetime import date

from django.db import transaction

from hatangso.collection import workflow
from hatangso.collection.models import DataElement, ReportForm, Submission
from hatangso.collection.services import enter_value
from hatangso.core.changelog import Actor
from hatangso.core.models import Role
from hatangso.core.scoping import AccessScope, scope_for
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.models import Plan
from hatangso.plans.selectors import plans_covering, plans_for
from hatangso.registry.models import Operator
from hatangso.utilities.errors import UserError
from hatangso.utilities.numbers import plain_decimal
from hatangso.utilities.periods import Period, parse_period, period_codes

SENT = (Submission.Status.SUBMITTED, Submission.Status.APPROVED)


@dataclass
class EntryRow:
    unit: AdministrativeUnit
    element: DataElement
    value: str = ""
    version: int | None = None
    error: str = ""
    # The plans whose forms ask this figure, and the report (sent or approved) that holds it now.
    plans: list[Plan] = field(default_factory=list)
    locked_by: Submission | None = None

    @property
    def key(self) -> str:
        return f"{self.unit.pk}-{self.element.pk}"


@dataclass
class Reporter:
    """Whom a user reports as for a form: a commune, or an operator for the plan's area."""

    unit: AdministrativeUnit
    operator: Operator | None = None
    label: str = field(default="")


def reporters_for(user, form: ReportForm, period: Period, scope: AccessScope | None = None) -> list[Reporter]:
    """Whom the user reports as on the form for the period: each of its communes the form's plan
    covers (a plan elsewhere asks it nothing), or its operator when the form expects it."""
    expected_operators = {o.pk for o in form.operators.all()}
    found = []
    for membership in (scope or scope_for(user)).memberships:
        is_commune = (
            form.reporter == ReportForm.Reporter.COMMUNE
            and membership.role == Role.COMMUNE
            and membership.unit.path.startswith(form.plan.area_unit.path)
        )
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
    return _rows([form], reporter, period)


def _rows(forms: list[ReportForm], reporter: Reporter, period: Period) -> list[EntryRow]:
    """Each (unit, element) the forms ask, once, in the forms' order, with the value stored."""
    from hatangso.collection.workbooks import form_rows, reported_values  # imports openpyxl

    rows: dict[tuple[int, int], EntryRow] = {}
    for form in forms:
        for unit, element in form_rows(form, reporter.unit, period):
            row = rows.setdefault((unit.pk, element.pk), EntryRow(unit=unit, element=element))
            if form.plan not in row.plans:
                row.plans.append(form.plan)
    current = reported_values([(row.unit, row.element) for row in rows.values()], period, reporter.operator)
    for key, row in rows.items():
        value = current.get(key)
        if value is not None:
            row.value, row.version = plain_decimal(value.value), value.version
    return list(rows.values())


@dataclass
class Report:
    """One plan's report within an entry: its form, the reporter's submission if there is one, and
    the reporter's index among the form's reporters (the `?r=` of the form's addresses)."""

    form: ReportForm
    submission: Submission | None
    index: int

    @property
    def sent(self) -> bool:
        return self.submission is not None and self.submission.status in SENT


@dataclass
class Entry:
    reporter: Reporter
    period: Period
    reports: list[Report]
    rows: list[EntryRow]

    @property
    def forms(self) -> list[ReportForm]:
        return [report.form for report in self.reports]

    @property
    def locked(self) -> bool:
        """Nothing left to enter: every report is sent or approved."""
        return all(report.sent for report in self.reports)

    def rule_violations(self, user) -> list:
        """The validation rules of every plan in the entry, each broken rule once."""
        from hatangso.collection.checks import rule_violations  # reads the analytics engine

        found = {}
        for plan in dict.fromkeys(form.plan for form in self.forms):
            for violation in rule_violations(
                plan, self.reporter.unit, self.period, self.reporter.operator, user=user
            ):
                found.setdefault(str(violation), violation)
        return list(found.values())


def _same(reporter: Reporter, other: Reporter) -> bool:
    return (reporter.unit.pk, reporter.operator) == (other.unit.pk, other.operator)


def entry_forms(user, reporter: Reporter, period: Period) -> list[ReportForm]:
    """The forms of every plan that needs the reporter's figures for the period: plans the user may
    open whose area covers the commune (an operator reports for a plan's whole area: plans of that
    area), whose years include the period, with a form of the period's kind for this reporter."""
    forms = ReportForm.objects.filter(
        plan__in=plans_covering(user, reporter.unit, period), period_type=period.kind
    ).select_related("plan", "plan__area_unit")
    if reporter.operator is None:
        forms = forms.filter(reporter=ReportForm.Reporter.COMMUNE)
    else:
        forms = forms.filter(reporter=ReportForm.Reporter.ENTERPRISE, plan__area_unit=reporter.unit)
    forms = forms.prefetch_related("operators").order_by("-plan__year", "plan__code", "order")
    return [
        form
        for form in forms
        if reporter.operator is None or not form.operators.all() or reporter.operator in form.operators.all()
    ]


def open_entry(user, form: ReportForm, reporter: Reporter, period: Period) -> Entry:
    """The reporter's entry for the period, opened from one of its forms: the figures of every plan
    that needs them, each once. A figure of a report sent or approved is locked in every plan's
    form that asks it: changing it would change a report its plan owner has (or is deciding on)."""
    forms = entry_forms(user, reporter, period)
    if form not in forms:  # opened from a form outside the plans' years: that form alone
        forms = [form]
    submissions = {
        s.form_id: s
        for s in Submission.objects.filter(
            form__in=forms, unit=reporter.unit, operator=reporter.operator, period=period.code
        )
    }
    scope = scope_for(user)
    reports = []
    for each in forms:
        index = next(i for i, r in enumerate(reporters_for(user, each, period, scope)) if _same(r, reporter))
        reports.append(Report(form=each, submission=submissions.get(each.pk), index=index))
    rows = _rows(forms, reporter, period)
    # An approval locks before a submission: approved data needs the plan owner to re-open it.
    for report in sorted(
        (r for r in reports if r.sent), key=lambda r: r.submission.status != Submission.Status.APPROVED
    ):
        asked = {element.pk for element in report.form.elements.all()}
        for row in rows:
            if row.locked_by is None and row.element.pk in asked:
                row.locked_by = report.submission
    return Entry(reporter=reporter, period=period, reports=reports, rows=rows)


def submit_entry(*, entry: Entry, user, actor: Actor) -> list[Report]:
    """Send every report of the entry not yet sent, all or none (each stays its plan owner's to
    approve or return). Returns the reports sent."""
    sent = []
    with transaction.atomic():
        for report in entry.reports:
            if report.sent:
                continue
            submission = workflow.get_submission(
                form=report.form,
                unit=entry.reporter.unit,
                operator=entry.reporter.operator,
                period=entry.period.code,
                user=user,
                actor=actor,
            )
            report.submission = workflow.submit(submission=submission, user=user, actor=actor)
            sent.append(report)
    return sent


@dataclass
class PeriodEntry:
    period: Period
    reports: list[Report]

    @property
    def opener(self) -> Report:
        """The report whose form's address opens the entry."""
        return self.reports[0]


@dataclass
class EntryCard:
    """A reporter's entries of one kind of period (yearly, quarterly, monthly)."""

    reporter: Reporter
    period_type: str
    forms: list[ReportForm] = field(default_factory=list)
    periods: dict[str, PeriodEntry] = field(default_factory=dict)

    @property
    def entries(self) -> list[PeriodEntry]:
        return sorted(self.periods.values(), key=lambda e: (e.period.start, e.period.code))


def entry_cards(user, today: date) -> list[EntryCard]:
    """The user's entries: one per reporter and period that has begun, whatever the number of plans
    needing the figures (each plan the user may open, over each year of the plan)."""
    scope = scope_for(user)
    forms = (
        ReportForm.objects.filter(plan__in=plans_for(user))
        .select_related("plan", "plan__area_unit")
        .prefetch_related("operators")
        .order_by("-plan__year", "plan__code", "order")
    )
    cards: dict[tuple, EntryCard] = {}
    for form in forms:
        years = range(form.plan.year, (form.plan.end_year or form.plan.year) + 1)
        for code in (c for year in years for c in period_codes(form.period_type, year)):
            period = parse_period(code)
            if period.start > today:
                continue
            for index, reporter in enumerate(reporters_for(user, form, period, scope)):
                key = (reporter.unit.pk, reporter.operator and reporter.operator.pk, form.period_type)
                card = cards.setdefault(key, EntryCard(reporter=reporter, period_type=form.period_type))
                if form not in card.forms:
                    card.forms.append(form)
                card.periods.setdefault(code, PeriodEntry(period=period, reports=[])).reports.append(
                    Report(form=form, submission=None, index=index)
                )
    reports = [r for card in cards.values() for e in card.periods.values() for r in e.reports]
    submissions = {
        (s.form_id, s.unit_id, s.operator_id, s.period): s
        for s in scope.filter_values(Submission.objects.filter(form__in={r.form.pk for r in reports}))
    }
    for card in cards.values():
        for entry in card.periods.values():
            for report in entry.reports:
                operator = card.reporter.operator
                report.submission = submissions.get(
                    (report.form.pk, card.reporter.unit.pk, operator and operator.pk, entry.period.code)
                )
    return list(cards.values())


def save_entries(
    *, user, actor: Actor, rows: list[EntryRow], posted: dict, reporter: Reporter, period: Period
) -> tuple[int, bool]:
    """Save every changed row, all or nothing. Returns (saved count, ok); on problems each row
    carries its error and nothing is written."""
    changed = []
    for row in rows:
        if row.locked_by is not None:
            continue  # shown, not asked: its report is sent or approved
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
