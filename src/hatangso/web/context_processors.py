from django.conf import settings

from hatangso.collection.models import DataValue
from hatangso.core.models import Role
from hatangso.core.scoping import scope_for
from hatangso.plans.selectors import plan_list
from hatangso.workplan.services import can_triage


def synthetic_data(request):
    """Whether the installation holds synthetic demo data, so every page can say so."""
    return {"synthetic_data": DataValue.objects.filter(synthetic=True).exists()}


def map_tiles(request):
    """The optional tile server of the maps (none: the maps draw only the app's own shapes)."""
    return {"map_tiles": settings.MAP_TILES, "map_tiles_attribution": settings.MAP_TILES_ATTRIBUTION}


def navigation(request):
    """Which parts of the site the user may open, so the menu offers only those."""
    user = getattr(request, "user", None)
    scope = scope_for(user)
    roles = scope.roles()
    signed_in = user is not None and user.is_authenticated
    return {
        "plan_slug": (plan_list().values_list("slug", flat=True).first() or "") if signed_in else "",
        "may_enter": scope.is_superuser or bool(roles & {Role.COMMUNE, Role.ENTERPRISE}),
        "may_review": scope.is_superuser or Role.PLAN_OWNER in roles,
        "may_triage": bool(roles) and can_triage(request.user),
    }
