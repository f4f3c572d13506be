"""Everything the results report says, gathered once from the data, for every output format."""

from dataclasses import dataclass, field
from datetime import date

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from hatangso.analytics.engine import Evaluation
from hatangso.analytics.selectors import PlanReading
from hatangso.analytics.selectors import scorecard as current_scorecard
from hatangso.analytics.services import Scorecard
from hatangso.analytics.status import Status
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import communes_in_force
from hatangso.plans.models import Agency, Plan, PlanItem
from hatangso.reports.models import ReportText
from hatangso.utilities.numbers import format_date
from hatangso.utilities.periods import Period, parse_period, trend_periods
from hatangso.workplan.models import ProgressUpdate, Task
from hatangso.workplan.services import apply_update

SOURCE_NAMES = {
    "values": "số liệu báo cáo",
    "registry": "cơ sở dữ liệu hạ tầng",
    "geography": "danh mục đơn vị hành chính",
    "measurements": "số liệu đo tốc độ và vùng phủ",
}


@dataclass(frozen=True)
class TaskLine:
    number: str
    kind: str
    text: str
    lead: str
    coordinating: str
    due_date: date | None
    state_code: str  # Task.state(): not_started, in_progress, done, cancelled, waiting, overdue
    state: str
    progress: int
    evidence: str  # what the accepted updates say, with their evidence files counted
    evidence_files: int = 0
    updates: int = 0


@dataclass(frozen=True)
class GoalLine:
    """A qualitative target of the plan (a `goal` item with no indicator): reported by its state."""

    number: str
    text: str
    status: Status
    note: str


@dataclass
class ReportContent:
    plan: Plan
    unit: object
    period: Period
    report_date: date
    settings: dict
    scorecard: Scorecard
    communes: list[tuple[object, dict[str, Evaluation]]]
    trend: list[tuple[str, dict[str, Evaluation]]]
    tasks: list[TaskLine]
    texts: dict[str, str]
    synthetic: bool
    counts: dict[str, int] = field(default_factory=dict)
    goals: list[GoalLine] = field(default_factory=list)
    # The appendix's group rows: each district of a province report with its own results.
    districts: dict[int, dict[str, Evaluation]] = field(default_factory=dict)

    @property
    def evaluations(self) -> list[Evaluation]:
        return self.scorecard.evaluations

    @property
    def commune_document(self) -> bool:
        return commune_document(self.plan, self.unit)

    @property
    def appendix(self) -> bool:
        """A province's communes are too many for the body: their table is an appendix (Phụ lục)."""
        return self.unit.level == AdministrativeUnit.Level.PROVINCE


def commune_document(plan: Plan, unit) -> bool:
    """A commune's report of a plan above it (the district's, the province's) is the commune's own
    document, issued by its UBND to the plan's owner; a commune plan's report is the plan's."""
    return unit.level == AdministrativeUnit.Level.COMMUNE and unit.pk != plan.area_unit_id


def appendix_rows(content: "ReportContent") -> list[tuple[int | None, object, dict[str, Evaluation]]]:
    """The appendix's rows: the area's own results, then each district's (number None) followed by
    its communes, numbered."""
    rows = [(None, content.unit, {e.indicator.code: e for e in content.evaluations})]
    communes = sorted(content.communes, key=lambda pair: (pair[0].parent.code, pair[0].code))
    district = None
    for number, (commune, results) in enumerate(communes, start=1):
        if commune.parent_id in content.districts and commune.parent_id != district:
            district = commune.parent_id
            rows.append((None, commune.parent, content.districts[district]))
        rows.append((number, commune, results))
    return rows


def _commune_settings(plan: Plan, unit) -> dict:
    """The header, signature and recipients a commune's UBND puts on its own report (NĐ 30/2020,
    Phụ lục I): ỦY BAN NHÂN DÂN over the commune's name, Số: …/BC-UBND, the commune's name as địa
    danh, TM. ỦY BAN NHÂN DÂN / CHỦ TỊCH; sent to whom the plan asks its reports to go."""
    name = unit.name[0].lower() + unit.name[1:]  # "phường Tứ Hạ"
    place = unit.name.removeprefix(unit.type_name).strip() if unit.type_name else unit.name
    owner = plan.report_to or _plan_settings(plan)["issuer_name"]
    return {
        "parent_body": "",
        "issuing_body": f"ỦY BAN NHÂN DÂN\n{unit.name.upper()}",
        "issuer_name": f"UBND {name}",
        "symbol": "BC-UBND",
        "place": place,
        "signature": {"authority": "TM. ỦY BAN NHÂN DÂN", "delegation": "", "title": "CHỦ TỊCH", "name": ""},
        "recipients": [owner, "Lưu: VT"],
    }


