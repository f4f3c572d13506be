"""Population points (lat, lon, population; optionally the village or commune they belong to):
an all-or-nothing import into one Parquet file, HATANGSO_HOME/measurements/population/.

A file is the whole population layer: a new import replaces the previous one (the original files
stay under HATANGSO_HOME/imports/population/). Points without a unit code get their commune from
the boundaries; a point with a village code (`19996.03`) belongs to that village.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from django.db import transaction

from hatangso.analytics.measurements import store
from hatangso.collection.models import ImportBatch
from hatangso.collection.services import record_import_batch
from hatangso.core.changelog import Actor
from hatangso.geography.locating import UnitLocator
from hatangso.geography.models import AdministrativeUnit
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected, RowError, keep_original, map_columns
from hatangso.utilities.lazy import lazy_import

pa = lazy_import("pyarrow")
pq = lazy_import("pyarrow.parquet")

KIND = "population"
COLUMNS = {
    "lat": {"vi_do", "lat", "latitude"},
    "lon": {"kinh_do", "lon", "longitude"},
    "population": {"dan_so", "population", "so_dan", "pop"},
    "unit_code": {"ma_don_vi", "ma_thon", "unit_code"},
}
MAX_LISTED_ERRORS = 1000
NUMBER = "try_cast(replace(trim({c}), ',', '.') AS DOUBLE)"


@dataclass(frozen=True)
class PopulationImportSummary:
    batch: ImportBatch
    points: int
    population: float


def population_file() -> Path:
    return store.kind_root(KIND) / "population.parquet"


def has_population() -> bool:
    return population_file().is_file()


def read_population() -> pa.Table:
    return pq.read_table(population_file())


def import_population(
    *, path: Path, actor: Actor, on: date | None = None, synthetic: bool = False
) -> PopulationImportSummary:
    """Check every row in DuckDB (one query per check), place the points, replace the layer."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp {path}", f"File {path} not found")
    on = on or date.today()
    connection = store.connect()
    columns = store.read_rows(connection, path)
    mapping = map_columns(columns, COLUMNS, ("lat", "lon", "population"))
    col = {field: f'"{name}"' for field, name in mapping.items()}
    if connection.execute("SELECT count(*) FROM rows").fetchone()[0] == 0:
        raise UserError(f"Tệp {path.name} không có dòng dữ liệu nào", f"File {path.name} has no data rows")
    units = list(
        AdministrativeUnit.objects.filter(level__in=["commune", "village"])
        .valid_on(on)
        .values_list("pk", "code", "level", "parent_id")
    )
    connection.execute("CREATE TABLE units (id BIGINT, code VARCHAR, level VARCHAR, parent_id BIGINT)")
    connection.executemany("INSERT INTO units VALUES (?, ?, ?, ?)", units)
    code = f"nullif(trim({col['unit_code']}), '')" if "unit_code" in col else "NULL"
    connection.execute(
        f"""
        CREATE TABLE parsed AS SELECT
            {NUMBER.format(c=col["lat"])} AS v_lat, {NUMBER.format(c=col["lon"])} AS v_lon,
            {NUMBER.format(c=col["population"])} AS v_population, {code} AS v_code,
            u.id AS unit_id, u.level AS unit_level, u.parent_id AS unit_parent, r.*
        FROM rows r LEFT JOIN units u ON u.code = {code}
        """
    )
    checks = [
        ("lat", "v_lat IS NULL OR v_lat NOT BETWEEN -90 AND 90", "vĩ độ phải là số từ -90 đến 90",
         "latitude must be a number from -90 to 90"),
        ("lon", "v_lon IS NULL OR v_lon NOT BETWEEN -180 AND 180", "kinh độ phải là số từ -180 đến 180",
         "longitude must be a number from -180 to 180"),
        ("population", "v_population IS NULL OR v_population < 0 OR v_population > 1e7",
         "dân số phải là số không âm (tối đa 10 triệu mỗi điểm)",
         "population must be a non-negative number (at most 10 million a point)"),
        ("unit_code", "v_code IS NOT NULL AND unit_id IS NULL",
         f"không có xã hoặc thôn mã này có hiệu lực ngày {on:%d/%m/%Y}",
         f"no commune or village with this code in force on {on:%d/%m/%Y}"),
    ]  # fmt: skip
    errors = store.failed_checks(connection, "parsed", checks, mapping, col, MAX_LISTED_ERRORS)
    duplicates = connection.execute(
        "SELECT max(row_no), any_value(CAST(v_lat AS VARCHAR) || ', ' || CAST(v_lon AS VARCHAR)) FROM parsed "
        "WHERE v_lat IS NOT NULL AND v_lon IS NOT NULL GROUP BY v_lat, v_lon, v_code HAVING count(*) > 1"
    ).fetchall()
    errors.extend(
        RowError(row, mapping["lat"], text, "trùng tọa độ với một dòng trước", "same point as an earlier row")
        for row, text in duplicates[:MAX_LISTED_ERRORS]
    )
    if not errors:
        table, errors = _placed(connection, on)
    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(path.name, errors[:MAX_LISTED_ERRORS])
    stored, digest = keep_original(path, KIND)
    with transaction.atomic():
        batch = record_import_batch(
            kind="population", file_name=path.name, stored_path=str(stored), sha256=digest,
            rows=table.num_rows, actor=actor, synthetic=synthetic,
        )  # fmt: skip
        table = table.append_column("synthetic", pa.array([synthetic] * table.num_rows, pa.bool_()))
        table = table.append_column("batch", pa.array([batch.pk] * table.num_rows, pa.int64()))
        target = population_file()
        target.parent.mkdir(parents=True, exist_ok=True)
        partial = target.with_suffix(".parquet.partial")
        pq.write_table(table, partial, compression="zstd")
        os.replace(partial, target)  # the layer is replaced whole, never half-written
    total = float(sum(table["population"].to_pylist()))
    return PopulationImportSummary(batch=batch, points=table.num_rows, population=total)


