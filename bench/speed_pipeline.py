"""The line-speed pipeline against the bare DuckDB aggregate and a straightforward pandas version.

Generates N synthetic line-speed samples (default 100,000,000 over the twelve months of 2024, about
50 per line, `--units` communes, four operators, one line in ten an organisation's) straight into
the measurement store's layout — `measurements/lines/month=YYYYMM/*.parquet`, zstd, in chunks
written by DuckDB so memory stays bounded — in a throw-away HATANGSO_HOME, then times:

- (a) the pipeline: `lines.line_totals`, the code the `fixed_*_mbps` indicators run, for the
  whole area and the year (per line its mean download, then per customer type the lines with
  enough samples and those at 100 / 500 Mb/s), on the engine `HATANGSO_ENGINE` names (DuckDB);
- (b) the bare DuckDB aggregate over the same Parquet: per line the mean and the sample count,
  then the threshold counts — the least any implementation has to compute;
- (c) pandas: read a subsample (`--pandas-sample`, default 2,000,000 samples) from Parquet, group
  by line, count; scaled up to N — after checking it gives DuckDB's counts on that subsample.

It checks (a) and (b) give the same counts and prints the times and the ratios pipeline / bare and
pandas / pipeline. With `--engine spark` it also runs the pipeline on Spark (local[2]) for the
first `--spark-months` months (partition pruning keeps it to those files) beside DuckDB on the
same months, and checks both engines agree. Times are only comparable within one run.

    nice -n 19 .venv/bin/python bench/speed_pipeline.py [--samples 100000000] [--units 100]
        [--pandas-sample 2000000] [--repeat 3] [--engine spark] [--spark-months 1] [--keep]
"""

import argparse
import os
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

os.environ["HATANGSO_HOME"] = tempfile.mkdtemp(prefix="hatangso-bench-")
os.environ.pop("HATANGSO_DATABASE_URL", None)
os.environ.pop("HATANGSO_ENGINE", None)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hatangso.settings")

MONTHS = 12
OPERATORS = ("vnpt", "viettel", "fpt", "mobifone")


def generate(root: Path, samples: int, lines: int, units: int, chunk: int) -> None:
    """`samples` rows spread evenly over the months of 2024, rows of all lines interleaved (as an
    import of many lines' tests is). A line's speed is a base from its id's hash (individuals
    20–220 Mb/s, organisations 200–800) times ±20 % noise from the row's hash: deterministic."""
    from hatangso.analytics.measurements import store

    connection = store.connect()
    connection.execute("SET preserve_insertion_order = false")
    per_month = samples // MONTHS
    base = 0  # the row's number over the whole set keys its hashes
    for month in range(1, MONTHS + 1):
        count = per_month + (samples - per_month * MONTHS if month == MONTHS else 0)
        folder = root / f"month=2024{month:02d}"
        folder.mkdir(parents=True, exist_ok=True)
        for first in range(base, base + count, chunk):
            last = min(first + chunk, base + count)
            connection.execute(
                f"""
                COPY (
                    WITH s AS (
                        SELECT g, CAST(hash(g) % {lines} AS BIGINT) AS line FROM range({first}, {last}) t(g)
                    )
                    SELECT 'L' || lpad(CAST(line AS VARCHAR), 8, '0') AS line_id,
                           ['{"', '".join(OPERATORS)}'][1 + line % {len(OPERATORS)}] AS operator,
                           CASE WHEN line % 10 = 0 THEN 'organisation' ELSE 'individual' END AS customer_type,
                           CAST(1 + line % {units} AS BIGINT) AS unit_id,
                           TIMESTAMP '2024-{month:02d}-01' + to_seconds(CAST(g % 2419200 AS BIGINT)) AS time,
                           (CASE WHEN line % 10 = 0 THEN 200 + hash(line * 7) % 600
                                 ELSE 20 + hash(line * 7) % 200 END)
                             * (0.8 + (hash(g * 31) % 1000) / 2500.0) AS download_mbps,
                           20.0 + hash(g * 17) % 80 AS upload_mbps,
                           5.0 + hash(g * 13) % 40 AS latency_ms,
                           'bench' AS source, true AS synthetic, CAST(1 AS BIGINT) AS batch
                    FROM s
                ) TO '{(folder / f"bench-{first:012d}.parquet").as_posix()}'
                (FORMAT parquet, COMPRESSION zstd)
                """
            )
        base += count
    connection.close()


