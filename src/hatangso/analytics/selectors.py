"""Reads of indicator results: the scorecard every screen, the API, the reports and publishing
read (`scorecard`), an indicator's evidence, publications."""

import time
from dataclasses import dataclass
from decimal import Decimal

from django.http import Http404

from hatangso.analytics.engine import Evaluation, PlanTargets, indicator_providers
from hatangso.analytics.models import IndicatorResult, PublishedScorecard
from hatangso.analytics.services import Scorecard, compute_scorecard
from hatangso.collection.models import DataValue
from hatangso.core import throttle
from hatangso.core.dataversion import DataVersions, data_versions
from hatangso.core.scoping import scope_for
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import children_of
from hatangso.plans.models import Indicator, Plan
from hatangso.utilities.periods import Period, parse_period

# How long a reader computing a scorecard holds its lock (it is released when done), and how
# often the others look whether it is done.
LOCK_SECONDS = 300
WAIT_SECONDS = 0.05


@dataclass(frozen=True)
class PlanReading:
    """What every scorecard of a plan reads before its results: the data versions, the providers
    of each indicator and the plan's targets. A caller showing many units or periods of the plan in
    one request (the dashboard's trend, an indicator's communes, the map, the report) reads them
    once: its scorecards are then current as of the start of the request."""

    versions: DataVersions
    providers: dict[str, set[str]]
    targets: PlanTargets

    @classmethod
    def of(cls, plan: Plan) -> "PlanReading":
        return cls(versions=data_versions(), providers=indicator_providers(plan), targets=PlanTargets(plan))


def scorecard(
    *, plan: Plan, unit: AdministrativeUnit, period: Period, reading: PlanReading | None = None
) -> Scorecard:
    """The plan's scorecard for a unit and period, never older than the last committed write (or
    than the `reading` the caller took for this request): each indicator's stored result when it was
    computed from the current version of the data its providers read (core.dataversion), the others
    computed and stored now. Readers of the same scorecard and version compute once, in every server
    process: the first counts first on a database counter (core.throttle) and computes, the others
    wait for its results."""
    reading = reading or PlanReading.of(plan)
    versions = reading.versions
    needed = {code: versions.of(names) for code, names in reading.providers.items()}
    lock = f"computing:{plan.pk}:{unit.pk}:{period.code}:{versions.total}"

    def stale(results: dict[str, IndicatorResult]) -> set[str]:
        return {code for code, version in needed.items() if (r := results.get(code)) is None
                or r.data_version is None or r.data_version < version}  # fmt: skip

    results = _results(plan, unit, period)
    while stale(results):
        if throttle.hit(lock, window=LOCK_SECONDS) == 1:  # a leader that died is replaced after the window
            try:
                if codes := stale(_results(plan, unit, period)):  # nobody stored them meanwhile
                    compute_scorecard(plan=plan, unit=unit, period=period, codes=codes, versions=versions,
                                      providers=reading.providers, targets=reading.targets)  # fmt: skip
            finally:
                throttle.forget(lock)
            results = _results(plan, unit, period)
            break
        time.sleep(WAIT_SECONDS)
        results = _results(plan, unit, period)
    return _scorecard(plan, unit, period, list(results.values()), versions.total, reading.targets)


def _results(plan: Plan, unit: AdministrativeUnit, period: Period) -> dict[str, IndicatorResult]:
    """The stored results of the plan's indicators for the unit and period, by code, in order."""
    results = (
        IndicatorResult.objects.filter(indicator__plan=plan, unit=unit, period=period.code)
        .select_related("indicator__condition")
        .order_by("indicator__order")
    )
    return {r.indicator.code: r for r in results}


def _scorecard(
    plan: Plan, unit: AdministrativeUnit, period: Period, results: list, version: int, targets: PlanTargets
) -> Scorecard:
    """The stored results as a scorecard, current as of data version `version`, each with the
    target that applies to the unit and period (the results store none: a plan reload that changes
    a target is a newer data version, so a stored status never lags its target)."""
    year = period.start.year
    evaluations = [
        Evaluation(indicator=r.indicator, status=r.status, target=targets.target(r.indicator, unit, year),
                   value=r.value, numerator=r.numerator, denominator=r.denominator, reason=r.reason,
                   flags=r.flags, sources=r.sources, lineage=r.lineage, synthetic=r.synthetic)
        for r in results
    ]  # fmt: skip
    return Scorecard(
        plan=plan,
        unit=unit,
        period=period,
        evaluations=evaluations,
        synthetic=any(r.synthetic for r in results),
        computed_at=max((r.computed_at for r in results), default=None),
        data_version=version,
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
    targets: dict[int, Decimal]  # unit pk -> the target that applies to it (the unit's and its communes')
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
    communes = list(children_of(unit, start=span.start, end=span.end))
    reading = PlanReading.of(plan)  # once for the unit's communes
    stored = {
        c.pk: scorecard(plan=plan, unit=c, period=span, reading=reading).results.get(code) for c in communes
    }
    card = scorecard(plan=plan, unit=unit, period=span, reading=reading)
    result = card.results.get(code)
    targets = {u.pk: reading.targets.target(indicator, u, span.start.year) for u in (unit, *communes)}
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
        targets=targets,
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
