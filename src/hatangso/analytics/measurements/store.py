"""The measurement store: one folder per kind, partitioned by month (`month=YYYYMM`), Parquet."""

from __future__ import annotations

import os
import threading
import uuid
from pathlib import Path

from django.conf import settings

from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import RowError
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.tabular import header_key

duckdb = lazy_import("duckdb")
pa = lazy_import("pyarrow")
pc = lazy_import("pyarrow.compute")
pq = lazy_import("pyarrow.parquet")


def kind_root(kind: str) -> Path:
    return settings.HOME / "measurements" / kind


def write(kind: str, table: pa.Table, batch_id: int) -> list[Path]:
    """Append a table (with a `time` timestamp column) as one Parquet file per month."""
    root = kind_root(kind)
    months = pc.strftime(table["time"], format="%Y%m")
    written = []
    for month in pc.unique(months).to_pylist():
        part = table.filter(pc.equal(months, month))
        folder = root / f"month={month}"
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"batch-{batch_id}-{uuid.uuid4().hex[:8]}.parquet"
        pq.write_table(part, path, compression="zstd")
        written.append(path)
    return written


def has_data(kind: str) -> bool:
    root = kind_root(kind)
    return root.is_dir() and any(root.glob("month=*/*.parquet"))


def scan(kind: str) -> str:
    """The SQL table expression over every file of a kind."""
    pattern = (kind_root(kind) / "month=*" / "*.parquet").as_posix().replace("'", "''")
    return f"read_parquet('{pattern}', hive_partitioning = true, union_by_name = true)"


def connect() -> duckdb.DuckDBPyConnection:
    """A connection of its own, on a new in-memory database (an import's working tables)."""
    connection = duckdb.connect()
    connection.execute("SET threads TO 2")
    return connection


_shared: duckdb.DuckDBPyConnection | None = None
_shared_lock = threading.Lock()


def reader() -> duckdb.DuckDBPyConnection:
    """A connection for a query over the store, on the process's one in-memory database: a new
    database costs ≈ 25 ms, a connection to one already open under 1 ms, and every scorecard with
    measured indicators makes a few such queries (a province's report, hundreds). What it creates
    must be TEMP or registered: those are its own, gone when it closes, unseen by the threads
    beside it."""
    global _shared
    with _shared_lock:
        if _shared is None:
            _shared = connect()
        return _shared.cursor()


def _close_before_fork() -> None:
    """A forked process (a web server's worker) must not inherit the database: DuckDB's threads do
    not survive a fork, and releasing it there crashed the process. The lock is held through the
    fork, so no other thread opens it again in between; both sides release it after."""
    global _shared
    _shared_lock.acquire()
    if _shared is not None:
        _shared.close()
        _shared = None


os.register_at_fork(
    before=_close_before_fork, after_in_parent=_shared_lock.release, after_in_child=_shared_lock.release
)


def read_rows(connection: duckdb.DuckDBPyConnection, path: Path) -> list[str]:
    """Read a CSV (all text) or Parquet file into the table `rows`: `row_no` as the user sees it
    (the header is row 1) and every column as text under its header key. Returns the keys."""
    suffix = path.suffix.lower()
    if suffix == ".parquet":
        source = f"read_parquet('{path.as_posix()}')"
    elif suffix in {".csv", ".txt"}:
        source = f"read_csv('{path.as_posix()}', all_varchar = true, header = true)"
    else:
        raise UserError(
            f"Tệp {path.name} phải là CSV hoặc Parquet", f"File {path.name} must be CSV or Parquet"
        )
    try:
        connection.execute(f"CREATE TABLE raw AS SELECT * FROM {source}")
    except Exception as exc:  # DuckDB raises its own error classes for unreadable files
        raise UserError(f"Không đọc được tệp {path.name}: {exc}", f"Cannot read {path.name}: {exc}") from exc
    columns = [row[0] for row in connection.execute("DESCRIBE raw").fetchall()]
    renames = ", ".join(f'CAST("{c}" AS VARCHAR) AS "{header_key(c)}"' for c in columns)
    connection.execute(f"CREATE TABLE rows AS SELECT row_number() OVER () + 1 AS row_no, {renames} FROM raw")
    return [header_key(c) for c in columns]


def failed_checks(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    checks: list[tuple[str, str, str, str]],
    mapping: dict[str, str],
    col: dict[str, str],
    limit: int,
) -> list[RowError]:
    """One query per check (field, SQL condition of a bad row, reason vi, reason en) over all rows:
    the bad rows with the file's column name and the cell's text."""
    errors = []
    for field, condition, vi, en in checks:
        value = col.get(field, "NULL")
        found = connection.execute(
            f"SELECT row_no, CAST({value} AS VARCHAR) FROM {table} WHERE {condition} ORDER BY row_no"
        ).fetchall()
        column = mapping.get(field, field)
        errors.extend(RowError(row, column, text or "", vi, en) for row, text in found[:limit])
    return errors


def duplicate_rows(
    connection: duckdb.DuckDBPyConnection,
    table: str,
    key: str,
    column: str,
    vi: str,
    en: str,
    limit: int,
    shown: str | None = None,
) -> list[RowError]:
    """Every row whose `key` (SQL, NULL = no key) repeats an earlier row's, named by its last row
    and its cell `shown` (SQL; the key itself by default)."""
    found = connection.execute(
        f"SELECT max(row_no), any_value(CAST({shown or key} AS VARCHAR)) FROM {table} "
        f"WHERE {key} IS NOT NULL GROUP BY {key} HAVING count(*) > 1 ORDER BY 1"
    ).fetchall()
    return [RowError(row, column, text or "", vi, en) for row, text in found[:limit]]
