"""The mobile coverage grid: each cell's best predicted downlink per operator, from the registry's
active 4G/5G stations, stored as Parquet with its parameters beside it.

Cells are squares of `cell_m` metres in a metric CRS (UTM 48N, EPSG:32648, by default), keyed by
(ix, iy) = floor(x / cell_m), floor(y / cell_m), over the commune boundaries of an area. For each
operator and technology a k-d tree (scipy cKDTree) gives every cell centre its k nearest stations
at once; path loss (pathloss.py) → received power → SINR with the operator's other cells as
interference scaled by load → attenuated Shannon throughput (linkbudget.py). The grid is built and
written in tiles (bands of rows), so memory stays bounded however large the area.

Layout: HATANGSO_HOME/measurements/coverage/as_of=YYYY-MM-DD/{cells,operators}.parquet and
layer.json (parameters, counts, the import batch). Recomputing a date replaces its layer whole.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import uuid
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import TYPE_CHECKING

from django.db import transaction

from hatangso.analytics.measurements import linkbudget, pathloss, speedtests, store
from hatangso.collection.services import record_import_batch
from hatangso.core.changelog import Actor
from hatangso.geography.models import AdministrativeUnit, UnitBoundary
from hatangso.geography.selectors import rollup_units
from hatangso.registry.models import Station
from hatangso.registry.models.infrastructure import Status
from hatangso.utilities.errors import UserError
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.periods import parse_period

if TYPE_CHECKING:
    from pyproj import Transformer
    from scipy.spatial import cKDTree

np = lazy_import("numpy")
pa = lazy_import("pyarrow")
pq = lazy_import("pyarrow.parquet")
shapely = lazy_import("shapely")

KIND = "coverage"
NR = "5G"  # the technology of the 5G layer (cells' best_5g_mbps, operators' predicted_5g_mbps)
MODELS = ("rma", "uma", "cost231")
CRS = os.environ.get("HATANGSO_COVERAGE_CRS", "EPSG:32648")  # UTM 48N: Vietnam lies in zones 48–49
# A cell's measured speed wins over the prediction with at least this many tests behind it.
MEASURED_MIN_TESTS = int(os.environ.get("HATANGSO_MEASURED_MIN_TESTS", "30"))


@dataclass(frozen=True)
class TechnologyProfile:
    """What the registry does not say about a station: its carrier and transmit power."""

    frequency_mhz: float
    bandwidth_mhz: float
    eirp_dbm: float  # total over the carrier: 46 dBm (40 W) + 17 dBi antenna − 3 dB feeder for LTE
    layers: int  # MIMO layers to one user
    antenna_height_m: float  # when the registry has no height


PROFILES = {
    "4G": TechnologyProfile(frequency_mhz=1800, bandwidth_mhz=20, eirp_dbm=60, layers=2, antenna_height_m=30),
    "5G": TechnologyProfile(
        frequency_mhz=3500, bandwidth_mhz=100, eirp_dbm=72, layers=4, antenna_height_m=30
    ),
}


@dataclass(frozen=True)
class CoverageParameters:
    model: str = "rma"  # rma | uma (TR 38.901 NLOS: the larger of LOS and NLOS) | cost231 (suburban)
    cell_m: float = 100.0
    user_height_m: float = 1.5
    noise_figure_db: float = 7.0
    load: float = 0.5  # FCC BDC mobile filings: cell loading ≥ 50 %
    alpha: float = 0.6  # TR 36.942 A.2 downlink
    sinr_min_db: float = -10.0
    max_spectral_efficiency: float = 4.4
    nearest: int = 8  # stations of an operator and technology considered per cell
    environment: str = "suburban"  # COST-231 only: urban (C_M 3 dB) or suburban
    speed_mbps: float = 60.0  # the plan's target speed
    # A village counts as covered by mobile broadband when at least `village_share` of its
    # population lives in cells where the best operator reaches `village_mbps` (FCC BDC 4G: 5/1).
    village_mbps: float = 5.0
    village_share: float = 0.5
    # The 5G layer: a cell is covered by 5G where a 5G carrier's predicted mean downlink reaches
    # `nr_mbps` (FCC BDC 5G-NR 7/1 Mb/s, beside the 4G LTE 5/1 tier above).
    nr_mbps: float = 7.0
    tile_cells: int = 250_000
    crs: str = CRS
    measured_min_tests: int = MEASURED_MIN_TESTS
    profiles: dict[str, TechnologyProfile] = field(default_factory=lambda: dict(PROFILES))

    def check(self) -> None:
        problems = [
            (self.model not in MODELS, f"mô hình phải là {'|'.join(MODELS)}",
             f"model must be {'|'.join(MODELS)}"),
            (not 10 <= self.cell_m <= 5000, "kích thước ô phải từ 10 đến 5.000 m",
             "the cell size must be 10–5,000 m"),
            (not 0 <= self.load < 1, "tải của ô phải từ 0 đến dưới 1", "the cell load must be in [0, 1)"),
            (not 0 < self.alpha <= 1, "alpha phải trong (0, 1]", "alpha must be in (0, 1]"),
            (self.nearest < 1, "số trạm gần nhất phải ≥ 1", "nearest stations must be ≥ 1"),
            (not 1 <= self.user_height_m <= 10, "độ cao máy người dùng phải từ 1 đến 10 m",
             "the user height must be 1–10 m"),
        ]  # fmt: skip
        for failed, vi, en in problems:
            if failed:
                raise UserError(f"Tham số vùng phủ không hợp lệ: {vi}", f"Invalid coverage parameter: {en}")

    @property
    def shannon(self) -> linkbudget.Shannon:
        return linkbudget.Shannon(self.alpha, self.sinr_min_db, self.max_spectral_efficiency)

    @property
    def min_distance_m(self) -> float:
        return {"cost231": pathloss.COST231_MIN_KM * 1000}.get(self.model, pathloss.RMA_MIN_M)

    @property
    def max_distance_m(self) -> float:
        return {
            "rma": pathloss.RMA_NLOS_MAX_M,
            "uma": pathloss.UMA_MAX_M,
            "cost231": pathloss.COST231_MAX_KM * 1000,
        }[self.model]

    def path_loss(self, d2d, frequency_mhz: float, heights):
        """Distances below the model's minimum count as the minimum (conservative near the mast)."""
        d2d = np.maximum(d2d, self.min_distance_m)
        if self.model == "rma":
            heights = np.clip(heights, pathloss.RMA_H_BS.low, pathloss.RMA_H_BS.high)
            return pathloss.rma_nlos(d2d, fc_ghz=frequency_mhz / 1000, h_bs=heights, h_ut=self.user_height_m)
        if self.model == "uma":
            return pathloss.uma_nlos(d2d, fc_ghz=frequency_mhz / 1000, h_bs=heights, h_ut=self.user_height_m)
        heights = np.clip(heights, pathloss.COST231_H_B.low, pathloss.COST231_H_B.high)
        return pathloss.cost231_hata(
            d2d, f_mhz=frequency_mhz, h_bs=heights, h_ut=self.user_height_m, environment=self.environment
        )

    def supports(self, frequency_mhz: float) -> bool:
        if self.model == "cost231":
            return pathloss.COST231_F_MHZ.low <= frequency_mhz <= pathloss.COST231_F_MHZ.high
        return pathloss.FC_GHZ.low <= frequency_mhz / 1000 <= pathloss.FC_GHZ.high


