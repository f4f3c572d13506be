from datetime import date

from django.contrib.auth.decorators import login_required
from django.core.cache import cache
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.cache import patch_vary_headers

from hatangso.collection.selectors import import_list
from hatangso.core.sharing import shared_page
from hatangso.geography.selectors import boundary_collection, resolve_unit
from hatangso.plans.selectors import landing_plan, plan_list, plans_for
from hatangso.reports import charts
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_iso_day, parse_period
from hatangso.web.planning import plan_or_404, to_the_plan
from hatangso.web.selectors import (
    CHILD_ORDERS,
    dashboard_choice,
    dashboard_periods,
    indicator_page,
    todo_lists,
)
from hatangso.web.selectors import dashboard as dashboard_data


@shared_page("period", "unit", "as_of")
def home(request):
    """Where a user starts: the dashboard of the plan of their membership (plans.selectors.
    landing_plan), shown here so `/` stays the user's start page; a page saying so when they may
    open none. The public reads published results."""
    if not request.user.is_authenticated:
        return redirect("public")
    plan = landing_plan(request.user)
    if plan is None:
        return to_the_plan(request, [], "dashboard", {})
    return dashboard_page(request, slug=plan.slug)


@login_required
def legacy(request, name: str, **kwargs):
    """An address from before plans had their own (`/ban-do/`, `/chi-tieu/<code>/` …): the same
    page of the user's plan when they may open one only, else a list to choose from."""
    return to_the_plan(request, plans_for(request.user), name, kwargs)


@login_required
@shared_page("period", "unit", "as_of")
def dashboard(request, slug: str):
    return dashboard_page(request, slug)


def dashboard_page(request, slug: str):
    """The dashboard of a plan for a period and a unit (`?period=&unit=&as_of=`), below the user's
    day's work ("việc cần làm", by role); an htmx request gets the dashboard fragment only, so
    switching does not reload the page."""
    plan = plan_or_404(request, slug)
    try:
        choice = dashboard_choice(
            plan,
            period=request.GET.get("period", ""),
            unit=request.GET.get("unit", ""),
            as_of=request.GET.get("as_of", ""),
        )
    except UserError as exc:
        raise Http404(str(exc)) from exc
    context = {"plan": plan, "choice": choice, "unit": choice.unit, "period": choice.period.code,
               **dashboard_data(request.user, choice)}  # fmt: skip
    fragment = request.htmx and not request.htmx.history_restore_request
    if not fragment:  # the day's work stays above the dashboard as it switches
        context["todo"] = todo_lists(request.user, plan)
    response = render(request, "web/_dashboard.html" if fragment else "web/home.html", context)
    patch_vary_headers(response, ["HX-Request"])
    return response


def _plan_unit(request, slug: str):
    """The plan, and the unit asked for (`?unit=`; default the plan's area) valid in its period — or,
    with `?as_of=YYYY-MM-DD`, the unit with that code in force that day (post-2025 units)."""
    plan = plan_or_404(request, slug)
    period = parse_period(plan.period)
    unit = plan.area_unit
    if code := request.GET.get("unit"):
        try:
            if request.GET.get("as_of"):
                unit = resolve_unit(code, start=parse_iso_day(request.GET["as_of"]))
            else:
                unit = resolve_unit(code, start=period.start, end=period.end)
        except UserError as exc:
            raise Http404(str(exc)) from exc
    return plan, unit


@login_required
def indicator(request, slug: str, code: str):
    """One indicator: definition and target, its value per commune against each one's own target
    (`?sort=` and `?status=` order and filter them, the worst first), the trend, and the evidence
    behind the number as far as the user may see it."""
    plan, unit = _plan_unit(request, slug)
    try:
        page = indicator_page(
            request.user,
            plan=plan,
            code=code,
            unit=unit,
            sort=request.GET.get("sort") or "worst",
            status=request.GET.get("status", ""),
            period=request.GET.get("period", ""),
        )
    except UserError as exc:
        raise Http404(str(exc)) from exc
    detail, trend = page.detail, page.trend
    files = {v.import_batch_id for v in detail.inputs if v.import_batch_id}
    context = {
        "plan": plan,
        "unit": unit,
        "period": (request.GET.get("period") or plan.period).strip().upper(),  # checked above
        "periods": dashboard_periods(plan),
        # Evidence files are linked only for whoever may open them (the import list's scope).
        "openable_files": set(import_list(request.user).filter(pk__in=files).values_list("pk", flat=True)),
        "d": detail,
        "trend": trend,
        "shown": page.shown,
        "hidden": page.hidden,
        "children": page.children,
        "path": page.path,
        "parent_plan": page.parent_plan,
        "target": detail.targets[unit.pk],
        "sort_choices": CHILD_ORDERS.items(),
        "charts": _indicator_charts(detail, trend, page.stamp, page.hidden),
        "as_of": request.GET.get("as_of", "") if request.GET.get("unit") else "",  # checked above
    }
    return render(request, "web/indicator.html", context)


def _svg(key: str, build) -> str:
    """A chart as inline SVG (no JavaScript, no CDN), cached under `key`."""
    svg = cache.get(key)
    if svg is None:
        spec = build()
        svg = charts.render_svg(spec) if spec else ""
        cache.set(key, svg, 24 * 3600)
    return svg


def _indicator_charts(detail, trend, stamp: str, hidden: set[int]) -> dict[str, str]:
    if detail.result is None:
        return {}
    indicator = detail.indicator
    # `stamp` changes whenever the results are computed again, which every write brings about.
    key = f"hatangso:indicator:{indicator.pk}:{detail.result.unit_id}:{detail.result.period}:{stamp}"
    # The communes whose results the user may not see are left out: they are part of the key.
    key += ":" + ",".join(map(str, sorted(hidden)))
    values = [(commune, result.value if result else None) for commune, result in detail.communes]
    periods = [period for period, _ in trend]
    return {
        "communes": _svg(f"{key}:communes", lambda: charts.commune_comparison(
            indicator, [(c.name, v, detail.targets[c.pk]) for c, v in values])),
        "map": _svg(f"{key}:map", lambda: charts.commune_map(indicator, {c.pk: v for c, v in values})),
        "trend": _svg(f"{key}:trend", lambda: charts.trend(
            periods, [(indicator.name[:60], {p: e.value for p, e in trend if e})])),
    }  # fmt: skip


def boundaries(request):
    """The shapes of the areas of the plans (`?plan=<slug>`: of one) as GeoJSON, each plan's units
    in force at the end of its period or on `?on=2024-12-31`; unit shapes are public geography."""
    on = None
    if request.GET.get("on"):
        try:
            on = date.fromisoformat(request.GET["on"])
        except ValueError as exc:
            raise Http404("Ngày không hợp lệ (YYYY-MM-DD) / invalid day") from exc
    plans = plan_list()
    if request.GET.get("plan"):
        plans = plans.filter(slug=request.GET["plan"])
    features = {}
    for plan in plans:
        collection = boundary_collection(within=plan.area_unit, on=on or parse_period(plan.period).end)
        for feature in collection["features"]:
            features.setdefault((feature["properties"]["code"], feature["properties"]["level"]), feature)
    return JsonResponse({"type": "FeatureCollection", "features": list(features.values())})
