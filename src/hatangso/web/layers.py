"""Reads behind the maps: each layer as a GeoJSON FeatureCollection, through the user's scope (the
same selectors as the lists: an enterprise sees its own stations and the sites it stands on, a
commune no station, incidents as `incident_list`)."""

from __future__ import annotations

from datetime import date

from django.core.cache import cache
from django.db.models import QuerySet

from hatangso.analytics.measurements.coverage import CoverageLayer, layer_for, layers
from hatangso.analytics.selectors import PlanReading, scorecard
from hatangso.analytics.services import RATING_FIELDS
from hatangso.analytics.status import Status
from hatangso.geography.models import AdministrativeUnit, UnitBoundary
from hatangso.geography.selectors import boundary_collection, children_of
from hatangso.plans.models import Indicator, Plan
from hatangso.registry.selectors import site_list, station_list
from hatangso.utilities.errors import NotFound
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.periods import parse_period
from hatangso.web.selectors import reads_figures
from hatangso.workplan.selectors import incident_list

np = lazy_import("numpy")
pq = lazy_import("pyarrow.parquet")
shapely = lazy_import("shapely")

# Effective mobile downlink classes of the coverage layer (Mb/s): (key, lower bound, colour, label).
SPEED_CLASSES = [
    ("ge60", 60.0, "#1a7f37", "≥ 60 Mb/s"),
    ("30_60", 30.0, "#7bc96f", "30–60 Mb/s"),
    ("5_30", 5.0, "#f2c14e", "5–30 Mb/s"),
    ("lt5", 0.0, "#e07b39", "< 5 Mb/s"),
]
NO_COVERAGE = ("none", "#b8bcc4", "không phủ sóng / no coverage")


def collection(features: list[dict], **properties) -> dict:
    return {"type": "FeatureCollection", "properties": properties, "features": features}


def point(lon: float, lat: float, properties: dict) -> dict:
    return {
        "type": "Feature",
        "geometry": {"type": "Point", "coordinates": [round(lon, 6), round(lat, 6)]},
        "properties": properties,
    }


def map_indicator(plan: Plan, code: str | None) -> Indicator:
    """The indicator the map colours communes by (default: the plan's first); NotFound if unknown."""
    indicators = plan.indicators.order_by("order")
    indicator = indicators.filter(code=code).first() if code else indicators.first()
    if indicator is None:
        raise NotFound(
            f"Kế hoạch {plan.code} không có chỉ tiêu '{code}'", f"Plan {plan.code} has no indicator '{code}'"
        )
    return indicator


def commune_values(user, plan: Plan, indicator: Indicator, period: str) -> dict[str, dict]:
    """The current value and rating of each commune of the plan's area: {code: {name, value, status}};
    a commune whose results the user may not see (web.selectors.reads_figures) has none."""
    span = parse_period(period)
    values, reading = {}, PlanReading.of(plan)
    for commune in children_of(plan.area_unit, start=span.start, end=span.end):
        row = None
        if reads_figures(user, commune, plan):
            rows = scorecard(plan=plan, unit=commune, period=span, reading=reading).as_json()["indicators"]
            row = next((r for r in rows if r["code"] == indicator.code), None)
        row = row or {"value": None, "status": Status.NO_DATA}
        values[commune.code] = {"name": commune.name, **{key: row[key] for key in RATING_FIELDS}}
    return values


def commune_layer(plan: Plan, period: str, values: dict[str, dict], on: date | None = None) -> dict:
    """The communes' shapes with their value and rating of one indicator (`values` from
    `commune_values` or a published snapshot); a commune without a value is `no_data`. The
    province and district outlines around them come along as `outlines`."""
    on = on or parse_period(period).end
    shapes = boundary_collection(within=plan.area_unit, on=on)
    # The units the values are of — the area's children: a district's communes, a province's
    # districts in 2024 — else the communes; never the area's own outline, which would cover them.
    inside = [f for f in shapes["features"] if f["properties"]["code"] != plan.area_unit.code]
    coloured = [f for f in inside if f["properties"]["code"] in values] or [
        f for f in inside if f["properties"]["level"] == AdministrativeUnit.Level.COMMUNE
    ]
    features = []
    for feature in coloured:
        entry = values.get(feature["properties"]["code"], {})
        status = Status(entry.get("status") or Status.NO_DATA)
        value = entry.get("value")
        features.append(
            {
                **feature,
                "properties": {
                    **feature["properties"],
                    "value": value,  # as the scorecard row gives it: rounded once, half up
                    "status": status,
                    "status_label": status.label,
                    "colour": status.colour,
                },
            }
        )
    document = collection(features)
    document["outlines"] = collection(
        [
            {
                "type": "Feature",
                "geometry": b.geometry,
                "properties": {
                    "code": b.unit.code,
                    "name": b.unit.name,
                    "level": b.unit.level,
                    "source": b.source,
                    "synthetic": b.synthetic,
                },
            }
            for b in outline_boundaries(plan.area_unit, on)
        ]
    )
    return document


def outline_boundaries(area: AdministrativeUnit, on: date) -> QuerySet[UnitBoundary]:
    """The shapes of the province of a plan's area and of every district in it, in force on `on`:
    the map draws them as lines over the communes."""
    province = area.path.strip("/").split("/")[0]
    units = AdministrativeUnit.objects.filter(
        path__startswith=f"/{province}/",
        level__in=(AdministrativeUnit.Level.PROVINCE, AdministrativeUnit.Level.DISTRICT),
    ).valid_on(on)
    return UnitBoundary.objects.filter(unit__in=units).select_related("unit").order_by("unit__path")