@dataclass
class StationGroup:
    """One operator's stations of one technology and carrier: they interfere with each other."""

    operator: str
    technology: str
    frequency_mhz: float
    xy: np.ndarray
    heights: np.ndarray
    tree: cKDTree = field(init=False)

    def __post_init__(self):
        from scipy.spatial import cKDTree

        self.tree = cKDTree(self.xy)


@dataclass(frozen=True)
class CoverageLayer:
    folder: Path
    as_of: date
    meta: dict

    @property
    def cells_path(self) -> Path:
        return self.folder / "cells.parquet"

    @property
    def operators_path(self) -> Path:
        return self.folder / "operators.parquet"

    @property
    def cell_m(self) -> float:
        return float(self.meta["parameters"]["cell_m"])

    @property
    def crs(self) -> str:
        return self.meta["parameters"]["crs"]


def _frequency(bands: str, default: float) -> float:
    """The lowest carrier the registry names ("1800;2100", "B3 1800 MHz"), else the profile's."""
    numbers = [float(n) for n in re.findall(r"\d{3,5}(?:\.\d+)?", bands or "")]
    return min(numbers) if numbers else default


def _to_metric(crs: str) -> Transformer:
    from pyproj import Transformer

    return Transformer.from_crs("EPSG:4326", crs, always_xy=True)


