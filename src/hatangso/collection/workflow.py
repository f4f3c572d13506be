"""The reporting workflow: draft → submitted → approved, or returned with a comment.

Approved data is locked; re-opening is explicit, needs a reason, and is audited like every step.
`user` is the person acting (`COMMAND_LINE` for the command line, which runs with the machine's authority).
"""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from hatangso.collection.models import DataElement, ReportForm, Submission
from hatangso.core.changelog import Actor, record_change, record_changes, snapshot
from hatangso.core.models import ChangeLogEntry, Role
from hatangso.core.scoping import COMMAND_LINE, scope_for
from hatangso.geography.models import AdministrativeUnit
from hatangso.registry.models import Operator
from hatangso.utilities.bulk import insert_objects
from hatangso.utilities.errors import Conflict, NotFound, UserError
from hatangso.utilities.periods import parse_period


def check_reporter(form: ReportForm, unit: AdministrativeUnit, operator: Operator | None, period: str):
    parsed = parse_period(period)
    if parsed.kind != form.period_type:
        raise UserError(
            f"Biểu {form.code} báo cáo theo kỳ {form.get_period_type_display().lower()}, không phải {period}",
            f"Form {form.code} is reported {form.period_type}, not for {period}",
        )
    if form.reporter == ReportForm.Reporter.ENTERPRISE:
        if operator is None or (
            form.operators.exists() and not form.operators.filter(pk=operator.pk).exists()
        ):
            raise UserError(
                f"Biểu {form.code} không dành cho doanh nghiệp {operator or '(không ghi)'}",
                f"Form {form.code} is not for operator {operator or '(none)'}",
            )
        if unit != form.plan.area_unit:
            raise UserError(
                f"Doanh nghiệp báo cáo biểu {form.code} cho toàn địa bàn {form.plan.area_unit}",
                f"Operators report form {form.code} for the whole area {form.plan.area_unit}",
            )
    elif operator is not None or unit.level != form.reporter:
        raise UserError(
            f"Biểu {form.code} do {form.get_reporter_display()} báo cáo",
            f"Form {form.code} is reported by {form.reporter}",
        )


def _require(allowed: bool, vi: str, en: str) -> None:
    if not allowed:
        # Outside one's scope a submission does not exist, as far as the user can tell.
        raise NotFound(vi, en)


def _may_report(user, unit, operator) -> bool:
    return scope_for(user).can_write_value(unit=unit, operator=operator)


def _may_decide(user, submission: Submission) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or any(
        m.role == Role.PLAN_OWNER and submission.unit.path.startswith(m.unit.path)
        for m in scope.memberships
    )


def get_submission(*, form, unit, operator, period, user, actor: Actor) -> Submission:
    """The reporter's submission for the period, created as a draft the first time."""
    check_reporter(form, unit, operator, period)
    _require(_may_report(user, unit, operator), "Không có bản báo cáo này", "No such submission")
    submission, created = Submission.objects.get_or_create(
        form=form,
        unit=unit,
        operator=operator,
        period=parse_period(period).code,
        defaults={"created_by": user if getattr(user, "pk", None) else None},
    )
    if created:
        record_change(actor, ChangeLogEntry.Action.CREATE, submission)
    return submission


NOW = object()  # a field stamped with the time the step happens, once its report is locked


def _transition(
    submission: Submission, actor: Actor, allowed_from: set[str], to: str, reason: str = "", **fields
) -> Submission:
    submission = Submission.objects.select_for_update().get(pk=submission.pk)
    now = timezone.now()  # after waiting for the lock: a write that held it came before this step
    if submission.status not in allowed_from:
        raise Conflict(
            f"Bản báo cáo đang ở trạng thái '{submission.get_status_display()}', không thể chuyển",
            f"The submission is '{submission.status}'; it cannot move to '{to}'",
        )
    before = snapshot(submission)
    submission.status = to
    for name, value in fields.items():
        setattr(submission, name, now if value is NOW else value)
    submission.save()
    record_change(actor, ChangeLogEntry.Action.UPDATE, submission, before=before, reason=reason)
    return submission


@transaction.atomic
def submit(*, submission: Submission, user, actor: Actor, at: datetime | None = None) -> Submission:
    """Send the report; `at` is when it was completed at its source (a DHIS2 file's completeDate
    read on the command line), now otherwise."""
    _require(
        _may_report(user, submission.unit, submission.operator),
        "Không có bản báo cáo này",
        "No such submission",
    )
    return _transition(
        submission,
        actor,
        {Submission.Status.DRAFT, Submission.Status.RETURNED},
        Submission.Status.SUBMITTED,
        submitted_at=at or NOW,
        submitted_by=actor.name,
    )


