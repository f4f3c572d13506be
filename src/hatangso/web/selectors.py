"""Reads for the dashboard (the home page of a logged-in user): the plan's indicators with their
trend, the tasks by state, reporting completeness, the latest incident reports and the report
downloads, for a period and a unit — through the user's scope."""

import textwrap
from dataclasses import dataclass, replace
from datetime import date, timedelta
from decimal import Decimal

from django.core.cache import cache
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from hatangso.analytics.engine import PlanTargets
from hatangso.analytics.models import IndicatorResult
from hatangso.analytics.publishing import newer_data
from hatangso.analytics.scoreboard import CACHE_SECONDS, Entry, scoreboard
from hatangso.analytics.selectors import IndicatorDetail, indicator_detail, live_publication
from hatangso.analytics.status import Status
from hatangso.collection.entry import entry_cards
from hatangso.collection.models import Submission
from hatangso.collection.selectors import reviewable_submissions
from hatangso.collection.workflow import completeness
from hatangso.core.models import ChangeLogEntry, Role
from hatangso.core.scoping import may_manage_plan, scope_for
from hatangso.geography.models import AdministrativeUnit, UnitSuccession
from hatangso.geography.selectors import (
    Unlinked,
    children_of,
    communes_in_force,
    predecessors,
    unlinked_reorganisation,
)
from hatangso.plans.models import Plan
from hatangso.plans.selectors import plans_for
from hatangso.reports.access import may_download_report
from hatangso.reports.services import FORMATS
from hatangso.utilities.errors import NotFound
from hatangso.utilities.numbers import format_date
from hatangso.utilities.periods import Period, parse_period, period_codes, period_label
from hatangso.workplan.models import Incident, Task
from hatangso.workplan.selectors import incident_list, own_agency_code, task_list

LATEST_INCIDENTS = 5


@dataclass(frozen=True)
class Choice:
    """What the dashboard shows: a period, the units (those of the period, or those in force on
    `as_of` after a reorganisation) and one of them (or the plan's whole area)."""

    plan: Plan
    period: Period
    as_of: date | None
    unit: AdministrativeUnit
    units: list[AdministrativeUnit]  # the communes to switch to
    periods: list[str]  # the periods to switch to
    as_of_days: list[date]  # the reorganisations after the period (post-2025 units)
    # A reorganisation after the period that the dashboard cannot show: no crosswalk is loaded.
    unlinked: Unlinked | None = None

    @property
    def is_area(self) -> bool:
        return self.unit.pk == self.plan.area_unit_id


def dashboard_periods(plan: Plan, today: date | None = None) -> list[str]:
    """The plan's period, the quarters of its year that have begun, and the year before: the
    periods the report compares (and the engine computes); for a multi-year plan also its later
    years that have begun, each compared with that year's target."""
    today = today or timezone.localdate()
    year = parse_period(plan.period).start.year
    quarters = [code for code in period_codes("quarterly", year) if parse_period(code).start <= today]
    later = [str(y) for y in range(year + 1, (plan.end_year or year) + 1) if date(y, 1, 1) <= today]
    return list(dict.fromkeys([plan.period, str(year), *quarters, *later, str(year - 1)]))


def reorganisation_days(plan: Plan, period: Period) -> list[date]:
    """The days after the period on which units of the plan's area were merged or split."""
    days = UnitSuccession.objects.filter(
        predecessor__path__startswith=plan.area_unit.path, effective__gt=period.end
    ).values_list("effective", flat=True)
    return sorted(set(days))


def dashboard_units(plan: Plan, period: Period, as_of: date | None) -> list[AdministrativeUnit]:
    """The area's communes valid in the period, or — `as_of` a later day — the communes in force
    that day on the area's territory (after 2025 the district is gone and communes are merged)."""
    area = plan.area_unit
    if as_of is None:
        return list(children_of(area, start=period.start, end=period.end))
    return list(communes_in_force(area, as_of))


