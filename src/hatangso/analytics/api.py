from ninja import Router

from hatangso.analytics.services import evaluate_scorecard
from hatangso.core.scoping import scope_for
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.selectors import get_plan
from hatangso.utilities.periods import parse_period

router = Router(tags=["scorecard"])


@router.get("/{slug}/scorecard", auth=None)
def scorecard(request, slug: str, period: str | None = None, unit: str | None = None):
    """The plan's scorecard (DESIGN.md §6) for a period and unit, computed from current data."""
    plan = get_plan(slug)
    parsed = parse_period(period or plan.period)
    target = resolve_unit(unit, start=parsed.start, end=parsed.end) if unit else plan.area_unit
    card = evaluate_scorecard(plan=plan, unit=target, period=parsed).as_json()
    scope = scope_for(request.user)
    for row in card["indicators"]:
        if not scope.reads_area(target):
            row.pop("lineage")  # element totals and item codes (a competitor's stations) stay inside
        if not scope.reads_figures(target, plan):
            row["numerator"] = row["denominator"] = None  # a commune's own reported figures
    return card