@transaction.atomic
def approve(*, submission: Submission, user, actor: Actor) -> Submission:
    _require(_may_decide(user, submission), "Không có bản báo cáo này", "No such submission")
    return _transition(
        submission,
        actor,
        {Submission.Status.SUBMITTED},
        Submission.Status.APPROVED,
        decided_at=NOW,
        decided_by=actor.name,
    )


def _reason(text: str, what_vi: str, what_en: str) -> str:
    text = (text or "").strip()
    if not text:
        raise UserError(f"Cần ghi lý do {what_vi}", f"Give a reason for {what_en}")
    return text


@transaction.atomic
def return_submission(*, submission: Submission, comment: str, user, actor: Actor) -> Submission:
    _require(_may_decide(user, submission), "Không có bản báo cáo này", "No such submission")
    return _transition(
        submission,
        actor,
        {Submission.Status.SUBMITTED},
        Submission.Status.RETURNED,
        decided_at=NOW,
        decided_by=actor.name,
        comment=_reason(comment, "trả lại", "returning it"),
    )


@transaction.atomic
def reopen(*, submission: Submission, reason: str, user, actor: Actor) -> Submission:
    """Unlock approved data so it can be corrected; the reason stays in the change log."""
    _require(_may_decide(user, submission), "Không có bản báo cáo này", "No such submission")
    return _transition(
        submission,
        actor,
        {Submission.Status.APPROVED},
        Submission.Status.DRAFT,
        comment=_reason(reason, "mở lại", "re-opening it"),
        reason=reason.strip(),
    )


DECISIONS = ("approve", "return", "reopen")


def perform(action: str, *, submission: Submission, comment: str, user, actor: Actor) -> Submission:
    """One step named as the web and API name it: submit, approve, return (comment), reopen (reason)."""
    if action == "submit":
        return submit(submission=submission, user=user, actor=actor)
    if action == "approve":
        return approve(submission=submission, user=user, actor=actor)
    if action == "return":
        return return_submission(submission=submission, comment=comment, user=user, actor=actor)
    if action == "reopen":
        return reopen(submission=submission, reason=comment, user=user, actor=actor)
    raise NotFound(f"Không có thao tác '{action}'", f"No action '{action}'")


def approved_submission_for(
    element: DataElement,
    unit: AdministrativeUnit,
    operator: Operator | None,
    period: str,
    *,
    lock: bool = False,
) -> Submission | None:
    """The approved submission that locks this value, if any (its unit's subtree holds the value).

    With `lock` (inside a write's transaction) every report that could hold the value is locked
    first, as an approval locks its report: an approval then either commits before the check, which
    sees it, or waits for the write to commit."""
    ancestors = [p for p in unit.path.strip("/").split("/") if p]
    candidates = Submission.objects.filter(
        form__elements=element, period=period, unit_id__in=ancestors
    ).filter(Q(operator=operator) if operator else Q(operator__isnull=True))
    if lock:
        locked = candidates.select_for_update(of=("self",)).select_related("form").order_by("pk")
        return next((s for s in locked if s.status == Submission.Status.APPROVED), None)
    return candidates.filter(status=Submission.Status.APPROVED).select_related("form").first()


def lock_reports(*, units: Iterable[AdministrativeUnit], periods: Iterable[str]) -> list[Submission]:
    """Lock every report of these units (or their ancestors) for these periods, whatever its status,
    and return them with their forms' elements: the check of an import's write, made inside its
    transaction, so that an approval cannot commit between the check and the write.

    On PostgreSQL the rows are selected for update (in one order, so parallel imports do not
    deadlock); on SQLite every write transaction begins IMMEDIATE (settings), which serialises it
    with the approval's."""
    ancestors = {int(p) for unit in units for p in unit.path.strip("/").split("/") if p}
    return list(
        Submission.objects.select_for_update(of=("self",))
        .filter(unit_id__in=ancestors, period__in=set(periods))
        .select_related("form", "unit", "operator")
        .prefetch_related("form__elements")
        .order_by("pk")
    )


def reporting_unit(form: ReportForm, unit: AdministrativeUnit) -> AdministrativeUnit:
    """The unit that reports `unit`'s value on `form`: its commune, or the plan's whole area."""
    if form.reporter == ReportForm.Reporter.COMMUNE and unit.level == "village":
        return unit.parent
    if form.reporter == ReportForm.Reporter.COMMUNE:
        return unit
    return form.plan.area_unit


