"""The dashboard's and the indicator pages' figures: every indicator of a plan for a unit and
period with its trend, all read through the one scorecard selector."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from hatangso.analytics.selectors import PlanReading, scorecard
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.models import Plan
from hatangso.utilities.periods import parse_period, trend_periods

CACHE_SECONDS = 24 * 3600


@dataclass(frozen=True)
class Entry:
    """One indicator's figures for a unit and period, as plain data."""

    code: str
    value: float | None
    numerator: float | None
    denominator: float | None
    status: str
    reason: str = ""
    flags: tuple[str, ...] = ()
    target: float | None = None  # the target that applies to the unit and period (engine.PlanTargets)


@dataclass(frozen=True)
class Scoreboard:
    """Every indicator of a plan for a unit and period, current, with its trend."""

    entries: dict[str, Entry]  # indicator code -> its figures
    computed_at: datetime | None  # when the results were computed
    data_version: int | None  # the data version they were computed from
    synthetic: bool
    trend_periods: tuple[str, ...]
    trends: dict[str, tuple[Entry, ...]]  # indicator code -> one entry per trend period
    period: str = ""

    @property
    def stamp(self) -> str:
        """What caches built on these figures are keyed by: it changes whenever they are
        computed again (the version alone could repeat after the database is recreated)."""
        return f"{self.data_version}-{self.computed_at.timestamp() if self.computed_at else 0}"

    def trend(self, code: str) -> list[tuple[str, Entry | None]]:
        """An indicator over the trend periods, ending with the period itself (the year's value
        ends the line after its quarters)."""
        trend = list(zip(self.trend_periods, self.trends.get(code, ()), strict=False))
        if self.period not in self.trend_periods:
            trend.append((self.period, self.entries.get(code)))
        return trend


def _entries(card) -> dict[str, Entry]:
    return {
        e.indicator.code: Entry(
            code=e.indicator.code,
            value=e.value,
            numerator=e.numerator,
            denominator=e.denominator,
            status=e.status,
            reason=e.reason,
            flags=tuple(e.flags or ()),
            target=float(e.target),
        )
        for e in card.evaluations
    }


def scoreboard(*, plan: Plan, unit: AdministrativeUnit, period: str) -> Scoreboard:
    """The plan's indicators for a unit and period with their trend over the report's periods (the
    year before and the quarters begun, as on the indicator page and in the report)."""
    reading = PlanReading.of(plan)  # once for the period and its trend
    card = scorecard(plan=plan, unit=unit, period=parse_period(period), reading=reading)
    entries = _entries(card)
    periods = tuple(trend_periods(parse_period(period), timezone.localdate()))
    by_period = [_entries(scorecard(plan=plan, unit=unit, period=parse_period(code), reading=reading))
                 for code in periods]  # fmt: skip
    trends = {code: tuple(evaluated.get(code) for evaluated in by_period) for code in entries}
    return Scoreboard(entries, card.computed_at, card.data_version, card.synthetic, periods, trends, period)
