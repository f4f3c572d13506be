"""Reads of the registry through the user's scope: area roles see their area, an enterprise only
its own stations (and the sites it stands on), the public nothing."""

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404

from hatangso.core.scoping import scope_for
from hatangso.registry.models import Site, Station


def station_list(user, *, operator: str | None = None, unit: str | None = None) -> QuerySet[Station]:
    stations = scope_for(user).filter_operator_items(
        Station.objects.select_related("operator", "unit", "site").order_by("operator__code", "code")
    )
    if operator:
        stations = stations.filter(operator__code=operator)
    if unit:
        stations = stations.filter(unit__code=unit)
    return stations


def site_list(user, *, shared: bool | None = None, confirmed: bool | None = None) -> QuerySet[Site]:
    visible_stations = station_list(user)
    sites = (
        Site.objects.filter(pk__in=visible_stations.values("site_id"))
        .annotate(operator_count=Count("stations__operator", distinct=True))
        .select_related("unit")
        .prefetch_related(Prefetch("stations", queryset=visible_stations, to_attr="visible_stations"))
        .order_by("code")
    )
    if shared is not None:
        sites = sites.filter(operator_count__gte=2) if shared else sites.filter(operator_count__lt=2)
    if confirmed is not None:
        sites = sites.filter(confirmed=confirmed)
    return sites


def get_site(user, code: str) -> Site:
    site = site_list(user).filter(Q(code=code)).first()
    if site is None:
        raise Http404("Không có vị trí này / No such site")
    return site