def dashboard_choice(plan: Plan, *, period: str = "", unit: str = "", as_of: str = "") -> Choice:
    """The choice the query asks for; NotFound for a period, unit or day the dashboard does not offer."""
    periods = dashboard_periods(plan)
    code = (period or plan.period).strip().upper()
    if code not in periods:
        raise NotFound(f"Bảng điều khiển không có kỳ '{code}'", f"The dashboard has no period '{code}'")
    parsed = parse_period(code)
    days = reorganisation_days(plan, parsed)
    day = None
    if as_of:
        day = next((d for d in days if d.isoformat() == as_of.strip()), None)
        if day is None:
            raise NotFound(
                f"Không có đợt sắp xếp đơn vị ngày '{as_of}'", f"No reorganisation of units on '{as_of}'"
            )
    units = dashboard_units(plan, parsed, day)
    chosen = plan.area_unit
    if unit and unit.strip() != plan.area_unit.code:
        chosen = next((u for u in units if u.code == unit.strip()), None)
        if chosen is None:
            raise NotFound(f"Không có đơn vị mã '{unit}' ở đây", f"No unit with code '{unit}' here")
    return Choice(plan=plan, period=parsed, as_of=day, unit=chosen, units=units, periods=periods,
                  as_of_days=days,
                  unlinked=unlinked_reorganisation(plan.area_unit, after=parsed.end))  # fmt: skip


def reads_figures(user, unit: AdministrativeUnit, plan: Plan) -> bool:
    """Whether the user may see a unit's indicator results (value, rating, trend) and their
    numerators and denominators: the scope's rule, and for a unit formed by a reorganisation, the
    rule for every unit it was formed from.

    A commune's results are computed from its own reports, approved or still a draft, so they are
    its figures: the area's roles and the commune itself see them; another commune, an operator or
    an account without a role does not (README, *Roles and scope*). The plan's whole area is the
    published aggregate: everyone logged in sees it."""
    scope = scope_for(user)
    if scope.reads_figures(unit, plan):
        return True
    formed_from = [u for u in predecessors(unit) if u.level == unit.level]
    return bool(formed_from) and all(scope.reads_figures(u, plan) for u in formed_from)


@dataclass(frozen=True)
class ChildRow:
    """An area below the unit on an indicator page: its result against its own target, and the
    child plan that covers it, where there is one the user may open."""

    unit: AdministrativeUnit
    result: IndicatorResult | None  # None: not computed, or not shown to the user
    target: Decimal
    hidden: bool
    child_plan: Plan | None


# The orders of the children's table (`?sort=`); the default puts the worst first.
CHILD_ORDERS = {
    "worst": _("Chưa đạt, xa chỉ tiêu nhất trước"),
    "best": _("Đạt, vượt nhiều nhất trước"),
    "value": _("Giá trị tăng dần"),
    "-value": _("Giá trị giảm dần"),
    "name": _("Tên đơn vị"),
}
# Worst first: not achieved (farthest from the target first), then no data, not applicable, achieved.
_SEVERITY = {Status.NOT_ACHIEVED: 0, Status.NO_DATA: 1, Status.NOT_APPLICABLE: 2, Status.ACHIEVED: 3}


@dataclass(frozen=True)
class Children:
    rows: list[ChildRow]  # sorted and filtered as asked
    total: int  # the areas whose results the user sees
    achieved: int  # … of which achieved their own target
    sort: str
    status: str  # the status filtered on, "" for all
    counts: list[tuple[str, str, int]]  # per status: its value, label and count, for the filter


def _shortfall(row: ChildRow, comparison: str) -> float:
    """How far the value is on the wrong side of the target (negative: on the right side)."""
    gap = float(row.target) - row.result.value
    return -gap if comparison in ("<", "<=") else gap


