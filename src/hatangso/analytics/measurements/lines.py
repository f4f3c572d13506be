"""Line measurements (per-line speed samples of fixed Internet lines): import and indicators.

Import is all-or-nothing and vectorised: DuckDB reads the CSV/Parquet, every check is one query
over all rows, and accepted rows go to Parquet — never row by row through the ORM.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.db import transaction

from hatangso.analytics.measurements import engines, store
from hatangso.analytics.providers import ElementTotal, Scope
from hatangso.collection.models import DataElement, ImportBatch
from hatangso.collection.services import record_import_batch
from hatangso.core.changelog import Actor
from hatangso.geography.locating import UnitLocator
from hatangso.geography.models import AdministrativeUnit
from hatangso.registry.models import Operator
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected, RowError, keep_original, map_columns
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.text import match_key

pa = lazy_import("pyarrow")

KIND = "lines"
COLUMNS = {
    "line_id": {"ma_duong_truyen", "ma_thue_bao", "line_id"},
    "operator": {"doanh_nghiep", "operator"},
    "customer_type": {"loai_khach_hang", "customer_type"},
    "unit_code": {"ma_don_vi", "unit_code"},
    "lat": {"vi_do", "lat", "latitude"},
    "lon": {"kinh_do", "lon", "longitude"},
    "time": {"thoi_gian", "time", "timestamp"},
    "download": {"tai_xuong_mbps", "download_mbps", "download"},
    "upload": {"tai_len_mbps", "upload_mbps", "upload"},
    "latency": {"do_tre_ms", "latency_ms", "latency"},
    "source": {"nguon", "source"},
}
CUSTOMER_TYPES = {
    "ca_nhan": "individual",
    "individual": "individual",
    "to_chuc": "organisation",
    "co_quan": "organisation",
    "organisation": "organisation",
    "organization": "organisation",
}
THRESHOLDS = {"individual": 100.0, "organisation": 500.0}
MAX_LISTED_ERRORS = 1000
TIME = (
    "coalesce(try_cast({c} AS TIMESTAMP), try_strptime({c}, '%d/%m/%Y %H:%M:%S'), "
    "try_strptime({c}, '%d/%m/%Y %H:%M'), try_strptime({c}, '%d/%m/%Y'))"
)
NUMBER = "try_cast(replace({c}, ',', '.') AS DOUBLE)"


@dataclass(frozen=True)
class LineImportSummary:
    batch: ImportBatch
    samples: int
    lines: int


def import_line_measurements(*, path: Path, actor: Actor, synthetic: bool = False) -> LineImportSummary:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp {path}", f"File {path} not found")
    connection = store.connect()
    columns = store.read_rows(connection, path)
    mapping = map_columns(columns, COLUMNS, ("line_id", "operator", "customer_type", "time", "download"))
    if "unit_code" not in mapping and not {"lat", "lon"} <= set(mapping):
        raise UserError(
            "Tệp cần cột ma_don_vi hoặc vi_do, kinh_do",
            "The file needs ma_don_vi (unit code) or lat/lon columns",
        )
    col = {field: f'"{name}"' for field, name in mapping.items()}
    empty = "NULL"
    # One row per spelling ("vnpt" is both a code and a short name): a join must not double rows.
    operators = list(
        {match_key(k): o.code for o in Operator.objects.all() for k in (o.code, o.short_name)}.items()
    )
    connection.execute("CREATE TABLE operators (key VARCHAR, code VARCHAR)")
    connection.executemany("INSERT INTO operators VALUES (?, ?)", operators)
    connection.execute("CREATE TABLE customer_types (key VARCHAR, value VARCHAR)")
    connection.executemany("INSERT INTO customer_types VALUES (?, ?)", list(CUSTOMER_TYPES.items()))
    if connection.execute("SELECT count(*) FROM rows").fetchone()[0] == 0:
        raise UserError(f"Tệp {path.name} không có dòng dữ liệu nào", f"File {path.name} has no data rows")
    units = list(AdministrativeUnit.objects.values_list("pk", "code", "valid_from", "valid_to", "level"))
    connection.execute(
        "CREATE TABLE units (id BIGINT, code VARCHAR, valid_from DATE, valid_to DATE, level VARCHAR)"
    )
    connection.executemany("INSERT INTO units VALUES (?, ?, ?, ?, ?)", units)
    connection.execute(
        f"""
        CREATE TABLE parsed AS SELECT
            r.row_no,
            trim({col["line_id"]}) AS line_id,
            o.code AS operator,
            t.value AS customer_type,
            {TIME.format(c=col["time"])} AS time,
            {NUMBER.format(c=col["download"])} AS download_mbps,
            {NUMBER.format(c=col.get("upload", empty))} AS upload_mbps,
            {NUMBER.format(c=col.get("latency", empty))} AS latency_ms,
            {f"trim({col['unit_code']})" if "unit_code" in col else empty} AS unit_code,
            {NUMBER.format(c=col.get("lat", empty))} AS lat,
            {NUMBER.format(c=col.get("lon", empty))} AS lon,
            {f"coalesce({col['source']}, '')" if "source" in col else "''"} AS source,
            r.*
        FROM rows r
        LEFT JOIN operators o ON o.key = lower(trim({col["operator"]}))
        LEFT JOIN customer_types t ON t.key = replace(lower(trim({col["customer_type"]})), ' ', '_')
        """
    )
    connection.execute(
        """
        CREATE TABLE located AS SELECT p.*, (
            SELECT u.id FROM units u WHERE u.code = p.unit_code
              AND (u.valid_from IS NULL OR u.valid_from <= CAST(p.time AS DATE))
              AND (u.valid_to IS NULL OR u.valid_to >= CAST(p.time AS DATE))
            LIMIT 1) AS unit_id
        FROM parsed p
        """
    )
    checks = [
        ("line_id", "line_id IS NULL OR line_id = ''", "thiếu mã đường truyền", "line id is missing"),
        ("operator", "operator IS NULL", "không có doanh nghiệp này", "unknown operator"),
        (
            "customer_type",
            "customer_type IS NULL",
            "loại khách hàng phải là ca_nhan hoặc to_chuc",
            "customer type must be individual or organisation",
        ),
        ("time", "time IS NULL", "thời gian không đọc được (dd/mm/yyyy hh:mm)", "unreadable time"),
        (
            "download",
            "download_mbps IS NULL OR download_mbps < 0 OR download_mbps > 100000",
            "tốc độ tải xuống phải là số từ 0 đến 100.000 Mb/s",
            "download speed must be a number 0–100,000 Mb/s",
        ),
        (
            "upload",
            f"{col['upload']} IS NOT NULL AND (upload_mbps IS NULL OR upload_mbps < 0)"
            if "upload" in col
            else "false",
            "tốc độ tải lên phải là số không âm",
            "upload speed must be a non-negative number",
        ),
        (
            "unit_code",
            "unit_code IS NOT NULL AND unit_code <> '' AND time IS NOT NULL AND unit_id IS NULL",
            "không có đơn vị mã này có hiệu lực vào thời điểm đo",
            "no unit with this code in force at that time",
        ),
        (
            "lat",
            "(unit_code IS NULL OR unit_code = '') AND (lat IS NULL OR lat NOT BETWEEN -90 AND 90 "
            "OR lon IS NULL OR lon NOT BETWEEN -180 AND 180)",
            "thiếu mã đơn vị hoặc tọa độ hợp lệ",
            "needs a unit code or valid coordinates",
        ),
    ]
    errors = store.failed_checks(connection, "located", checks, mapping, col, MAX_LISTED_ERRORS)
    duplicates = connection.execute(
        "SELECT max(row_no), any_value(line_id) FROM located WHERE line_id IS NOT NULL AND time IS NOT NULL "
        "GROUP BY line_id, time HAVING count(*) > 1"
    ).fetchall()
    errors.extend(
        RowError(
            row, mapping["line_id"], line, "trùng mã đường truyền và thời gian", "duplicate line and time"
        )
        for row, line in duplicates[:MAX_LISTED_ERRORS]
    )
    if errors:
        errors.sort(key=lambda e: e.row)
        raise ImportRejected(path.name, errors[:MAX_LISTED_ERRORS])
    table = _placed(connection, synthetic)
    if table.num_rows == 0:
        raise UserError(f"Tệp {path.name} không có dòng dữ liệu nào", f"File {path.name} has no data rows")
    stored, digest = keep_original(path, "measurements")
    with transaction.atomic():
        batch = record_import_batch(
            kind="line-measurements", file_name=path.name, stored_path=str(stored), sha256=digest,
            rows=table.num_rows, actor=actor, synthetic=synthetic,
        )  # fmt: skip
        table = table.append_column("batch", pa.array([batch.pk] * table.num_rows, pa.int64()))
        store.write(KIND, table, batch.pk)
    lines = len(set(table["line_id"].to_pylist()))
    return LineImportSummary(batch=batch, samples=table.num_rows, lines=lines)


def _placed(connection, synthetic: bool) -> pa.Table:
    """Rows with coordinates and no unit code get their commune from the boundaries. A village code
    (`19996.03`) places the row in that village: `village_id` keeps it (fixed.py's village
    coverage); `lat`, `lon` are kept when given, for placing a line near a village's population."""
    missing = connection.execute(
        "SELECT row_no, lon, lat, CAST(min(time) OVER () AS DATE) FROM located WHERE unit_id IS NULL"
    ).fetchall()
    if missing:
        locator = UnitLocator(on=missing[0][3])
        placements = locator.locate_many([m[1] for m in missing], [m[2] for m in missing])
        unplaced = [m[0] for m, p in zip(missing, placements, strict=True) if p.unit is None]
        if unplaced:
            raise ImportRejected(
                "measurements",
                [
                    RowError(
                        row,
                        "lat",
                        "",
                        "tọa độ không thuộc đơn vị nào đã có ranh giới",
                        "outside every known boundary",
                    )
                    for row in unplaced[:MAX_LISTED_ERRORS]
                ],
            )
        connection.execute("CREATE TABLE placed (row_no BIGINT, unit_id BIGINT)")
        connection.executemany(
            "INSERT INTO placed VALUES (?, ?)",
            [(m[0], p.unit.pk) for m, p in zip(missing, placements, strict=True)],
        )
        connection.execute(
            "UPDATE located SET unit_id = placed.unit_id FROM placed WHERE located.row_no = placed.row_no"
        )
    return connection.sql(
        f"""SELECT line_id, operator, customer_type, CAST(unit_id AS BIGINT) AS unit_id, time, download_mbps,
                   upload_mbps, latency_ms, source, {str(bool(synthetic)).upper()} AS synthetic,
                   CAST((SELECT u.id FROM units u WHERE u.id = located.unit_id AND u.level = 'village')
                        AS BIGINT) AS village_id,
                   CASE WHEN lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180 THEN lat END AS lat,
                   CASE WHEN lat BETWEEN -90 AND 90 AND lon BETWEEN -180 AND 180 THEN lon END AS lon
            FROM located ORDER BY row_no"""
    ).to_arrow_table()


