"""The measurement store: one folder per kind, partitioned by month (`month=YYYYMM`), Parquet."""

import uuid
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq
from django.conf import settings


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
    connection = duckdb.connect()
    connection.execute("SET threads TO 2")
    return connection
