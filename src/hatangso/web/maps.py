"""The map page of a plan (`/ke-hoach/<slug>/ban-do/`, logged-in users) and its GeoJSON layers,
each read through the user's scope like the lists: communes coloured by an indicator, stations,
physical sites, the coverage layer and incident reports. Leaflet comes from django-leaflet; a tile
server is optional."""

from django.contrib.auth.decorators import login_required
from django.http import JsonResponse
from django.shortcuts import render

from hatangso.analytics.engine import PlanTargets
from hatangso.analytics.status import Status
from hatangso.geography.selectors import children_of
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period
from hatangso.web import layers
from hatangso.web.planning import plan_or_404


def _error(exc: UserError) -> JsonResponse:
    return JsonResponse({"detail": exc.vi, "detail_en": exc.en}, status=exc.status)


def legend_statuses() -> list[dict]:
    return [{"status": s, "label": s.label, "colour": s.colour} for s in Status]


def area_targets(plan, indicator, period: str) -> tuple[float, dict[str, float]]:
    """The target of the plan's area and of each of its communes (an assigned or a child plan's
    target where there is one) for the period's year."""
    span, targets = parse_period(period), PlanTargets(plan)
    communes = children_of(plan.area_unit, start=span.start, end=span.end)
    return float(targets.target(indicator, plan.area_unit, span.start.year)), {
        c.code: float(targets.target(indicator, c, span.start.year)) for c in communes
    }


@login_required
def map_page(request, slug: str):
    """The map of the plan's area; `?indicator=` picks the indicator (works without JavaScript:
    the table under the map lists the same values)."""
    plan = plan_or_404(request, slug)
    context = {"plan": plan, "statuses": legend_statuses(), "speed_classes": layers.SPEED_CLASSES,
               "no_coverage": layers.NO_COVERAGE}  # fmt: skip
    status = 200
    context["indicators"] = plan.indicators.order_by("order")
    try:
        indicator = layers.map_indicator(plan, request.GET.get("indicator"))
    except UserError as exc:
        context["error"] = exc.vi
        status = 404
        indicator = layers.map_indicator(plan, None)
    values = layers.commune_values(request.user, plan, indicator, plan.period)
    target, targets = area_targets(plan, indicator, plan.period)
    coverage = layers.coverage_layer_for(plan)
    context.update(
        indicator=indicator,
        period=plan.period,
        target=target,
        communes=[
            {
                **entry,
                "code": code,
                "status_label": Status(entry["status"]).label,
                "target": targets.get(code),
            }
            for code, entry in values.items()
        ],
        coverage=coverage,
        coverage_synthetic=bool(coverage and coverage.meta.get("synthetic")),
        **layers.boundary_notes(plan),
    )
    return render(request, "web/map.html", context, status=status)


@login_required
def communes_geojson(request, slug: str):
    """The communes' shapes with the stored value and rating of `?indicator=` for the plan period."""
    plan = plan_or_404(request, slug)
    try:
        indicator = layers.map_indicator(plan, request.GET.get("indicator"))
    except UserError as exc:
        return _error(exc)
    values = layers.commune_values(request.user, plan, indicator, plan.period)
    document = layers.commune_layer(plan, plan.period, values)
    target, targets = area_targets(plan, indicator, plan.period)
    for feature in document["features"]:
        feature["properties"]["target"] = targets.get(feature["properties"]["code"])
    document["properties"] = {
        "indicator": indicator.code,
        "name": indicator.name,
        "target": target,
        "comparison": indicator.comparison,
        "unit": indicator.unit,
        "period": plan.period,
    }
    return JsonResponse(document)


@login_required
def stations_geojson(request):
    return JsonResponse(layers.station_layer(request.user))


@login_required
def sites_geojson(request):
    return JsonResponse(layers.site_layer(request.user))


@login_required
def incidents_geojson(request):
    return JsonResponse(layers.incident_layer(request.user))


@login_required
def coverage_geojson(request, slug: str):
    """The newest coverage layer of the plan period, merged per speed class; an empty collection
    when none is computed."""
    plan = plan_or_404(request, slug)
    layer = layers.coverage_layer_for(plan)
    if layer is None:
        return JsonResponse(layers.collection([]))
    return JsonResponse(layers.coverage_geojson(layer))
