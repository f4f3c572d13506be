"""The synthetic demo data set (dữ liệu mẫu): deterministic, plausible, and labelled as synthetic.

Nothing here is real except the plan, the units and the operators. Villages, populations,
subscriptions, lines and infrastructure counts are invented from a fixed seed, written to a CSV
file and imported through the ordinary values import, so the demo exercises the real path.
"""

import csv
import random
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from django.conf import settings

from hatangso.collection import workflow
from hatangso.collection.models import Submission
from hatangso.core.changelog import Actor
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.services import create_village
from hatangso.plans.models import Plan
from hatangso.utilities.periods import parse_period

SYNTHETIC_LABEL = "dữ liệu mẫu / synthetic demo data"
SEED = 1529
DEMO_YEARS = (2023, 2024)
MONTHS_2024 = [f"2024{m:02d}" for m in range(1, 11)]  # January to October, before the 30/11 report
QUARTERS_2024 = ["2024Q1", "2024Q2", "2024Q3"]
MOBILE_SHARES = {"viettel": 0.45, "vnpt": 0.28, "mobifone": 0.22, "vietnamobile": 0.05}
MOBILE = list(MOBILE_SHARES)
FIXED = ["viettel", "vnpt", "fpt"]


@dataclass(frozen=True)
class CommuneProfile:
    villages: int
    population: int
    urban: bool


def _profiles(communes: list[AdministrativeUnit], rng: random.Random) -> dict[int, CommuneProfile]:
    return {
        c.pk: CommuneProfile(
            villages=rng.randint(6, 14),
            population=rng.randint(6_500, 16_000),
            urban=c.type_name == "Phường",
        )
        for c in communes
    }


def create_demo_villages(plan: Plan, actor: Actor) -> list[AdministrativeUnit]:
    """Synthetic thôn / tổ dân phố for every commune of the plan's area that has none."""
    rng = random.Random(SEED)
    communes = list(plan.area_unit.children.filter(level="commune").order_by("code"))
    profiles = _profiles(communes, rng)
    for commune in communes:
        if commune.children.exists():
            continue
        kind = "Tổ dân phố" if profiles[commune.pk].urban else "Thôn"
        for number in range(1, profiles[commune.pk].villages + 1):
            create_village(
                commune=commune,
                name=f"{kind} {number} (mẫu)",
                type_name=kind,
                actor=actor,
                synthetic=True,
                source=SYNTHETIC_LABEL,
            )
    return communes


def _rate(rng: random.Random, centre: float, spread: float = 0.03) -> float:
    return min(1.0, max(0.0, rng.gauss(centre, spread)))


