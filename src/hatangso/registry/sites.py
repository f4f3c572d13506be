"""Shared-site detection: stations standing together form one physical site.

Stations of any operator within `distance` metres of each other (directly or through a chain of
such neighbours) are one site; a site with stations of two or more operators is shared. Positions
go to Earth-centred coordinates (pyproj, EPSG:4978), where a k-d tree (scipy cKDTree) finds every
pair within the distance: the straight-line chord differs from the ground distance by less than a
millimetre at these ranges. Components of the pair graph are the clusters.

The plan owner's decisions stick: a station pinned to a site (by confirming or splitting a site)
keeps it on every later run and re-import; new stations near a pinned site join it.
"""

from __future__ import annotations

import functools
from collections import Counter
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from hatangso.core.changelog import Actor, record_change, record_changes, snapshot
from hatangso.core.models import ChangeLogEntry, Role
from hatangso.core.scoping import scope_for
from hatangso.geography.locating import UnitLocator
from hatangso.registry.models import Site, Station
from hatangso.utilities.bulk import update_rows
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.lazy import lazy_import

np = lazy_import("numpy")

DEFAULT_DISTANCE_M = 30.0


@functools.cache
def _to_ecef():
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", "EPSG:4978", always_xy=True)


def earth_centred(lons, lats) -> np.ndarray:
    x, y, z = _to_ecef().transform(np.asarray(lons, float), np.asarray(lats, float), np.zeros(len(lons)))
    return np.column_stack([x, y, z])


def close_pairs(lons, lats, distance_m: float) -> np.ndarray:
    """Index pairs (i < j) of points within `distance_m` metres of each other."""
    if len(lons) < 2:
        return np.empty((0, 2), dtype=np.int64)
    from scipy.spatial import cKDTree

    return cKDTree(earth_centred(lons, lats)).query_pairs(distance_m, output_type="ndarray")


def cluster_labels(count: int, pairs: np.ndarray) -> np.ndarray:
    """A cluster label per point: the connected components of the pair graph."""
    if count == 0:
        return np.empty(0, dtype=np.int64)
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    graph = coo_matrix((np.ones(len(pairs), dtype=np.int8), (pairs[:, 0], pairs[:, 1])), shape=(count, count))
    return connected_components(graph, directed=False)[1]


@dataclass(frozen=True)
class DetectionSummary:
    stations: int
    sites: int
    shared_sites: int
    created: int
    removed: int
    moved: int


def _next_codes(count: int) -> list[str]:
    last = Site.objects.filter(code__startswith="VT").aggregate(last=Max("code"))["last"]
    start = int(last[2:]) + 1 if last and last[2:].isdigit() else 1
    return [f"VT{n:06d}" for n in range(start, start + count)]


@transaction.atomic
def detect_sites(*, actor: Actor, distance_m: float = DEFAULT_DISTANCE_M) -> DetectionSummary:
    """Group every station into physical sites, keeping the plan owner's decisions."""
    if not 0 < distance_m <= 1000:
        raise UserError(
            f"Khoảng cách {distance_m:g} m không hợp lệ (0 < khoảng cách ≤ 1000 m)",
            f"Distance {distance_m:g} m is invalid (0 < distance ≤ 1000 m)",
        )
    stations = list(
        Station.objects.order_by("pk").values_list(
            "pk", "operator_id", "lon", "lat", "site_id", "site_pinned"
        )
    )
    count = len(stations)
    ids = np.array([s[0] for s in stations], dtype=np.int64)
    lons = np.array([s[2] for s in stations], dtype=float)
    lats = np.array([s[3] for s in stations], dtype=float)
    pinned = np.array([s[5] and s[4] is not None for s in stations], dtype=bool)
    pairs = close_pairs(lons, lats, distance_m)
    # Two pinned stations are where the plan owner put them: no edge between them.
    if len(pairs):
        pairs = pairs[~(pinned[pairs[:, 0]] & pinned[pairs[:, 1]])]
    labels = cluster_labels(count, pairs)
    xyz = earth_centred(lons, lats) if count else np.empty((0, 3))

    members: dict[int, list[int]] = {}
    for index, label in enumerate(labels.tolist()):
        members.setdefault(label, []).append(index)

    current_site = {i: stations[i][4] for i in range(count)}
    assignment: dict[int, int | str] = {}  # station index → site id, or a key for a new site
    claimed: set[int] = set()
    confirmed = set(Site.objects.filter(confirmed=True).values_list("pk", flat=True))
    for label, indexes in members.items():
        anchors = [i for i in indexes if pinned[i]]
        if anchors:
            for i in indexes:
                if pinned[i]:
                    assignment[i] = current_site[i]
                else:
                    nearest = min(anchors, key=lambda a, i=i: float(np.sum((xyz[a] - xyz[i]) ** 2)))
                    assignment[i] = current_site[nearest]
                claimed.add(assignment[i])
            continue
        # Keep the site most of the cluster already had, so codes stay stable between runs.
        votes = Counter(
            current_site[i] for i in indexes if current_site[i] and current_site[i] not in confirmed
        )
        reuse = next((site for site, _ in votes.most_common() if site not in claimed), None)
        target = reuse if reuse is not None else f"new-{label}"
        if reuse is not None:
            claimed.add(reuse)
        for i in indexes:
            assignment[i] = target

    new_keys = sorted({t for t in assignment.values() if isinstance(t, str)})
    new_sites = [Site(code=code, lat=0, lon=0) for code in _next_codes(len(new_keys))]
    Site.objects.bulk_create(new_sites)
    if any(site.pk is None for site in new_sites):
        by_code = dict(Site.objects.filter(code__in=[s.code for s in new_sites]).values_list("code", "pk"))
        for site in new_sites:
            site.pk = by_code[site.code]
    new_ids = {key: site.pk for key, site in zip(new_keys, new_sites, strict=True)}

    changed = []
    for i in range(count):
        site_id = assignment[i]
        site_id = new_ids[site_id] if isinstance(site_id, str) else site_id
        if current_site[i] != site_id:
            changed.append((site_id, int(ids[i])))
    update_rows(Station, ["site"], changed)

    removed = list(Site.objects.filter(stations__isnull=True, confirmed=False))
    for site in removed:
        record_change(actor, ChangeLogEntry.Action.DELETE, site, before=snapshot(site))
    Site.objects.filter(pk__in=[s.pk for s in removed]).delete()
    _place_sites(lons, lats, ids, confirmed)
    created = list(Site.objects.filter(pk__in=new_ids.values()))
    record_changes(actor, ChangeLogEntry.Action.CREATE, created)

    operators_per_site = Counter()
    for site_id, operators in _operators_by_site().items():
        operators_per_site[site_id] = len(operators)
    summary = DetectionSummary(
        stations=count,
        sites=len(operators_per_site),
        shared_sites=sum(1 for n in operators_per_site.values() if n >= 2),
        created=len(created),
        removed=len(removed),
        moved=len(changed),
    )
    return summary