# --- indicators -----------------------------------------------------------------------------------

# Data element code → (customer type, counted lines: all measured, or those at the threshold).
MEASURES = {
    "measured_lines_individual": ("individual", False),
    "measured_lines_individual_100mbps": ("individual", True),
    "measured_lines_organisation": ("organisation", False),
    "measured_lines_organisation_500mbps": ("organisation", True),
}


# Per line its mean download speed over the period, then per customer type the lines with enough
# samples and those of them at the threshold. Written once in DuckDB's dialect; engines.py runs it on
# DuckDB or transpiles it for Spark. The month partitions prune the files: a period of whole months
# (every month, quarter and year) needs no `time` column at all.
LINE_TOTALS = """
WITH per_line AS (
    SELECT line_id, customer_type, avg(download_mbps) AS speed, count(*) AS samples,
           bool_or(synthetic) AS synthetic
    FROM lines
    WHERE month BETWEEN $first_month AND $last_month {time}
      AND unit_id IN (SELECT id FROM scope_units) {operator}
    GROUP BY line_id, customer_type
)
SELECT customer_type,
       count(*) FILTER (WHERE samples >= $min_samples) AS lines,
       count(*) FILTER (WHERE samples >= $min_samples AND speed >= CASE customer_type
            WHEN 'individual' THEN $individual_mbps ELSE $organisation_mbps END) AS fast,
       sum(samples) AS samples, bool_or(synthetic) AS synthetic
FROM per_line GROUP BY customer_type ORDER BY customer_type
"""


