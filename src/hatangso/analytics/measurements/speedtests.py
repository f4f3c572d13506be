"""Crowd-sourced speed tests: Ookla open-data tiles and M-Lab NDT rows, all-or-nothing imports into
the measurement store (kinds `ookla` and `mlab`), and the test-weighted speeds of Ookla tiles.

Ookla tiles are zoom-16 Web-Mercator tiles named by their quadkey; each carries the mean of its
tests, so an area's speed is the **test-weighted** mean Σ(avg·tests)/Σ(tests) (Ookla's own
recipe). M-Lab rows are single tests located by the client's IP address (tens of km off): good
for a district or a province, never for a village. Both are placed in communes by the boundaries;
points outside every boundary (a national file) are left out and counted, not rejected. An M-Lab
test already stored (by its id) is left alone: importing a file again adds nothing.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from django.db import transaction

from hatangso.analytics.measurements import store
from hatangso.collection.models import ImportBatch
from hatangso.collection.services import record_import_batch
from hatangso.core.changelog import Actor
from hatangso.geography.locating import NEAREST_LIMIT_DEGREES, UnitLocator
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected, RowError, keep_original, map_columns
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.periods import parse_period

np = lazy_import("numpy")
pa = lazy_import("pyarrow")
pc = lazy_import("pyarrow.compute")
pq = lazy_import("pyarrow.parquet")
shapely = lazy_import("shapely")

OOKLA, MLAB = "ookla", "mlab"
ZOOM = 16
NETWORKS = ("mobile", "fixed")
MAX_LISTED_ERRORS = 1000
NUMBER = "try_cast(replace(trim({c}), ',', '.') AS DOUBLE)"
OOKLA_COLUMNS = {
    "quadkey": {"quadkey"},
    "download": {"avg_d_kbps"},
    "upload": {"avg_u_kbps"},
    "latency": {"avg_lat_ms"},
    "tests": {"tests"},
    "devices": {"devices"},
}
MLAB_COLUMNS = {
    "download": {"a.meanthroughputmbps", "meanthroughputmbps"},
    "min_rtt": {"a.minrtt", "minrtt"},
    "lat": {"client.geo.latitude", "latitude"},
    "lon": {"client.geo.longitude", "longitude"},
    # The test's own timestamp; `date` (the day the unified views partition by) only without it.
    "time": {"a.testtime", "testtime"},
    "date": {"date"},
    "test_id": {"a.uuid", "id"},
}


@dataclass(frozen=True)
class SpeedTestImportSummary:
    batch: ImportBatch
    rows: int  # stored (inside a known boundary, new)
    outside: int  # left out: outside every known boundary
    unchanged: int = 0  # left out: already stored by an earlier import (M-Lab tests by their id)
    replaced: int = 0  # files of the same quarter and network replaced (Ookla)
    period: str = ""  # Ookla: the quarter
    network: str = ""  # Ookla: mobile or fixed


# --- quadkeys -------------------------------------------------------------------------------------


def decode_quadkeys(quadkeys) -> dict[str, np.ndarray]:
    """Tile x, y and bounds (degrees, EPSG:4326) of quadkeys of one length (the zoom), at once.

    Each digit d of a quadkey adds one bit to x (d & 1) and one to y (d >> 1), most significant
    first (Bing Maps tile system)."""
    keys = np.asarray(quadkeys, dtype=np.bytes_)
    zoom = keys.dtype.itemsize
    digits = np.frombuffer(keys.tobytes(), dtype=np.uint8).reshape(len(keys), zoom).astype(np.int64) - 48
    weights = np.left_shift(1, np.arange(zoom - 1, -1, -1, dtype=np.int64))
    x = (digits & 1) @ weights
    y = (digits >> 1) @ weights
    n = float(2**zoom)

    def lon(tx):
        return tx / n * 360.0 - 180.0

    def lat(ty):
        return np.degrees(np.arctan(np.sinh(np.pi * (1 - 2 * ty / n))))

    return {
        "tile_x": x,
        "tile_y": y,
        "lon_min": lon(x),
        "lon_max": lon(x + 1),
        "lat_max": lat(y),
        "lat_min": lat(y + 1),
        "lon": lon(x + 0.5),  # the centre in Web-Mercator, the middle of the tile as drawn
        "lat": lat(y + 0.5),
    }


def tile_xy(lon, lat, zoom: int = ZOOM) -> tuple[np.ndarray, np.ndarray]:
    """The tile (x, y) at `zoom` holding each point (the standard Web-Mercator tile formula)."""
    n = 2**zoom
    lat_rad = np.radians(np.clip(np.asarray(lat, dtype=float), -85.05112878, 85.05112878))
    x = np.floor((np.asarray(lon, dtype=float) + 180.0) / 360.0 * n)
    y = np.floor((1.0 - np.log(np.tan(lat_rad) + 1 / np.cos(lat_rad)) / np.pi) / 2.0 * n)
    return np.clip(x, 0, n - 1).astype(np.int64), np.clip(y, 0, n - 1).astype(np.int64)


# --- shared ---------------------------------------------------------------------------------------


def _read(path: Path, aliases: dict, required: tuple[str, ...]):
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp {path}", f"File {path} not found")
    connection = store.connect()
    columns = store.read_rows(connection, path)
    mapping = map_columns(columns, aliases, required)
    if connection.execute("SELECT count(*) FROM rows").fetchone()[0] == 0:
        raise UserError(f"Tệp {path.name} không có dòng dữ liệu nào", f"File {path.name} has no data rows")
    return path, connection, mapping, {field: f'"{name}"' for field, name in mapping.items()}


def _reject_if(path: Path, errors: list[RowError]) -> None:
    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(path.name, errors[:MAX_LISTED_ERRORS])


def unit_ids_at(lon: np.ndarray, lat: np.ndarray, on: date) -> np.ndarray:
    """The commune (pk) of each point by the boundaries in force on `on`, the nearest within
    NEAREST_LIMIT_DEGREES for a point just outside; -1 outside every boundary. Vectorised."""
    locator = UnitLocator(on=on)
    if not locator.has_boundaries:
        raise UserError(
            "Chưa có ranh giới xã, phường để định vị số liệu đo (hatangso import boundaries)",
            "No commune boundaries to place the measurements in (hatangso import boundaries)",
        )
    pks = np.array([u.pk for u in locator.units], dtype=np.int64)
    points = shapely.points(np.asarray(lon, dtype=float), np.asarray(lat, dtype=float))
    found = np.full(len(points), -1, dtype=np.int64)
    point_index, shape_index = locator.tree.query(points, predicate="intersects")
    first = np.unique(point_index, return_index=True)[1]
    found[point_index[first]] = pks[shape_index[first]]
    missing = np.flatnonzero(found < 0)
    if len(missing):
        near_point, near_shape = locator.tree.query_nearest(
            points[missing], max_distance=NEAREST_LIMIT_DEGREES, all_matches=False
        )
        found[missing[near_point]] = pks[near_shape]
    return found


def _store(
    *, kind: str, path: Path, table: pa.Table, actor: Actor, synthetic: bool, stored_before=None
) -> tuple[ImportBatch, int, int]:
    """Keep the original, record the batch (change-logged) and write the rows inside a boundary but
    those `stored_before` (a boolean per row). Returns (batch, rows written, rows outside)."""
    inside = pc.greater_equal(table["unit_id"], 0)
    outside = table.num_rows - pc.sum(inside).as_py()
    if outside == table.num_rows:
        raise UserError(
            f"Không dòng nào của tệp {path.name} nằm trong ranh giới đã có: {outside} dòng ngoài mọi "
            f"ranh giới",
            f"No row of {path.name} lies inside a known boundary: {outside} rows outside every boundary",
        )
    table = table.filter(inside if stored_before is None else pc.and_(inside, pc.invert(stored_before)))
    stored, digest = keep_original(path, kind)
    with transaction.atomic():
        batch = record_import_batch(
            kind=kind, file_name=path.name, stored_path=str(stored), sha256=digest, rows=table.num_rows,
            actor=actor, synthetic=synthetic,
        )  # fmt: skip
        table = table.append_column("synthetic", pa.array([synthetic] * table.num_rows, pa.bool_()))
        table = table.append_column("batch", pa.array([batch.pk] * table.num_rows, pa.int64()))
        store.write(kind, table, batch.pk)
    return batch, table.num_rows, outside


# --- Ookla ----------------------------------------------------------------------------------------


def ookla_period(path: Path, period: str | None) -> str:
    """The quarter of an Ookla file: `--period 2024Q3`, else from its name: a quarter anywhere in it
    (…_2023Q4_…), else the quarter of a day in it (Ookla's own 2024-07-01_performance…)."""
    period = period or _quarter_in_name(Path(path).name)
    if not period:
        raise UserError(
            "Cần --period (quý, ví dụ 2024Q3): tên tệp không cho biết quý",
            "--period (a quarter, e.g. 2024Q3) is needed: the file name does not give it",
        )
    parsed = parse_period(period)
    if parsed.kind != "quarterly":
        raise UserError(
            f"Tệp Ookla là số liệu một quý (ví dụ 2024Q3), không phải '{period}'",
            f"An Ookla file covers one quarter (e.g. 2024Q3), not '{period}'",
        )
    return parsed.code


def _quarter_in_name(name: str) -> str | None:
    if found := re.search(r"(?<!\d)(\d{4})[Qq]([1-4])(?!\d)", name):
        return f"{found[1]}Q{found[2]}"
    for found in re.finditer(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)", name):
        try:
            day = date(int(found[1]), int(found[2]), int(found[3]))
        except ValueError:
            continue
        return f"{day.year}Q{(day.month + 2) // 3}"
    return None


def import_ookla(
    *,
    path: Path,
    actor: Actor,
    period: str | None = None,
    network: str | None = None,
    synthetic: bool = False,
) -> SpeedTestImportSummary:
    """Ookla open-data tiles of one quarter; a new file of the same quarter and network replaces
    the earlier one (Ookla re-aggregates past releases)."""
    required = tuple(OOKLA_COLUMNS)
    path, connection, mapping, col = _read(path, OOKLA_COLUMNS, required)
    code = ookla_period(path, period)
    network = network or next((n for n in NETWORKS if n in path.name.lower()), "mobile")
    if network not in NETWORKS:
        raise UserError(f"Mạng phải là {'|'.join(NETWORKS)}", f"The network must be {'|'.join(NETWORKS)}")
    number = {f: NUMBER.format(c=col[f]) for f in ("download", "upload", "latency", "tests", "devices")}
    connection.execute(
        f"""CREATE TABLE parsed AS SELECT r.row_no, trim({col["quadkey"]}) AS v_quadkey,
                {number["download"]} AS v_download, {number["upload"]} AS v_upload,
                {number["latency"]} AS v_latency, {number["tests"]} AS v_tests,
                {number["devices"]} AS v_devices, r.*
            FROM rows r"""
    )
    count = "{v} IS NULL OR {v} < 0 OR {v} <> floor({v})"
    checks = [
        ("quadkey", "v_quadkey IS NULL OR NOT regexp_full_match(v_quadkey, '[0-3]*')",
         "quadkey chỉ gồm các chữ số 0–3", "a quadkey holds only the digits 0–3"),
        ("quadkey", f"v_quadkey IS NOT NULL AND length(v_quadkey) <> {ZOOM}",
         f"quadkey phải dài {ZOOM} ký tự (ô mức {ZOOM})",
         f"a quadkey must be {ZOOM} characters (zoom {ZOOM})"),
        *[
            (field, f"v_{field} IS NULL OR v_{field} < 0", f"{vi} phải là số không âm",
             f"{en} must be a non-negative number")
            for field, vi, en in (("download", "tốc độ tải xuống", "download speed"),
                                  ("upload", "tốc độ tải lên", "upload speed"),
                                  ("latency", "độ trễ", "latency"))
        ],
        ("tests", count.format(v="v_tests"), "số phép đo phải là số nguyên không âm",
         "tests must be a non-negative whole number"),
        ("devices", count.format(v="v_devices"), "số thiết bị phải là số nguyên không âm",
         "devices must be a non-negative whole number"),
    ]  # fmt: skip
    errors = store.failed_checks(connection, "parsed", checks, mapping, col, MAX_LISTED_ERRORS)
    errors += store.duplicate_rows(
        connection, "parsed", "v_quadkey", mapping["quadkey"], "trùng quadkey với một dòng trước",
        "same tile as an earlier row", MAX_LISTED_ERRORS,
    )  # fmt: skip
    _reject_if(path, errors)
    table = connection.sql(
        """SELECT v_quadkey AS quadkey, v_download AS download_kbps, v_upload AS upload_kbps,
                  v_latency AS latency_ms, CAST(v_tests AS BIGINT) AS tests,
                  CAST(v_devices AS BIGINT) AS devices
           FROM parsed ORDER BY row_no"""
    ).to_arrow_table()
    quarter = parse_period(code)
    tiles = decode_quadkeys(table["quadkey"].to_numpy(zero_copy_only=False))
    unit_ids = unit_ids_at(tiles["lon"], tiles["lat"], quarter.start)
    for name, values in tiles.items():
        table = table.append_column(name, pa.array(values))
    table = table.append_column("unit_id", pa.array(unit_ids, pa.int64()))
    rows = table.num_rows
    table = table.append_column("period", pa.array([code] * rows, pa.string()))
    table = table.append_column("network", pa.array([network] * rows, pa.string()))
    table = table.append_column(
        "time", pa.array([datetime.combine(quarter.start, time())] * rows, pa.timestamp("us"))
    )
    earlier = _files_of(code, network)
    batch, stored, outside = _store(kind=OOKLA, path=path, table=table, actor=actor, synthetic=synthetic)
    for file in earlier:
        file.unlink()
    return SpeedTestImportSummary(
        batch=batch, rows=stored, outside=outside, replaced=len(earlier), period=code, network=network
    )


def _files_of(period: str, network: str) -> list[Path]:
    """The stored Ookla files of one quarter and network (one month folder: the quarter's first)."""
    folder = store.kind_root(OOKLA) / f"month={parse_period(period).start:%Y%m}"
    return [
        file
        for file in sorted(folder.glob("*.parquet"))
        if pq.read_table(file, columns=["network"])["network"][0].as_py() == network
    ]


def ookla_speeds(
    *,
    unit_ids: list[int] | None = None,
    period: str | None = None,
    network: str = "mobile",
    by_unit: bool = True,
) -> list[dict]:
    """Test-weighted means of the stored Ookla tiles, per unit (or over all of `unit_ids` with
    by_unit=False): Σ(avg·tests)/Σ(tests) for download and upload (Mb/s) and latency (ms), with the
    tests, devices and tiles behind them. `period` a quarter (2024Q3); None: every quarter."""
    if not store.has_data(OOKLA):
        return []
    connection = store.connect()
    where, parameters = ["network = ?", "tests > 0"], [network]
    if period:
        where.append("period = ?")
        parameters.append(parse_period(period).code)
    if unit_ids is not None:
        connection.register("scope_units", pa.table({"id": pa.array(unit_ids, pa.int64())}))
        where.append("unit_id IN (SELECT id FROM scope_units)")
    key = "unit_id" if by_unit else "NULL"
    result = connection.execute(
        f"""SELECT {key} AS unit_id, sum(tests) AS tests, sum(devices) AS devices, count(*) AS tiles,
                   sum(download_kbps * tests) / sum(tests) / 1000 AS download_mbps,
                   sum(upload_kbps * tests) / sum(tests) / 1000 AS upload_mbps,
                   sum(latency_ms * tests) / sum(tests) AS latency_ms,
                   bool_or(synthetic) AS synthetic
            FROM {store.scan(OOKLA)} WHERE {" AND ".join(where)}
            GROUP BY ALL HAVING count(*) > 0 ORDER BY unit_id""",
        parameters,
    )
    names = [d[0] for d in result.description]
    return [dict(zip(names, row, strict=True)) for row in result.fetchall()]


# --- M-Lab ----------------------------------------------------------------------------------------

TIME = (
    "coalesce(try_cast({c} AS TIMESTAMP), try_strptime({c}, '%Y-%m-%d %H:%M:%S%z'), "
    "try_strptime({c}, '%d/%m/%Y'))"
)


def import_mlab(*, path: Path, actor: Actor, synthetic: bool = False) -> SpeedTestImportSummary:
    """M-Lab NDT rows (unified downloads): throughput, minimum RTT, the client's IP location, time
    (`a.TestTime`, else `date`). A test already stored (by its id, or without one by its time, place,
    throughput and RTT) is counted unchanged, not stored."""
    path, connection, mapping, col = _read(path, MLAB_COLUMNS, ("download", "lat", "lon"))
    if "time" not in col and "date" not in col:
        raise UserError(
            "Tệp thiếu cột thời gian a.TestTime hoặc date",
            "The file lacks a time column (a.TestTime or date)",
        )
    rtt = NUMBER.format(c=col["min_rtt"]) if "min_rtt" in col else "NULL"
    test_id = f"nullif(trim({col['test_id']}), '')" if "test_id" in col else "NULL"
    # A row's test time when it has one, else its date; each named in its own column when unreadable.
    has_time = f"coalesce(trim({col['time']}), '') <> ''" if "time" in col else "false"
    day = TIME.format(c=f"trim({col['date']})") if "date" in col else "NULL"
    connection.execute(
        f"""CREATE TABLE parsed AS SELECT r.row_no, {NUMBER.format(c=col["download"])} AS v_download,
                {rtt} AS v_rtt, {NUMBER.format(c=col["lat"])} AS v_lat,
                {NUMBER.format(c=col["lon"])} AS v_lon, {has_time} AS v_has_time,
                CASE WHEN {has_time} THEN {TIME.format(c=f"trim({col.get('time', 'NULL')})")} ELSE {day} END
                    AS v_time,
                CAST({test_id} AS VARCHAR) AS v_id, r.*
            FROM rows r"""
    )
    checks = [
        ("download", "v_download IS NULL OR v_download < 0", "thông lượng phải là số không âm (Mb/s)",
         "throughput must be a non-negative number (Mb/s)"),
        ("min_rtt", f"{col.get('min_rtt', 'NULL')} IS NOT NULL AND trim({col.get('min_rtt', 'NULL')}) <> '' "
         "AND (v_rtt IS NULL OR v_rtt < 0)", "RTT nhỏ nhất phải là số không âm (ms)",
         "the minimum RTT must be a non-negative number (ms)"),
        ("lat", "v_lat IS NULL OR v_lat NOT BETWEEN -90 AND 90", "vĩ độ phải là số từ -90 đến 90",
         "latitude must be a number from -90 to 90"),
        ("lon", "v_lon IS NULL OR v_lon NOT BETWEEN -180 AND 180", "kinh độ phải là số từ -180 đến 180",
         "longitude must be a number from -180 to 180"),
        ("time", "v_has_time AND v_time IS NULL", "thời gian không đọc được (YYYY-MM-DD HH:MM:SS)",
         "unreadable time (YYYY-MM-DD HH:MM:SS)"),
        ("date", "NOT v_has_time AND v_time IS NULL", "thời gian không đọc được (YYYY-MM-DD)",
         "unreadable time (YYYY-MM-DD)"),
    ]  # fmt: skip
    errors = store.failed_checks(connection, "parsed", checks, mapping, col, MAX_LISTED_ERRORS)
    errors += store.duplicate_rows(
        connection, "parsed", "v_id", mapping.get("test_id", ""), "trùng mã phép đo với một dòng trước",
        "same test as an earlier row", MAX_LISTED_ERRORS,
    )  # fmt: skip
    time_column = "time" if "time" in col else "date"
    errors += store.duplicate_rows(
        connection, "parsed", f"CASE WHEN v_id IS NULL THEN {_MLAB_NATURAL_KEY} END", mapping[time_column],
        "trùng phép đo với một dòng trước (cùng thời gian, vị trí, thông lượng, RTT)",
        "same test as an earlier row (same time, place, throughput, RTT)", MAX_LISTED_ERRORS,
        shown=col[time_column],
    )  # fmt: skip
    _reject_if(path, errors)
    table = connection.sql(
        """SELECT v_id AS test_id, CAST(v_time AS TIMESTAMP) AS time, v_download AS download_mbps,
                  v_rtt AS min_rtt_ms, v_lat AS lat, v_lon AS lon
           FROM parsed ORDER BY row_no"""
    ).to_arrow_table()
    first = connection.execute("SELECT CAST(min(v_time) AS DATE) FROM parsed").fetchone()[0]
    unit_ids = unit_ids_at(table["lon"].to_numpy(), table["lat"].to_numpy(), first)
    table = table.append_column("unit_id", pa.array(unit_ids, pa.int64()))
    stored_before = pa.array(_stored_before(connection), pa.bool_())
    batch, stored, outside = _store(
        kind=MLAB, path=path, table=table, actor=actor, synthetic=synthetic, stored_before=stored_before
    )
    return SpeedTestImportSummary(
        batch=batch, rows=stored, outside=outside, unchanged=table.num_rows - outside - stored
    )


# A test without an id (some NDT exports have none) is told by what the store keeps of it: its time,
# its client's location, its throughput and its minimum RTT.
_MLAB_NATURAL_KEY = "row(CAST(v_time AS TIMESTAMP), v_lat, v_lon, v_download, v_rtt)"


def _stored_before(connection) -> list[bool]:
    """For each of the file's rows (table `parsed`, in order), whether an earlier import stored its
    test: the same id, or for a row without one the same natural key among stored tests without id."""
    if not store.has_data(MLAB):
        return [False] * connection.execute("SELECT count(*) FROM parsed").fetchone()[0]
    found = connection.execute(
        f"""WITH stored AS (SELECT * FROM {store.scan(MLAB)}),
                 ids AS (SELECT DISTINCT CAST(test_id AS VARCHAR) AS id FROM stored
                         WHERE test_id IS NOT NULL),
                 keys AS (SELECT DISTINCT row(time, lat, lon, download_mbps, min_rtt_ms) AS k
                          FROM stored WHERE test_id IS NULL)
            SELECT CASE WHEN v_id IS NOT NULL THEN v_id IN (SELECT id FROM ids)
                        ELSE {_MLAB_NATURAL_KEY} IN (SELECT k FROM keys) END
            FROM parsed ORDER BY row_no"""
    ).fetchall()
    return [bool(row[0]) for row in found]