def _project(geometry, transformer: Transformer):
    return shapely.transform(geometry, lambda xy: np.column_stack(transformer.transform(xy[:, 0], xy[:, 1])))


def station_groups(on: date, parameters: CoverageParameters, transformer: Transformer):
    """Active 4G/5G stations in service on `on`, grouped by operator, technology and carrier;
    with the counts (used, skipped because the model does not cover their band, heights assumed)."""
    rows = list(
        Station.objects.in_service_on(on)
        .filter(status=Status.ACTIVE, technology__in=list(parameters.profiles), lat__isnull=False)
        .values_list("operator__code", "technology", "lon", "lat", "antenna_height_m", "bands", "synthetic")
        .order_by("operator__code", "code")
    )
    counts = {"used": 0, "skipped_band": 0, "height_assumed": 0, "by_operator": {}}
    grouped: dict[tuple, list] = {}
    for operator, technology, lon, lat, height, bands, _synthetic in rows:
        profile = parameters.profiles[technology]
        frequency = _frequency(bands, profile.frequency_mhz)
        if not parameters.supports(frequency):
            counts["skipped_band"] += 1
            continue
        if height is None:
            counts["height_assumed"] += 1
        grouped.setdefault((operator, technology, frequency), []).append(
            (lon, lat, height or profile.antenna_height_m)
        )
        counts["used"] += 1
        key = f"{operator} {technology}"
        counts["by_operator"][key] = counts["by_operator"].get(key, 0) + 1
    groups = []
    for (operator, technology, frequency), items in sorted(grouped.items()):
        array = np.asarray(items, dtype=float)
        x, y = transformer.transform(array[:, 0], array[:, 1])
        groups.append(StationGroup(operator, technology, frequency, np.column_stack([x, y]), array[:, 2]))
    synthetic = any(r[6] for r in rows)
    return groups, counts, synthetic


def predict(xy: np.ndarray, groups: list[StationGroup], parameters: CoverageParameters) -> dict:
    """Per operator, the best downlink (Mb/s), its SINR, signal and technology at each point of `xy`
    (n × 2), and the best downlink of its 5G carriers alone (`mbps_5g`, 0 where none reaches)."""
    best: dict[str, dict[str, np.ndarray]] = {}
    for group in groups:
        profile = parameters.profiles[group.technology]
        k = min(parameters.nearest, len(group.xy))
        distances, index = group.tree.query(xy, k=k, distance_upper_bound=parameters.max_distance_m)
        distances, index = distances.reshape(len(xy), k), index.reshape(len(xy), k)
        found = np.isfinite(distances)
        station = np.minimum(index, len(group.xy) - 1)  # k-d tree: index n = no station within range
        heights = np.where(found, group.heights[station], profile.antenna_height_m)
        distances = np.where(found, distances, parameters.max_distance_m)
        loss = parameters.path_loss(distances, group.frequency_mhz, heights)
        received = np.where(found, linkbudget.received_power_dbm(profile.eirp_dbm, loss), np.nan)
        noise = linkbudget.thermal_noise_dbm(profile.bandwidth_mhz * 1e6, parameters.noise_figure_db)
        _, signal, sinr = linkbudget.serving_sinr(received, noise, parameters.load)
        rate = linkbudget.throughput_mbps(
            linkbudget.spectral_efficiency(sinr, parameters.shannon),
            bandwidth_mhz=profile.bandwidth_mhz,
            load=parameters.load,
            layers=profile.layers,
        )
        nr_rate = rate if group.technology == NR else np.zeros(len(xy))
        current = best.get(group.operator)
        if current is None:
            best[group.operator] = {
                "mbps": rate,
                "sinr_db": sinr,
                "signal_dbm": signal,
                "technology": np.full(len(xy), group.technology, dtype=object),
                "mbps_5g": nr_rate,
            }
            continue
        current["mbps_5g"] = np.maximum(current["mbps_5g"], nr_rate)
        better = rate > current["mbps"]
        for key, value in (("mbps", rate), ("sinr_db", sinr), ("signal_dbm", signal)):
            current[key] = np.where(better, value, current[key])
        current["technology"] = np.where(better, group.technology, current["technology"])
    return best


