"""How the indicator engine scales with the size of the area it rolls up.

Builds a synthetic country (provinces × districts × communes) in a throw-away HATANGSO_HOME, gives
every commune a year of values for the seed plan's elements (survey values yearly, operator values
monthly for three operators), then times the evaluation of the whole plan for one commune (the
baseline), a district, a province and the country, and prints each as a ratio to the baseline and
as values read per second. Times are only comparable within one run.

    .venv/bin/python bench/engine_rollup.py [--provinces 10] [--districts 10] [--communes 10]
"""

import argparse
import os
import random
import sys
import tempfile
import time
from datetime import date
from decimal import Decimal


def build(provinces: int, districts: int, communes: int):
    from hatangso.collection.models import DataElement, DataValue
    from hatangso.core.changelog import Actor
    from hatangso.core.scoping import COMMAND_LINE
    from hatangso.geography.models import AdministrativeUnit as Unit
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.registry.models import Operator
    from hatangso.registry.operators import load_reference_operators

    actor = Actor.command("bench")
    load_reference_operators(actor=actor)
    operators = list(Operator.objects.filter(code__in=["viettel", "vnpt", "mobifone"]))
    country = Unit.objects.create(code="VN", name="Synthetic country", level="province", path="")
    country.path = f"/{country.pk}/"
    country.save()

    def children(parent, level, count, prefix):
        made = Unit.objects.bulk_create(
            Unit(
                code=f"{prefix}{i:03d}",
                name=f"{level} {prefix}{i:03d}",
                level=level,
                parent=parent,
                path="",
                synthetic=True,
            )
            for i in range(count)
        )
        made = list(Unit.objects.filter(parent=parent).order_by("pk"))
        for unit in made:
            unit.path = f"{parent.path}{unit.pk}/"
        Unit.objects.bulk_update(made, ["path"])
        return made

    all_communes, a_district, a_province = [], None, None
    for province in children(country, "province", provinces, "P"):
        a_province = a_province or province
        for district in children(province, "district", districts, f"{province.code}D"):
            a_district = a_district or district
            all_communes += children(district, "commune", communes, f"{district.code}C")
    # The seed plan needs its area unit 480 to exist; bind it to the first district.
    Unit.objects.filter(pk=a_district.pk).update(code="480")
    plan = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan

    elements = {e.code: e for e in DataElement.objects.all()}
    rng = random.Random(1)
    rows = [value for commune in all_communes for value in commune_values(commune, elements, operators, rng)]
    DataValue.objects.bulk_create(rows, batch_size=5000)
    return plan, all_communes[0], a_district, a_province, country, len(rows)


def commune_values(
    commune,
    elements: dict,
    operators: list,
    rng: random.Random,
    months: int = 12,
    *,
    year: int = 2024,
    first_month: int = 1,
    survey: bool = True,
):
    """A year of the seed plan's inputs for one commune (unsaved): its survey values for `year`
    (unless not `survey`) and, for each of `months` months from `first_month`, four counts from
    each operator."""
    from hatangso.collection.models import DataValue

    population = rng.randint(5000, 15000)
    surveyed = (
        ("population", population),
        ("internet_users", int(population * 0.95)),
        ("households", population // 4),
        ("households_ftth", population // 5),
        ("adult_population", int(population * 0.75)),
        ("adults_with_smartphone", int(population * 0.7)),
    )
    for code, value in surveyed if survey else ():
        yield DataValue(
            data_element=elements[code], unit=commune, period=str(year), period_start=date(year, 1, 1),
            period_end=date(year, 12, 31), value=Decimal(value), synthetic=True, created_by="bench",
            updated_by="bench",
        )  # fmt: skip
    for month in range(first_month, first_month + months):
        start, end = date(year, month, 1), date(year, month, 28)
        for operator in operators:
            for code in ("mobile_subscriptions", "smartphone_subscriptions", "bts_sites", "bts_sites_shared"):
                yield DataValue(
                    data_element=elements[code], unit=commune, period=f"{year}{month:02d}",
                    period_start=start, period_end=end, operator=operator,
                    value=Decimal(rng.randint(10, 1000)), synthetic=True, created_by="bench",
                    updated_by="bench",
                )  # fmt: skip


def timed(plan, unit, period, repeats: int = 3) -> tuple[float, int]:
    from hatangso.analytics.engine import evaluate_plan

    best, inputs = float("inf"), 0
    for _ in range(repeats):
        started = time.perf_counter()
        evaluations = evaluate_plan(plan, unit, period)
        best = min(best, time.perf_counter() - started)
        inputs = sum(len(e.value_ids) for e in evaluations)
    return best, inputs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--provinces", type=int, default=10)
    parser.add_argument("--districts", type=int, default=10)
    parser.add_argument("--communes", type=int, default=10)
    args = parser.parse_args()

    # Here, not on import: after_write.py and national_scale.py import this module into their own home.
    os.environ["HATANGSO_HOME"] = tempfile.mkdtemp(prefix="hatangso-bench-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "hatangso.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", verbosity=0)
    from hatangso.utilities.periods import parse_period

    started = time.perf_counter()
    plan, commune, district, province, country, values = build(args.provinces, args.districts, args.communes)
    print(
        f"built {args.provinces * args.districts * args.communes} communes, {values} values "
        f"in {time.perf_counter() - started:.1f} s ({os.environ['HATANGSO_HOME']})"
    )
    period = parse_period("2024")
    baseline, _ = timed(plan, commune, period)
    print(f"{'scope':<10}{'inputs':>10}{'× baseline':>12}{'inputs/s':>14}")
    for label, unit in (
        ("commune", commune),
        ("district", district),
        ("province", province),
        ("country", country),
    ):
        seconds, inputs = timed(plan, unit, period)
        print(f"{label:<10}{inputs:>10}{seconds / baseline:>12.1f}{inputs / seconds:>14,.0f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
