from datetime import date

from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import render

from hatangso.analytics.selectors import indicator_detail, stored_scorecard
from hatangso.core.scoping import scope_for
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
        plan, unit = _plan_unit(request)
        period = parse_period(plan.period)
        context.update(stored_scorecard(plan=plan, unit=unit, period=plan.period))
        context["chart"] = _chart(plan, unit, context)
        context["figures"] = scope_for(request.user).reads_figures(unit, plan)
        context["communes"] = children_of(plan.area_unit, start=period.start, end=period.end)
    return render(request, "web/home.html", context)


def _plan_unit(request):
    """The plan, and the unit asked for (`?unit=`; default the plan's area) valid in its period."""
    plan = plan_list().first()
    if plan is None:
        raise Http404("Chưa có kế hoạch / no plan yet")
    period = parse_period(plan.period)
    unit = plan.area_unit
    if code := request.GET.get("unit"):
        try:
            unit = resolve_unit(code, start=period.start, end=period.end)
        except UserError as exc:
            raise Http404(str(exc)) from exc
    return plan, unit


def indicator(request, code: str):
    """One indicator: definition and target, its value per commune (table, chart, map), the trend,
    and the evidence behind the number as far as the user may see it."""
    plan, unit = _plan_unit(request)
    detail = indicator_detail(request.user, plan=plan, code=code, unit=unit, period=plan.period)
    context = {"plan": plan, "unit": unit, "period": plan.period, "d": detail,
               "charts": _indicator_charts(detail)}  # fmt: skip
    return render(request, "web/indicator.html", context)


def _svg(key: str, build) -> str:
    """A chart as inline SVG (no JavaScript, no CDN), cached under `key`."""
    svg = cache.get(key)
    if svg is None:
        spec = build()
        svg = charts.render_svg(spec) if spec else ""
        cache.set(key, svg, 24 * 3600)
    return svg


def _indicator_charts(detail) -> dict[str, str]:
    if detail.result is None:
        return {}
    indicator = detail.indicator
    stamp = detail.result.computed_at.timestamp()
    key = f"hatangso:indicator:{indicator.pk}:{detail.result.unit_id}:{detail.result.period}:{stamp}"
    values = [(commune, result.value if result else None) for commune, result in detail.communes]
    periods = [period for period, _ in detail.trend]
    return {
        "communes": _svg(f"{key}:communes", lambda: charts.commune_comparison(
            indicator, [(c.name, v) for c, v in values])),
        "map": _svg(f"{key}:map", lambda: charts.commune_map(indicator, {c.pk: v for c, v in values})),
        "trend": _svg(f"{key}:trend", lambda: charts.trend(
            periods, [(indicator.name[:60], {p: e.value for p, e in detail.trend})])),
    }  # fmt: skip


def _chart(plan, unit, card: dict) -> str:
    """The report's chart of indicators against targets, as inline SVG (no JavaScript, no CDN);
    cached until the scorecard is computed again."""
    if not card["rows"]:
        return ""
    key = f"hatangso:chart:{plan.pk}:{unit.pk}:{card['period']}:{card['computed_at'].timestamp()}"
    return _svg(key, lambda: charts.indicators_vs_targets(
        (row["indicator"], row["result"].value, row["result"].status) for row in card["rows"]))  # fmt: skip


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
