"""Fixed broadband (FTTH) coverage of villages: declared in the village forms or computed from the
line measurements (`hatangso import speedtests`), both kept — DESIGN.md §3, issue 6.

The rule. A village is *computed covered* in a period when at least one fixed line with a speed
sample in the period is placed in it:

- the sample's unit code (`ma_don_vi`) is the village's code (`19996.03`); or
- the sample has coordinates, and of the population points that carry a village code in the line's
  commune, the nearest lies within HATANGSO_VILLAGE_LINE_DISTANCE_M (500 m by default) — measured
  in the coverage grid's projected CRS (HATANGSO_COVERAGE_CRS, UTM 48N). Villages have no shapes,
  so their population points stand for where they are; a line farther than that from every
  point stays in its commune only.

Any measured line counts (individual or organisation, any speed): the samples carry no technology,
and a line being measured is what shows the service reaches the village. A village's computed
value is *unknown* (None, "—"), not "not covered", when no line of its commune measured in the
period is placed in any village: lines reported by commune code only cannot tell which village
they serve. The registry's fibre routes are not used: a cable passing by is not a subscriber line
and routes name no village.

`villages_fixed_covered` (provider `measurements`) counts the villages declared covered
(`village_ftth_covered`) **or** computed covered; its lineage lists both counts, the villages where
they disagree, and the declared values themselves as inputs.
"""

import os
from dataclasses import dataclass
from datetime import date, timedelta

from hatangso.analytics.measurements import coverage, engines, population, store
from hatangso.analytics.measurements.lines import KIND as LINES
from hatangso.analytics.measurements.lines import scope_operator
from hatangso.analytics.measurements.mobile import VillageCoverage, declared_villages, disagreement_items
from hatangso.analytics.providers import ElementTotal, Scope
from hatangso.collection.models import DataElement
from hatangso.geography.models import AdministrativeUnit
from hatangso.utilities.errors import UserError
from hatangso.utilities.lazy import lazy_import

np = lazy_import("numpy")
pa = lazy_import("pyarrow")
pq = lazy_import("pyarrow.parquet")

VILLAGES = "villages_fixed_covered"
DECLARED_VILLAGE_ELEMENT = "village_ftth_covered"
MAX_DISTANCE_M = 5000.0


def line_distance_m() -> float:
    """HATANGSO_VILLAGE_LINE_DISTANCE_M as metres (0–5,000; default 500), or a one-sentence error.
    Read when used, like the coverage grid's HATANGSO_COVERAGE_CRS is read from the environment."""
    text = os.environ.get("HATANGSO_VILLAGE_LINE_DISTANCE_M", "500").strip()
    try:
        value = float(text.replace(",", "."))
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_DISTANCE_M:
        raise UserError(
            f"HATANGSO_VILLAGE_LINE_DISTANCE_M phải là số mét từ 0 đến 5.000, không phải '{text}'",
            f"HATANGSO_VILLAGE_LINE_DISTANCE_M must be a number of metres from 0 to 5,000, not '{text}'",
        )
    return value


@dataclass(frozen=True)
class PlacedLines:
    per_village: dict[int, int]  # village pk → lines measured in the period placed in it
    communes: set[int]  # communes with at least one line placed in a village
    by_code: int  # lines placed by a village code
    by_point: int  # lines placed by coordinates near a village's population points
    commune_only: int  # lines of the scope's communes not placed in any village
    synthetic: bool


NO_LINES = PlacedLines({}, set(), 0, 0, 0, False)