def _sorted_children(rows: list[ChildRow], sort: str, comparison: str) -> list[ChildRow]:
    def worst(row: ChildRow) -> tuple:
        if row.hidden or row.result is None:
            return (len(_SEVERITY), 0.0, row.unit.code)
        status = Status(row.result.status)
        shortfall = _shortfall(row, comparison) if row.result.value is not None else 0.0
        return (_SEVERITY[status], -shortfall, row.unit.code)

    def value(row: ChildRow) -> tuple:
        known = row.result is not None and row.result.value is not None
        return (not known, row.result.value if known else 0.0, row.unit.code)

    if sort == "name":
        return sorted(rows, key=lambda r: r.unit.name)
    if sort in ("value", "-value"):
        known = sorted((r for r in rows if value(r)[0] is False), key=value, reverse=sort == "-value")
        return known + [r for r in rows if value(r)[0] is True]  # areas without a value last either way
    ordered = sorted(rows, key=worst)
    if sort == "best":
        shown = [r for r in ordered if not r.hidden and r.result is not None]
        return shown[::-1] + [r for r in ordered if r.hidden or r.result is None]
    return ordered


def children_table(user, plan: Plan, detail: IndicatorDetail, hidden: set[int], *, sort: str, status: str):
    """The areas below the unit with their own targets and results, sorted (`sort`, one of
    CHILD_ORDERS) and filtered by status (`status`, "" for all); NotFound for any other value."""
    if sort not in CHILD_ORDERS:
        raise NotFound(f"Không có cách sắp xếp '{sort}'", f"No sort order '{sort}'")
    if status and status not in Status.values:
        raise NotFound(f"Không có đánh giá '{status}'", f"No status '{status}'")
    code = detail.indicator.code
    # The child plan of an area whose years include the period's; the newest wins (a dict keeps the last).
    year = parse_period(plan.period).start.year
    covering = (
        plans_for(user)
        .filter(parent=plan, indicators__code=code, year__lte=year)
        .alias(last_year=Coalesce("end_year", "year"))
        .filter(last_year__gte=year)
        .order_by("year")
    )
    child_plans = {p.area_unit_id: p for p in covering}
    rows = [
        ChildRow(unit=c, result=r, target=detail.targets[c.pk], hidden=c.pk in hidden,
                 child_plan=child_plans.get(c.pk))
        for c, r in detail.communes
    ]  # fmt: skip
    seen = [r for r in rows if not r.hidden and r.result is not None]
    counts = {s: sum(r.result.status == s for r in seen) for s in Status}
    if status:
        rows = [r for r in seen if r.result.status == status]
    return Children(
        rows=_sorted_children(rows, sort, detail.indicator.comparison),
        total=len(seen),
        achieved=counts[Status.ACHIEVED],
        sort=sort,
        status=status,
        counts=[(s.value, s.label, n) for s, n in counts.items()],
    )


@dataclass(frozen=True)
class IndicatorPage:
    detail: IndicatorDetail
    trend: list[tuple[str, Entry | None]]
    stamp: str  # the version of the results, for the charts' cache
    shown: bool  # whether the unit's own results are shown to the user (reads_figures)
    hidden: set[int]  # the communes whose results are not shown to the user
    children: Children
    path: list[tuple[int, Decimal]]  # a multi-year plan's target per year for the unit
    parent_plan: Plan | None  # the parent plan with the same indicator, when the user may open it


