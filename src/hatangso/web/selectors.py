"""Reads for the dashboard (the home page of a logged-in user): the plan's indicators with their
trend, the tasks by state, reporting completeness, the latest incident reports and the report
downloads, for a period and a unit — through the user's scope."""

from dataclasses import dataclass, replace
from datetime import date

from django.core.cache import cache
from django.db.models import Q
from django.utils import timezone

from hatangso.analytics.scoreboard import CACHE_SECONDS, Entry, scoreboard
from hatangso.analytics.selectors import IndicatorDetail, indicator_detail
from hatangso.analytics.status import Status
from hatangso.collection.workflow import completeness
from hatangso.core.scoping import scope_for
from hatangso.geography.models import AdministrativeUnit, UnitSuccession
from hatangso.geography.selectors import children_of, predecessors
from hatangso.plans.models import Plan
from hatangso.reports.access import may_download_report
from hatangso.reports.services import FORMATS
from hatangso.utilities.errors import NotFound
from hatangso.utilities.periods import Period, parse_period, period_codes
from hatangso.workplan.models import Task
from hatangso.workplan.selectors import incident_list, task_list

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

    @property
    def is_area(self) -> bool:
        return self.unit.pk == self.plan.area_unit_id


def dashboard_periods(plan: Plan, today: date | None = None) -> list[str]:
    """The plan's period, the quarters of its year that have begun, and the year before: the
    periods the report compares (and the engine computes)."""
    today = today or timezone.localdate()
    year = parse_period(plan.period).start.year
    quarters = [code for code in period_codes("quarterly", year) if parse_period(code).start <= today]
    return list(dict.fromkeys([plan.period, str(year), *quarters, str(year - 1)]))


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
    successors = UnitSuccession.objects.filter(predecessor__path__startswith=area.path).values("successor")
    return list(
        AdministrativeUnit.objects.filter(Q(path__startswith=area.path) | Q(pk__in=successors))
        .filter(level=AdministrativeUnit.Level.COMMUNE)
        .valid_on(as_of)
        .order_by("code")
    )


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
                  as_of_days=days)  # fmt: skip


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
class IndicatorPage:
    detail: IndicatorDetail
    trend: list[tuple[str, Entry | None]]
    stamp: str  # the version of the results, for the charts' cache
    shown: bool  # whether the unit's own results are shown to the user (reads_figures)
    hidden: set[int]  # the communes whose results are not shown to the user


def indicator_page(user, *, plan: Plan, code: str, unit: AdministrativeUnit) -> IndicatorPage:
    """The indicator page of a unit for the plan's period: the detail, the communes and the trend,
    without the results of any unit whose figures the user may not read (reads_figures)."""
    detail = indicator_detail(user, plan=plan, code=code, unit=unit, period=plan.period)
    hidden = {c.pk for c, _ in detail.communes if not reads_figures(user, c, plan)}
    shown = reads_figures(user, unit, plan)
    detail = replace(detail, communes=[(c, None if c.pk in hidden else r) for c, r in detail.communes])
    if not shown:
        detail = replace(detail, result=None, lineage=[], inputs=[], inputs_total=0)
        return IndicatorPage(detail=detail, trend=[], stamp="", shown=False, hidden=hidden)
    board = scoreboard(plan=plan, unit=unit, period=plan.period)
    return IndicatorPage(detail=detail, trend=board.trend(code), stamp=board.stamp, shown=True, hidden=hidden)


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
