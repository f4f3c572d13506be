"""The indicator engine over the real country (issue 18, item 4).

Imports the statistics office's 2021 national list (63 provinces, 705 districts, 10,603 communes;
../shared/research/data/national/, README §7 there) into a throw-away HATANGSO_HOME with the service
`hatangso import admin-units` runs, puts the provinces under one synthetic country unit, loads the
seed plan with the country as its area (a national plan), gives every commune a year of the plan's
reported inputs (bench/engine_rollup.py's `commune_values`: 6 survey values and, per month, 4 counts
from each of 3 operators: 150 values a commune, ≈ 1.6 million in all), then times
`compute_scorecard` (evaluate and store, with lineage) for one commune, a district, a province and
the whole country, the first run and the best of `--repeat`, each as a ratio to the commune's,
and the bare SQL aggregate over the same values (the floor), each scope's scorecard as a ratio to
it.

(d) The units after 1 July 2025: imports the 2025-07 lists (34 provinces, 3,321 communes) dated
from 2025-07-01 (`import admin-units … --provinces … --valid-from 2025-07-01`, which closes the 2021
units on 2025-06-30) and the national old → new conversion table (`import crosswalk …
--skip-invalid-rows`), puts the 34 new provinces under the country unit, and writes the year 2025
as reported: the operators' months of January–June on the 2021 communes the conversion table
names, those of July–December and the 2025 survey values on the 2025 communes (`--months` months
on each side, at most 6). It then times the year 2025 for the post-2025 phường Hương Trà (19996:
Tứ Hạ, Hương Vân, Hương Văn), the post-2025 Huế (46) and the country, whose scopes hold both the
2021 units (until June) and the 2025 ones, a 2021 unit's stocks replaced by its successors'
through the crosswalk, and the bare aggregate over the 2025 values; then the 2024 values viewed
on the post-2025 commune and province (`compute --as-of 2025-07-01`, the dashboard's post-2025
view). It prints the country's 2025 totals of two stocks beside what they should be.

Times are only comparable within one run. `--home DIR` keeps the built home in DIR (created when
empty, reused as it is when it holds the values already, the 2025 part added when missing), so two
versions of the code can be timed on the same data. HATANGSO_DATABASE_URL runs it on PostgreSQL.

    nice -n 19 .venv/bin/python bench/national_scale.py [--months 12] [--repeat 3] [--list FILE]
                                                        [--profile] [--home DIR] [--no-2025]
"""

import argparse
import atexit
import os
import random
import shutil
import sys
import tempfile
import time
from datetime import date, timedelta
from itertools import islice
from pathlib import Path

if "--home" in sys.argv:
    os.environ["HATANGSO_HOME"] = str(Path(sys.argv[sys.argv.index("--home") + 1]).resolve())
    Path(os.environ["HATANGSO_HOME"]).mkdir(parents=True, exist_ok=True)
else:
    os.environ["HATANGSO_HOME"] = tempfile.mkdtemp(prefix="hatangso-bench-")
    atexit.register(shutil.rmtree, os.environ["HATANGSO_HOME"], ignore_errors=True)
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hatangso.settings")
sys.path.insert(0, str(Path(__file__).resolve().parent))

# Thừa Thiên Huế (46), thị xã Hương Trà (480) and phường Tứ Hạ (19996): the seed plan's own area.
PROVINCE, DISTRICT, COMMUNE = "46", "480", "19996"
COMMUNES_PER_WRITE = 500
# The units in force from 1 July 2025 and the conversion table from the 2021 ones.
REORGANISATION = date(2025, 7, 1)
NEW_LISTS = ("gso_cap-xa_2025-07_national.csv", "gso_cap-tinh_2025-07_national.csv")
CROSSWALK = "conversion_2025-07_old_to_new_communes_national.csv"


def import_country(path: Path):
    """The national list through the admin-units import, its provinces under one country unit."""
    from hatangso.core.changelog import Actor
    from hatangso.geography.models import AdministrativeUnit as Unit
    from hatangso.geography.services import import_gso_list

    summary = import_gso_list(path=path, actor=Actor.command("bench"))
    country = Unit.objects.create(code="VN", name="Synthetic country", level="province", path="")
    country.path = f"/{country.pk}/"
    country.save()
    put_under(country)
    return summary, country


