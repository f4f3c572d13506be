"""Reads of the registry through the user's scope: area roles (plan owner, agency, leader) see every
item placed in their area; an enterprise sees its own operator's stations and fibre routes, the sites
its stations stand on, the poles and ducts it owns or rents (current or past tenancy), the network
links it provides and the industrial zones it covers; a commune only its own commune's links to the
government network; the public nothing. Anything else is 404.

Within an item an enterprise sees no competitor's raw data: a site lists only its own stations (with
the number of operators on it, which is what makes it shared), a pole or duct it rents lists only its
own tenancy and the owner (with the number of tenants), a zone only its own coverage. The owner of a
pole or duct sees all its tenants: they rent from it.
"""

from datetime import date

from django.db.models import Count, Prefetch, Q, QuerySet
from django.http import Http404
from django.utils import timezone

from hatangso.core.models import ChangeLogEntry, Role
from hatangso.core.scoping import scope_for
from hatangso.registry.models import (
    DuctSegment,
    FibreRoute,
    GovernmentLink,
    IndustrialZone,
    Pole,
    Site,
    Station,
    Status,
)


def station_list(user, *, operator: str | None = None, unit: str | None = None) -> QuerySet[Station]:
    stations = scope_for(user).filter_operator_items(
        Station.objects.select_related("operator", "unit", "site").order_by("operator__code", "code")
    )
    if operator:
        stations = stations.filter(operator__code=operator)
    if unit:
        stations = stations.filter(unit__code=unit)
    return stations


def in_service_q(day: date, prefix: str = "") -> Q:
    """The condition of `RegistryItemQuerySet.in_service_on` over a relation (`prefix` = "stations__")."""
    return (
        ~Q(**{f"{prefix}status": Status.PLANNED})
        & (Q(**{f"{prefix}in_service_from__isnull": True}) | Q(**{f"{prefix}in_service_from__lte": day}))
        & (Q(**{f"{prefix}in_service_to__isnull": True}) | Q(**{f"{prefix}in_service_to__gt": day}))
    )


def site_list(
    user, *, shared: bool | None = None, confirmed: bool | None = None, day: date | None = None
) -> QuerySet[Site]:
    """Sites the user's stations stand on. `operator_count` counts every operator on the site (what
    makes it shared); with `day`, only the stations in service that day, as the indicator counts."""
    visible_stations = station_list(user)
    counted = Count("stations__operator", distinct=True)
    if day is not None:
        counted = Count("stations__operator", filter=in_service_q(day, "stations__"), distinct=True)
    sites = (
        Site.objects.filter(pk__in=visible_stations.values("site_id"))
        .annotate(operator_count=counted)
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


def _visible(user, model, *enterprise_fields: str) -> QuerySet:
    """Items of `model` in the user's scope: area roles by the item's unit, an enterprise through any
    of `enterprise_fields` (each a path to an operator)."""
    scope = scope_for(user)
    parts = [
        scope.filter_operator_items(model.objects.all(), field).values("pk") for field in enterprise_fields
    ]
    condition = Q()
    for part in parts:
        condition |= Q(pk__in=part)
    return model.objects.filter(condition) if parts else model.objects.none()


def enterprise_operator_ids(user) -> set[int] | None:
    """The operators whose raw data the user may see inside a shared item; None means all (area
    roles, superusers)."""
    scope = scope_for(user)
    if scope.is_superuser or scope.roles() & {Role.PLAN_OWNER, Role.AGENCY, Role.LEADER}:
        return None
    return {m.operator_id for m in scope.memberships if m.role == Role.ENTERPRISE and m.operator_id}


def _tenant_count(day: date) -> Count:
    live = (Q(tenancies__since__isnull=True) | Q(tenancies__since__lte=day)) & (
        Q(tenancies__until__isnull=True) | Q(tenancies__until__gt=day)
    )
    return Count("tenancies__operator", filter=live, distinct=True)


def shared_item_list(user, model, *, day: date | None = None) -> QuerySet:
    """Poles or duct segments the user may see, with `tenant_count`: the operators using each on
    `day` (default today) — ≥ 2 is shared, as the sharing indicators count."""
    items = _visible(user, model, "owner", "tenancies__operator")
    return (
        items.annotate(tenant_count=_tenant_count(day or timezone.localdate()))
        .select_related("unit", "owner")
        .order_by("code")
    )


def pole_list(user, *, day: date | None = None) -> QuerySet[Pole]:
    return shared_item_list(user, Pole, day=day)


def duct_list(user, *, day: date | None = None) -> QuerySet[DuctSegment]:
    return shared_item_list(user, DuctSegment, day=day)


def fibre_list(user) -> QuerySet[FibreRoute]:
    return _visible(user, FibreRoute, "operator").select_related("unit", "operator").order_by("code")


def gov_link_list(user) -> QuerySet[GovernmentLink]:
    """Links to the government network: area roles their area, the providing operator its own, and a
    commune the links of offices in its own commune."""
    links = _visible(user, GovernmentLink, "operator")
    communes = [
        m.unit.path for m in scope_for(user).memberships if m.role == Role.COMMUNE and m.unit_id
    ]
    for path in communes:
        links = links | GovernmentLink.objects.filter(unit__path__startswith=path)
    return links.distinct().select_related("unit", "operator", "agency").order_by("code")


def zone_list(user) -> QuerySet[IndustrialZone]:
    zones = _visible(user, IndustrialZone, "coverage__operator")
    return zones.select_related("unit").order_by("code")


def _get(queryset: QuerySet, **lookup):
    item = queryset.filter(**lookup).first()
    if item is None:
        raise Http404("Không có hạng mục này / No such item")
    return item


def get_station(user, operator: str, code: str) -> Station:
    return _get(station_list(user), operator__code=operator, code=code)


def get_pole(user, code: str, *, day: date | None = None) -> Pole:
    return _get(pole_list(user, day=day), code=code)


def get_duct(user, code: str, *, day: date | None = None) -> DuctSegment:
    return _get(duct_list(user, day=day), code=code)


def get_fibre(user, code: str) -> FibreRoute:
    return _get(fibre_list(user), code=code)


def get_gov_link(user, code: str) -> GovernmentLink:
    return _get(gov_link_list(user), code=code)


def get_zone(user, code: str) -> IndustrialZone:
    return _get(zone_list(user), code=code)


def visible_tenancies(user, item) -> list:
    """The tenancies of a pole or duct the user may see: all for area roles and the item's owner;
    an enterprise renting it only its own."""
    tenancies = item.tenancies.select_related("operator").order_by("operator__short_name", "since")
    own = enterprise_operator_ids(user)
    if own is None or item.owner_id in own:
        return list(tenancies)
    return list(tenancies.filter(operator_id__in=own))


def visible_coverage(user, zone) -> list:
    rows = zone.coverage.select_related("operator").order_by("operator__short_name", "technology")
    own = enterprise_operator_ids(user)
    return list(rows if own is None else rows.filter(operator_id__in=own))


def item_history(user, item, *, related: list | None = None, limit: int = 50) -> list:
    """Change-log rows of the item (and of `related` rows the user may see, e.g. its tenancies),
    newest first. The caller has already fetched `item` through the user's scope."""
    condition = Q(object_type=item._meta.label_lower, object_id=str(item.pk))
    for row in related or []:
        condition |= Q(object_type=row._meta.label_lower, object_id=str(row.pk))
    return list(ChangeLogEntry.objects.filter(condition).order_by("-time", "-id")[:limit])