def _operators_by_site() -> dict[int, set[int]]:
    found: dict[int, set[int]] = {}
    for site_id, operator_id in Station.objects.filter(site__isnull=False).values_list(
        "site_id", "operator_id"
    ):
        found.setdefault(site_id, set()).add(operator_id)
    return found


def _place_sites(lons, lats, ids, confirmed: set[int]) -> None:
    """An unconfirmed site stands at the mean position of its stations, in the unit found there
    (or its stations' declared unit). Only sites whose place changed are written."""
    position = {
        int(pk): (lon, lat) for pk, lon, lat in zip(ids.tolist(), lons.tolist(), lats.tolist(), strict=True)
    }
    grouped: dict[int, list[tuple[float, float]]] = {}
    station_unit: dict[int, int | None] = {}
    for pk, site_id, unit_id in Station.objects.filter(site__isnull=False).values_list(
        "pk", "site_id", "unit_id"
    ):
        grouped.setdefault(site_id, []).append(position[pk])
        station_unit.setdefault(site_id, unit_id)
    sites = list(
        Site.objects.filter(pk__in=list(grouped))
        .exclude(pk__in=list(confirmed))
        .values_list("pk", "lon", "lat", "unit_id", "unit_source")
    )
    places = [
        (
            round(sum(p[0] for p in grouped[pk]) / len(grouped[pk]), 7),
            round(sum(p[1] for p in grouped[pk]) / len(grouped[pk]), 7),
        )
        for pk, *_ in sites
    ]
    locator = UnitLocator(on=timezone.localdate())
    placements = locator.locate_many([p[0] for p in places], [p[1] for p in places]) if sites else []
    changed = []
    for (pk, lon, lat, unit_id, source), (new_lon, new_lat), placement in zip(
        sites, places, placements, strict=True
    ):
        if placement.unit is not None:
            new_unit, new_source = placement.unit.pk, placement.method
        else:
            new_unit, new_source = station_unit.get(pk), "declared"
        if (lon, lat, unit_id, source) != (new_lon, new_lat, new_unit, new_source):
            changed.append((new_lon, new_lat, new_unit, new_source, pk))
    update_rows(Site, ["lon", "lat", "unit", "unit_source"], changed)


def _require_plan_owner(user, site: Site) -> None:
    """Only the plan owner of the site's area (a superuser, the command line) decides about sites."""
    scope = scope_for(user)
    if scope.is_superuser:
        return
    if not any(
        m.role == Role.PLAN_OWNER and m.unit_id and site.unit_id and site.unit.path.startswith(m.unit.path)
        for m in scope.memberships
    ):
        raise NotFound(f"Không có vị trí {site.code}", f"No site {site.code}")


@transaction.atomic
def confirm_site(*, site: Site, actor: Actor, user) -> Site:
    """The plan owner confirms a site as it is: its stations stay on it on every later run."""
    _require_plan_owner(user, site)
    before = snapshot(site)
    site.confirmed, site.confirmed_by, site.confirmed_at = True, actor.name, timezone.now()
    site.save()
    site.stations.update(site_pinned=True)
    record_change(
        actor, ChangeLogEntry.Action.UPDATE, site, before=before, reason="xác nhận vị trí / confirmed"
    )
    return site


@transaction.atomic
def split_site(*, site: Site, stations: list[Station], actor: Actor, user, reason: str = "") -> Site:
    """Move some of a site's stations to a new site of their own (they are not co-located after all).

    Both sites are confirmed, so the split survives detection and re-import."""
    _require_plan_owner(user, site)
    moving = {s.pk for s in stations}
    own = set(site.stations.values_list("pk", flat=True))
    if not moving or not moving <= own or moving == own:
        raise UserError(
            "Chọn một phần (không phải tất cả) các trạm của vị trí này để tách",
            "Choose some, not all, of this site's stations to split off",
        )
    first = Station.objects.filter(pk__in=moving).order_by("pk").first()
    new_site = Site.objects.create(
        code=_next_codes(1)[0],
        lat=first.lat,
        lon=first.lon,
        unit=first.unit,
        unit_source=first.unit_source,
        confirmed=True,
        confirmed_by=actor.name,
        confirmed_at=timezone.now(),
    )
    Station.objects.filter(pk__in=moving).update(site=new_site, site_pinned=True)
    record_change(actor, ChangeLogEntry.Action.CREATE, new_site, reason=reason or "tách vị trí / split")
    confirm_site(site=site, actor=actor, user=user)
    return new_site
