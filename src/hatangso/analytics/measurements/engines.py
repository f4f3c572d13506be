"""The engines that run the measurement pipelines' SQL: DuckDB in process, Apache Spark at scale.

A pipeline writes its query once, in DuckDB's dialect, with named parameters (`$name`) and table
names it binds to sources: a Parquet store folder (hive-partitioned, `month=YYYYMM/*.parquet`), a
single Parquet file, or a small Arrow table (the scope's units). `HATANGSO_ENGINE` picks the
engine (`duckdb`, the default, or `spark`); the Spark engine transpiles the query with sqlglot,
reads the same files with Spark's partition discovery and returns the same rows as tuples.
"""

from __future__ import annotations

import functools
import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from django.conf import settings

from hatangso.analytics.measurements import store
from hatangso.utilities.errors import UserError

if TYPE_CHECKING:
    import pyarrow as pa

    # A source a query names: a folder of month partitions, one Parquet file, or an in-memory table.
    Source = Path | pa.Table


class Engine(Protocol):
    name: str

    def rows(self, sql: str, *, sources: dict[str, Source], params: dict) -> list[tuple]: ...


def _parquet_sql(path: Path) -> str:
    """A folder is read with its partitions (`month=…` becomes a column), a file as it is."""
    if path.is_dir():
        pattern = (path / "*" / "*.parquet").as_posix().replace("'", "''")
        return f"read_parquet('{pattern}', hive_partitioning = true, union_by_name = true)"
    name = path.as_posix().replace("'", "''")
    return f"read_parquet('{name}')"


class DuckDBEngine:
    name = "duckdb"

    def rows(self, sql: str, *, sources: dict[str, Source], params: dict) -> list[tuple]:
        connection = store.reader()
        try:
            for name, source in sources.items():
                if isinstance(source, Path):
                    connection.execute(f"CREATE TEMP VIEW {name} AS SELECT * FROM {_parquet_sql(source)}")
                else:
                    connection.register(name, source)
            return connection.execute(sql, params).fetchall()
        finally:
            connection.close()


def spark_missing() -> UserError:
    return UserError(
        "Chưa cài Apache Spark: chạy make setup (gói spark) và cài Java 17, hoặc đặt HATANGSO_ENGINE=duckdb",
        "Apache Spark is not installed: run make setup (the spark extra) and install Java 17, "
        "or set HATANGSO_ENGINE=duckdb",
    )


@functools.cache
def spark_session(master: str):
    """One SparkSession per process (and master), made on first use; no web UI."""
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise spark_missing() from None
    if not (os.environ.get("JAVA_HOME") or shutil.which("java")):
        raise spark_missing()
    try:
        spark = (
            SparkSession.builder.master(master)
            .appName("hatangso")
            .config("spark.ui.enabled", "false")
            .config("spark.ui.showConsoleProgress", "false")
            .config("spark.sql.shuffle.partitions", "4")
            .config("spark.sql.session.timeZone", "UTC")
            .getOrCreate()
        )
    except Exception as exc:  # Java missing or broken, the master unreachable: one sentence
        raise UserError(
            f"Không khởi động được Apache Spark ({master}): cần Java 17 và gói spark (make setup)",
            f"Cannot start Apache Spark ({master}): it needs Java 17 and the spark extra (make setup)",
        ) from exc
    spark.sparkContext.setLogLevel("ERROR")
    return spark


def to_spark(sql: str) -> str:
    """The DuckDB query in Spark SQL (`$name` parameters become `:name`)."""
    import sqlglot

    return sqlglot.transpile(sql, read="duckdb", write="spark")[0]


class SparkEngine:
    name = "spark"

    def __init__(self, master: str):
        self.master = master

    def rows(self, sql: str, *, sources: dict[str, Source], params: dict) -> list[tuple]:
        # A new session per query shares the SparkContext but keeps its own temporary views, so
        # concurrent queries (threads of the web server) never see each other's tables.
        spark = spark_session(self.master).newSession()
        for name, source in sources.items():
            if isinstance(source, Path):
                reader = spark.read.option("mergeSchema", "true")
                frame = reader.parquet(source.as_posix())
            else:
                frame = spark.createDataFrame(source)
            frame.createOrReplaceTempView(name)
        return [tuple(row) for row in spark.sql(to_spark(sql), args=params).collect()]


def engine() -> Engine:
    """The engine `HATANGSO_ENGINE` names."""
    name = settings.ENGINE
    if name == "duckdb":
        return DuckDBEngine()
    if name == "spark":
        return SparkEngine(settings.SPARK_MASTER)
    raise UserError(
        f"HATANGSO_ENGINE phải là duckdb hoặc spark, không phải {name!r}",
        f"HATANGSO_ENGINE must be duckdb or spark, not {name!r}",
    )