def put_under(country) -> None:
    """Every unit's path under the country's, its provinces its children."""
    from django.db.models import F, Value
    from django.db.models.functions import Concat

    from hatangso.geography.models import AdministrativeUnit as Unit

    Unit.objects.exclude(pk=country.pk).update(path=Concat(Value(f"/{country.pk}"), F("path")))
    Unit.objects.filter(parent__isnull=True).exclude(pk=country.pk).update(parent=country)


def take_out(country) -> None:
    """The units as the imports made them, without the synthetic country (put_under undone)."""
    from django.db.models import F
    from django.db.models.functions import Substr

    from hatangso.geography.models import AdministrativeUnit as Unit

    Unit.objects.filter(parent=country).update(parent=None)
    Unit.objects.exclude(pk=country.pk).update(path=Substr(F("path"), len(country.path)))


def national_plan():
    """The seed plan's indicators with the country as the plan's area."""
    import yaml

    from hatangso.core.changelog import Actor
    from hatangso.core.scoping import COMMAND_LINE
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan

    document = yaml.safe_load(SEED_PLAN_FILE.read_text(encoding="utf-8"))
    document["plan"].update(code="QG/BENCH", area_unit="VN")
    path = Path(os.environ["HATANGSO_HOME"]) / "national-plan.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True), encoding="utf-8")
    return load_plan(path=path, actor=Actor.command("bench"), user=COMMAND_LINE).plan


def write_values(months: int, communes=None, **when) -> int:
    """Every commune's inputs (of `communes`, default all; `when`: `commune_values`' year, first
    month, survey), written a few hundred communes at a time (bounded memory)."""
    from engine_rollup import commune_values

    from hatangso.collection.models import DataElement, DataValue
    from hatangso.core.changelog import Actor
    from hatangso.geography.models import AdministrativeUnit as Unit
    from hatangso.registry.models import Operator
    from hatangso.registry.operators import load_reference_operators

    load_reference_operators(actor=Actor.command("bench"))
    operators = list(Operator.objects.filter(code__in=["viettel", "vnpt", "mobifone"]))
    elements = {e.code: e for e in DataElement.objects.all()}
    rng = random.Random(1)
    if communes is None:
        communes = Unit.objects.filter(level="commune").order_by("code")
    communes, written = iter(communes), 0
    while chunk := list(islice(communes, COMMUNES_PER_WRITE)):
        rows = [v for unit in chunk for v in commune_values(unit, elements, operators, rng, months, **when)]
        DataValue.objects.bulk_create(rows, batch_size=5000)
        written += len(rows)
    return written


def import_reorganisation(country) -> None:
    """The 2025-07 lists and the national conversion table through the services `hatangso import
    admin-units` and `import crosswalk --skip-invalid-rows` run; the new provinces under the country."""
    from hatangso.core.changelog import Actor
    from hatangso.geography.models import AdministrativeUnit as Unit
    from hatangso.geography.services import import_crosswalk, import_gso_list
    from hatangso.utilities.testing import RESEARCH_DATA

    national = RESEARCH_DATA / "national"
    actor = Actor.command("bench")
    # The imports run on the units as a real home has them: no country unit above the provinces
    # (a province named again would otherwise be a new unit, with a parent the list does not give).
    take_out(country)
    started = time.perf_counter()
    communes, provinces = (national / name for name in NEW_LISTS)
    summary = import_gso_list(path=communes, provinces_path=provinces, valid_from=REORGANISATION, actor=actor)
    listed = time.perf_counter() - started
    links = import_crosswalk(
        path=national / CROSSWALK, effective=REORGANISATION, skip_invalid_rows=True, actor=actor
    )
    linked = time.perf_counter() - started - listed
    # A dated national list ends every unit it does not name, the synthetic country too.
    Unit.objects.filter(pk=country.pk).update(valid_to=None)
    put_under(country)
    counts = {level: Unit.objects.exclude(pk=country.pk).filter(level=level).valid_on(REORGANISATION).count()
              for level in ("province", "district", "commune")}  # fmt: skip
    print(f"import admin-units {NEW_LISTS[0]} --valid-from {REORGANISATION}: {summary.created:,} created, "
          f"{summary.closed:,} closed in {listed:.1f} s (in force on {REORGANISATION}: {counts}); "
          f"import crosswalk --skip-invalid-rows: {links.created:,} links ({links.partial:,} partial, "
          f"{links.flagged:,} with no share known), {len(links.refused)} rows refused, in {linked:.1f} s",
          flush=True)  # fmt: skip


