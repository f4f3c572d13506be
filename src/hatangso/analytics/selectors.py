"""Reads of indicator results: the scorecard every screen, the API, the reports and publishing
read (`scorecard`), an indicator's evidence, publications."""

import threading
import time
from dataclasses import dataclass

from django.core.cache import cache
from django.http import Http404

from hatangso.analytics.engine import Evaluation
from hatangso.analytics.models import IndicatorResult, PublishedScorecard
from hatangso.analytics.services import Scorecard, compute_scorecard, data_version
from hatangso.collection.models import DataValue
from hatangso.core.scoping import scope_for
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import children_of
from hatangso.plans.models import Indicator, Plan
from hatangso.utilities.periods import Period, parse_period

# How long a reader computing a scorecard holds its lock (it is released when done), and how
# often the others look whether it is done.
LOCK_SECONDS = 300
WAIT_SECONDS = 0.05
_ADDING = threading.Lock()  # the file cache's `add` checks then writes: one thread at a time


def scorecard(*, plan: Plan, unit: AdministrativeUnit, period: Period) -> Scorecard:
    """The plan's scorecard for a unit and period, never older than the last committed write: the
    stored results when they were computed from the current data version, otherwise computed and
    stored now. Readers of the same scorecard and version compute it once: the first takes a lock
    in the shared cache, the others wait for its results."""
    version = data_version()
    lock = f"hatangso:computing:{plan.pk}:{unit.pk}:{period.code}:{version}"
    while True:
        results = _results(plan, unit, period, version)
        if results is not None:
            return _scorecard(plan, unit, period, results)
        with _ADDING:
            leader = cache.add(lock, 1, LOCK_SECONDS)
        if leader:
            try:
                if _results(plan, unit, period, version) is None:  # nobody stored them meanwhile
                    compute_scorecard(plan=plan, unit=unit, period=period)
            finally:
                cache.delete(lock)
            return _scorecard(plan, unit, period, _results(plan, unit, period, 0) or [])
        time.sleep(WAIT_SECONDS)


def _results(plan: Plan, unit: AdministrativeUnit, period: Period, version: int) -> list | None:
    """The stored results of every indicator of the plan, if all were computed from `version` or a
    newer one; otherwise None."""
    results = list(
        IndicatorResult.objects.filter(indicator__plan=plan, unit=unit, period=period.code)
        .select_related("indicator__condition")
        .order_by("indicator__order")
    )
    if len(results) != plan.indicators.count():
        return None
    if any(r.data_version is None or r.data_version < version for r in results):
        return None
    return results


def _scorecard(plan: Plan, unit: AdministrativeUnit, period: Period, results: list) -> Scorecard:
    evaluations = [
        Evaluation(indicator=r.indicator, status=r.status, value=r.value, numerator=r.numerator,
                   denominator=r.denominator, reason=r.reason, flags=r.flags, sources=r.sources,
                   lineage=r.lineage, synthetic=r.synthetic)
        for r in results
    ]  # fmt: skip
    return Scorecard(
        plan=plan,
        unit=unit,
        period=period,
        evaluations=evaluations,
        synthetic=any(r.synthetic for r in results),
        computed_at=max((r.computed_at for r in results), default=None),
        data_version=min((r.data_version for r in results), default=None),
        results={r.indicator.code: r for r in results},
    )


# A lineage lists at most this many items per data element on a page (the rest are counted).
SHOWN_ITEMS = 40
SHOWN_INPUTS = 200


@dataclass
class IndicatorDetail:
    indicator: Indicator
    result: IndicatorResult | None
    scorecard: Scorecard  # the unit's: when computed, from which data version
    communes: list[tuple[AdministrativeUnit, IndicatorResult | None]]
    reads_area: bool  # the user may see the element totals and the items behind the number
    figures: set[int]  # the units whose numerator and denominator the user may see
    lineage: list[dict]
    inputs: list[DataValue]
    inputs_total: int


def indicator_detail(
    user, *, plan: Plan, code: str, unit: AdministrativeUnit, period: str
) -> IndicatorDetail:
    """An indicator of a plan for a unit and period: its current result, the communes' results and
    the evidence the user may see — element totals and item lists for the area roles,
    the input values through the user's scope (a commune sees its own, the public none)."""
    indicator = plan.indicators.select_related("condition").filter(code=code).first()
    if indicator is None:
        raise Http404("Không có chỉ tiêu này / No such indicator")
    span = parse_period(period)
    card = scorecard(plan=plan, unit=unit, period=span)
    result = card.results.get(code)
    communes = list(children_of(unit, start=span.start, end=span.end))
    stored = {c.pk: scorecard(plan=plan, unit=c, period=span).results.get(code) for c in communes}
    scope = scope_for(user)
    reads_area = scope.reads_area(unit)
    lineage = []
    if result is not None and reads_area:
        for element, entry in sorted(result.lineage.items()):
            items = entry.get("items", [])
            lineage.append({"element": element, **entry, "items": items[:SHOWN_ITEMS],
                            "more_items": max(0, len(items) - SHOWN_ITEMS)})  # fmt: skip
    inputs = DataValue.objects.none()
    if result is not None:
        inputs = scope.filter_values(
            DataValue.objects.filter(pk__in=result.input_values.values("pk"))
            .select_related("data_element", "unit", "operator", "import_batch")
            .order_by("data_element__code", "unit__path", "period", "operator__code")
        )
    return IndicatorDetail(
        indicator=indicator,
        result=result,
        scorecard=card,
        communes=[(c, stored[c.pk]) for c in communes],
        reads_area=reads_area,
        figures={u.pk for u in (unit, *communes) if scope.reads_figures(u, plan)},
        lineage=lineage,
        inputs=list(inputs[:SHOWN_INPUTS]),
        inputs_total=inputs.count(),
    )


def live_publication(*, plan: Plan, period: str | None = None):
    """The published scorecard in force (not withdrawn) for `period`, or the latest publication
    when `period` is None; None when nothing is published. Anyone may read it."""
    live = PublishedScorecard.objects.filter(plan=plan, withdrawn_at__isnull=True).select_related("unit")
    if period is not None:
        live = live.filter(period=parse_period(period).code)
    return live.order_by("-published_at").first()


def publication_history(*, plan: Plan):
    return PublishedScorecard.objects.filter(plan=plan).order_by("-published_at")