def sample_filters(start: date, end: date, operator: str | None) -> tuple[str, str, dict]:
    """The SQL conditions (time, operator) and parameters that keep the samples measured from `start`
    to `end` (days, inclusive) — of `operator` when given — beside `month BETWEEN $first_month AND
    $last_month`, which prunes the month partitions."""
    after = end + timedelta(days=1)
    params = {"first_month": start.year * 100 + start.month, "last_month": end.year * 100 + end.month}
    time = ""
    if start.day != 1 or after.day != 1:
        time = "AND time >= CAST($start AS TIMESTAMP) AND time < CAST($after AS TIMESTAMP)"
        params |= {"start": start.isoformat(), "after": after.isoformat()}
    condition = ""
    if operator is not None:  # one operator's lines ("" when the scope's operator has no code: none)
        condition = "AND operator = $operator"
        params["operator"] = operator
    return time, condition, params


def scope_operator(scope: Scope) -> str | None:
    """The code of the scope's operator, whose own lines alone count ("" when it has no code: none
    match); None for everyone's figures."""
    if not scope.operator_id:
        return None
    return Operator.objects.filter(pk=scope.operator_id).values_list("code", flat=True).first() or ""


def line_totals(
    *, unit_ids: list[int], start: date, end: date, operator: str | None = None, min_samples: int
) -> dict[str, tuple[int, int, int, bool]]:
    """Per customer type (lines with enough samples, of them at the threshold, samples, synthetic)
    for the lines of `unit_ids` (and `operator`) measured from `start` to `end` (days, inclusive)."""
    time, condition, params = sample_filters(start, end, operator)
    params |= {
        "min_samples": min_samples,
        "individual_mbps": THRESHOLDS["individual"],
        "organisation_mbps": THRESHOLDS["organisation"],
    }
    rows = engines.engine().rows(
        LINE_TOTALS.format(time=time, operator=condition),
        sources={
            "lines": store.kind_root(KIND),
            "scope_units": pa.table({"id": pa.array(unit_ids, pa.int64())}),
        },
        params=params,
    )
    return {
        kind: (int(lines), int(fast), int(samples or 0), bool(synthetic))
        for kind, lines, fast, samples, synthetic in rows
    }


