"""Reads of stored indicator results."""

from hatangso.analytics.models import IndicatorResult
from hatangso.analytics.presentation import STATUS_LABELS
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.models import Plan


def stored_scorecard(*, plan: Plan, unit: AdministrativeUnit, period: str) -> dict:
    results = list(
        IndicatorResult.objects.filter(indicator__plan=plan, unit=unit, period=period)
        .select_related("indicator")
        .order_by("indicator__order")
    )
    synthetic = IndicatorResult.input_values.through.objects.filter(
        indicatorresult__in=results, datavalue__synthetic=True
    ).exists()
    rows = [{"result": r, "indicator": r.indicator, "status_label": STATUS_LABELS[r.status]} for r in results]
    computed_at = max((r.computed_at for r in results), default=None)
    return {"rows": rows, "unit": unit, "period": period, "synthetic": synthetic, "computed_at": computed_at}
