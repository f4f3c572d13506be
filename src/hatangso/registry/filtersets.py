"""One django-filter FilterSet per registry kind: the list pages and the API lists filter with the
same sets (DESIGN.md §5). Each set filters a queryset the selectors have already scoped to the user;
a filter that looks inside a shared item (an operator on a site, a tenant of a pole) only looks at
what the user may see there, so a filter never reveals a competitor's presence.

`KINDS` names every kind: its URL slug, its selector, its FilterSet, and how "shared" is counted.
`filter_items` is what pages and API call.
"""

from dataclasses import dataclass
from datetime import date

import django_filters as filters
from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from hatangso.registry import selectors
from hatangso.registry.models import (
    DuctSegment,
    FibreRoute,
    GovernmentLink,
    IndustrialZone,
    Operator,
    Pole,
    Site,
    Station,
    Status,
    ZoneCoverage,
)

SORTS = (("code", "code"), ("unit__name", "commune"), ("status", "status"))
SORT_LABELS = (("code", _("Mã")), ("commune", _("Xã, phường")), ("status", _("Trạng thái")))


def _operators():
    return Operator.objects.order_by("short_name")


class RegistryFilterSet(filters.FilterSet):
    """What every kind shares: text search, commune, status, in service on a day, sort order."""

    search_fields: tuple[str, ...] = ("code", "name")

    q = filters.CharFilter(label=_("Mã hoặc tên có chứa"), method="search")
    unit = filters.ChoiceFilter(label=_("Xã, phường"), field_name="unit__code", choices=[])
    status = filters.ChoiceFilter(label=_("Trạng thái"), choices=Status.choices)
    in_service_on = filters.DateFilter(
        label=_("Đang sử dụng vào ngày"),
        method="in_service",
        input_formats=["%Y-%m-%d", "%d/%m/%Y"],
        widget=forms.DateInput(attrs={"type": "date"}),  # the browser sends YYYY-MM-DD
    )
    sort = filters.OrderingFilter(label=_("Sắp xếp"), fields=SORTS, field_labels=dict(SORT_LABELS))

    def __init__(self, data=None, queryset=None, *, request=None, **kwargs):
        super().__init__(data, queryset, request=request, **kwargs)
        # The communes of the items the user may see (never a unit list of someone else's items).
        units = (
            self.queryset.model.objects.filter(pk__in=self.queryset.values("pk"))
            .exclude(unit=None)
            .order_by("unit__name", "unit__code")
            .values_list("unit__code", "unit__name")
            .distinct()
        )
        self.filters["unit"].extra["choices"] = list(dict.fromkeys(units))

    @property
    def user(self):
        return getattr(self.request, "user", None)

    def search(self, queryset, name, value):
        condition = Q()
        for field_name in self.search_fields:
            condition |= Q(**{f"{field_name}__icontains": value.strip()})
        return queryset.filter(condition)

    def in_service(self, queryset, name, value):
        return queryset.filter(selectors.in_service_q(value))


class StationFilterSet(RegistryFilterSet):
    operator = filters.ModelChoiceFilter(
        label=_("Doanh nghiệp"), queryset=_operators(), to_field_name="code", field_name="operator"
    )
    technology = filters.ChoiceFilter(label=_("Công nghệ"), choices=Station.Technology.choices)
    site = filters.CharFilter(label=_("Mã vị trí"), field_name="site__code")

    class Meta:
        model = Station
        fields = ["q", "operator", "technology", "unit", "status", "in_service_on", "site"]


class SiteFilterSet(RegistryFilterSet):
    operator = filters.ModelChoiceFilter(
        label=_("Có trạm của doanh nghiệp"),
        queryset=_operators(),
        to_field_name="code",
        method="has_operator",
    )
    shared = filters.BooleanFilter(label=_("Dùng chung (≥ 2 doanh nghiệp)"), method="is_shared")
    confirmed = filters.BooleanFilter(label=_("Đã xác nhận"))

    class Meta:
        model = Site
        fields = ["q", "operator", "shared", "confirmed", "unit", "status", "in_service_on"]

    def has_operator(self, queryset, name, value):
        # Only the user's visible stations: an enterprise cannot probe where a competitor stands.
        stations = selectors.station_list(self.user).filter(operator=value)
        return queryset.filter(pk__in=stations.values("site_id"))

    def is_shared(self, queryset, name, value):
        return queryset.filter(operator_count__gte=2) if value else queryset.filter(operator_count__lt=2)

    def in_service(self, queryset, name, value):
        # A site is in service while one of its stations is (the indicator counts it that way).
        return queryset.filter(pk__in=Station.objects.in_service_on(value).values("site_id"))


class SharedItemFilterSet(RegistryFilterSet):
    search_fields = ("code", "owner_name")

    owner = filters.ModelChoiceFilter(
        label=_("Chủ sở hữu"), queryset=_operators(), to_field_name="code", field_name="owner"
    )
    tenant = filters.ModelChoiceFilter(
        label=_("Doanh nghiệp dùng chung"), queryset=_operators(), to_field_name="code", method="has_tenant"
    )
    shared = filters.BooleanFilter(label=_("Dùng chung (≥ 2 doanh nghiệp)"), method="is_shared")

    def has_tenant(self, queryset, name, value):
        own = selectors.enterprise_operator_ids(self.user)
        items = queryset.filter(tenancies__operator=value)
        if own is not None and value.pk not in own:
            items = items.filter(owner_id__in=own)  # another's tenancy: only on items the user owns
        return queryset.filter(pk__in=items.values("pk"))

    def is_shared(self, queryset, name, value):
        return queryset.filter(tenant_count__gte=2) if value else queryset.filter(tenant_count__lt=2)