def attach_import(
    *, batch, keys: Iterable[tuple[DataElement, AdministrativeUnit, Operator | None, str]], actor
):
    """Keep an imported file with every report its rows (element, unit, operator, period) belong
    to, opening a draft where none exists (as `get_submission` does, in bulk: a national file
    belongs to tens of thousands of reports). Keys are compared by id: a million rows each name
    the same few forms, operators and periods."""
    forms: dict[int, list[ReportForm]] = {}
    reporters: dict[tuple[int, int], AdministrativeUnit | None] = {}  # (form, unit): who reports it
    reports: dict[tuple, tuple] = {}
    for element, unit, operator, period in keys:
        if element.id not in forms:
            forms[element.id] = list(element.forms.select_related("plan", "plan__area_unit"))
        for form in forms[element.id]:
            if (form.id, unit.id) not in reporters:
                reporter = reporting_unit(form, unit)
                in_area = reporter is not None and unit.path.startswith(reporter.path)
                reporters[form.id, unit.id] = reporter if in_area else None
            reporter = reporters[form.id, unit.id]
            key = (form.id, reporter.id if reporter else None, operator.id if operator else None, period)
            if reporter is not None and key not in reports:
                reports[key] = (form, reporter, operator, period)
    wanted = {}
    for form, reporter, operator, period in reports.values():
        try:
            check_reporter(form, reporter, operator, period)
        except UserError:
            continue  # the value is not part of this form's report (another kind of period or reporter)
        key = (form.pk, reporter.pk, operator.pk if operator else None, parse_period(period).code)
        wanted[key] = (form, reporter, operator, key[3])
    if not wanted:
        return
    submissions = _submissions(wanted)
    missing = [
        Submission(form=form, unit=unit, operator=operator, period=period)
        for key, (form, unit, operator, period) in wanted.items()
        if key not in submissions
    ]
    try:
        with transaction.atomic():
            created = insert_objects(missing)
    except IntegrityError:
        # Someone opened one of these reports meanwhile: open them one by one, as the entry page does.
        created = []
        for form, unit, operator, period in (wanted[k] for k in wanted if k not in submissions):
            submissions[(form.pk, unit.pk, operator.pk if operator else None, period)] = get_submission(
                form=form, unit=unit, operator=operator, period=period, user=COMMAND_LINE, actor=actor
            )
    if any(s.pk is None for s in created):  # backends that do not return primary keys from bulk inserts
        created = [s for k, s in _submissions(wanted).items() if k not in submissions]
    record_changes(actor, ChangeLogEntry.Action.CREATE, created)
    batch.submissions.add(*submissions.values(), *created)


def _submissions(wanted: dict[tuple, tuple]) -> dict[tuple, Submission]:
    """The stored submissions of these (form, unit, operator, period) keys, by key."""
    stored = Submission.objects.filter(
        form_id__in={k[0] for k in wanted},
        unit_id__in={k[1] for k in wanted},
        period__in={k[3] for k in wanted},
    )
    return {key: s for s in stored if (key := (s.form_id, s.unit_id, s.operator_id, s.period)) in wanted}


@dataclass(frozen=True)
class ReportingStatus:
    reporter: str  # the commune's or the operator's name
    code: str
    status: str  # a Submission.Status, or "missing"
    submitted_at: datetime | None
    on_time: bool | None


@dataclass(frozen=True)
class Completeness:
    form: ReportForm
    period: str
    due: date
    rows: list[ReportingStatus]

    @property
    def expected(self) -> int:
        return len(self.rows)

    @property
    def received(self) -> int:
        return sum(r.status in (Submission.Status.SUBMITTED, Submission.Status.APPROVED) for r in self.rows)

    @property
    def on_time(self) -> int:
        return sum(bool(r.on_time) for r in self.rows)

    @property
    def missing(self) -> list[ReportingStatus]:
        return [
            r for r in self.rows if r.status not in (Submission.Status.SUBMITTED, Submission.Status.APPROVED)
        ]


def completeness(*, form: ReportForm, period: str) -> Completeness:
    """Expected, received and on-time reports of a form for a period, with who has not reported."""
    parsed = parse_period(period)
    due = parsed.end + timedelta(days=form.due_days)
    submissions = {(s.unit_id, s.operator_id): s for s in form.submissions.filter(period=parsed.code)}
    area = form.plan.area_unit
    if form.reporter == ReportForm.Reporter.ENTERPRISE:
        expected = [(o.short_name, o.code, (area.pk, o.pk)) for o in form.operators.order_by("short_name")]
    elif form.reporter == ReportForm.Reporter.COMMUNE:
        communes = (
            area.children.filter(level="commune").valid_between(parsed.start, parsed.end).order_by("code")
        )
        expected = [(c.name, c.code, (c.pk, None)) for c in communes]
    else:
        expected = [(area.name, area.code, (area.pk, None))]
    rows = []
    for name, code, key in expected:
        submission = submissions.get(key)
        submitted_at = submission.submitted_at if submission else None
        rows.append(
            ReportingStatus(
                reporter=name,
                code=code,
                status=submission.status if submission else "missing",
                submitted_at=submitted_at,
                on_time=(timezone.localtime(submitted_at).date() <= due) if submitted_at else None,
            )
        )
    return Completeness(form=form, period=parsed.code, due=due, rows=rows)