# Per line with a sample in the period, in the scope's villages or their communes: the village its
# samples name (or whose code they carry as the unit), its unit, coordinates, and synthetic. Written
# once in DuckDB's dialect; engines.py runs it on DuckDB or transpiles it for Spark. `{village}`,
# `{lat}`, `{lon}` are NULL for stores written before lines kept them; the month partitions prune files.
PLACED_SAMPLES = """
SELECT s.line_id, CAST(coalesce({village}, v.id) AS BIGINT) AS village_id, s.unit_id,
       CAST({lat} AS DOUBLE) AS lat, CAST({lon} AS DOUBLE) AS lon, bool_or(s.synthetic) AS synthetic
FROM lines s LEFT JOIN villages v ON v.id = s.unit_id
WHERE s.month BETWEEN $first_month AND $last_month
  AND s.time >= CAST($start AS TIMESTAMP) AND s.time < CAST($after AS TIMESTAMP) {operator}
  AND s.unit_id IN (SELECT id FROM scope_units)
GROUP BY 1, 2, 3, 4, 5
"""


def _stored_columns() -> set[str]:
    """The columns of any of the line store's files (their Parquet footers only)."""
    return {
        name
        for path in store.kind_root(LINES).glob("month=*/*.parquet")
        for name in pq.read_schema(path).names
    }


def place_lines(
    villages: list[AdministrativeUnit], start: date, end: date, operator: str | None = None
) -> PlacedLines:
    """The lines with a sample in [start, end] (days) in `villages` or their communes (only
    `operator`'s when given), placed in villages by the rule above. Files imported before lines
    kept coordinates (no `lat`, `lon` or `village_id` column) still read: a village code was
    always stored as the line's unit."""
    if not villages or not store.has_data(LINES):
        return NO_LINES
    distance = line_distance_m()
    commune_of = {v.pk: v.parent_id for v in villages}
    columns = _stored_columns()
    after = end + timedelta(days=1)
    params = {
        "first_month": start.year * 100 + start.month,
        "last_month": end.year * 100 + end.month,
        "start": start.isoformat(),
        "after": after.isoformat(),
    }
    condition = ""
    if operator is not None:
        condition = "AND s.operator = $operator"
        params["operator"] = operator
    query = PLACED_SAMPLES.format(
        village="s.village_id" if "village_id" in columns else "NULL",
        lat="s.lat" if {"lat", "lon"} <= columns else "NULL",
        lon="s.lon" if {"lat", "lon"} <= columns else "NULL",
        operator=condition,
    )
    scope_ids = sorted(set(commune_of) | set(commune_of.values()))
    rows = engines.engine().rows(
        query,
        sources={
            "lines": store.kind_root(LINES),
            "villages": pa.table({"id": pa.array(list(commune_of), pa.int64())}),
            "scope_units": pa.table({"id": pa.array(scope_ids, pa.int64())}),
        },
        params=params,
    )
    pairs = {(village_id, line) for line, village_id, *_ in rows if village_id in commune_of}
    by_code = len({line for _, line in pairs})
    candidates = [
        (line, unit_id, lat, lon)
        for line, village_id, unit_id, lat, lon, _ in rows
        if village_id is None and lat is not None and lon is not None
    ]
    near = _nearest_villages(candidates, commune_of, distance) if candidates else {}
    pairs |= {(village_id, line) for line, village_id in near.items()}
    commune_lines = {line for line, village_id, *_ in rows if village_id is None}
    per_village: dict[int, set] = {}
    for village_id, line in pairs:
        per_village.setdefault(village_id, set()).add(line)
    return PlacedLines(
        per_village={pk: len(lines) for pk, lines in per_village.items()},
        communes={commune_of[pk] for pk in per_village},
        by_code=by_code,
        by_point=len(set(near)),
        commune_only=len(commune_lines - set(near)),
        synthetic=any(synthetic for *_, synthetic in rows),
    )


