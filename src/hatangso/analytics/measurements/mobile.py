"""Indicators from the coverage grid and the population points:

- `coverage_population`: the population of the points in the scope;
- `coverage_population_60mbps`: of them, those in cells where the best operator's predicted mean
  downlink reaches the target speed (60 Mb/s; a point outside the grid is not covered);
- `population_5g_covered`: of them, those in cells of the grid's 5G layer — where a 5G carrier's
  predicted mean downlink reaches the layer's `nr_mbps` (7 Mb/s, FCC BDC 5G-NR 7/1); predicted only,
  as Ookla tiles name no technology;
- `villages_mobile_covered`: villages covered by mobile broadband — declared covered in the
  commune's form **or** computed covered (DESIGN.md §3); `village_coverage` lists both, so the
  places where they disagree can be shown (fixed.py does the same for fixed broadband).

Elements name the provider `measurements` (see sources.py). The grid layer used is the newest
one computed as of a day in the period.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from hatangso.analytics.measurements import engines, population
from hatangso.analytics.measurements.coverage import CoverageLayer, layer_for
from hatangso.analytics.providers import ElementTotal, Scope
from hatangso.collection.models import DataElement, DataValue
from hatangso.geography.models import AdministrativeUnit
from hatangso.registry.models import Operator
from hatangso.utilities.lazy import lazy_import

np = lazy_import("numpy")
pa = lazy_import("pyarrow")

POPULATION, COVERED, VILLAGES = "coverage_population", "coverage_population_60mbps", "villages_mobile_covered"
NR_COVERED = "population_5g_covered"
DECLARED_VILLAGE_ELEMENT = "village_mobile_broadband_covered"
NO_LAYER = (
    "Chưa có lớp vùng phủ di động tính cho kỳ này (hatangso coverage compute) / "
    "no mobile coverage layer computed for the period"
)
NO_NR_LAYER = (
    "Lớp vùng phủ của kỳ này tính trước khi có lớp 5G: tính lại (hatangso coverage compute) / "
    "the period's coverage layer was computed before the 5G layer existed: compute it again"
)
NO_POPULATION = (
    "Chưa có số liệu dân số theo điểm (hatangso import population) / no population points imported"
)


def population_points(layer: CoverageLayer) -> pa.Table:
    """(unit_id, village_id, population, synthetic, ix, iy): every population point with the key
    of the layer's cell it falls in (projected with numpy, so every engine reads the same keys)."""
    table = population.read_population()
    lon = table["lon"].to_numpy()
    lat = table["lat"].to_numpy()
    from pyproj import Transformer

    x, y = Transformer.from_crs("EPSG:4326", layer.crs, always_xy=True).transform(lon, lat)
    size = layer.cell_m
    return pa.table(
        {
            "unit_id": table["unit_id"],
            "village_id": table["village_id"],
            "population": table["population"],
            "synthetic": table["synthetic"],
            "ix": np.floor(x / size).astype(np.int64),
            "iy": np.floor(y / size).astype(np.int64),
        }
    )


def register_population(connection, layer: CoverageLayer) -> None:
    """The DuckDB view `population_points` (see `population_points`)."""
    connection.register("population_points", population_points(layer))


# The population points of the scope's units, each with its cell's speed (0 outside the grid): the
# start of both aggregates below. Written once in DuckDB's dialect; engines.py runs it on DuckDB or
# transpiles it for Spark. `{speeds}` is one of the two speed queries after it.
POINTS = """
WITH speeds AS ({speeds}),
points AS (
    SELECT p.unit_id, p.village_id, p.population, p.synthetic, p.ix, p.iy,
           coalesce(s.mbps, 0) AS mbps, s.ix IS NOT NULL AS in_grid
    FROM population_points p LEFT JOIN speeds s ON s.ix = p.ix AND s.iy = p.iy
    WHERE p.unit_id IN (SELECT id FROM scope_units)
)
"""
# The effective speed: measured where enough tests fall in the cell (layers before measured speeds
# have only the prediction, `best_mbps`). Ookla tiles name no operator: per operator, predicted.
CELL_SPEEDS = "SELECT ix, iy, {column} AS mbps FROM cells"
OPERATOR_SPEEDS = (
    "SELECT ix, iy, max({column}) AS mbps FROM operators WHERE operator = $operator GROUP BY ix, iy"
)
# Points, population, population at the speed, populated cells in the grid, points in the grid,
# synthetic.
POPULATION_TOTALS = (
    POINTS
    + """
SELECT t.points, t.people, t.covered, c.cells, t.in_grid, t.synthetic
FROM (SELECT count(*) AS points, coalesce(sum(population), 0) AS people,
             coalesce(sum(population) FILTER (WHERE mbps >= $speed_mbps), 0) AS covered,
             count(*) FILTER (WHERE in_grid) AS in_grid, coalesce(bool_or(synthetic), false) AS synthetic
      FROM points) t
CROSS JOIN (SELECT count(*) AS cells FROM (SELECT DISTINCT ix, iy FROM points WHERE in_grid) d) c
"""
)
# Per village: its population, and the part of it at the village speed (NULL when none).
VILLAGE_TOTALS = (
    POINTS
    + """
SELECT village_id, sum(population), sum(population) FILTER (WHERE mbps >= $village_mbps)
FROM points WHERE village_id IS NOT NULL GROUP BY village_id
"""
)


