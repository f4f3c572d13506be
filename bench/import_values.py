"""`import values` of a national file (issue 18, item 4 (f)).

Builds (or reuses, `--home DIR`) a home with the statistics office's 2021 national list and the
seed plan's catalog as bench/national_scale.py does (the admin-units import, the country unit, the
national plan), loads the reference operators, writes a values CSV of `--rows` rows in the
template's columns (`ky, ma_don_vi, ma_chi_so, doanh_nghiep, gia_tri`): every commune's six survey
values for 2024, then, month by month, four counts from each of three operators per commune, until
the file has its rows. It then times the service `hatangso import values` runs
(`collection.services.import_values`: every row validated, all-or-nothing) in-process on the empty
values table, and prints rows/s, the process's CPU time (what a shared machine's load does not
inflate; on PostgreSQL the server's work is outside it) and its peak memory (ru_maxrss, before and
after).
`--profile` runs the import under cProfile instead and prints the costliest calls. Values already
in a reused home are removed first (raw deletes), so every run imports into an empty table.
`--again` then imports the same rows with every value changed (a corrected national file sent again:
every value updated, with its change-log entry before and after) and times that too.

    nice -n 19 .venv/bin/python bench/import_values.py [--rows 1000000] [--home DIR] [--profile] [--again]
"""

import argparse
import csv
import os
import resource
import sys
import time
from pathlib import Path

import national_scale  # sets HATANGSO_HOME (`--home` or a throw-away one) before Django starts

OPERATORS = ("viettel", "vnpt", "mobifone")
SURVEY = ("population", "internet_users", "households", "households_ftth", "adult_population",
          "adults_with_smartphone")  # fmt: skip
COUNTS = ("mobile_subscriptions", "smartphone_subscriptions", "bts_sites", "bts_sites_shared")


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: kilobytes


def build_home() -> None:
    """The national units, the national plan's elements and the reference operators, once."""
    from hatangso.core.changelog import Actor
    from hatangso.geography.models import AdministrativeUnit as Unit
    from hatangso.registry.operators import load_reference_operators
    from hatangso.utilities.testing import RESEARCH_DATA

    if Unit.objects.filter(code="VN").exists():
        return
    started = time.perf_counter()
    national_scale.import_country(RESEARCH_DATA / "national" / "gso_xa_2021-02-03_national.csv")
    national_scale.national_plan()
    load_reference_operators(actor=Actor.command("bench"))
    print(f"home built in {time.perf_counter() - started:.1f} s", flush=True)


def empty_values() -> None:
    """Remove the values (and their change log, batches, reports) a previous run imported."""
    from django.db import connection

    from hatangso.collection.models import DataValue, ImportBatch, Submission
    from hatangso.core.models import ChangeLogEntry

    DataValue.objects.all()._raw_delete(DataValue.objects.db)
    ChangeLogEntry.objects.filter(object_type="collection.datavalue")._raw_delete(DataValue.objects.db)
    ImportBatch.submissions.through.objects.all().delete()
    ImportBatch.objects.all().delete()
    Submission.objects.all().delete()
    if connection.vendor == "postgresql":  # the deleted rows' space back, before the timed import
        with connection.cursor() as cursor:
            for model in (DataValue, ChangeLogEntry):
                cursor.execute(f"VACUUM ANALYZE {connection.ops.quote_name(model._meta.db_table)}")


def write_file(path: Path, rows: int, change: int = 0) -> int:
    """A values CSV of `rows` rows over the real communes (fewer if the year runs out); `change`
    is added to every value (the same file sent again with every figure corrected)."""
    import random

    from hatangso.geography.models import AdministrativeUnit as Unit

    communes = list(Unit.objects.filter(level="commune").order_by("code").values_list("code", flat=True))
    rng = random.Random(1)

    def lines():
        for code in communes:
            for element in SURVEY:
                yield ("2024", code, element, "", rng.randint(5000, 15000) + change)
        for month in range(1, 13):
            for code in communes:
                for operator in OPERATORS:
                    for element in COUNTS:
                        yield (f"2024{month:02d}", code, element, operator, rng.randint(10, 1000) + change)

    written = 0
    with path.open("w", newline="", encoding="utf-8") as handle:
        out = csv.writer(handle)
        out.writerow(("ky", "ma_don_vi", "ma_chi_so", "doanh_nghiep", "gia_tri"))
        for line in lines():
            if written == rows:
                break
            out.writerow(line)
            written += 1
    return written


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--home", type=Path, help="keep the built home here (reused when it has the units)")
    parser.add_argument("--profile", action="store_true", help="profile the import instead of timing it")
    parser.add_argument("--again", action="store_true",
                        help="then import the file again with every value changed")  # fmt: skip
    args = parser.parse_args()

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from hatangso.collection.services import import_values
    from hatangso.core.changelog import Actor
    from hatangso.core.scoping import COMMAND_LINE

    print(f"load average at start: {national_scale.load()}", flush=True)
    build_home()
    empty_values()
    path = Path(os.environ["HATANGSO_HOME"]) / f"values-{args.rows}.csv"
    rows = write_file(path, args.rows)
    before = peak_mb()
    print(f"{path.name}: {rows:,} rows, {path.stat().st_size / 1e6:.1f} MB; peak memory before "
          f"the import {before:,.0f} MB", flush=True)  # fmt: skip
    run = lambda: import_values(path=path, actor=Actor.command("bench"), user=COMMAND_LINE)  # noqa: E731
    if args.profile:
        import cProfile
        import pstats

        profiler = cProfile.Profile()
        profiler.runcall(run)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        pstats.Stats(profiler).sort_stats("cumulative").print_stats(25)
        return 0
    started, cpu = time.perf_counter(), time.process_time()
    summary = run()
    elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
    print(f"import values ({national_scale.connection_vendor()}): {summary.created:,} created, "
          f"{summary.updated:,} updated in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s; this process's "
          f"CPU {cpu:.1f} s (not PostgreSQL's own); peak memory {peak_mb():,.0f} MB")  # fmt: skip
    if args.again:
        changed = path.with_name(f"values-{args.rows}-changed.csv")
        write_file(changed, args.rows, change=1)
        started, cpu = time.perf_counter(), time.process_time()
        summary = import_values(path=changed, actor=Actor.command("bench"), user=COMMAND_LINE)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu
        print(f"the same rows again, every value changed: {summary.updated:,} updated, {summary.created:,} "
              f"created in {elapsed:.1f} s: {rows / elapsed:,.0f} rows/s; this process's CPU {cpu:.1f} s; "
              f"peak memory {peak_mb():,.0f} MB")  # fmt: skip
    print(f"load average at end: {national_scale.load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
