"""Compute and store scorecards."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from hatangso.analytics.engine import Evaluation, evaluate_plan, indicator_providers
from hatangso.analytics.models import IndicatorResult
from hatangso.analytics.status import Status
from hatangso.core.dataversion import DataVersions, data_versions
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.models import Plan
from hatangso.utilities.numbers import display_value
from hatangso.utilities.periods import Period


@dataclass
class Scorecard:
    plan: Plan
    unit: AdministrativeUnit
    period: Period
    evaluations: list[Evaluation]
    synthetic: bool = False
    computed_at: datetime | None = None  # when the stored results were computed
    data_version: int | None = None  # the data version they were computed from
    results: dict[str, IndicatorResult] = field(default_factory=dict, repr=False)  # stored, by code

    def as_json(self) -> dict:
        """The scorecard contract of DESIGN.md §6."""
        return {
            "plan": self.plan.code,
            "period": self.period.code,
            "unit": {"code": self.unit.code, "name": self.unit.name},
            "synthetic": self.synthetic,
            "computed_at": self.computed_at.isoformat() if self.computed_at else None,
            "data_version": self.data_version,
            "indicators": [scorecard_row(e) for e in self.evaluations],
        }


# What the public sees of a commune's result: the rating, never the commune's reported figures.
RATING_FIELDS = ("value", "status")


def scorecard_row(evaluation: Evaluation) -> dict:
    """One indicator's row of the scorecard contract (DESIGN.md §6): the API, `compute --json` and
    publishing write this; what a role may not see is taken out of it (`rating_row`, publishing)."""
    e = evaluation
    return {
        "code": e.indicator.code,
        "name": e.indicator.name,
        "target": float(e.indicator.target),
        "comparison": e.indicator.comparison,
        "value": display_value(e.value),  # as shown; numerator/denominator are exact
        "numerator": e.numerator,
        "denominator": e.denominator,
        "unit": e.indicator.unit,
        "status": e.status,
        "reason": e.reason,
        "flags": e.flags,
        "sources": e.sources,
        "lineage": e.lineage,
    }


def rating_row(row: dict, rating: dict | None) -> dict:
    """An indicator's row with only a commune's published rating (RATING_FIELDS) in place of figures."""
    rating = rating or {"value": None, "status": Status.NO_DATA}
    return {**row, **{key: rating[key] for key in RATING_FIELDS},
            "numerator": None, "denominator": None, "reason": "", "flags": []}  # fmt: skip


def evaluate_scorecard(
    *, plan: Plan, unit: AdministrativeUnit, period: Period, codes: set[str] | None = None
) -> Scorecard:
    """Evaluate the indicators (of `codes`, or all) without storing anything."""
    evaluations = evaluate_plan(plan, unit, period, codes)
    synthetic = any(e.synthetic for e in evaluations)
    return Scorecard(plan=plan, unit=unit, period=period, evaluations=evaluations, synthetic=synthetic)


@transaction.atomic
def compute_scorecard(
    *,
    plan: Plan,
    unit: AdministrativeUnit,
    period: Period,
    codes: set[str] | None = None,
    versions: DataVersions | None = None,
) -> Scorecard:
    """Evaluate the indicators (of `codes`, or all) and store the results with their lineage
    (replacing older ones), each stamped with the version of the data its providers read, read
    before evaluating (the data evaluated is at least as new)."""
    versions = versions or data_versions()
    providers = indicator_providers(plan)
    scorecard = evaluate_scorecard(plan=plan, unit=unit, period=period, codes=codes)
    scorecard.data_version = versions.total
    for evaluation in scorecard.evaluations:
        result, _ = IndicatorResult.objects.update_or_create(
            indicator=evaluation.indicator,
            unit=unit,
            period=period.code,
            defaults={
                "value": evaluation.value,
                "numerator": evaluation.numerator,
                "denominator": evaluation.denominator,
                "status": evaluation.status,
                "reason": evaluation.reason[:500],
                "flags": evaluation.flags,
                "sources": evaluation.sources,
                "lineage": evaluation.lineage,
                "data_version": versions.of(providers[evaluation.indicator.code]),
                "synthetic": evaluation.synthetic,
            },
        )
        _store_lineage(result, evaluation.value_ids)
        scorecard.computed_at = result.computed_at
    return scorecard


def _store_lineage(result: IndicatorResult, value_ids: list[int]) -> None:
    """Make the result's input values `value_ids`: a province's result has many thousands, and after
    one value changed nearly all stay, so only the difference is written."""
    links = IndicatorResult.input_values.through.objects.filter(indicatorresult=result)
    stored, wanted = set(links.values_list("datavalue_id", flat=True)), set(value_ids)
    if stored - wanted:
        links.filter(datavalue_id__in=stored - wanted).delete()
    added = [links.model(indicatorresult_id=result.pk, datavalue_id=pk) for pk in wanted - stored]
    links.bulk_create(added, batch_size=5000)
