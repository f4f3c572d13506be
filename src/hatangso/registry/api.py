"""Registry API: stations and sites within the caller's scope; the plan owner's site decisions."""

from datetime import date

from ninja import Router, Schema, UploadedFile
from ninja.pagination import paginate

from hatangso.api.auth import API_AUTH
from hatangso.api.pagination import Pagination
from hatangso.api.schemas import responses
from hatangso.collection.services import refusal_keeper
from hatangso.core.changelog import Actor
from hatangso.registry import selectors
from hatangso.registry.filtersets import KINDS_BY_API, filter_errors, filter_items
from hatangso.registry.imports import (
    import_ducts,
    import_fibre,
    import_gov_links,
    import_poles,
    import_stations,
)
from hatangso.registry.sites import confirm_site, split_site
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.importing import saved_upload

router = Router(tags=["registry"], auth=API_AUTH)


class StationOut(Schema):
    id: int
    operator: str
    code: str
    name: str
    technology: str
    lat: float | None
    lon: float | None
    unit: str | None
    unit_source: str
    status: str
    in_service_from: date | None
    in_service_to: date | None
    site: str | None
    synthetic: bool

    @staticmethod
    def resolve_operator(obj):
        return obj.operator.code

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_site(obj):
        return obj.site.code if obj.site_id else None


class SiteOut(Schema):
    code: str
    lat: float | None
    lon: float | None
    unit: str | None
    operator_count: int
    shared: bool
    confirmed: bool
    stations: list[StationOut]

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_shared(obj):
        return obj.operator_count >= 2

    @staticmethod
    def resolve_stations(obj):
        # Only the stations the caller may see: an operator never gets a competitor's.
        return obj.visible_stations


class SplitIn(Schema):
    stations: list[int]
    reason: str = ""


class SharedItemOut(Schema):
    """A pole or duct segment. `tenants` lists the operators using it that the caller may see (an
    enterprise renting it: only itself, unless it owns the item); `tenant_count` counts them all."""

    code: str
    lat: float | None
    lon: float | None
    unit: str | None
    unit_source: str
    status: str
    in_service_from: date | None
    in_service_to: date | None
    owner: str | None
    owner_name: str
    tenants: list[str]
    tenant_count: int
    shared: bool
    length_m: float | None = None
    synthetic: bool

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_owner(obj):
        return obj.owner.code if obj.owner_id else None

    @staticmethod
    def resolve_tenants(obj, context):
        current = [t for t in selectors.visible_tenancies(context["request"].user, obj) if t.until is None]
        return [t.operator.code for t in current]

    @staticmethod
    def resolve_shared(obj):
        return obj.tenant_count >= 2


class FibreOut(Schema):
    code: str
    name: str
    operator: str
    lat: float | None
    lon: float | None
    unit: str | None
    status: str
    in_service_from: date | None
    in_service_to: date | None
    length_m: float
    synthetic: bool

    @staticmethod
    def resolve_operator(obj):
        return obj.operator.code

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None


class GovLinkOut(Schema):
    code: str
    office: str
    commune_office: bool
    link_type: str
    bandwidth_mbps: float | None
    operator: str | None
    unit: str | None
    status: str
    in_service_from: date | None
    in_service_to: date | None
    synthetic: bool

    @staticmethod
    def resolve_operator(obj):
        return obj.operator.code if obj.operator_id else None

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None


class ZoneOut(Schema):
    code: str
    name: str
    lat: float | None
    lon: float | None
    unit: str | None
    status: str
    coverage: list[str]  # "operator:technology", the caller's own only for an enterprise
    synthetic: bool

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code if obj.unit_id else None

    @staticmethod
    def resolve_coverage(obj, context):
        rows = selectors.visible_coverage(context["request"].user, obj)
        return [f"{c.operator.code}:{c.technology}" for c in rows]


def _filtered(request, api_name: str):
    """The kind's FilterSet over the caller's items, from the query string (the same sets as the
    pages: `q`, `unit`, `status`, `in_service_on`, `sort` and the kind's own); bad values → 400."""
    filterset = filter_items(KINDS_BY_API[api_name], request, request.GET)
    if not filterset.is_valid():
        raise UserError(*filter_errors(filterset))
    return filterset.qs


@router.get("/stations", response=responses(list[StationOut]))
@paginate(Pagination)
def list_stations(request, operator: str | None = None, unit: str | None = None):
    """The caller's stations; filters `operator`, `technology`, `unit`, `status`, `q`, `site`,
    `in_service_on` (YYYY-MM-DD), `sort` (code, commune, status; `-` for descending)."""
    return _filtered(request, "stations")


@router.get("/sites", response=responses(list[SiteOut]))
@paginate(Pagination)
def list_sites(request, shared: bool | None = None, confirmed: bool | None = None):
    """Physical sites found by the detection; `shared=true` lists those with ≥ 2 operators (counted
    on `in_service_on` when given); also `operator`, `unit`, `status`, `q`, `sort`."""
    return _filtered(request, "sites")


