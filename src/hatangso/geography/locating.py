"""Which administrative unit a point lies in: point in polygon where boundaries exist, else the
unit the source declared, else the nearest boundary (a point just off the coast or a border)."""

from dataclasses import dataclass
from datetime import date

from django.db.models import F

from hatangso.geography.models import AdministrativeUnit, UnitBoundary
from hatangso.utilities.lazy import lazy_import

np = lazy_import("numpy")
shapely = lazy_import("shapely")

POLYGON, DECLARED, NEAREST = "polygon", "declared", "nearest"
# Beyond this (in degrees, ~2 km) a point outside every boundary is not placed by proximity.
NEAREST_LIMIT_DEGREES = 0.02


@dataclass(frozen=True)
class Placement:
    unit: AdministrativeUnit | None
    method: str  # polygon, declared, nearest, or "" when the point could not be placed


class UnitLocator:
    """Boundaries of the units of one level in force on a day, in one spatial index."""

    def __init__(self, *, on: date, level: str = AdministrativeUnit.Level.COMMUNE):
        of_level = UnitBoundary.objects.filter(unit__level=level).select_related("unit")
        boundaries = list(of_level.filter(unit__in=AdministrativeUnit.objects.valid_on(on)))
        if not boundaries:
            # No shapes for the units of that day: the shapes we have, the newest units first.
            boundaries = list(of_level.order_by(F("unit__valid_from").desc(nulls_last=True)))
        from shapely.geometry import shape

        self.units = [b.unit for b in boundaries]
        self.shapes = [shape(b.geometry) for b in boundaries]
        self.tree = shapely.STRtree(self.shapes) if self.shapes else None

    @property
    def has_boundaries(self) -> bool:
        return self.tree is not None

    def locate_many(
        self, lons, lats, declared: list[AdministrativeUnit | None] | None = None
    ) -> list[Placement]:
        count = len(lons)
        declared = declared or [None] * count
        found: list[Placement | None] = [None] * count
        if self.tree is not None and count:
            points = shapely.points(np.asarray(lons, dtype=float), np.asarray(lats, dtype=float))
            point_index, shape_index = self.tree.query(points, predicate="intersects")
            for p, s in zip(point_index.tolist(), shape_index.tolist(), strict=True):
                if found[p] is None:
                    found[p] = Placement(self.units[s], POLYGON)
            missing = [i for i in range(count) if found[i] is None and declared[i] is None]
            if missing:
                nearest_point, nearest_shape = self.tree.query_nearest(
                    points[missing], max_distance=NEAREST_LIMIT_DEGREES, all_matches=False
                )
                for p, s in zip(nearest_point.tolist(), nearest_shape.tolist(), strict=True):
                    found[missing[p]] = Placement(self.units[s], NEAREST)
        return [
            found[i] or (Placement(declared[i], DECLARED) if declared[i] else Placement(None, ""))
            for i in range(count)
        ]

    def locate(self, lon: float, lat: float, declared: AdministrativeUnit | None = None) -> Placement:
        return self.locate_many([lon], [lat], [declared])[0]


def bounding_box(geometry: dict) -> tuple[float, float, float, float]:
    from shapely.geometry import shape

    return tuple(float(v) for v in shape(geometry).bounds)
