"""Selectors for the dashboard: every indicator of a plan for a unit and period with its trend, read
once for all indicators and cached until the next compute or the next write (`results_stamp`).

Tiles for fifteen indicators, and an indicator's page, need one evaluation per period for all of
them, which is what this does.
"""

from dataclasses import dataclass
from datetime import datetime

from django.core.cache import cache
from django.db.models import Max
from django.utils import timezone

from hatangso.analytics.models import IndicatorResult
from hatangso.analytics.selectors import stored_scorecard
from hatangso.analytics.services import evaluate_scorecard
from hatangso.core.models import ChangeLogEntry
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.models import Plan
from hatangso.utilities.periods import parse_period, trend_periods

CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Entry:
    """One indicator's figures for a unit and period, as plain data (cacheable)."""

    code: str
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    reason: str = ""
    flags: tuple[str, ...] = ()


@dataclass(frozen=True)
class Scoreboard:
    """Every indicator of a plan for a unit and period: stored when computed, else evaluated now."""

    entries: dict[str, Entry]  # indicator code -> its figures
    computed_at: datetime | None  # when the stored results were computed; None: evaluated now
    synthetic: bool
    trend_periods: tuple[str, ...]
    trends: dict[str, tuple[Entry, ...]]  # indicator code -> one entry per trend period
    stamp: str = ""  # `results_stamp` when read: what caches built on it are keyed by
    period: str = ""

    def trend(self, code: str) -> list[tuple[str, Entry | None]]:
        """An indicator over the trend periods, ending with the period itself (the year's value
        ends the line after its quarters)."""
        trend = list(zip(self.trend_periods, self.trends.get(code, ()), strict=False))
        if self.period not in self.trend_periods:
            trend.append((self.period, self.entries.get(code)))
        return trend


def results_stamp(plan: Plan) -> str:
    """The version of cached evaluations: it changes when the plan is computed again or anything is
    written (every write has a change-log row)."""
    computed = IndicatorResult.objects.filter(indicator__plan=plan).aggregate(t=Max("computed_at"))["t"]
    changed = ChangeLogEntry.objects.aggregate(t=Max("time"))["t"]
    return f"{computed.timestamp() if computed else 0}-{changed.timestamp() if changed else 0}"


def _entry(code: str, source) -> Entry:
    return Entry(
        code=code,
        value=source.value,
        numerator=source.numerator,
        denominator=source.denominator,
        status=source.status,
        reason=source.reason,
        flags=tuple(source.flags or ()),
    )


def evaluated_entries(
    *, plan: Plan, unit: AdministrativeUnit, period: str, stamp: str
) -> tuple[dict[str, Entry], bool]:
    """Every indicator evaluated by the engine for a unit and period (one evaluation), cached under
    `stamp`; and whether synthetic data went in."""
    key = f"hatangso:evaluated:{plan.pk}:{unit.pk}:{period}:{stamp}"
    found = cache.get(key)
    if found is None:
        card = evaluate_scorecard(plan=plan, unit=unit, period=parse_period(period))
        found = ({e.indicator.code: _entry(e.indicator.code, e) for e in card.evaluations}, card.synthetic)
        cache.set(key, found, CACHE_SECONDS)
    return found


def scoreboard(*, plan: Plan, unit: AdministrativeUnit, period: str) -> Scoreboard:
    """The plan's indicators for a unit and period with their trend over the report's periods (the
    year before and the quarters begun, as on the indicator page and in the report): the stored
    results when the unit and period were computed, otherwise the engine's evaluation."""
    stamp = results_stamp(plan)
    stored = stored_scorecard(plan=plan, unit=unit, period=period)
    if stored["rows"]:
        entries = {row["indicator"].code: _entry(row["indicator"].code, row["result"])
                   for row in stored["rows"]}  # fmt: skip
        synthetic, computed_at = stored["synthetic"], stored["computed_at"]
    else:
        entries, synthetic = evaluated_entries(plan=plan, unit=unit, period=period, stamp=stamp)
        computed_at = None
    periods = tuple(trend_periods(parse_period(period), timezone.localdate()))
    by_period = [evaluated_entries(plan=plan, unit=unit, period=code, stamp=stamp)[0] for code in periods]
    trends = {code: tuple(evaluated.get(code) for evaluated in by_period) for code in entries}
    return Scoreboard(entries, computed_at, synthetic, periods, trends, stamp, period)
