from ninja import Router

from hatangso.analytics.services import evaluate_scorecard
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
    return evaluate_scorecard(plan=plan, unit=target, period=parsed).as_json()