class PoleFilterSet(SharedItemFilterSet):
    class Meta:
        model = Pole
        fields = ["q", "owner", "tenant", "shared", "unit", "status", "in_service_on"]


class DuctFilterSet(SharedItemFilterSet):
    class Meta:
        model = DuctSegment
        fields = ["q", "owner", "tenant", "shared", "unit", "status", "in_service_on"]


class FibreFilterSet(RegistryFilterSet):
    operator = filters.ModelChoiceFilter(
        label=_("Doanh nghiệp"), queryset=_operators(), to_field_name="code", field_name="operator"
    )

    class Meta:
        model = FibreRoute
        fields = ["q", "operator", "unit", "status", "in_service_on"]


class GovLinkFilterSet(RegistryFilterSet):
    search_fields = ("code", "office")

    operator = filters.ModelChoiceFilter(
        label=_("Doanh nghiệp cung cấp"), queryset=_operators(), to_field_name="code", field_name="operator"
    )
    link_type = filters.ChoiceFilter(label=_("Loại kết nối"), choices=GovernmentLink.LinkType.choices)
    commune_office = filters.BooleanFilter(label=_("Trụ sở UBND xã, phường"))

    class Meta:
        model = GovernmentLink
        fields = ["q", "operator", "link_type", "commune_office", "unit", "status", "in_service_on"]


class ZoneFilterSet(RegistryFilterSet):
    operator = filters.ModelChoiceFilter(
        label=_("Phủ sóng IoT của doanh nghiệp"),
        queryset=_operators(),
        to_field_name="code",
        method="covered",
    )
    technology = filters.ChoiceFilter(
        label=_("Công nghệ IoT"), choices=ZoneCoverage.Technology.choices, method="covered"
    )

    class Meta:
        model = IndustrialZone
        fields = ["q", "operator", "technology", "unit", "status", "in_service_on"]

    def covered(self, queryset, name, value):
        rows = ZoneCoverage.objects.all()
        own = selectors.enterprise_operator_ids(self.user)
        if own is not None:
            rows = rows.filter(operator_id__in=own)  # never a competitor's coverage
        rows = rows.filter(operator=value) if name == "operator" else rows.filter(technology=value)
        return queryset.filter(pk__in=rows.values("zone_id"))


@dataclass(frozen=True)
class Kind:
    slug: str  # in URLs: /ha-tang/<slug>/
    api: str  # in the API: /api/v1/registry/<api>
    label: str
    filterset: type[RegistryFilterSet]
    shared_field: str = ""  # the annotation that counts operators on an item (≥ 2 is shared)

    def queryset(self, user, day: date | None = None) -> QuerySet:
        """The items of this kind the user may see; `day` dates the operator counts."""
        return {
            "tram": lambda: selectors.station_list(user),
            "vi-tri-tram": lambda: selectors.site_list(user, day=day),
            "cot": lambda: selectors.pole_list(user, day=day),
            "cong-be": lambda: selectors.duct_list(user, day=day),
            "cap-quang": lambda: selectors.fibre_list(user),
            "truyen-so-lieu": lambda: selectors.gov_link_list(user),
            "khu-cong-nghiep": lambda: selectors.zone_list(user),
        }[self.slug]()


KINDS = {
    kind.slug: kind
    for kind in (
        Kind("tram", "stations", _("Trạm BTS"), StationFilterSet),
        Kind("vi-tri-tram", "sites", _("Vị trí trạm BTS"), SiteFilterSet, "operator_count"),
        Kind("cot", "poles", _("Cột treo cáp"), PoleFilterSet, "tenant_count"),
        Kind("cong-be", "ducts", _("Tuyến cống bể cáp"), DuctFilterSet, "tenant_count"),
        Kind("cap-quang", "fibre", _("Tuyến cáp quang"), FibreFilterSet),
        Kind("truyen-so-lieu", "gov-links", _("Kết nối mạng truyền số liệu chuyên dùng"), GovLinkFilterSet),
        Kind("khu-cong-nghiep", "zones", _("Khu, cụm công nghiệp"), ZoneFilterSet),
    )
}
KINDS_BY_API = {kind.api: kind for kind in KINDS.values()}


def filter_items(kind: Kind, request, data) -> RegistryFilterSet:
    """The FilterSet of `kind` over the items the request's user may see, bound to `data` (GET
    parameters). When `in_service_on` is valid, operators on sites, poles and ducts are counted on
    that day, as the sharing indicators count them for a period ending that day (else today)."""
    filterset = kind.filterset(data, queryset=kind.queryset(request.user), request=request)
    if filterset.is_valid() and filterset.form.cleaned_data.get("in_service_on") and kind.shared_field:
        filterset.queryset = kind.queryset(request.user, filterset.form.cleaned_data["in_service_on"])
    return filterset


def filter_errors(filterset: RegistryFilterSet) -> tuple[str, str]:
    """The form's errors as one sentence (Vietnamese, English) for the API and the page's message."""
    fields = ", ".join(sorted(filterset.form.errors))
    return (f"Bộ lọc không hợp lệ ({fields})", f"Invalid filter ({fields})")