class LineSpeeds:
    """Per period, each line's mean download speed; lines at or above the threshold / lines measured.

    A line counts only with at least HATANGSO_MIN_SAMPLES_PER_LINE samples; a scope with fewer
    than HATANGSO_MIN_LINES_PER_UNIT measured lines of a kind has no value, with the reason.
    """

    name = "measurements"
    codes = frozenset(MEASURES)

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        result = {e.code: ElementTotal(value=None, provider=self.name) for e in elements}
        if not store.has_data(KIND):
            for total in result.values():
                total.reason = "Chưa có số liệu đo đường truyền / no line measurements imported"
            return result
        found = line_totals(
            unit_ids=list(scope.units.values_list("pk", flat=True)),
            start=scope.period.start,
            end=scope.period.end,
            operator=scope_operator(scope),
            min_samples=settings.MIN_SAMPLES_PER_LINE,
        )
        for element in elements:
            kind, at_threshold = MEASURES[element.code]
            lines, fast, samples, synthetic = found.get(kind, (0, 0, 0, False))
            total = result[element.code]
            total.synthetic = bool(synthetic)
            total.items = [f"{lines} đường truyền / lines", f"{samples} mẫu đo / samples"]
            if lines < settings.MIN_LINES_PER_UNIT:
                total.reason = (
                    f"Chỉ có {lines} đường truyền đủ {settings.MIN_SAMPLES_PER_LINE} mẫu đo (cần ít nhất "
                    f"{settings.MIN_LINES_PER_UNIT}) / only {lines} lines with enough samples "
                    f"(at least {settings.MIN_LINES_PER_UNIT} needed)"
                )
                continue
            total.value = fast if at_threshold else lines
            total.inputs = int(samples or 0)
        return result
