from django.conf import settings

from hatangso.collection.models import DataValue
from hatangso.core.models import Role
from hatangso.core.scoping import scope_for
from hatangso.plans.selectors import landing_plan, readable_plans
from hatangso.web.planning import current_slug, switcher
from hatangso.workplan.services import can_triage

# Pages about one plan outside /ke-hoach/<slug>/: its public page.
PUBLIC_PLAN_PAGES = {"public-plan"}


def synthetic_data(request):
    """The demo's notices, so every page can say so: whether the installation holds synthetic demo
    data, and the plan of the page when it is an illustrative one (kế hoạch minh họa), never issued."""
    match = getattr(request, "resolver_match", None)
    slug = current_slug(request) or (
        match.kwargs.get("slug") if match is not None and match.url_name in PUBLIC_PLAN_PAGES else None
    )
    # Only a plan the visitor may read: a 404 page must not name a plan it hides.
    user = request.user if request.user.is_authenticated else None
    readable = readable_plans(user).filter(slug=slug, illustrative=True) if slug else None
    return {
        "synthetic_data": DataValue.objects.filter(synthetic=True).exists(),
        "illustrative_plan": readable.first() if readable is not None else None,
    }


def map_tiles(request):
    """The optional tile server of the maps (none: the maps draw only the app's own shapes)."""
    return {"map_tiles": settings.MAP_TILES, "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION}


def navigation(request):
    """Which parts of the site the user may open, so the menu offers only those."""
    user = getattr(request, "user", None)
    scope = scope_for(user)
    roles = scope.roles()
    signed_in = user is not None and user.is_authenticated
    # The menu's plan pages are those of the plan shown, else of the plan the user lands on.
    slug = current_slug(request) if signed_in else None
    if signed_in and slug is None:
        slug = getattr(landing_plan(user), "slug", None)
    plans = switcher(request, slug) if signed_in else []
    return {
        "plan_slug": slug or "",
        "plan_switcher": plans,
        "current_plan": next((plan for plan, _, current in plans if current), None),
        "may_enter": scope.is_superuser or bool(roles & {Role.COMMUNE, Role.ENTERPRISE}),
        "may_review": scope.is_superuser or Role.PLAN_OWNER in roles,
        "may_triage": bool(roles) and can_triage(request.user),
    }