def _area(unit: AdministrativeUnit, on: date, transformer: Transformer):
    communes = rollup_units(unit, start=on, end=on).filter(level=AdministrativeUnit.Level.COMMUNE)
    boundaries = list(
        UnitBoundary.objects.filter(unit__in=communes).select_related("unit").order_by("unit__code")
    )
    if not boundaries:
        raise UserError(
            f"{unit.name} chưa có ranh giới xã, phường có hiệu lực ngày {on:%d/%m/%Y} "
            "(hatangso import boundaries)",
            f"{unit.name} has no commune boundaries in force on {on:%d/%m/%Y} (hatangso import boundaries)",
        )
    from shapely.geometry import shape

    shapes = [_project(shape(b.geometry), transformer) for b in boundaries]
    return [b.unit for b in boundaries], shapes


def _tiles(bounds, cell_m: float, tile_cells: int) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """(ix, iy) of every cell of the bounding box, a band of rows at a time."""
    ix0, iy0 = int(np.floor(bounds[0] / cell_m)), int(np.floor(bounds[1] / cell_m))
    ix1, iy1 = int(np.floor(bounds[2] / cell_m)), int(np.floor(bounds[3] / cell_m))
    columns = np.arange(ix0, ix1 + 1, dtype=np.int64)
    rows_per_tile = max(1, tile_cells // len(columns))
    for start in range(iy0, iy1 + 1, rows_per_tile):
        rows = np.arange(start, min(start + rows_per_tile, iy1 + 1), dtype=np.int64)
        ix, iy = np.meshgrid(columns, rows)
        yield ix.ravel(), iy.ravel()


def measured_tiles(on: date, transformer: Transformer, cell_m: float) -> tuple[pa.Table | None, str]:
    """The Ookla mobile tiles of the newest quarter begun by `on` (quarters are not mixed), each
    with the grid cell (cix, ciy) of its centre; (None, "") without any."""
    if not store.has_data(speedtests.OOKLA):
        return None, ""
    connection = store.connect()
    periods = [
        p for (p,) in connection.execute(
            f"SELECT DISTINCT period FROM {store.scan(speedtests.OOKLA)} WHERE network = 'mobile' ORDER BY 1"
        ).fetchall()
        if parse_period(p).start <= on
    ]  # fmt: skip
    if not periods:
        return None, ""
    tiles = connection.sql(
        f"""SELECT quadkey, tile_x, tile_y, lon, lat, download_kbps, tests FROM {store.scan(speedtests.OOKLA)}
            WHERE network = 'mobile' AND period = $period AND tests > 0""",
        params={"period": periods[-1]},
    ).to_arrow_table()
    x, y = transformer.transform(tiles["lon"].to_numpy(), tiles["lat"].to_numpy())
    tiles = tiles.append_column("cix", pa.array(np.floor(np.asarray(x) / cell_m).astype(np.int64)))
    tiles = tiles.append_column("ciy", pa.array(np.floor(np.asarray(y) / cell_m).astype(np.int64)))
    return tiles, periods[-1]


def measured_speeds(tiles: pa.Table | None, ix, iy, lon, lat) -> tuple[np.ndarray, np.ndarray]:
    """Per cell, the test-weighted mean download (Mb/s, NaN without tiles) and the tests behind it,
    over the tiles holding the cell's centre and the tiles whose centre lies in the cell (a cell
    larger than a tile gathers several)."""
    speeds, tests = np.full(len(ix), np.nan), np.zeros(len(ix), dtype=np.int64)
    if tiles is None or tiles.num_rows == 0 or len(ix) == 0:
        return speeds, tests
    tx, ty = speedtests.tile_xy(lon, lat)
    connection = store.connect()
    connection.register("tiles", tiles)
    connection.register("band", pa.table({"k": np.arange(len(ix)), "ix": ix, "iy": iy, "tx": tx, "ty": ty}))
    found = connection.sql(
        """WITH matched AS (
               SELECT b.k, t.quadkey, t.download_kbps, t.tests FROM band b
               JOIN tiles t ON t.tile_x = b.tx AND t.tile_y = b.ty
               UNION
               SELECT b.k, t.quadkey, t.download_kbps, t.tests FROM band b
               JOIN tiles t ON t.cix = b.ix AND t.ciy = b.iy)
           SELECT k, sum(download_kbps * tests) / sum(tests) / 1000 AS mbps,
                  CAST(sum(tests) AS BIGINT) AS tests
           FROM matched GROUP BY k"""
    ).to_arrow_table()
    index = found["k"].to_numpy()
    speeds[index] = found["mbps"].to_numpy()
    tests[index] = found["tests"].to_numpy()
    return speeds, tests


def layer_root() -> Path:
    return store.kind_root(KIND)


def compute_coverage(
    *,
    unit: AdministrativeUnit,
    on: date,
    actor: Actor,
    parameters: CoverageParameters | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> CoverageLayer:
    """Compute and store the coverage layer of `unit`'s communes as of `on`."""
    parameters = parameters or CoverageParameters()
    parameters.check()
    transformer = _to_metric(parameters.crs)
    from pyproj import Transformer

    to_wgs84 = Transformer.from_crs(parameters.crs, "EPSG:4326", always_xy=True)
    units, shapes = _area(unit, on, transformer)
    groups, station_counts, synthetic = station_groups(on, parameters, transformer)
    if not groups:
        raise UserError(
            f"Không có trạm 4G/5G nào đang hoạt động ngày {on:%d/%m/%Y} để tính vùng phủ",
            f"No active 4G/5G station on {on:%d/%m/%Y} to compute coverage from",
        )
    ookla_tiles, measured_period = measured_tiles(on, transformer, parameters.cell_m)
    tree = shapely.STRtree(shapes)
    area = shapely.union_all(shapes)
    shapely.prepare(area)
    unit_ids = np.array([u.pk for u in units], dtype=np.int64)
    operators = sorted({g.operator for g in groups})
    root = layer_root()
    root.mkdir(parents=True, exist_ok=True)
    partial = root / f".partial-{uuid.uuid4().hex[:8]}"
    partial.mkdir()
    size = parameters.cell_m
    bounds = area.bounds
    tiles = list(_tiles(bounds, size, parameters.tile_cells))
    cells_total, reached_total, measured_total = 0, 0, 0
    cells_writer = operators_writer = None
    try:
        for number, (ix, iy) in enumerate(tiles, start=1):
            x, y = (ix + 0.5) * size, (iy + 0.5) * size
            inside = shapely.contains_xy(area, x, y)
            ix, iy, x, y = ix[inside], iy[inside], x[inside], y[inside]
            if len(ix):
                points = shapely.points(x, y)
                point_index, shape_index = tree.query(points, predicate="intersects")
                first = np.unique(point_index, return_index=True)[1]
                cell_unit = np.full(len(ix), -1, dtype=np.int64)
                cell_unit[point_index[first]] = unit_ids[shape_index[first]]
                best = predict(np.column_stack([x, y]), groups, parameters)
                speeds = np.column_stack([best[o]["mbps"] for o in operators])
                best_index = np.argmax(speeds, axis=1)
                best_mbps = speeds[np.arange(len(ix)), best_index]
                lon, lat = to_wgs84.transform(x, y)
                measured, tests = measured_speeds(ookla_tiles, ix, iy, np.asarray(lon), np.asarray(lat))
                wins = tests >= parameters.measured_min_tests
                measured_total += int(wins.sum())
                cells = pa.table(
                    {
                        "ix": ix, "iy": iy, "x": x, "y": y, "lon": lon, "lat": lat,
                        "unit_id": pa.array(np.where(cell_unit >= 0, cell_unit, 0), pa.int64(),
                                            mask=cell_unit < 0),
                        "best_mbps": best_mbps,
                        "best_operator": pa.array(np.array(operators, dtype=object)[best_index],
                                                  pa.string(), mask=best_mbps <= 0),
                        "measured_mbps": pa.array(measured, pa.float64(), mask=np.isnan(measured)),
                        "measured_tests": tests,
                        "effective_mbps": np.where(wins, measured, best_mbps),
                        "best_5g_mbps": np.max([best[o]["mbps_5g"] for o in operators], axis=0),
                    }
                )  # fmt: skip
                per_operator = [
                    pa.table(
                        {
                            "ix": ix[reached],
                            "iy": iy[reached],
                            "operator": [o] * int(reached.sum()),
                            "technology": pa.array(best[o]["technology"][reached], pa.string()),
                            "predicted_mbps": best[o]["mbps"][reached],
                            "predicted_5g_mbps": best[o]["mbps_5g"][reached],
                            "sinr_db": best[o]["sinr_db"][reached],
                            "signal_dbm": best[o]["signal_dbm"][reached],
                        }
                    )
                    for o in operators
                    for reached in [~np.isnan(best[o]["signal_dbm"])]
                ]
                per_operator = pa.concat_tables(per_operator)
                if cells_writer is None:
                    cells_writer = pq.ParquetWriter(
                        partial / "cells.parquet", cells.schema, compression="zstd"
                    )
                    operators_writer = pq.ParquetWriter(
                        partial / "operators.parquet", per_operator.schema, compression="zstd"
                    )
                cells_writer.write_table(cells)
                operators_writer.write_table(per_operator)
                cells_total += len(ix)
                reached_total += int((best_mbps > 0).sum())
            if progress:
                progress(number, len(tiles))
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    finally:
        for writer in (cells_writer, operators_writer):
            if writer is not None:
                writer.close()
    if cells_total == 0:
        shutil.rmtree(partial, ignore_errors=True)
        raise UserError(
            f"Ranh giới của {unit.name} không chứa ô lưới {size:g} m nào",
            f"The boundaries of {unit.name} hold no {size:g} m grid cell",
        )
    meta = {
        "as_of": on.isoformat(),
        "area": {"code": unit.code, "name": unit.name, "communes": [u.code for u in units]},
        "computed_at": datetime.now().isoformat(timespec="seconds"),
        "parameters": {
            **asdict(parameters),
            "profiles": {k: asdict(v) for k, v in parameters.profiles.items()},
        },
        "method": (
            "TR 38.901 RMa/UMa NLOS or COST-231 Hata path loss; EIRP − PL; SINR with the operator's "
            "other cells of the same technology and carrier × load; TR 36.942 attenuated Shannon × "
            "bandwidth × layers × (1 − load); best technology per operator, best operator per cell; "
            "the 5G layer: the best 5G carrier of any operator per cell"
        ),
        "cells": cells_total,
        "cells_reached": reached_total,
        # best_mbps is the prediction; effective_mbps the Ookla measurement where it has enough tests.
        "measured": {
            "source": "ookla mobile",
            "period": measured_period,
            "cells": measured_total,
            "min_tests": parameters.measured_min_tests,
        },
        "stations": station_counts,
        "operators": operators,
        "synthetic": synthetic,
    }
    folder = root / f"as_of={on.isoformat()}"
    with transaction.atomic():
        batch = record_import_batch(
            kind="coverage-layer",
            file_name=folder.name,
            stored_path=str(folder),
            sha256="",
            rows=cells_total,
            actor=actor,
            synthetic=synthetic,
        )
        meta["batch"] = batch.pk
        (partial / "layer.json").write_text(json.dumps(meta, ensure_ascii=False, indent=2), "utf-8")
        previous = root / f".replaced-{uuid.uuid4().hex[:8]}"
        if folder.exists():
            folder.rename(previous)
        partial.rename(folder)
        shutil.rmtree(previous, ignore_errors=True)
    return CoverageLayer(folder=folder, as_of=on, meta=meta)


def layers() -> list[CoverageLayer]:
    root = layer_root()
    found = []
    for folder in sorted(root.glob("as_of=*")) if root.is_dir() else []:
        meta_file = folder / "layer.json"
        if meta_file.is_file():
            meta = json.loads(meta_file.read_text("utf-8"))
            found.append(CoverageLayer(folder=folder, as_of=date.fromisoformat(meta["as_of"]), meta=meta))
    return found


def layer_for(start: date, end: date) -> CoverageLayer | None:
    """The newest layer computed as of a day in [start, end]."""
    within = [layer for layer in layers() if start <= layer.as_of <= end]
    return within[-1] if within else None