def _settings(plan: Plan, unit) -> dict:
    return _commune_settings(plan, unit) if commune_document(plan, unit) else _plan_settings(plan)


def _plan_settings(plan: Plan) -> dict:
    """The plan file's `report:` section, with the plan's own header where it is silent."""
    given = plan.report_settings or {}
    signature = given.get("signature") or {}
    if not any(signature.values()):  # the plan's own signer signs its report (TM. ỦY BAN NHÂN DÂN …)
        signature = {**(plan.signature or {}), "name": ""}
    return {
        "parent_body": given.get("parent_body") or "",
        "issuing_body": given.get("issuing_body") or (plan.issuer_full or plan.issuer).upper(),
        "issuer_name": given.get("issuer_name") or plan.issuer,
        "symbol": given.get("symbol") or "BC",
        "place": given.get("place") or plan.place,
        "signature": {k: signature.get(k, "") for k in ("authority", "delegation", "title", "name")},
        "recipients": given.get("recipients") or ["Lưu: VT"],
    }


def _as_of(task: Task, accepted: list[ProgressUpdate], day: date) -> Task:
    """The task as it stood on `day`: when updates done after that day were accepted since, its
    status and progress are replayed from the updates done by then, the way accepting them set
    them (`workplan.services.apply_update`); otherwise the task as it is. Never saved."""
    if not any(u.done_on > day for u in accepted):
        return task
    task.status, task.progress = Task.Status.NOT_STARTED, 0
    for update in sorted((u for u in accepted if u.done_on <= day), key=lambda u: (u.done_on, u.created_at)):
        apply_update(task, update)
    return task


def _task_lines(plan: Plan, day: date, communes_only: bool = False) -> list[TaskLine]:
    """Each task as of the report date, with the accepted updates done by then as evidence;
    `communes_only`, the tasks the communes' UBND lead or take part in (a commune's own report)."""
    lines = []
    tasks = Task.objects.filter(item__plan=plan)
    if communes_only:
        communes = Agency.Kind.COMMUNE_COMMITTEE
        joined = PlanItem.objects.filter(coordinating__kind=communes).values("pk")
        tasks = tasks.filter(Q(item__lead__kind=communes) | Q(item__in=joined))
    tasks = tasks.select_related("item__lead", "item__condition").order_by("item__order")
    for task in tasks.prefetch_related("updates__evidence", "item__coordinating"):
        accepted = [u for u in task.updates.all() if u.decision == ProgressUpdate.Decision.ACCEPTED]
        task = _as_of(task, accepted, day)
        accepted = [u for u in accepted if u.done_on <= day]
        evidence = "; ".join(
            f"{u.done_on:%d/%m/%Y}: {u.text}"
            + (f" ({len(u.evidence.all())} tệp minh chứng)" if u.evidence.all() else "")
            for u in accepted
        )
        item = task.item
        lines.append(
            TaskLine(
                number=item.number,
                kind=item.get_kind_display(),
                text=item.text,
                lead=item.lead.name if item.lead_id else "",
                coordinating="; ".join(a.name for a in item.coordinating.all()),
                due_date=task.due_date,
                state_code=task.state(day),
                state=task.state_label(day),
                progress=task.progress,
                evidence=evidence,
                evidence_files=sum(len(u.evidence.all()) for u in accepted),
                updates=len(accepted),
            )
        )
    return lines


def _goal_lines(plan: Plan, tasks: list[TaskLine]) -> list[GoalLine]:
    """The plan's qualitative targets, each judged by `goal_state` from its condition and the
    tasks the plan file links to it, as of the report date (`tasks`: every task of the plan)."""
    by_number = {line.number: line for line in tasks}
    goals = plan.items.filter(kind=PlanItem.Kind.GOAL, indicators__isnull=True).select_related("condition")
    lines = []
    for item in goals.prefetch_related("delivered_by").order_by("order"):
        linked = [by_number[i.number] for i in sorted(item.delivered_by.all(), key=lambda i: i.order)]
        status, note = goal_state(item.condition, linked)
        lines.append(GoalLine(number=item.number, text=item.text, status=status, note=note))
    return lines