def _nearest_villages(candidates: list[tuple], commune_of: dict[int, int], distance: float) -> dict:
    """Line id → village pk for the lines (line_id, commune pk, lat, lon) whose nearest village
    population point of the same commune lies within `distance` metres."""
    if not population.has_population():
        return {}
    points = population.read_population()
    village_ids = points["village_id"].to_numpy(zero_copy_only=False)
    keep = np.array([v in commune_of for v in village_ids], dtype=bool)
    if not keep.any():
        return {}
    from pyproj import Transformer
    from scipy.spatial import cKDTree

    to_metric = Transformer.from_crs("EPSG:4326", coverage.CRS, always_xy=True)
    px, py = to_metric.transform(points["lon"].to_numpy()[keep], points["lat"].to_numpy()[keep])
    point_villages = village_ids[keep].astype(np.int64)
    point_communes = np.array([commune_of[v] for v in point_villages], dtype=np.int64)
    lines = np.array([c[0] for c in candidates], dtype=object)
    line_communes = np.array([c[1] for c in candidates], dtype=np.int64)
    lx, ly = to_metric.transform(
        np.array([c[3] for c in candidates], dtype=float), np.array([c[2] for c in candidates], dtype=float)
    )
    found = {}
    for commune in np.unique(line_communes):
        mine = point_communes == commune
        if not mine.any():
            continue
        tree = cKDTree(np.column_stack([px[mine], py[mine]]))
        wanted = line_communes == commune
        gaps, index = tree.query(np.column_stack([lx[wanted], ly[wanted]]), distance_upper_bound=distance)
        villages_here = point_villages[mine]
        for line, gap, i in zip(lines[wanted], gaps, index, strict=True):
            if np.isfinite(gap) and line not in found:
                found[line] = int(villages_here[i])
    return found


def village_fixed_coverage(
    villages: list[AdministrativeUnit], start: date, end: date, operator: str | None = None
) -> tuple[list[VillageCoverage], PlacedLines]:
    """Per village (`geography.selectors.villages_among`): declared and computed fixed broadband
    (FTTH) coverage (computed from `operator`'s lines only, when given: a scope of one operator's
    figures)."""
    declared = declared_villages(DECLARED_VILLAGE_ELEMENT, villages, start, end)
    placed = place_lines(villages, start, end, operator)
    rows = []
    for village in villages:
        lines = placed.per_village.get(village.pk, 0)
        computed = True if lines else False if village.parent_id in placed.communes else None
        said = declared.get(village.pk)
        rows.append(
            VillageCoverage(
                village=village,
                declared=said[0] if said else None,
                computed=computed,
                population=0.0,
                covered_share=None,
                lines=lines if computed is not None else None,
                declared_value_id=said[1] if said else None,
            )
        )
    return rows, placed


class FixedCoverage:
    name = "measurements"
    codes = frozenset({VILLAGES})

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        total = ElementTotal(value=None, provider=self.name)
        rows, placed = village_fixed_coverage(
            scope.villages, scope.period.start, scope.period.end, scope_operator(scope)
        )
        declared = [r for r in rows if r.declared is not None]
        computed = [r for r in rows if r.computed is not None]
        total.items = [
            f"{len(rows)} thôn, TDP / villages",
            f"{len(declared)} có khai báo / declared ({sum(bool(r.declared) for r in declared)} "
            "có cáp quang / covered)",
            f"{len(computed)} tính từ đo đường truyền / computed from line measurements "
            f"({sum(bool(r.computed) for r in computed)} có đường truyền / with a line)",
            f"{sum(r.disagrees for r in rows)} khai báo khác tính toán / declared and computed disagree",
            f"đường truyền xếp vào thôn theo mã / lines placed by village code: {placed.by_code}, "
            f"theo tọa độ (≤ {line_distance_m():g} m) / by coordinates: {placed.by_point}, "
            f"chỉ biết xã / commune only: {placed.commune_only}",
            *disagreement_items(rows),
        ]
        total.inputs = len(declared) + len(computed)
        total.value_ids = [r.declared_value_id for r in declared]
        total.synthetic = placed.synthetic or any(r.village.synthetic for r in rows)
        if not declared and not computed:
            total.reason = (
                "Chưa có khai báo hay tính toán cáp quang của thôn, TDP nào / "
                "no village fixed broadband coverage declared or computed"
            )
        else:
            total.value = sum(r.covered for r in rows)
        return {VILLAGES: total}