def write_2025(months: int) -> None:
    """The year 2025 as reported: the operators' months before July on the 2021 communes that the
    conversion table names (the others had ceased by then: merged in 2022–2024, in the 2025-01-04
    list), those from July and the survey of 2025 on the communes in force from 2025-07-01."""
    from hatangso.geography.gso import read_conversion_table
    from hatangso.geography.models import AdministrativeUnit as Unit
    from hatangso.utilities.testing import RESEARCH_DATA

    started = time.perf_counter()
    named = {row.old_code for row in read_conversion_table(RESEARCH_DATA / "national" / CROSSWALK)}
    half = min(months, 6)
    communes = Unit.objects.filter(level="commune").order_by("code")
    before = communes.filter(valid_to=REORGANISATION - timedelta(days=1), code__in=named)
    written = write_values(half, before, year=2025, survey=False)
    written += write_values(half, communes.filter(valid_from=REORGANISATION), year=2025, first_month=7)
    print(f"{written:,} synthetic values of 2025 written in {time.perf_counter() - started:.1f} s "
          f"(months 1–{half} on {before.count():,} 2021 communes, 7–{6 + half} and the survey on the "
          f"2025 ones)", flush=True)  # fmt: skip


def timed(plan, unit, period, repeat: int) -> tuple[float, float, int]:
    """(first run, best of the later runs, input values) of the unit's scorecard, computed and stored."""
    from hatangso.analytics.services import compute_scorecard

    times, inputs = [], 0
    for _ in range(repeat + 1):
        started = time.perf_counter()
        scorecard = compute_scorecard(plan=plan, unit=unit, period=period)
        times.append(time.perf_counter() - started)
        inputs = sum(len(e.value_ids) for e in scorecard.evaluations)
    return times[0], min(times[1:]), inputs


# The least any implementation must compute, in one statement on the database: per element, unit
# and source the latest value of a stock or the values of a flow's longest periods (RANK), summed
# per element. One statement each, the quickest each database has, as the values provider runs
# them (the bench's values are all stocks): a window partitioned in the unit index's order, and on
# SQLite a stock's latest value as the row of its group's MAX (its bare columns). What the provider
# adds is the lineage (each value id back to Python), the roll-up of sources and units there, and
# storing the results.
SCOPE_VALUES = """
    FROM collection_datavalue
    WHERE +data_element_id IN ({elements}) AND period_start >= %s AND period_end <= %s
          AND unit_id IN (SELECT id FROM geography_administrativeunit WHERE path LIKE %s)
"""
BARE_RANKED = (
    """
SELECT data_element_id, SUM(value), COUNT(*) FROM (
    SELECT data_element_id, value,
           {rank} OVER (PARTITION BY unit_id, data_element_id, operator_id ORDER BY {order}) AS pick"""
    + SCOPE_VALUES
    + """) chosen
WHERE pick = 1
GROUP BY data_element_id
"""
)
BARE_LATEST_ON_SQLITE = (
    """
SELECT data_element_id, SUM(value), COUNT(*) FROM (
    SELECT data_element_id, value, MAX(period_end || period_start)"""
    + SCOPE_VALUES
    + """    GROUP BY unit_id, data_element_id, operator_id
) chosen
GROUP BY data_element_id
"""
)
# (statement, window) for stocks and for flows. Here, not imported, so that the bench times an
# older version of the code (PYTHONPATH) against the same floor.
BARE_KINDS = (
    (BARE_RANKED, {"rank": "ROW_NUMBER()", "order": "period_end DESC, period_start DESC"}, True),
    (
        BARE_RANKED,
        {
            "rank": "RANK()",
            "order": "CASE WHEN LENGTH(period) = 4 THEN 2 WHEN period LIKE '%%Q%%' THEN 1 ELSE 0 END DESC",
        },
        False,
    ),
)