def boundary_notes(plan: Plan) -> dict:
    """What the map page says of its shapes: the sources of the real outlines (their attribution)
    and whether the communes' shapes are illustrative (synthetic) ones."""
    span = parse_period(plan.period)
    communes = children_of(plan.area_unit, start=span.start, end=span.end).filter(
        level=AdministrativeUnit.Level.COMMUNE
    )
    real = outline_boundaries(plan.area_unit, span.end).filter(synthetic=False)
    return {
        "outline_sources": sorted(set(real.values_list("source", flat=True))),
        "illustrative_communes": UnitBoundary.objects.filter(unit__in=communes, synthetic=True).exists(),
    }


def station_layer(user) -> dict:
    stations = station_list(user).filter(lat__isnull=False, lon__isnull=False)
    return collection(
        [
            point(
                s.lon,
                s.lat,
                {
                    "code": s.code,
                    "name": s.name,
                    "operator": s.operator.short_name or s.operator.name,
                    "technology": s.technology,
                    "status": s.status,
                    "site": s.site.code if s.site_id else None,
                    "synthetic": s.synthetic,
                },
            )
            for s in stations
        ]
    )


def site_layer(user) -> dict:
    """Physical sites the user's stations stand on (area roles: all); `operators` names only the
    operators of the stations the user may see, `shared` says whether two or more stand there."""
    features = []
    for site in site_list(user).filter(lat__isnull=False, lon__isnull=False):
        operators = sorted({s.operator.short_name or s.operator.name for s in site.visible_stations})
        features.append(
            point(
                site.lon,
                site.lat,
                {
                    "code": site.code,
                    "shared": site.operator_count >= 2,
                    "operator_count": site.operator_count,
                    "operators": operators,
                    "stations": len(site.visible_stations),
                    "confirmed": site.confirmed,
                    "synthetic": site.synthetic,
                },
            )
        )
    return collection(features)


def incident_layer(user) -> dict:
    """Located incident reports the user may follow (`incident_list`); no reporter's contact."""
    incidents = incident_list(user).filter(lat__isnull=False, lon__isnull=False).order_by("-created_at")
    return collection(
        [
            point(
                i.lon,
                i.lat,
                {
                    "id": i.pk,
                    "category": i.get_category_display(),
                    "status": i.status,
                    "status_label": i.get_status_display(),
                    "address": i.address,
                    "description": i.description[:200],
                    "created": i.created_at.date().isoformat(),
                    "synthetic": i.synthetic,
                },
            )
            for i in incidents
        ]
    )


def coverage_layer_for(plan: Plan) -> CoverageLayer | None:
    """The newest coverage layer computed as of a day of the plan's period, else the newest."""
    span = parse_period(plan.period)
    found = layer_for(span.start, span.end)
    if found is None:
        every = layers()
        found = every[-1] if every else None
    return found


def speed_class(mbps: np.ndarray) -> np.ndarray:
    """The class key of each effective speed (NaN or ≤ 0: no coverage)."""
    keys = np.full(len(mbps), NO_COVERAGE[0], dtype=object)
    speeds = np.nan_to_num(mbps, nan=0.0)
    for key, lower, _, _ in reversed(SPEED_CLASSES):
        keys[speeds > lower if lower == 0 else speeds >= lower] = key
    return keys


def coverage_geojson(layer: CoverageLayer) -> dict:
    """The layer's cells merged into one (multi)polygon per speed class, in WGS84 (≈ 1 m
    precision): one feature per class instead of one per cell, so the map stays light."""
    key = f"hatangso:coverage-map:{layer.folder}:{layer.meta.get('computed_at', '')}"
    cached = cache.get(key)
    if cached is not None:
        return cached
    from pyproj import Transformer

    table = pq.read_table(layer.cells_path, columns=["ix", "iy", "effective_mbps"])
    ix, iy = table["ix"].to_numpy(), table["iy"].to_numpy()
    effective = table["effective_mbps"].to_numpy(zero_copy_only=False).astype(float)
    classes = speed_class(effective)
    size = layer.cell_m
    to_wgs84 = Transformer.from_crs(layer.crs, "EPSG:4326", always_xy=True)

    def project(xy: np.ndarray) -> np.ndarray:
        lon, lat = to_wgs84.transform(xy[:, 0], xy[:, 1])
        return np.round(np.column_stack([lon, lat]), 5)

    styles = {key: (colour, label) for key, _, colour, label in SPEED_CLASSES}
    styles[NO_COVERAGE[0]] = NO_COVERAGE[1:]
    features = []
    for key, (colour, label) in styles.items():
        chosen = classes == key
        if not chosen.any():
            continue
        squares = shapely.box(ix[chosen] * size, iy[chosen] * size, (ix[chosen] + 1) * size,
                              (iy[chosen] + 1) * size)  # fmt: skip
        merged = shapely.simplify(shapely.coverage_union_all(squares), size / 100)
        geometry = shapely.transform(merged, project)
        features.append(
            {
                "type": "Feature",
                "geometry": shapely.geometry.mapping(geometry),
                "properties": {"class": key, "label": label, "colour": colour, "cells": int(chosen.sum())},
            }
        )
    document = collection(
        features,
        as_of=layer.as_of.isoformat(),
        cell_m=size,
        cells=len(ix),
        synthetic=bool(layer.meta.get("synthetic")),
    )
    cache.set(key, document, 24 * 3600)
    return document