BARE = """
WITH per_line AS (
    SELECT line_id, customer_type, avg(download_mbps) AS speed, count(*) AS samples
    FROM {source} GROUP BY line_id, customer_type
)
SELECT customer_type, count(*) FILTER (WHERE samples >= {floor}),
       count(*) FILTER (WHERE samples >= {floor} AND speed >= CASE customer_type
            WHEN 'individual' THEN 100.0 ELSE 500.0 END)
FROM per_line GROUP BY customer_type ORDER BY customer_type
"""


def bare(source: str, floor: int) -> dict[str, tuple[int, int]]:
    from hatangso.analytics.measurements import store

    connection = store.connect()
    rows = connection.execute(BARE.format(source=source, floor=floor)).fetchall()
    connection.close()
    return {kind: (lines, fast) for kind, lines, fast in rows}


def with_pandas(path: Path, units: list[int], floor: int) -> dict[str, tuple[int, int]]:
    """What one would write first: read the Parquet into a DataFrame, filter, group, count."""
    import pandas as pd

    frame = pd.read_parquet(path, columns=["line_id", "customer_type", "unit_id", "download_mbps"])
    frame = frame[frame["unit_id"].isin(units)]
    per_line = (
        frame.groupby(["line_id", "customer_type"])["download_mbps"].agg(["mean", "count"]).reset_index()
    )
    per_line = per_line[per_line["count"] >= floor]
    threshold = per_line["customer_type"].map({"individual": 100.0, "organisation": 500.0})
    per_line["fast"] = per_line["mean"] >= threshold
    counts = per_line.groupby("customer_type")["fast"].agg(["count", "sum"])
    return {kind: (int(row["count"]), int(row["sum"])) for kind, row in counts.iterrows()}


def with_python(path: Path, units: list[int], floor: int) -> dict[str, tuple[int, int]]:
    """Without pandas: read the Parquet, then one loop over the samples with a dict per line."""
    import pyarrow.parquet as pq

    columns = pq.read_table(path, columns=["line_id", "customer_type", "unit_id", "download_mbps"])
    wanted = set(units)
    sums: dict[tuple[str, str], list[float]] = {}
    for line, kind, unit, speed in zip(*(c.to_pylist() for c in columns.columns), strict=True):
        if unit in wanted:
            total = sums.setdefault((line, kind), [0.0, 0])
            total[0] += speed
            total[1] += 1
    result: dict[str, list[int]] = {}
    for (_, kind), (speed, count) in sums.items():
        if count >= floor:
            found = result.setdefault(kind, [0, 0])
            found[0] += 1
            found[1] += speed / count >= (100.0 if kind == "individual" else 500.0)
    return {kind: (lines, fast) for kind, (lines, fast) in sorted(result.items())}


def straightforward():
    """pandas when it is installed (it is not a dependency of the project), else plain Python."""
    try:
        import pandas  # noqa: F401
    except ImportError:
        return "plain Python (no pandas installed)", with_python
    return "pandas", with_pandas