def indicator_page(
    user, *, plan: Plan, code: str, unit: AdministrativeUnit, sort: str = "worst", status: str = "",
    period: str = "",
) -> IndicatorPage:
    """The indicator page of a unit for a period the dashboard offers (default the plan's): the
    detail, the areas below with their own targets (`children_table`), the trend, the plan's path
    of targets and its parent plan, without the results of any unit whose figures the user may not
    read (reads_figures)."""
    period = (period or plan.period).strip().upper()
    if period not in dashboard_periods(plan):
        raise NotFound(f"Chỉ tiêu không có kỳ '{period}'", f"The indicator has no period '{period}'")
    detail = indicator_detail(user, plan=plan, code=code, unit=unit, period=period)
    hidden = {c.pk for c, _ in detail.communes if not reads_figures(user, c, plan)}
    shown = reads_figures(user, unit, plan)
    detail = replace(detail, communes=[(c, None if c.pk in hidden else r) for c, r in detail.communes])
    children = children_table(user, plan, detail, hidden, sort=sort, status=status)
    targets = PlanTargets(plan)
    years = range(plan.year, plan.end_year + 1) if plan.end_year else ()
    path = [(year, targets.target(detail.indicator, unit, year)) for year in years]
    parent_plan = (
        plans_for(user).filter(pk=plan.parent_id, indicators__code=code).first() if plan.parent_id else None
    )
    page = dict(hidden=hidden, children=children, path=path, parent_plan=parent_plan)
    if not shown:
        detail = replace(detail, result=None, lineage=[], inputs=[], inputs_total=0)
        return IndicatorPage(detail=detail, trend=[], stamp="", shown=False, **page)
    board = scoreboard(plan=plan, unit=unit, period=period)
    return IndicatorPage(detail=detail, trend=board.trend(code), stamp=board.stamp, shown=True, **page)


@dataclass(frozen=True)
class Tile:
    indicator: object
    entry: Entry | None
    status_label: str
    trend: list[tuple[str, Entry | None]]


def _completeness(plan: Plan, period: Period, today: date, stamp: str) -> list[dict]:
    """Per form: reports expected, received and on time over the form's periods in `period` that
    have begun; cached under the scoreboard's `stamp`, which changes with the next write
    (submitting or approving writes a change-log row, a new data version)."""
    key = f"hatangso:completeness:{plan.pk}:{period.code}:{today}:{stamp}"
    rows = cache.get(key)
    if rows is not None:
        return rows
    rows = []
    for form in plan.forms.order_by("order", "code"):
        codes = [
            code
            for code in period_codes(form.period_type, period.start.year)
            if (p := parse_period(code)).start <= period.end and p.end >= period.start and p.start <= today
        ]
        parts = [completeness(form=form, period=code) for code in codes]
        rows.append({
            "form": form.name,
            "period_type": form.get_period_type_display(),
            "periods": codes,
            "expected": sum(p.expected for p in parts),
            "received": sum(p.received for p in parts),
            "on_time": sum(p.on_time for p in parts),
        })  # fmt: skip
    cache.set(key, rows, CACHE_SECONDS)
    return rows


def dashboard(user, choice: Choice) -> dict:
    """Everything the dashboard shows for the user and the choice."""
    plan, unit, today = choice.plan, choice.unit, timezone.localdate()
    board = scoreboard(plan=plan, unit=unit, period=choice.period.code)
    figures = reads_figures(user, unit, plan)  # another commune's results are not shown at all
    tiles = []
    for indicator in plan.indicators.select_related("condition").order_by("order"):
        entry = board.entries.get(indicator.code) if figures else None
        trend = board.trend(indicator.code) if figures else []
        label = Status(entry.status).label if entry else ""
        tiles.append(Tile(indicator=indicator, entry=entry, status_label=label, trend=trend))
    counts = dict.fromkeys(Task.STATES, 0)
    for task in task_list(user, plan=plan).prefetch_related(None):  # the states need no agencies
        counts[task.state(today)] += 1
    incidents = incident_list(user).order_by("-created_at")
    return {
        "tiles": tiles,
        "stamp": board.stamp,  # the version of the results, for the page's fragment cache
        "computed_at": board.computed_at,
        "data_version": board.data_version,
        "synthetic": board.synthetic,
        "trend_periods": tiles[0].trend and [code for code, _ in tiles[0].trend] if tiles else [],
        "figures": figures,
        "tasks": [(state, Task.STATES[state], count) for state, count in counts.items()],
        "tasks_total": sum(counts.values()),
        "completeness": _completeness(plan, choice.period, today, board.stamp),
        "incidents": list(incidents[:LATEST_INCIDENTS]),
        "incidents_total": incidents.count(),
        # The report API reads units valid in the period: none for the post-reorganisation view.
        "report_formats": FORMATS if choice.as_of is None and may_download_report(user, unit) else (),
    }