def _placed(connection, on: date) -> tuple[pa.Table, list[RowError]]:
    """Points with a commune code keep it; with a village code, the village and its commune; the
    rest get their commune from the boundaries in force on `on`."""
    missing = connection.execute("SELECT row_no, v_lon, v_lat FROM parsed WHERE unit_id IS NULL").fetchall()
    if missing:
        locator = UnitLocator(on=on)
        placements = locator.locate_many([m[1] for m in missing], [m[2] for m in missing])
        unplaced = [m[0] for m, p in zip(missing, placements, strict=True) if p.unit is None]
        if unplaced:
            return pa.table({}), [
                RowError(row, "lat", "", "tọa độ không thuộc đơn vị nào đã có ranh giới",
                         "outside every known boundary")
                for row in unplaced[:MAX_LISTED_ERRORS]
            ]  # fmt: skip
        connection.execute("CREATE TABLE placed (row_no BIGINT, unit_id BIGINT)")
        connection.executemany(
            "INSERT INTO placed VALUES (?, ?)",
            [(m[0], p.unit.pk) for m, p in zip(missing, placements, strict=True)],
        )
        connection.execute(
            "UPDATE parsed SET unit_id = placed.unit_id, unit_level = 'commune' FROM placed "
            "WHERE parsed.row_no = placed.row_no"
        )
    table = connection.sql(
        """SELECT CAST(row_no AS BIGINT) AS row_no, v_lat AS lat, v_lon AS lon, v_population AS population,
                  CAST(unit_id AS BIGINT) AS unit_id,
                  CAST(CASE WHEN unit_level = 'village' THEN unit_id END AS BIGINT) AS village_id,
                  CAST(CASE WHEN unit_level = 'village' THEN unit_parent ELSE unit_id END AS BIGINT)
                      AS commune_id
           FROM parsed ORDER BY row_no"""
    ).to_arrow_table()
    return table, []