def write_demo_values(plan: Plan, path: Path) -> int:
    """Write the synthetic values file (the format of `hatangso import values`)."""
    rng = random.Random(SEED)
    communes = list(plan.area_unit.children.filter(level="commune").order_by("code"))
    profiles = _profiles(communes, random.Random(SEED))
    rows: list[tuple] = []

    def add(period, unit, element, value, operator=""):
        rows.append((period, unit.code, unit.name, element, operator, value, SYNTHETIC_LABEL))

    for year in DEMO_YEARS:
        progress = 0.0 if year == 2024 else -0.04  # 2023 is a little behind 2024
        for commune in communes:
            profile = profiles[commune.pk]
            population = int(profile.population * (1 if year == 2024 else 0.985))
            adults = int(population * rng.uniform(0.72, 0.78))
            households = int(population / rng.uniform(3.6, 4.2))
            add(year, commune, "population", population)
            add(year, commune, "adult_population", adults)
            add(year, commune, "households", households)
            add(year, commune, "internet_users", int(population * _rate(rng, 0.955 + progress, 0.015)))
            add(year, commune, "adults_with_smartphone", int(adults * _rate(rng, 0.91 + progress, 0.02)))
            ftth = int(households * _rate(rng, 0.885 + progress, 0.04))
            with_internet = int(households * _rate(rng, 0.955 + progress))
            if year == 2024 and commune.code == communes[-2].code:
                # A slip on purpose, for `hatangso check`: fewer households with Internet than with FTTH.
                with_internet = ftth - 12
            add(year, commune, "households_ftth", ftth)
            add(year, commune, "households_with_internet", with_internet)
            add(year, commune, "commune_office_gov_network_connected", 1)
            add(year, commune, "agencies", 1)
            add(year, commune, "agencies_on_digital_platforms", rng.choice([0, 1, 1]))
            for village in commune.children.filter(level="village").order_by("code"):
                add(year, village, "village_mobile_broadband_covered", 1)
                # One remote village still lacks FTTH in 2024: "maintain 100%" is then not met.
                uncovered = village.code == f"{communes[-1].code}.{profile.villages:02d}"
                add(year, village, "village_ftth_covered", 0 if uncovered else 1)
            for operator in MOBILE:
                covered = population if operator != "vietnamobile" else int(population * 0.7)
                speed_ok = _rate(rng, 0.97 if profile.urban else 0.9, 0.04)
                add(year, commune, "population_mobile_60mbps", int(covered * speed_ok), operator)
    district = plan.area_unit
    add(2024, district, "agencies", 12)
    add(2024, district, "agencies_on_digital_platforms", 10)

    for month_index, month in enumerate(MONTHS_2024):
        growth = 1 + 0.004 * month_index
        for commune in communes:
            population = profiles[commune.pk].population
            for operator in MOBILE:
                share = MOBILE_SHARES[operator]
                subscriptions = int(population * 1.25 * share * growth)
                smart = int(subscriptions * _rate(rng, 0.83 + 0.003 * month_index, 0.02))
                add(month, commune, "mobile_subscriptions", subscriptions, operator)
                add(month, commune, "smartphone_subscriptions", smart, operator)
            for operator in FIXED:
                lines = int(population / 4 * {"viettel": 0.42, "vnpt": 0.38, "fpt": 0.2}[operator] * 0.12)
                fast = int(lines * _rate(rng, 0.82 if profiles[commune.pk].urban else 0.74, 0.05))
                add(month, commune, "fixed_lines_individual_measured", lines, operator)
                add(month, commune, "fixed_lines_individual_100mbps", fast, operator)
                organisations = max(2, lines // 40)
                add(month, commune, "fixed_lines_organisation_measured", organisations, operator)
                add(
                    month,
                    commune,
                    "fixed_lines_organisation_500mbps",
                    int(organisations * _rate(rng, 0.7, 0.15)),
                    operator,
                )

    # Passive infrastructure grows slowly from a per-commune, per-operator base.
    base = {
        (commune.pk, operator): (rng.randint(3, 9), rng.randint(300, 900), rng.randint(4, 16))
        for commune in communes
        for operator in sorted(set(MOBILE[:3]) | set(FIXED))
    }
    for quarter_index, quarter in enumerate(QUARTERS_2024):
        for commune in communes:
            for operator in MOBILE[:3]:
                sites = base[(commune.pk, operator)][0] + quarter_index // 2
                add(quarter, commune, "bts_sites", sites, operator)
                add(quarter, commune, "bts_sites_shared", round(sites * _rate(rng, 0.17, 0.03)), operator)
            for operator in FIXED:
                poles = base[(commune.pk, operator)][1] + 12 * quarter_index
                ducts = base[(commune.pk, operator)][2]
                add(quarter, commune, "cable_poles", poles, operator)
                add(quarter, commune, "cable_poles_shared", int(poles * _rate(rng, 0.955, 0.01)), operator)
                add(quarter, commune, "cable_ducts", ducts, operator)
                add(quarter, commune, "cable_ducts_shared", round(ducts * _rate(rng, 0.46, 0.05)), operator)

    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ky", "ma_don_vi", "ten_don_vi", "ma_chi_so", "doanh_nghiep", "gia_tri", "ghi_chu"])
        writer.writerows(rows)
    return len(rows)


def demo_values_path() -> Path:
    return settings.HOME / "demo" / "gia-tri-du-lieu-mau-synthetic.csv"


def create_demo_submissions(plan: Plan, actor: Actor) -> None:
    """Reports for 2024 (commune form) and 2024Q3 (infrastructure form): most in on time, some late,
    some still missing, a few approved — so completeness has something true to say."""
    tz = ZoneInfo(settings.TIME_ZONE)
    communes = list(plan.area_unit.children.filter(level="commune").order_by("code"))
    commune_form = plan.forms.filter(reporter="commune", period_type="yearly").first()
    infra_form = plan.forms.filter(reporter="enterprise", period_type="quarterly").first()
    plans = []  # (form, unit, operator, period, days after the period's end or None for missing, approve)
    if commune_form:
        days = [3, 8, 12, 20, 14, 27, None, 5, None]  # 20 and 27 are late (due: 15 days); two missing
        plans += [
            (commune_form, c, None, "2024", d, i < 3)
            for i, (c, d) in enumerate(zip(communes, days, strict=False))
        ]
    if infra_form:
        operators = list(infra_form.operators.order_by("code"))
        days = [6, 18, 9, None]
        plans += [
            (infra_form, plan.area_unit, o, "2024Q3", d, i == 0)
            for i, (o, d) in enumerate(zip(operators, days, strict=False))
        ]
    for form, unit, operator, period, days_after, approve in plans:
        if (
            Submission.objects.filter(form=form, unit=unit, operator=operator, period=period)
            .exclude(status=Submission.Status.DRAFT)
            .exists()
        ):
            continue
        if days_after is None:
            continue
        submission = workflow.get_submission(
            form=form, unit=unit, operator=operator, period=period, user=None, actor=actor
        )
        submission = workflow.submit(submission=submission, user=None, actor=actor)
        end = parse_period(period).end
        when = datetime(end.year, end.month, end.day, 10, tzinfo=tz) + timedelta(days=days_after)
        Submission.objects.filter(pk=submission.pk).update(submitted_at=when)
        if approve:
            workflow.approve(submission=submission, user=None, actor=actor)