def goal_state(condition, tasks: list[TaskLine]) -> tuple[Status, str]:
    """A qualitative target's rating and the note that says where it comes from. A condition that
    has not come true (the owner's record, `plan condition`) decides: not carried out. Otherwise
    its tasks do: all done with accepted evidence, achieved; any overdue, or some still open, not
    achieved (the note counts them); all cancelled or waiting, not carried out. Without linked
    tasks the lead agency assesses it (no information yet)."""
    if condition is not None and not condition.met:
        return Status.NOT_APPLICABLE, f"chưa thực hiện ({condition.text})"
    if not tasks:
        return Status.NO_DATA, "mục tiêu định tính, cơ quan chủ trì đánh giá"
    unproven = "hoàn thành (chưa có minh chứng)"
    counts: dict[str, int] = {}
    for line in tasks:
        label = unproven if line.state_code == "done" and not line.updates else line.state.lower()
        counts[label] = counts.get(label, 0) + 1
    numbers = ", ".join(line.number for line in tasks)
    tally = ", ".join(f"{n} {label}" for label, n in counts.items())
    note = f"theo {len(tasks)} nhiệm vụ ({numbers}): {tally}"
    states = {line.state_code for line in tasks if line.state_code != "cancelled"}
    if "overdue" in states:
        return Status.NOT_ACHIEVED, note
    if states <= {"waiting"}:
        return Status.NOT_APPLICABLE, note
    if states == {"done"} and unproven not in counts:
        return Status.ACHIEVED, note
    return Status.NOT_ACHIEVED, note


def deadline_warning(plan: Plan, report_date: date) -> str | None:
    """Said to the owner (command line, report page), never printed in the document: a report
    dated after the plan's deadline shows every unfinished task as overdue."""
    deadline = plan.report_deadline
    if deadline is None or report_date <= deadline:
        return None
    return _(
        "Ngày báo cáo %(day)s sau hạn báo cáo %(deadline)s của kế hoạch: các nhiệm vụ chưa hoàn thành "
        "đều ghi là quá hạn; chọn ngày báo cáo không muộn hơn %(deadline)s nếu đây là báo cáo đúng hạn."
    ) % {"day": format_date(report_date), "deadline": format_date(deadline)}


def report_communes(unit, period: Period, as_of: date | None = None):
    """The communes a report lists: those of the unit's territory valid in the period (a province's
    through its districts), or — `as_of` a later day — those in force that day (after 2025 the
    communes are merged); never the unit itself."""
    if as_of is None:
        communes = AdministrativeUnit.objects.filter(
            path__startswith=unit.path, level=AdministrativeUnit.Level.COMMUNE
        ).valid_between(period.start, period.end)
    else:
        communes = communes_in_force(unit, as_of)
    return communes.exclude(pk=unit.pk).select_related("parent").order_by("code")


def gather(
    *, plan: Plan, unit, period: Period, report_date: date | None = None, as_of: date | None = None
) -> ReportContent:
    reading = PlanReading.of(plan)
    scorecard = current_scorecard(plan=plan, unit=unit, period=period, reading=reading)

    def results(of) -> dict[str, Evaluation]:
        card = current_scorecard(plan=plan, unit=of, period=period, reading=reading)
        return {e.indicator.code: e for e in card.evaluations}

    communes = [(commune, results(commune)) for commune in report_communes(unit, period, as_of)]
    districts = {}
    if unit.level == AdministrativeUnit.Level.PROVINCE:
        parents = {c.parent for c, __ in communes if c.parent.level == AdministrativeUnit.Level.DISTRICT}
        districts = {district.pk: results(district) for district in parents}
    today = timezone.localdate()
    trend = [
        (
            code,
            {
                e.indicator.code: e
                for e in current_scorecard(
                    plan=plan, unit=unit, period=parse_period(code), reading=reading
                ).evaluations
            },
        )
        for code in trend_periods(period, today)
    ]
    texts = dict(
        ReportText.objects.filter(plan=plan, period=period.code, unit=unit).values_list("section", "text")
    )
    # A commune's own report lists its part of the tasks; the goals are judged by all of them.
    plan_tasks = _task_lines(plan, report_date or today)
    tasks = plan_tasks
    if commune_document(plan, unit):
        tasks = _task_lines(plan, report_date or today, communes_only=True)
    counts = dict.fromkeys(Status, 0)
    for evaluation in scorecard.evaluations:
        counts[evaluation.status] += 1
    return ReportContent(
        plan=plan,
        unit=unit,
        period=period,
        report_date=report_date or today,
        settings=_settings(plan, unit),
        scorecard=scorecard,
        communes=communes,
        trend=trend,
        tasks=tasks,
        texts=texts,
        goals=_goal_lines(plan, plan_tasks),
        synthetic=scorecard.synthetic or unit.synthetic,
        counts=counts,
        districts=districts,
    )