# --- the day's work ("việc cần làm") on the home page, per role --------------------------------------

TODO_ITEMS = 8  # the most shown per list; the list's own page has the rest
CLOSED_INCIDENTS = (Incident.Status.RESOLVED, Incident.Status.REJECTED)


@dataclass(frozen=True)
class TodoItem:
    text: str
    href: str
    note: str = ""  # a second line: a deadline, a reviewer's comment, a state
    late: bool = False


@dataclass(frozen=True)
class TodoList:
    key: str  # names the list in the page (its id), never shown
    title: str
    items: list[TodoItem]
    total: int
    empty: str  # what the list says when there is nothing to do
    more: str = ""  # the address of the whole list


def _due_note(due: date, today: date) -> tuple[str, bool]:
    late = due < today
    text = _("quá hạn từ %(day)s") if late else _("hạn nộp %(day)s")
    return str(text) % {"day": format_date(due)}, late


def _day(moment) -> str:
    return format_date(timezone.localtime(moment).date())


def _my_reports(user, today: date) -> list[TodoList]:
    """A reporter's (commune's or operator's) entries not yet sent, the soonest deadline first, and
    those returned to it with the reviewer's comment."""
    pending, returned = [], []
    for card in entry_cards(user, today):
        for period_entry in card.entries:
            reports, code = period_entry.reports, period_entry.period.code
            href = reverse("entry-form", args=[period_entry.opener.form.pk, code])
            href += f"?r={period_entry.opener.index}"
            names = " · ".join(dict.fromkeys(r.form.name for r in reports))
            text = f"{period_label(code)} · {card.reporter.label} — {names}"
            for r in reports:
                if r.submission and r.submission.status == Submission.Status.RETURNED:
                    comment = _("Ý kiến của người duyệt: %(c)s") % {"c": r.submission.comment}
                    returned.append(TodoItem(text=text, href=href, note=comment, late=True))
            # The reports of this entry still to send (one figure may serve two plans' reports, one
            # approved, the other not sent yet): their deadline and state are what is to do.
            draft = Submission.Status.DRAFT
            to_send = [r for r in reports if not r.submission or r.submission.status == draft]
            if not to_send:
                continue
            due = min(period_entry.period.end + timedelta(days=r.form.due_days) for r in to_send)
            note, late = _due_note(due, today)
            shown = next((r.submission for r in to_send if r.submission), None)
            label = shown.get_status_display() if shown else _("Chưa báo cáo")
            pending.append((due, TodoItem(text=text, href=href, note=f"{label} · {note}", late=late)))
    pending.sort(key=lambda pair: pair[0])
    entries = reverse("entry-list")
    return [
        TodoList(
            key="bao-cao",
            title=_("Báo cáo cần nhập và gửi"),
            items=[item for _, item in pending][:TODO_ITEMS],
            total=len(pending),
            empty=_("Không có báo cáo nào đang chờ bạn nhập."),
            more=entries,
        ),
        TodoList(
            key="tra-lai",
            title=_("Báo cáo bị trả lại"),
            items=returned[:TODO_ITEMS],
            total=len(returned),
            empty=_("Không có báo cáo nào bị trả lại."),
            more=entries,
        ),
    ]