def points_rows(
    query: str,
    layer: CoverageLayer,
    unit_ids: list[int],
    operator: str | None,
    params: dict,
    nr: bool = False,
) -> list[tuple]:
    """`query` (POINTS + an aggregate over `points`) for the population points of `unit_ids`, each
    with its cell's best speed — of `operator`'s cells when given; of the 5G layer with `nr` — on the
    engine HATANGSO_ENGINE names."""
    sources: dict[str, engines.Source] = {
        "population_points": population_points(layer),
        "scope_units": pa.table({"id": pa.array(unit_ids, pa.int64())}),
    }
    if operator:
        sources["operators"] = layer.operators_path
        speeds = OPERATOR_SPEEDS.format(column="predicted_5g_mbps" if nr else "predicted_mbps")
        params = {**params, "operator": operator}
    else:
        sources["cells"] = layer.cells_path
        column = "best_5g_mbps" if nr else "effective_mbps" if "measured" in layer.meta else "best_mbps"
        speeds = CELL_SPEEDS.format(column=column)
    return engines.engine().rows(query.format(speeds=speeds), sources=sources, params=params)


def _layer_items(layer: CoverageLayer) -> list[str]:
    p = layer.meta["parameters"]
    return [
        f"lớp vùng phủ / coverage layer {layer.as_of:%d/%m/%Y}: mô hình / model {p['model']}, ô / cell "
        f"{p['cell_m']:g} m, tải / load {p['load']:g}, alpha {p['alpha']:g}, "
        f"{layer.meta['stations']['used']} trạm / stations, {layer.meta['cells']} ô / cells",
        *[
            f"{m['cells']} ô lấy tốc độ đo Ookla {m['period']} (≥ {m['min_tests']} phép đo) / cells with "
            f"the measured Ookla speed (≥ {m['min_tests']} tests)"
            for m in [layer.meta.get("measured")]
            if m and m["cells"]
        ],
    ]


@dataclass(frozen=True)
class VillageCoverage:
    village: AdministrativeUnit
    declared: bool | None  # the latest declared value in the period, None when not reported
    computed: bool | None  # None when it cannot be computed (mobile: no points or no layer)
    population: float
    covered_share: float | None
    lines: int | None = None  # fixed broadband: the lines measured in the period placed in it
    declared_value_id: int | None = None  # the DataValue behind `declared`

    @property
    def covered(self) -> bool:
        return bool(self.declared) or bool(self.computed)

    @property
    def disagrees(self) -> bool:
        return self.declared is not None and self.computed is not None and self.declared != self.computed


def declared_villages(
    code: str, villages: list[AdministrativeUnit], start: date, end: date
) -> dict[int, tuple]:
    """Per village pk, (declared covered, DataValue pk) of the data element `code` in [start, end]:
    the latest period wins; of several sources in it, covered wins (across_sources: max)."""
    declared: dict[int, tuple] = {}
    for pk, unit_id, value, period_end in DataValue.objects.filter(
        data_element__code=code, unit__in=villages, period_start__gte=start, period_end__lte=end
    ).values_list("pk", "unit_id", "value", "period_end"):
        if unit_id not in declared or (period_end, value) > declared[unit_id][:2]:
            declared[unit_id] = (period_end, value, pk)
    return {unit_id: (bool(value), pk) for unit_id, (_, value, pk) in declared.items()}


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else "có / yes" if value else "không / no"


def disagreement_items(rows: list[VillageCoverage]) -> list[str]:
    """The villages where declared and computed disagree, for the lineage (the indicator page's
    evidence): code, name and both values."""
    return [
        f"{r.village.code} {r.village.name}: khai báo / declared {_yes_no(r.declared)} — "
        f"tính toán / computed {_yes_no(r.computed)}"
        for r in rows
        if r.disagrees
    ]


