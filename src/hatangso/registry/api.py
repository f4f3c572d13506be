"""Registry API: stations and sites within the caller's scope; the plan owner's site decisions."""

from datetime import date

from ninja import Router, Schema, UploadedFile
from ninja.pagination import LimitOffsetPagination, paginate

from hatangso.api.auth import API_AUTH
from hatangso.core.changelog import Actor
from hatangso.registry import selectors
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


def _actor(request) -> Actor:
    return Actor(user=request.user, origin=f"api: {request.method} {request.path}"[:200])


@router.get("/stations", response=list[StationOut])
@paginate(LimitOffsetPagination)
def list_stations(request, operator: str | None = None, unit: str | None = None):
    return selectors.station_list(request.user, operator=operator, unit=unit)


@router.get("/sites", response=list[SiteOut])
@paginate(LimitOffsetPagination)
def list_sites(request, shared: bool | None = None, confirmed: bool | None = None):
    """Physical sites found by the detection; `shared=true` lists those with ≥ 2 operators."""
    return selectors.site_list(request.user, shared=shared, confirmed=confirmed)


@router.get("/sites/{code}", response=SiteOut)
def get_site(request, code: str):
    return selectors.get_site(request.user, code)


@router.post("/sites/{code}/confirm", response=SiteOut)
def confirm(request, code: str):
    """The plan owner confirms the site as detected; detection keeps it on every later run."""
    confirm_site(site=selectors.get_site(request.user, code), actor=_actor(request), user=request.user)
    return selectors.get_site(request.user, code)


@router.post("/sites/{code}/split", response=SiteOut)
def split(request, code: str, payload: SplitIn):
    """The plan owner splits the listed stations off into a new site (returned)."""
    site = selectors.get_site(request.user, code)
    stations = [s for s in site.visible_stations if s.pk in set(payload.stations)]
    if len(stations) != len(set(payload.stations)):
        raise UserError("Có trạm không thuộc vị trí này", "Some stations are not on this site")
    new_site = split_site(
        site=site, stations=stations, actor=_actor(request), user=request.user, reason=payload.reason
    )
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


class RowErrorOut(Schema):
    row: int
    column: str
    value: str
    reason_vi: str
    reason_en: str


class RejectedOut(Schema):
    detail: str
    detail_en: str
    errors: list[RowErrorOut]


@router.post("/imports/{kind}", response={200: ImportOut, 400: RejectedOut})
def import_file(request, kind: str, file: UploadedFile):
    """Send a registry file (`stations`, `poles`, `ducts`, `fibre`, `gov-links`; the formats of
    `hatangso import`). All-or-nothing: a file with bad rows lands nothing and every row is named."""
    importer = API_IMPORTS.get(kind)
    if importer is None:
        raise NotFound(
            f"Không có loại dữ liệu '{kind}'", f"No import kind '{kind}' (use {', '.join(API_IMPORTS)})"
        )
    with saved_upload(file) as path:
        summary = importer(path=path, actor=_actor(request), user=request.user)
    return {
        "kind": summary.kind,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "batch": summary.batch.pk,
        "notes": summary.notes,
    }