def _incidents_to_handle(user) -> TodoList:
    open_ones = incident_list(user).exclude(status__in=CLOSED_INCIDENTS).order_by("created_at")
    triage = reverse("incident-triage")
    items = [
        TodoItem(
            text=f"#{i.pk} · {i.get_category_display()}",
            href=f"{triage}#phan-anh-{i.pk}",
            note=" · ".join(filter(None, [i.get_status_display(), i.address, i.unit and i.unit.name])),
        )
        for i in open_ones[:TODO_ITEMS]
    ]
    return TodoList(
        key="phan-anh",
        title=_("Phản ánh cần xử lý"),
        items=items,
        total=open_ones.count(),
        empty=_("Không có phản ánh nào đang chờ bạn xử lý."),
        more=triage,
    )


def _registry_changes(user) -> TodoList:
    changes = ChangeLogEntry.objects.filter(user=user, object_type__startswith="registry.").order_by("-time")
    registry = reverse("registry-stations")
    items = [
        TodoItem(text=f"{c.get_action_display()} · {c.object_repr}", href=registry, note=_day(c.time))
        for c in changes[:TODO_ITEMS]
    ]
    return TodoList(
        key="ha-tang",
        title=_("Thay đổi hạ tầng của bạn gần đây"),
        items=items,
        total=changes.count(),
        empty=_("Bạn chưa thay đổi hạ tầng nào trên trang."),
        more=registry,
    )


def _task_items(user, plan: Plan, today: date, *, agency: str, late_only: bool) -> list[TodoItem]:
    """Tasks not done yet (of one agency), the soonest deadline first; or only the late ones."""
    rows = []
    for task in task_list(user, plan=plan, agency=agency or None):
        state = task.state(today)
        if state == "done" or (late_only and state != "overdue"):
            continue
        note = str(Task.STATES[state])
        if task.due_date:
            note = f"{note} · {_('hạn')} {format_date(task.due_date)}"
        item = TodoItem(
            text=f"{task.item.number} {textwrap.shorten(task.item.text, 140, placeholder=' …')}",  # at a word
            href=reverse("task-detail", args=[plan.slug, task.pk]),
            note=note,
            late=state == "overdue",
        )
        rows.append((task.due_date or date.max, item))
    rows.sort(key=lambda pair: pair[0])
    return [item for _, item in rows]


def _agency_tasks(user, plan: Plan, today: date, agency: str) -> TodoList:
    items = _task_items(user, plan, today, agency=agency, late_only=False)
    return TodoList(
        key="nhiem-vu",
        title=_("Nhiệm vụ của cơ quan bạn"),
        items=items[:TODO_ITEMS],
        total=len(items),
        empty=_("Cơ quan bạn không còn nhiệm vụ nào đang mở."),
        more=reverse("task-board", args=[plan.slug]),
    )


def _late_tasks(user, plan: Plan, today: date) -> TodoList:
    items = _task_items(user, plan, today, agency="", late_only=True)
    return TodoList(
        key="nhiem-vu-tre",
        title=_("Nhiệm vụ quá hạn"),
        items=items[:TODO_ITEMS],
        total=len(items),
        empty=_("Không có nhiệm vụ nào quá hạn."),
        more=reverse("task-board", args=[plan.slug]) + "?state=overdue&agency=",
    )


def _late_reporters(plan: Plan, today: date) -> TodoList:
    """Each form and period past its deadline with who has not reported yet, the latest deadline first."""
    review = reverse("review-list", args=[plan.slug])
    years = range(plan.year, (plan.end_year or plan.year) + 1)
    late = []
    for form in plan.forms.order_by("order", "code"):
        for code in (c for year in years for c in period_codes(form.period_type, year)):
            due = parse_period(code).end + timedelta(days=form.due_days)
            if due < today and (missing := completeness(form=form, period=code).missing):
                late.append((due, form, code, missing))
    late.sort(key=lambda row: row[0], reverse=True)  # stable: the forms' order within a day
    items = []
    for _due, form, code, missing in late[:TODO_ITEMS]:
        names = ", ".join(r.reporter for r in missing[:6]) + ("…" if len(missing) > 6 else "")
        note = _("%(n)d đơn vị chưa báo cáo: %(names)s") % {"n": len(missing), "names": names}
        href = f"{review}?form={form.pk}&period={code}"
        items.append(TodoItem(text=f"{form.name} · {period_label(code)}", href=href, note=note, late=True))
    return TodoList(
        key="tre-han",
        title=_("Kỳ báo cáo trễ hạn"),  # a form and period each, with the units that have not reported
        items=items,
        total=len(late),
        empty=_("Không có kỳ báo cáo nào trễ hạn."),
    )