def best_of(repeat: int, function, *args, **kwargs):
    times, result = [], None
    for _ in range(repeat):
        started = time.perf_counter()
        result = function(*args, **kwargs)
        times.append(time.perf_counter() - started)
    return result, min(times)


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--samples", type=int, default=100_000_000)
    parser.add_argument("--lines", type=int, default=0, help="distinct lines (default samples / 50)")
    parser.add_argument("--units", type=int, default=100, help="communes the lines are in")
    parser.add_argument("--chunk", type=int, default=5_000_000, help="rows per generated Parquet file")
    parser.add_argument("--pandas-sample", type=int, default=2_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each query; the best counts")
    parser.add_argument("--engine", choices=["duckdb", "spark"], default="duckdb")
    parser.add_argument("--spark-months", type=int, default=1)
    parser.add_argument("--keep", action="store_true", help="keep the generated data directory")
    args = parser.parse_args()
    lines = args.lines or max(1, args.samples // 50)

    import django

    django.setup()
    from django.conf import settings

    from hatangso.analytics.measurements import engines, store
    from hatangso.analytics.measurements.lines import KIND, line_totals

    home = Path(os.environ["HATANGSO_HOME"])
    try:
        root = store.kind_root(KIND)
        started = time.perf_counter()
        generate(root, args.samples, lines, args.units, args.chunk)
        generated = time.perf_counter() - started
        size = sum(p.stat().st_size for p in root.rglob("*.parquet"))
        print(
            f"{args.samples:,} samples · {lines:,} lines · {args.units} units · 12 months · "
            f"{size / 1e9:.2f} GB Parquet, generated in {generated:.0f} s"
        )
        floor = settings.MIN_SAMPLES_PER_LINE
        units = list(range(1, args.units + 1))
        year = {"unit_ids": units, "start": date(2024, 1, 1), "end": date(2024, 12, 31), "min_samples": floor}

        # Interleaved, so a busy neighbour or a cold page cache weighs on both alike.
        pipeline_seconds = bare_seconds = float("inf")
        for _ in range(args.repeat):
            found, seconds = best_of(1, line_totals, **year)
            pipeline_seconds = min(pipeline_seconds, seconds)
            minimum, seconds = best_of(1, bare, store.scan(KIND), floor)
            bare_seconds = min(bare_seconds, seconds)
        pipeline = {kind: (n, fast) for kind, (n, fast, _, _) in found.items()}
        if pipeline != minimum:
            print(f"The pipeline {pipeline} and the bare aggregate {minimum} disagree", file=sys.stderr)
            return 1

        sample_path = home / "pandas-sample.parquet"
        connection = store.connect()
        connection.execute(
            f"COPY (SELECT * FROM {store.scan(KIND)} LIMIT {args.pandas_sample}) TO "
            f"'{sample_path.as_posix()}' (FORMAT parquet, COMPRESSION zstd)"
        )
        connection.close()
        label, baseline = straightforward()
        in_pandas, pandas_sample_seconds = best_of(1, baseline, sample_path, units, floor)
        in_duckdb = bare(f"read_parquet('{sample_path.as_posix()}')", floor)
        if in_pandas != in_duckdb:
            print(f"{label}: {in_pandas} and DuckDB {in_duckdb} disagree on the subsample", file=sys.stderr)
            return 1
        pandas_seconds = pandas_sample_seconds * args.samples / args.pandas_sample

        rate = args.samples / pipeline_seconds
        print(f"counts (lines, at threshold): {pipeline}")
        print(f"(a) pipeline (line_totals, DuckDB): {pipeline_seconds:8.2f} s  ({rate:,.0f} samples/s)")
        print(f"(b) bare DuckDB aggregate:          {bare_seconds:8.2f} s")
        print(
            f"(c) {label}, scaled up: {pandas_seconds:8.2f} s  "
            f"({pandas_sample_seconds:.2f} s for {args.pandas_sample:,} samples; same counts there)"
        )
        print(f"ratio pipeline / bare:  {pipeline_seconds / bare_seconds:.2f} ×")
        print(f"ratio {label} / pipeline: {pandas_seconds / pipeline_seconds:.1f} ×")

        if args.engine == "spark":
            months = max(1, min(args.spark_months, MONTHS))
            end = date(2024, months + 1, 1) - timedelta(days=1) if months < MONTHS else date(2024, 12, 31)
            part = {**year, "end": end}
            on_duckdb, duck_seconds = best_of(args.repeat, line_totals, **part)
            settings.ENGINE = "spark"  # the pipeline reads the setting on every call
            started = time.perf_counter()
            engines.spark_session(settings.SPARK_MASTER)
            spark_start = time.perf_counter() - started
            on_spark, spark_seconds = best_of(args.repeat, line_totals, **part)
            settings.ENGINE = "duckdb"
            count = sum(v[2] for v in on_duckdb.values())
            print(
                f"spark, {months} month(s), {count:,} samples: DuckDB {duck_seconds:.2f} s · "
                f"Spark local[2] {spark_seconds:.2f} s (session start {spark_start:.1f} s, not counted) · "
                f"ratio Spark / DuckDB {spark_seconds / duck_seconds:.1f} × · "
                f"same counts: {on_spark == on_duckdb}"
            )
            if on_spark != on_duckdb:
                return 1
        return 0
    finally:
        if args.keep:
            print(f"data kept in {home}")
        else:
            shutil.rmtree(home, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
