"""Compute and store scorecards."""

from dataclasses import dataclass

from django.db import transaction

from hatangso.analytics.engine import Evaluation, evaluate_plan
from hatangso.analytics.models import IndicatorResult
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.models import Plan
from hatangso.utilities.periods import Period


@dataclass
class Scorecard:
    plan: Plan
    unit: AdministrativeUnit
    period: Period
    evaluations: list[Evaluation]
    synthetic: bool = False

    def as_json(self) -> dict:
        """The scorecard contract of DESIGN.md §6."""
        return {
            "plan": self.plan.code,
            "period": self.period.code,
            "unit": {"code": self.unit.code, "name": self.unit.name},
            "synthetic": self.synthetic,
            "indicators": [
                {
                    "code": e.indicator.code,
                    "name": e.indicator.name,
                    "target": float(e.indicator.target),
                    "comparison": e.indicator.comparison,
                    "value": e.value,
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


@transaction.atomic
def compute_scorecard(*, plan: Plan, unit: AdministrativeUnit, period: Period) -> Scorecard:
    """Evaluate every indicator and store the results with their lineage (replacing older ones)."""
    scorecard = evaluate_scorecard(plan=plan, unit=unit, period=period)
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
            },
        )
        _store_lineage(result, evaluation.value_ids)
    return scorecard


def _store_lineage(result: IndicatorResult, value_ids: list[int]) -> None:
    """Replace the result's input values in batches (a province's result has many thousands)."""
    through = IndicatorResult.input_values.through
    through.objects.filter(indicatorresult=result).delete()
    through.objects.bulk_create(
        [through(indicatorresult_id=result.pk, datavalue_id=pk) for pk in value_ids], batch_size=5000
    )