def village_coverage(villages: list[AdministrativeUnit], start: date, end: date) -> list[VillageCoverage]:
    """Per village (`geography.selectors.villages_among`): declared and computed mobile broadband
    coverage."""
    declared = declared_villages(DECLARED_VILLAGE_ELEMENT, villages, start, end)
    computed: dict[int, tuple[float, float]] = {}
    layer = layer_for(start, end)
    if layer and population.has_population() and villages:
        parameters = layer.meta["parameters"]
        ids, mbps = [v.pk for v in villages], {"village_mbps": parameters["village_mbps"]}
        rows = points_rows(VILLAGE_TOTALS, layer, ids, None, mbps)
        computed = {village: (total, reached) for village, total, reached in rows}
        threshold = parameters["village_share"]
    result = []
    for village in villages:
        total, reached = computed.get(village.pk, (0.0, None))
        share = (reached or 0) / total if total else None
        result.append(
            VillageCoverage(
                village=village,
                declared=declared[village.pk][0] if village.pk in declared else None,
                computed=None if share is None else share >= threshold,
                population=float(total or 0),
                covered_share=share,
                declared_value_id=declared[village.pk][1] if village.pk in declared else None,
            )
        )
    return result


class MobileCoverage:
    name = "measurements"
    codes = frozenset({POPULATION, COVERED, NR_COVERED, VILLAGES})

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        result = {e.code: ElementTotal(value=None, provider=self.name) for e in elements}
        codes = set(result)
        layer = layer_for(scope.period.start, scope.period.end)
        if codes & {POPULATION, COVERED, NR_COVERED}:
            self._population(result, scope, layer)
        if VILLAGES in codes:
            self._villages(result[VILLAGES], scope, layer)
        return result

    def _population(self, result: dict[str, ElementTotal], scope: Scope, layer: CoverageLayer | None) -> None:
        totals = [result[c] for c in (POPULATION, COVERED, NR_COVERED) if c in result]
        if not population.has_population():
            for total in totals:
                total.reason = NO_POPULATION
            return
        if layer is None:
            for total in totals:
                total.reason = NO_LAYER
            return
        operator = None
        if scope.operator_id:
            operator = Operator.objects.filter(pk=scope.operator_id).values_list("code", flat=True).first()
        speed = layer.meta["parameters"]["speed_mbps"]
        unit_ids = list(scope.units.values_list("pk", flat=True))
        ((points, people, covered, cells, in_grid, synthetic),) = points_rows(
            POPULATION_TOTALS, layer, unit_ids, operator, {"speed_mbps": speed}
        )
        items = [
            f"{points} điểm dân cư / population points ({in_grid} trong lưới / in the grid)",
            f"{cells} ô có dân / populated cells",
            f"dân số / population {people:,.0f}, đạt ≥ {speed:g} Mb/s / at ≥ {speed:g} Mb/s {covered:,.0f}",
            *_layer_items(layer),
        ]
        values = {POPULATION: people, COVERED: covered, NR_COVERED: None}
        nr_speed = layer.meta["parameters"].get("nr_mbps")  # None: a layer from before the 5G layer
        if NR_COVERED in result and nr_speed is not None:
            ((_, _, values[NR_COVERED], *_),) = points_rows(
                POPULATION_TOTALS, layer, unit_ids, operator, {"speed_mbps": nr_speed}, nr=True
            )
            result[NR_COVERED].items = [
                f"dân số có sóng 5G (≥ {nr_speed:g} Mb/s trên sóng mang 5G) / population covered by 5G "
                f"(≥ {nr_speed:g} Mb/s on a 5G carrier) {values[NR_COVERED]:,.0f}"
            ]
        for code, value in values.items():
            if code not in result:
                continue
            total = result[code]
            total.items = items + total.items
            total.synthetic = bool(synthetic) or bool(layer.meta.get("synthetic"))
            total.inputs = int(points)
            if points == 0:
                total.reason = "Không có điểm dân cư nào trong phạm vi / no population point in the scope"
            elif code == NR_COVERED and nr_speed is None:
                total.reason = NO_NR_LAYER
            else:
                total.value = value

    def _villages(self, total: ElementTotal, scope: Scope, layer: CoverageLayer | None) -> None:
        rows = village_coverage(scope.villages, scope.period.start, scope.period.end)
        declared = [r for r in rows if r.declared is not None]
        computed = [r for r in rows if r.computed is not None]
        said = sum(bool(r.declared) for r in declared)
        found = sum(bool(r.computed) for r in computed)
        total.items = [
            f"{len(rows)} thôn, TDP / villages",
            f"{len(declared)} có khai báo / declared ({said} phủ sóng / covered)",
            f"{len(computed)} tính từ lớp vùng phủ / computed ({found} phủ sóng / covered)",
            f"{sum(r.disagrees for r in rows)} khai báo khác tính toán / declared and computed disagree",
            *(_layer_items(layer) if layer else [NO_LAYER]),
            *disagreement_items(rows),
        ]
        total.inputs = len(declared) + len(computed)
        total.value_ids = [r.declared_value_id for r in declared]
        total.synthetic = bool(layer and layer.meta.get("synthetic")) or any(
            r.village.synthetic for r in rows
        )
        if not declared and not computed:
            total.reason = (
                "Chưa có khai báo hay tính toán vùng phủ của thôn, TDP nào / "
                "no village coverage declared or computed"
            )
            return
        total.value = sum(r.covered for r in rows)