def _stale_publication(plan: Plan) -> TodoList:
    publish = reverse("publish", args=[plan.slug])
    publication = live_publication(plan=plan)
    items = []
    if publication is not None and newer_data(publication):
        text = _("Kết quả %(period)s đã công bố ngày %(day)s; số liệu đã thay đổi sau đó.") % {
            "period": period_label(publication.period),
            "day": _day(publication.published_at),
        }
        items.append(TodoItem(text=text, href=publish, note=_("Xem lại và công bố lại")))
    return TodoList(
        key="cong-bo",
        title=_("Kết quả công bố"),
        items=items,
        total=len(items),
        empty=_("Kết quả đã công bố vẫn đúng với số liệu hiện có."),
        more=publish,
    )


def _owner_lists(user, plan: Plan, today: date) -> list[TodoList]:
    waiting = reviewable_submissions(user, plan).filter(status=Submission.Status.SUBMITTED)
    waiting_items = [
        TodoItem(
            text=f"{s.operator or s.unit.name} · {period_label(s.period)}",
            href=reverse("review-submission", args=[s.pk]),
            note=s.form.name,
        )
        for s in waiting.order_by("submitted_at")[:TODO_ITEMS]
    ]
    new = incident_list(user).filter(status=Incident.Status.NEW).order_by("-created_at")
    triage = reverse("incident-triage")
    new_items = [
        TodoItem(
            text=f"#{i.pk} · {i.get_category_display()}",
            href=triage,
            note=" · ".join(filter(None, [_day(i.created_at), i.address])),
        )
        for i in new[:TODO_ITEMS]
    ]
    return [
        TodoList(
            key="cho-duyet",
            title=_("Báo cáo chờ duyệt"),
            items=waiting_items,
            total=waiting.count(),
            empty=_("Không có báo cáo nào chờ duyệt."),
            more=reverse("review-list", args=[plan.slug]) + "?status=submitted",
        ),
        _late_reporters(plan, today),
        TodoList(
            key="phan-anh-moi",
            title=_("Phản ánh mới"),
            items=new_items,
            total=new.count(),
            empty=_("Không có phản ánh mới."),
            more=triage,
        ),
        _stale_publication(plan),
    ]


def todo_lists(user, plan: Plan, today: date | None = None) -> list[TodoList]:
    """The day's work of the user on the plan, by role: a clerk's or an operator's reports and the
    incidents assigned to it (and an operator's registry changes), an agency's tasks, the plan
    owner's reports waiting, late reporters, new incidents and stale publication, a leader's late
    tasks and reporters."""
    today = today or timezone.localdate()
    roles = scope_for(user).roles()
    lists: list[TodoList] = []
    if roles & {Role.COMMUNE, Role.ENTERPRISE}:
        lists += _my_reports(user, today)
        lists.append(_incidents_to_handle(user))
    if Role.ENTERPRISE in roles:
        lists.append(_registry_changes(user))
    if Role.AGENCY in roles and (agency := own_agency_code(user)):
        lists.append(_agency_tasks(user, plan, today, agency))
    if may_manage_plan(user, plan):
        lists += _owner_lists(user, plan, today)
    elif Role.LEADER in roles:
        lists += [_late_tasks(user, plan, today), _late_reporters(plan, today)]
    return lists