def bare_aggregate(plan, country, period, repeat: int) -> tuple[float, int]:
    """(best time, values kept) of BARE_AGGREGATE over the country's values of the elements the
    plan's indicators read from the values provider."""
    from django.db import connection

    from hatangso.analytics.engine import _element_codes  # the engine's own reading of a formula
    from hatangso.collection.models import DataElement

    codes = set().union(*map(_element_codes, plan.indicators.all()))

    best, kept = float("inf"), 0
    for _ in range(repeat):
        started = time.perf_counter()
        rows = []
        with connection.cursor() as cursor:
            for statement, ranking, stock in BARE_KINDS:  # one statement each, as the provider
                elements = DataElement.objects.filter(provider="values", code__in=codes)
                ids = [e.pk for e in elements if (e.aggregation == DataElement.Aggregation.LAST) == stock]
                if not ids:
                    continue
                if stock and connection.vendor == "sqlite":
                    statement, ranking = BARE_LATEST_ON_SQLITE, {}
                sql = statement.format(**ranking, elements=", ".join(map(str, ids)))
                cursor.execute(sql, [period.start, period.end, f"{country.path}%"])
                rows += cursor.fetchall()
        best = min(best, time.perf_counter() - started)
        kept = sum(count for _, _, count in rows)
    return best, kept


def connection_vendor() -> str:
    from django.db import connection

    return connection.vendor


def load() -> str:
    return " ".join(f"{v:.1f}" for v in os.getloadavg())


HEADER = (f"\n{'scope':<24}{'inputs':>12}{'first (s)':>11}{'best (s)':>10}{'× commune':>11}{'× (e)':>8}"
          f"{'inputs/s':>13}")  # fmt: skip


def print_rows(rows, bare: float) -> None:
    """The timed scopes, each as a ratio to the first (a commune's) and to the bare aggregate."""
    print(HEADER)
    for label, first, best, inputs in rows:
        print(f"{label:<24}{inputs:>12,}{first:>11.3f}{best:>10.3f}{best / rows[0][2]:>11.1f}"
              f"{best / bare:>8.2f}{inputs / best:>13,.0f}")  # fmt: skip


