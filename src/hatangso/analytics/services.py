"""Compute and store scorecards."""

from dataclasses import dataclass, field
from datetime import datetime

from django.db import transaction

from hatangso.analytics.engine import Evaluation, evaluate_plan
from hatangso.analytics.models import IndicatorResult
from hatangso.core.changelog import NOT_DATA
from hatangso.core.models import ChangeLogEntry, CommitCount
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
            "indicators": [
                {
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
                for e in self.evaluations
            ],
        }


def evaluate_scorecard(*, plan: Plan, unit: AdministrativeUnit, period: Period) -> Scorecard:
    """Evaluate every indicator without storing anything (for reads such as the API)."""
    evaluations = evaluate_plan(plan, unit, period)
    synthetic = any(e.synthetic for e in evaluations)
    return Scorecard(plan=plan, unit=unit, period=period, evaluations=evaluations, synthetic=synthetic)


def data_version() -> int:
    """The version of the data every number is computed from, 0 before any write: the newest
    change-log id (every accepted write writes one) plus the count of committed transactions that
    changed data. The id alone is not ordered by commit on PostgreSQL: a transaction holding id 100
    may commit after one holding 101, whose readers meanwhile stored results without its data; the
    count grows after that commit, so those results are stale. Inside a test's transaction, where
    nothing commits, the id still grows with each write."""
    newest = ChangeLogEntry.objects.order_by("-id")
    for prefix in NOT_DATA:
        newest = newest.exclude(object_type__startswith=prefix)
    commits = CommitCount.objects.values_list("commits", flat=True).first() or 0
    return (newest.values_list("id", flat=True).first() or 0) + commits


@transaction.atomic
def compute_scorecard(*, plan: Plan, unit: AdministrativeUnit, period: Period) -> Scorecard:
    """Evaluate every indicator and store the results with their lineage (replacing older ones),
    stamped with the data version read before evaluating (the data evaluated is at least as new)."""
    version = data_version()
    scorecard = evaluate_scorecard(plan=plan, unit=unit, period=period)
    scorecard.data_version = version
    evaluations = scorecard.evaluations
    for evaluation in evaluations:
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
                "data_version": version,
                "synthetic": evaluation.synthetic,
            },
        )
        _store_lineage(result, evaluation.value_ids)
        scorecard.computed_at = result.computed_at
    return scorecard


def _store_lineage(result: IndicatorResult, value_ids: list[int]) -> None:
    """Replace the result's input values in batches (a province's result has many thousands)."""
    through = IndicatorResult.input_values.through
    through.objects.filter(indicatorresult=result).delete()
    through.objects.bulk_create(
        [through(indicatorresult_id=result.pk, datavalue_id=pk) for pk in value_ids], batch_size=5000
    )
