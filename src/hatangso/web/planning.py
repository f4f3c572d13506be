"""Which plan a page is about: pages of one plan live under `/ke-hoach/<slug>/`, the plans a user
may open are those whose area covers or lies within the user's (plans.selectors.plans_for)."""

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse

from hatangso.plans.models import Plan
from hatangso.plans.selectors import plans_for, visible_plan
from hatangso.utilities.errors import NotFound


def plan_or_404(request, slug: str) -> Plan:
    """The plan of a per-plan URL, when the user may open it (404 otherwise, as for any page)."""
    try:
        return visible_plan(request.user, slug)
    except NotFound as exc:
        raise Http404(exc.vi) from exc


def plan_address(name: str, plan: Plan, kwargs: dict, query: str = "") -> str:
    address = reverse(name, kwargs={"slug": plan.slug, **kwargs})
    return f"{address}?{query}" if query else address


def to_the_plan(request, plans, name: str, kwargs: dict):
    """An address from before plans had their own: redirect to the plan when there is one only,
    else a page listing the plans with the same page of each."""
    plans = list(plans)
    query = request.META.get("QUERY_STRING", "")
    if len(plans) == 1:
        return redirect(plan_address(name, plans[0], kwargs, query))
    choices = [(plan, plan_address(name, plan, kwargs, query)) for plan in plans]
    return render(request, "web/choose_plan.html", {"choices": choices, "any_plan": Plan.objects.exists()})


def current_slug(request) -> str | None:
    """The slug of the plan whose page this is (None off a plan's pages)."""
    match = getattr(request, "resolver_match", None)
    if match is None or not match.route.startswith("ke-hoach/<slug:slug>/"):
        return None
    return match.kwargs.get("slug")


def switcher(request, current: str | None) -> list[tuple[Plan, str, bool]]:
    """The header's plan switcher: each plan the user may open, with the same page of that plan
    when the current page is a plan's page without an object in it (its map, its tasks), else the
    plan's dashboard; and whether it is the `current` plan."""
    match = request.resolver_match
    same_page = current_slug(request) is not None and list(match.kwargs) == ["slug"]
    return [
        (
            plan,
            reverse(match.url_name if same_page else "dashboard", kwargs={"slug": plan.slug}),
            plan.slug == current,
        )
        for plan in plans_for(request.user)
    ]
