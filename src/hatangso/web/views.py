from datetime import date

from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import render

from hatangso.analytics.selectors import stored_scorecard
from hatangso.geography.selectors import boundary_collection, children_of, resolve_unit
from hatangso.plans.selectors import plan_list
from hatangso.reports import charts
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period


def home(request):
    """A plan's scorecard as last computed, for the plan's area or one of its communes."""
    plan = plan_list().first()
    context = {"plan": plan}
    if plan is not None:
        period = parse_period(plan.period)
        unit = plan.area_unit
        if code := request.GET.get("unit"):
            try:
                unit = resolve_unit(code, start=period.start, end=period.end)
            except UserError as exc:
                raise Http404(str(exc)) from exc
        context.update(stored_scorecard(plan=plan, unit=unit, period=plan.period))
        context["chart"] = _chart(plan, unit, context)
        context["communes"] = children_of(plan.area_unit, start=period.start, end=period.end)
    return render(request, "web/home.html", context)


def _chart(plan, unit, card: dict) -> str:
    """The report's chart of indicators against targets, as inline SVG (no JavaScript, no CDN);
    cached until the scorecard is computed again."""
    if not card["rows"]:
        return ""
    key = f"hatangso:chart:{plan.pk}:{unit.pk}:{card['period']}:{card['computed_at'].timestamp()}"
    svg = cache.get(key)
    if svg is None:
        spec = charts.indicators_vs_targets(
            (row["indicator"], row["result"].value, row["result"].status) for row in card["rows"]
        )
        svg = charts.render_svg(spec) if spec else ""
        cache.set(key, svg, 24 * 3600)
    return svg


def boundaries(request):
    """The shapes of the plan's area as GeoJSON for the maps; unit shapes are public geography.
    `?on=2024-12-31` picks the units in force on a day (default: the end of the plan's period)."""
    plan = plan_list().first()
    if plan is None:
        raise Http404("Chưa có kế hoạch / no plan yet")
    on = parse_period(plan.period).end
    if request.GET.get("on"):
        try:
            on = date.fromisoformat(request.GET["on"])
        except ValueError as exc:
            raise Http404("Ngày không hợp lệ (YYYY-MM-DD) / invalid day") from exc
    return JsonResponse(boundary_collection(within=plan.area_unit, on=on))
