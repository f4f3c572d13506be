"""Reads of stored indicator results."""

from dataclasses import dataclass

from django.http import Http404

from hatangso.analytics.models import IndicatorResult, PublishedScorecard
from hatangso.analytics.presentation import STATUS_LABELS
from hatangso.collection.models import DataValue
from hatangso.core.scoping import scope_for
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import children_of
from hatangso.plans.models import Indicator, Plan
from hatangso.utilities.periods import parse_period


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


# A lineage lists at most this many items per data element on a page (the rest are counted).
SHOWN_ITEMS = 40
SHOWN_INPUTS = 200


@dataclass
class IndicatorDetail:
    indicator: Indicator
    result: IndicatorResult | None
    communes: list[tuple[AdministrativeUnit, IndicatorResult | None]]
    reads_area: bool  # the user may see the element totals and the items behind the number
    figures: set[int]  # the units whose numerator and denominator the user may see
    lineage: list[dict]
    inputs: list[DataValue]
    inputs_total: int


def indicator_detail(
    user, *, plan: Plan, code: str, unit: AdministrativeUnit, period: str
) -> IndicatorDetail:
    """An indicator of a plan for a unit and period: its stored result, the communes' results and
    the evidence the user may see — element totals and item lists for the area roles,
    the input values through the user's scope (a commune sees its own, the public none)."""
    indicator = plan.indicators.select_related("condition").filter(code=code).first()
    if indicator is None:
        raise Http404("Không có chỉ tiêu này / No such indicator")
    result = IndicatorResult.objects.filter(indicator=indicator, unit=unit, period=period).first()
    span = parse_period(period)
    communes = list(children_of(unit, start=span.start, end=span.end))
    stored = {
        r.unit_id: r
        for r in IndicatorResult.objects.filter(indicator=indicator, unit__in=communes, period=period)
    }
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
        communes=[(c, stored.get(c.pk)) for c in communes],
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


def computed_periods(*, plan: Plan) -> list[str]:
    """The periods whose scorecard of the plan's area is stored (what may be published)."""
    periods = IndicatorResult.objects.filter(indicator__plan=plan, unit=plan.area_unit).values_list(
        "period", flat=True
    )
    return sorted(set(periods), reverse=True)