@router.get("/poles", response=responses(list[SharedItemOut]))
@paginate(Pagination)
def list_poles(request):
    """Poles the caller may see; `owner`, `tenant`, `shared`, `unit`, `status`, `q`, `in_service_on`
    (tenants counted that day, as `pole_sharing` counts them), `sort`."""
    return _filtered(request, "poles")


@router.get("/ducts", response=responses(list[SharedItemOut]))
@paginate(Pagination)
def list_ducts(request):
    """Duct segments, with the same filters as poles."""
    return _filtered(request, "ducts")


@router.get("/fibre", response=responses(list[FibreOut]))
@paginate(Pagination)
def list_fibre(request):
    """Fibre routes; `operator`, `unit`, `status`, `q`, `in_service_on`, `sort`."""
    return _filtered(request, "fibre")


@router.get("/gov-links", response=responses(list[GovLinkOut]))
@paginate(Pagination)
def list_gov_links(request):
    """Offices' links to the government data network; `operator`, `link_type`, `commune_office`,
    `unit`, `status`, `q`, `in_service_on`, `sort`."""
    return _filtered(request, "gov-links")


@router.get("/zones", response=responses(list[ZoneOut]))
@paginate(Pagination)
def list_zones(request):
    """Industrial zones; `operator` and `technology` (IoT coverage), `unit`, `status`, `q`, `sort`."""
    return _filtered(request, "zones")


@router.get("/sites/{code}", response=responses(SiteOut))
def get_site(request, code: str):
    return selectors.get_site(request.user, code)


@router.post("/sites/{code}/confirm", response=responses(SiteOut, write=True))
def confirm(request, code: str):
    """The plan owner confirms the site as detected; detection keeps it on every later run."""
    site = selectors.get_site(request.user, code)
    confirm_site(site=site, actor=Actor.from_request(request), user=request.user)
    return selectors.get_site(request.user, code)


@router.post("/sites/{code}/split", response=responses(SiteOut, write=True))
def split(request, code: str, payload: SplitIn):
    """The plan owner splits the listed stations off into a new site (returned)."""
    site = selectors.get_site(request.user, code)
    stations = [s for s in site.visible_stations if s.pk in set(payload.stations)]
    if len(stations) != len(set(payload.stations)):
        raise UserError("Có trạm không thuộc vị trí này", "Some stations are not on this site")
    actor = Actor.from_request(request)
    new_site = split_site(site=site, stations=stations, actor=actor, user=request.user, reason=payload.reason)
    return selectors.get_site(request.user, new_site.code)


# Kinds an operator (or the plan owner) may send through the API; each row is checked against the
# caller's scope. OpenCelliD files, zones and boundaries are loaded by the office (command line).
API_IMPORTS = {
    "stations": import_stations,
    "poles": import_poles,
    "ducts": import_ducts,
    "fibre": import_fibre,
    "gov-links": import_gov_links,
}


class ImportOut(Schema):
    kind: str
    created: int
    updated: int
    unchanged: int
    batch: int
    notes: list[str]


# The kinds whose rows outside every boundary are left out unless the sender keeps them flagged.
KEEP_OUTSIDE_KINDS = ("stations",)


@router.post("/imports/{kind}", response=responses(ImportOut, write=True))
def import_file(request, kind: str, file: UploadedFile, keep_outside: bool = False):
    """Send a registry file (`stations`, `poles`, `ducts`, `fibre`, `gov-links`; the formats of
    `hatangso import`). All-or-nothing: a file with bad rows lands nothing and every row is named; a
    refused file is kept under imports/rejected with its reason. Stations outside every boundary are
    counted and left out, or kept flagged with `keep_outside=true` (the command's --keep-outside)."""
    importer = API_IMPORTS.get(kind)
    if importer is None:
        raise NotFound(
            f"Không có loại dữ liệu '{kind}'", f"No import kind '{kind}' (use {', '.join(API_IMPORTS)})"
        )
    extra = {"keep_outside": keep_outside} if kind in KEEP_OUTSIDE_KINDS else {}
    if keep_outside and not extra:
        raise UserError(
            f"keep_outside chỉ dùng cho {', '.join(KEEP_OUTSIDE_KINDS)}, không dùng cho {kind}",
            f"keep_outside is for {', '.join(KEEP_OUTSIDE_KINDS)} only, not for {kind}",
        )
    actor = Actor.from_request(request)
    with saved_upload(file, refused=refusal_keeper(kind, actor)) as path:
        summary = importer(path=path, actor=actor, user=request.user, **extra)
    return {
        "kind": summary.kind,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "batch": summary.batch.pk,
        "notes": summary.notes,
    }