def stock_totals(plan, country, period, months: int) -> None:
    """The country's 2025 totals of two stocks, beside what they should be: each commune in force at
    the year's end at its last month (the survey of 2025 is theirs), and a 2021 commune that no
    successor link replaces (its crosswalk rows refused) at its last month before July."""
    from django.db.models import Sum

    from hatangso.analytics.services import evaluate_scorecard
    from hatangso.collection.models import DataValue

    lineage = {}
    for evaluation in evaluate_scorecard(plan=plan, unit=country, period=period).evaluations:
        lineage.update(evaluation.lineage)
    june, december = (f"2025{month + min(months, 6):02d}" for month in (0, 6))
    new = DataValue.objects.filter(unit__valid_from=REORGANISATION, unit__level="commune")
    unlinked = DataValue.objects.filter(
        unit__valid_to=REORGANISATION - timedelta(days=1), unit__successions__isnull=True, period=june
    )
    for code, values in (("population", [new.filter(period="2025")]),
                         ("mobile_subscriptions", [new.filter(period=december), unlinked])):  # fmt: skip
        parts = [
            v.filter(data_element__code=code).aggregate(total=Sum("value"))["total"] or 0 for v in values
        ]
        what = "survey" if code == "population" else december
        unreplaced = f" + {june} of the 2021 communes no link replaces: {parts[1]:,.0f}" if parts[1:] else ""
        print(f"  country 2025 {code}: scorecard {lineage[code]['total']:,.0f}, expected {sum(parts):,.0f} "
              f"(the 2025 communes' {what}{unreplaced})")  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--months", type=int, default=12, help="months of operator values (1–12)")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--list", type=Path, help="the GSO three-level list (default: the 2021 national one)")
    parser.add_argument("--profile", action="store_true", help="profile one more country scorecard")
    parser.add_argument("--home", type=Path, help="keep the built home here (reused when it has the values)")
    parser.add_argument("--no-2025", dest="reorganised", action="store_false",
                        help="leave out (d), the units after 1 July 2025")  # fmt: skip
    args = parser.parse_args()

    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from hatangso.geography.models import AdministrativeUnit as Unit
    from hatangso.geography.selectors import resolve_unit
    from hatangso.utilities.periods import parse_period
    from hatangso.utilities.testing import RESEARCH_DATA

    args.list = args.list or RESEARCH_DATA / "national" / "gso_xa_2021-02-03_national.csv"

    from hatangso.collection.models import DataValue
    from hatangso.plans.models import Plan

    print(f"load average at start: {load()} ({connection_vendor()})", flush=True)
    if Plan.objects.filter(code="QG/BENCH").exists() and DataValue.objects.exists():
        plan = Plan.objects.get(code="QG/BENCH")
        print(f"reusing {os.environ['HATANGSO_HOME']}: {DataValue.objects.count():,} values", flush=True)
    else:
        started = time.perf_counter()
        summary, country = import_country(args.list)
        counts = {level: Unit.objects.filter(level=level).exclude(pk=country.pk).count()
                  for level in ("province", "district", "commune")}  # fmt: skip
        print(f"import admin-units {args.list.name}: {summary.created:,} units created in "
              f"{time.perf_counter() - started:.1f} s ({counts})", flush=True)  # fmt: skip
        plan = national_plan()
        started = time.perf_counter()
        values = write_values(args.months)
        print(f"{values:,} synthetic values written in {time.perf_counter() - started:.1f} s", flush=True)
    country = Unit.objects.get(code="VN")
    if args.reorganised and not Unit.objects.filter(valid_from=REORGANISATION).exists():
        import_reorganisation(country)
    if args.reorganised and not DataValue.objects.filter(period_start__gte=date(2025, 1, 1)).exists():
        write_2025(args.months)

    period = parse_period("2024")
    scopes = [("commune " + COMMUNE, COMMUNE), ("district " + DISTRICT, DISTRICT),
              ("province " + PROVINCE, PROVINCE), ("country", "VN")]  # fmt: skip
    rows = []
    for label, code in scopes:
        unit = resolve_unit(code, start=period.start, end=period.end)
        rows.append((label, *timed(plan, unit, period, args.repeat)))
        print(f"  {label}: done", flush=True)
    bare, kept = bare_aggregate(plan, country, period, args.repeat)
    print_rows(rows, bare)
    print(
        f"(e) bare SQL aggregate ({connection_vendor()}), {kept:,} values kept: {bare:.3f} s (best of "
        f"{args.repeat}); country / bare: {rows[-1][2] / bare:.2f} ×"
    )
    if args.reorganised:
        # The same communes and province after 1 July 2025 (19996 is then phường Hương Trà, formed
        # of Tứ Hạ, Hương Vân and Hương Văn; 46 is Thành phố Huế), as `compute --as-of 2025-07-01`
        # resolves them: for the year 2025 (their predecessors' months before July through the
        # successor links, their own after) and for 2024 (the dashboard's post-2025 view).
        after = {code: resolve_unit(code, start=REORGANISATION) for code in (COMMUNE, PROVINCE)}
        year = parse_period("2025")
        scopes = [scopes[0], scopes[2]]  # the commune and the province
        rows = [
            (f"{label} (2025-07)", *timed(plan, after[code], year, args.repeat)) for label, code in scopes
        ]
        rows.append(("(d) country 2025", *timed(plan, country, year, args.repeat)))
        bare_2025, kept = bare_aggregate(plan, country, year, args.repeat)
        print("\n(d) the year 2025 on the units in force on 2025-07-01:", end="")
        print_rows(rows, bare_2025)
        print(f"(e) bare SQL aggregate of 2025, {kept:,} values kept: {bare_2025:.3f} s; "
              f"country / bare: {rows[-1][2] / bare_2025:.2f} ×")  # fmt: skip
        stock_totals(plan, country, year, args.months)
        rows = [
            (f"{label} (2025-07)", *timed(plan, after[code], period, args.repeat)) for label, code in scopes
        ]
        print("\n2024 on the units in force on 2025-07-01 (compute --as-of 2025-07-01):", end="")
        print_rows(rows, bare)
    print(f"load average at end: {load()}")
    if args.profile:
        profile_country(plan, country, period)
    return 0


def profile_country(plan, country, period) -> None:
    """Where one more country scorecard spends its time: the 20 costliest calls, cumulative."""
    import cProfile
    import pstats

    from hatangso.analytics.services import compute_scorecard

    profiler = cProfile.Profile()
    profiler.runcall(compute_scorecard, plan=plan, unit=country, period=period)
    pstats.Stats(profiler).sort_stats("cumulative").print_stats(20)


if __name__ == "__main__":
    sys.exit(main())
