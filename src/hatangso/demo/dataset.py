"""The synthetic demo data set (dữ liệu mẫu): deterministic, plausible, and labelled as synthetic.

Nothing here is real except the plan, the units and the operators. Villages, populations,
subscriptions, lines and infrastructure counts are invented from a fixed seed, written to a CSV
file and imported through the ordinary values import, so the demo exercises the real path.
"""

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import shapely
import shapely.geometry
from django.conf import settings

from hatangso.collection import workflow
from hatangso.collection.models import Submission
from hatangso.core.changelog import Actor
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.geojson import plain_geometry
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import resolve_unit, rollup_units
from hatangso.geography.services import create_village, import_boundaries
from hatangso.plans.models import Plan
from hatangso.registry.models import Operator
from hatangso.utilities.periods import parse_day, parse_period
from hatangso.workplan import services
from hatangso.workplan.models import ProgressUpdate, Road, Task

SYNTHETIC_LABEL = "dữ liệu mẫu / synthetic demo data"
SEED = 1529
DEMO_YEARS = (2023, 2024)
MONTHS_2024 = [f"2024{m:02d}" for m in range(1, 11)]  # January to October, before the 30/11 report
QUARTERS_2024 = ["2024Q1", "2024Q2", "2024Q3"]
MOBILE_SHARES = {"viettel": 0.45, "vnpt": 0.28, "mobifone": 0.22, "vietnamobile": 0.05}
MOBILE = list(MOBILE_SHARES)
FIXED_SHARES = {"viettel": 0.42, "vnpt": 0.38, "fpt": 0.2}  # of a commune's fixed lines, in 2024
FIXED = list(FIXED_SHARES)
LINE_SAMPLE_HEADER = [
    "ma_duong_truyen", "doanh_nghiep", "loai_khach_hang", "ma_don_vi", "thoi_gian", "tai_xuong_mbps", "nguon"
]  # fmt: skip


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


def demo_ftth_cases(communes: list[AdministrativeUnit]) -> dict[str, str]:
    """The demo's deliberate fixed-broadband cases, by village code (the demo's only disagreements
    between declared and computed FTTH coverage, so `hatangso coverage villages` has some to list):

    - `uncovered`: declared not covered and no line measured — both say no (the target is missed);
    - `unmeasured`: declared covered, but no line measured there in the period;
    - `unreported`: declared not covered in 2024, yet lines are measured there.
    """
    last, third = communes[-1], communes[-3]
    last_villages = list(
        last.children.filter(level="village").order_by("code").values_list("code", flat=True)
    )
    third_villages = list(
        third.children.filter(level="village").order_by("code").values_list("code", flat=True)
    )
    return {"uncovered": last_villages[-1], "unreported": last_villages[-2], "unmeasured": third_villages[-1]}


def _rate(rng: random.Random, centre: float, spread: float = 0.03) -> float:
    return min(1.0, max(0.0, rng.gauss(centre, spread)))


def write_demo_values(plan: Plan, path: Path) -> int:
    """Write the synthetic values file (the format of `hatangso import values`)."""
    rng = random.Random(SEED)
    communes = list(plan.area_unit.children.filter(level="commune").order_by("code"))
    profiles = _profiles(communes, random.Random(SEED))
    cases = demo_ftth_cases(communes)
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
                # One remote village still lacks FTTH in 2024: "maintain 100%" is then not met. Another
                # is declared without FTTH in 2024 although lines are measured there (a stale form).
                uncovered = village.code == cases["uncovered"] or (
                    year == 2024 and village.code == cases["unreported"]
                )
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
                lines = int(population / 4 * FIXED_SHARES[operator] * 0.12)
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

    _write_values_file(path, rows)
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
            form=form, unit=unit, operator=operator, period=period, user=COMMAND_LINE, actor=actor
        )
        submission = workflow.submit(submission=submission, user=COMMAND_LINE, actor=actor)
        end = parse_period(period).end
        when = datetime(end.year, end.month, end.day, 10, tzinfo=tz) + timedelta(days=days_after)
        Submission.objects.filter(pk=submission.pk).update(submitted_at=when)
        if approve:
            workflow.approve(submission=submission, user=COMMAND_LINE, actor=actor)


REGISTRY_OPERATORS = ("viettel", "vnpt", "mobifone", "vietnamobile")
# A second operator joins roughly one site in five (the plan's target is 17%); a third, rarely.
SECOND_TENANT, THIRD_TENANT = 0.2, 0.04


def _near(rng: random.Random, lat: float, lon: float, metres: float) -> tuple[float, float]:
    """A point within `metres` of (lat, lon): metres to degrees at this latitude, fine for a demo."""
    north, east = rng.uniform(-metres, metres), rng.uniform(-metres, metres)
    return round(lat + north / 111_320, 7), round(lon + east / 106_700, 7)


def _commune_centres(communes: list[AdministrativeUnit]) -> dict[int, tuple[float, float]]:
    """Made-up centres on a grid inside the real outline of Hương Trà, at least ~2 km from its edge
    (synthetic, not the communes' real places)."""
    return {
        c.pk: (16.345 + 0.035 * (index // 3), 107.43 + 0.05 * (index % 3)) for index, c in enumerate(communes)
    }


# The province plan's 5G population coverage needs a 5G layer: Viettel's first 5G carriers of
# October 2024 in the wards of quận Phú Xuân (Huế's centre), drawn in a box of their own east of
# Hương Trà's — far enough that the seed's grid cells keep their speeds (its scorecard is unchanged).
FIVE_G_DISTRICT = "475"


def five_g_wards(province_plan: Plan) -> list[AdministrativeUnit]:
    return [c for c in _communes_in(province_plan) if c.parent.code == FIVE_G_DISTRICT]


def _ward_centres(wards: list[AdministrativeUnit]) -> dict[int, tuple[float, float]]:
    """Made-up centres of the 5G wards, 2 km apart, their houses and masts more than 1 km from the
    real outline of Hương Trà (synthetic, not the wards' real places)."""
    return {w.pk: (16.44 + 0.02 * (index // 3), 107.60 + 0.02 * (index % 3)) for index, w in enumerate(wards)}


def _ward_stations(wards: list[AdministrativeUnit], counters: dict[str, int]) -> list[list]:
    """Each ward's 4G masts (built 2012–2023) and Viettel's first 5G carrier, on its mast in the
    first ward, put in service between 15/10 and 28/12/2024."""
    rng = random.Random(SEED + 14)
    rows = []

    def station(operator, lat, lon, ward, technology, day):
        counters[operator] += 1
        code = f"{operator[:3].upper()}-PX{counters[operator]:04d}"
        rows.append(
            [code, operator, f"Trạm {code} (mẫu)", technology, lat, lon, ward.code, day, SYNTHETIC_LABEL]
        )

    for index, (ward, centre) in enumerate(zip(wards, _ward_centres(wards).values(), strict=True)):
        for number in range(6):
            lat, lon = _near(rng, *centre, 900)
            owner = REGISTRY_OPERATORS[number % 3]
            station(
                owner,
                lat,
                lon,
                ward,
                "4G",
                f"{rng.randint(1, 28):02d}/{rng.randint(1, 12):02d}/{rng.randint(2012, 2023)}",
            )
            if index == 0 and number == 0:
                day = f"{rng.randint(15, 28):02d}/{rng.randint(10, 12):02d}/2024"
                station("viettel", *_near(rng, lat, lon, 3), ward, "5G", day)
    return rows


def write_demo_registry(plan: Plan, folder: Path, wards: list[AdministrativeUnit]) -> dict[str, Path]:
    """Synthetic registry files in the import formats: stations (some co-located), poles and ducts
    with tenants, and every commune office's link to the government data network; and the 5G
    wards' stations (`_ward_stations`)."""
    rng = random.Random(SEED + 4)
    communes = list(plan.area_unit.children.filter(level="commune").order_by("code"))
    profiles = _profiles(communes, random.Random(SEED))
    centres = _commune_centres(communes)
    folder.mkdir(parents=True, exist_ok=True)
    files = {
        kind: folder / f"{kind}-mau-synthetic.csv" for kind in ("stations", "poles", "ducts", "gov-links")
    }

    stations, counters = [], {o: 0 for o in REGISTRY_OPERATORS}

    def station(operator, lat, lon, commune, technology, year):
        counters[operator] += 1
        code = f"{operator[:3].upper()}-HT{counters[operator]:04d}"
        # 2025 stations come before 01/07/2025, while the communes they declare were still in force.
        day = f"{rng.randint(1, 28):02d}/{rng.randint(1, 6 if year == 2025 else 12):02d}/{year}"
        stations.append(
            [code, operator, f"Trạm {code} (mẫu)", technology, lat, lon, commune.code, day, SYNTHETIC_LABEL]
        )

    weights = (0.42, 0.3, 0.22, 0.06)
    for commune in communes:
        lat0, lon0 = centres[commune.pk]
        count = 8 + profiles[commune.pk].population // 900
        for _ in range(count):
            lat, lon = _near(rng, lat0, lon0, 1500)
            year = rng.randint(2010, 2023) if rng.random() > 0.06 else 2025  # a few arrive after 2024
            owner = rng.choices(REGISTRY_OPERATORS, weights)[0]
            station(owner, lat, lon, commune, "4G", year)
            if rng.random() < 0.35:  # the owner's older 2G/3G equipment on the same mast: not sharing
                station(owner, *_near(rng, lat, lon, 3), commune, rng.choice(["2G", "3G"]), year)
            others = [o for o in REGISTRY_OPERATORS if o != owner]
            tenants = rng.random()
            joining = 2 if tenants < THIRD_TENANT else 1 if tenants < SECOND_TENANT else 0
            for guest in rng.sample(others, joining):
                station(guest, *_near(rng, lat, lon, 12), commune, "4G", max(year, rng.randint(2015, 2024)))
    stations.extend(_ward_stations(wards, counters))

    poles, ducts, links = [], [], []
    for commune in communes:
        lat0, lon0 = centres[commune.pk]
        urban = profiles[commune.pk].urban
        for number in range(1, (160 if urban else 90) + 1):
            owner = rng.choice(["viettel", "vnpt", "Điện lực Hương Trà (mẫu)"])
            # Most poles carry two or three operators' cables; a few (about 4%) only one.
            tenants = set(
                rng.sample(["viettel", "vnpt", "fpt"], 1 if rng.random() < 0.04 else rng.choice([2, 3]))
            )
            lat, lon = _near(rng, lat0, lon0, 1200)
            since = f"01/01/{rng.randint(2008, 2022)}"
            code = f"COT-{commune.code}-{number:04d}"
            poles.append(
                [code, owner, lat, lon, commune.code, ";".join(sorted(tenants)), since, SYNTHETIC_LABEL]
            )
        for number in range(1, (14 if urban else 4) + 1):
            lat, lon = _near(rng, lat0, lon0, 800)
            lat2, lon2 = _near(rng, lat, lon, 250)
            tenants = ["vnpt"] + (["viettel"] if rng.random() < 0.47 else [])
            line = f"LINESTRING ({lon} {lat}, {lon2} {lat2})"
            since = f"01/01/{rng.randint(2012, 2022)}"
            code = f"CONG-{commune.code}-{number:03d}"
            ducts.append([code, "vnpt", line, commune.code, ";".join(tenants), since, SYNTHETIC_LABEL])
        office = f"UBND {commune.name}"
        bandwidth = rng.choice([20, 30, 50])
        links.append(
            [f"TSLCD-{commune.code}", office, 1, commune.code, "tslcd_2", bandwidth, "vnpt", "active",
             "01/01/2019", SYNTHETIC_LABEL]
        )  # fmt: skip

    headers = {
        "stations": ["ma_tram", "doanh_nghiep", "ten_tram", "cong_nghe", "vi_do", "kinh_do", "ma_don_vi",
                     "ngay_hoat_dong", "ghi_chu"],
        "poles": ["ma_cot", "chu_so_huu", "vi_do", "kinh_do", "ma_don_vi", "doanh_nghiep_dung_chung",
                  "ngay_hoat_dong", "ghi_chu"],
        "ducts": ["ma_tuyen", "chu_so_huu", "toa_do_tuyen", "ma_don_vi", "doanh_nghiep_dung_chung",
                  "ngay_hoat_dong", "ghi_chu"],
        "gov-links": ["ma", "tru_so", "tru_so_ubnd", "ma_don_vi", "loai_ket_noi", "bang_thong",
                      "doanh_nghiep", "trang_thai", "ngay_hoat_dong", "ghi_chu"],
    }  # fmt: skip
    for kind, rows in (("stations", stations), ("poles", poles), ("ducts", ducts), ("gov-links", links)):
        with files[kind].open("w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(headers[kind])
            writer.writerows(rows)
    return files


# Huế's real province and district outlines (GPL-3.0, see data/NGUON-DU-LIEU.md), shipped with the
# demo so it never reads outside the package.
OUTLINES_FILE = Path(__file__).resolve().parent / "data" / "hue_46_province_districts_dvhcvn.json"
OUTLINES_SOURCE = "Cổng thông tin bản đồ Chính phủ (gis.chinhphu.vn), qua daohoangson/dvhcvn, GPL-3.0"
# The outlines are of before 2025; the units in force in 2024 are those of 04/01/2025. Each district
# takes the outlines of what it is made of: huyện Nam Đông (483) joined Phú Lộc (482), and the old
# thành phố Huế (474) was split into quận Thuận Hóa (474) and quận Phú Xuân (475) along a line the
# data lacks, so neither is drawn (the province's outline still encloses them).
DISTRICT_OUTLINES = {
    "476": ("476",), "477": ("477",), "478": ("478",), "479": ("479",), "480": ("480",), "481": ("481",),
    "482": ("482", "483"),
}  # fmt: skip
# ~10 m: the map's outlines stay light, and their areas within 0.1 % of the data's.
OUTLINE_TOLERANCE = 1e-4


def real_outlines() -> dict[str, shapely.Geometry]:
    """The real outline of the province and of each district of DISTRICT_OUTLINES, by GSO code."""
    data = json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))
    parts = {d["level2_id"]: shapely.geometry.shape(d) for d in data["level2s"]}
    outlines = {data["level1_id"]: shapely.geometry.shape(data)}
    outlines.update(
        {code: shapely.union_all([parts[p] for p in of]) for code, of in DISTRICT_OUTLINES.items()}
    )
    return {
        code: shapely.set_precision(shape.simplify(OUTLINE_TOLERANCE), 1e-6)
        for code, shape in outlines.items()
    }


def write_demo_boundaries(plan: Plan, folder: Path, wards: list[AdministrativeUnit]) -> tuple[Path, Path]:
    """Two files in the `hatangso import boundaries` format: the real outlines of Huế and its
    districts, and made-up commune shapes (ranh giới xã minh họa) so the demo can place registry
    items by position and colour communes on a map — the Voronoi cells of the synthetic centres,
    cut to the real outline of the plan's district, and the 5G wards' cells in a box of their own
    outside it."""
    outlines = real_outlines()
    district = outlines[plan.area_unit.code]
    communes = list(plan.area_unit.children.filter(level="commune").order_by("code"))
    features = _voronoi_features(communes, _commune_centres(communes), within=district)
    if wards:  # kept out of the district, so no place lies in two shapes
        centres = _ward_centres(wards)
        features += _voronoi_features(wards, centres, within=_box_around(centres).difference(district))
    folder.mkdir(parents=True, exist_ok=True)
    real = folder / "ranh-gioi-tinh-huyen-that-dvhcvn.geojson"
    illustrative = folder / "ranh-gioi-xa-minh-hoa-synthetic.geojson"
    _write_features(
        real,
        [
            {
                "type": "Feature",
                "properties": {"ma": code, "ghi_chu": OUTLINES_SOURCE},
                "geometry": plain_geometry(shape),
            }
            for code, shape in outlines.items()
        ],
    )
    _write_features(illustrative, features)
    return real, illustrative


def import_demo_boundaries(plan: Plan, folder: Path, wards: list[AdministrativeUnit], actor: Actor) -> None:
    """Write the demo's boundary files (write_demo_boundaries) and import them as a user would: the
    real outlines with their source, the commune shapes as synthetic."""
    real, illustrative = write_demo_boundaries(plan, folder, wards)
    import_boundaries(path=real, actor=actor, on=plan.issued_on, source=OUTLINES_SOURCE)
    import_boundaries(
        path=illustrative, actor=actor, on=plan.issued_on, source=SYNTHETIC_LABEL, synthetic=True
    )


def _write_features(path: Path, features: list[dict]) -> None:
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False), "utf-8"
    )


def _box_around(centres: dict[int, tuple[float, float]]) -> shapely.Geometry:
    """A box 0.03° (~3 km) beyond the centres on every side."""
    points = shapely.MultiPoint([(lon, lat) for lat, lon in centres.values()])
    return shapely.box(*shapely.buffer(points.envelope, 0.03).bounds)


def _voronoi_features(
    communes: list[AdministrativeUnit], centres: dict[int, tuple[float, float]], within: shapely.Geometry
) -> list:
    """Each commune's Voronoi cell among the centres, cut to `within`."""
    if not communes:
        return []
    points = shapely.MultiPoint([(lon, lat) for lat, lon in (centres[c.pk] for c in communes)])
    box = shapely.box(*within.bounds)
    cells = shapely.voronoi_polygons(points, extend_to=box)
    features = []
    for commune in communes:
        lat, lon = centres[commune.pk]
        cell = next(c for c in cells.geoms if c.contains(shapely.Point(lon, lat))).intersection(within)
        features.append(
            {
                "type": "Feature",
                "properties": {"ma": commune.code, "ten": commune.name, "ghi_chu": SYNTHETIC_LABEL},
                "geometry": plain_geometry(shapely.set_precision(cell, 1e-6)),
            }
        )
    return features


DEMO_UPDATES = [
    # (task, date, text, progress, status, accept)
    (
        "VI.1.a",
        "15/06/2024",
        "Ban hành văn bản triển khai Kế hoạch; giao nhiệm vụ cho các cơ quan, UBND xã, phường (mẫu).",
        100,
        "done",
        True,
    ),
    (
        "VI.1.đ",
        "20/11/2024",
        "Tổng hợp báo cáo kết quả thực hiện từ các cơ quan, xã, phường (mẫu).",
        80,
        "in_progress",
        True,
    ),
    (
        "IV.1.a",
        "10/07/2024",
        "Đăng 12 tin bài tuyên truyền về hạ tầng số trên Cổng thông tin thị xã (mẫu).",
        100,
        "done",
        True,
    ),
    (
        "VI.3.c",
        "05/09/2024",
        "Lập danh sách 3 tuyến đường cần xây dựng, cải tạo hạ tầng dùng chung (mẫu).",
        60,
        "in_progress",
        True,
    ),
    (
        "VI.7.a",
        "30/08/2024",
        "Các xã, phường rà soát quy hoạch hạ tầng viễn thông thụ động (mẫu).",
        50,
        "in_progress",
        False,
    ),
    ("VI.8.d", "01/10/2024", "Doanh nghiệp gửi báo cáo quý III (mẫu).", 75, "in_progress", True),
]
DEMO_INCIDENTS = [
    (
        "unsafe",
        "Cáp viễn thông chùng thấp qua đường, xe tải dễ vướng (mẫu).",
        "Đường Lý Bôn, phường Tứ Hạ",
        "resolved",
    ),
    ("damaged", "Nắp bể cáp trước chợ bị vỡ, nguy hiểm cho người đi bộ (mẫu).", "Chợ Hương Văn", "assigned"),
    ("wrong_build", "Cột anten dựng sát nhà dân, không thấy biển báo (mẫu).", "Thôn 3, xã Hương Toàn", "new"),
    ("unsafe", "Cột treo cáp nghiêng sau mưa bão (mẫu).", "Tổ 5, phường Hương Chữ", "in_progress"),
    ("other", "Tủ cáp không khóa, cáp lộ ra ngoài (mẫu).", "Xã Bình Tiến", "new"),
]
DEMO_ROADS = [
    ("Đường Lý Bôn (mẫu)", "từ Quốc lộ 1A đến cầu Tứ Phú", "19996", "build"),
    ("Đường Cách Mạng Tháng Tám (mẫu)", "đoạn qua phường Hương Văn", "20011", "upgrade"),
    ("Tỉnh lộ 16 (mẫu)", "đoạn qua xã Hương Toàn", "20005", "repair"),
]


def create_demo_workplan(plan: Plan, actor: Actor) -> None:
    """Progress on part of the plan's tasks (some done, some returned, the rest late or waiting on
    the province), roads on the shared-infrastructure list, and a few citizens' reports."""
    if ProgressUpdate.objects.filter(task__item__plan=plan).exists():
        return  # the demo ran before: keep what people may have added since
    for number, day, text, progress, status, accept in DEMO_UPDATES:
        task = Task.objects.get(item__plan=plan, item__number=number)
        update = services.add_update(
            task=task,
            text=text,
            done_on=parse_day(day),
            progress=progress,
            status=status,
            user=COMMAND_LINE,
            actor=actor,
        )
        comment = "" if accept else "Cần gửi kèm biên bản rà soát của từng xã (mẫu)."
        services.decide_update(update=update, accept=accept, comment=comment, user=COMMAND_LINE, actor=actor)
    # Tasks still running have a later deadline the owner set; the rest are due on 30/11/2024.
    for number in ("VI.1.đ", "VI.3.c", "VI.8.d"):
        task = Task.objects.get(item__plan=plan, item__number=number)
        services.set_task(task=task, due_date=date(2027, 6, 30), user=COMMAND_LINE, actor=actor)
    task = Task.objects.get(item__plan=plan, item__number="VI.3.c")
    for name, section, code, work in DEMO_ROADS:
        road, _ = Road.objects.get_or_create(
            name=name,
            defaults={
                "section": section,
                "unit": resolve_unit(code, start=plan.issued_on),
                "work": work,
                "synthetic": True,
            },
        )
        road.tasks.add(task)
    viettel = Operator.objects.get(code="viettel")
    for category, description, address, status in DEMO_INCIDENTS:
        incident = services.report_incident(
            category=category, description=description, address=address, actor=actor, synthetic=True
        )
        if status != "new":
            services.triage_incident(
                incident=incident,
                status="assigned",
                operator=viettel,
                comment="Chuyển doanh nghiệp xử lý (mẫu).",
                user=COMMAND_LINE,
                actor=actor,
            )
        if status in ("in_progress", "resolved"):
            services.triage_incident(
                incident=incident,
                status=status,
                comment="Doanh nghiệp đã xử lý (mẫu)." if status == "resolved" else "",
                user=COMMAND_LINE,
                actor=actor,
            )


def write_demo_line_samples(plan: Plan, path: Path) -> Path:
    """Synthetic speed samples of fixed lines (individual and organisation lines in every commune,
    six samples each over September–October 2024), in the `hatangso import speedtests` format. Each
    line names its village (`ma_don_vi` = the village code, in turn), except two villages that get
    none (demo_ftth_cases: `uncovered`, `unmeasured`), so the villages' FTTH coverage is computed."""
    rng = random.Random(SEED + 6)
    communes = list(plan.area_unit.children.filter(level="commune").order_by("code"))
    profiles = _profiles(communes, random.Random(SEED))
    cases = demo_ftth_cases(communes)
    rows = []
    for commune in communes:
        urban = profiles[commune.pk].urban
        places = [
            code
            for code in commune.children.filter(level="village")
            .order_by("code")
            .values_list("code", flat=True)
            if code not in (cases["uncovered"], cases["unmeasured"])
        ] or [commune.code]
        placed = 0
        for kind, count, centre in (
            ("ca_nhan", 120 if urban else 60, 150),
            ("to_chuc", 10 if urban else 5, 560),
        ):
            for number in range(1, count + 1):
                operator = rng.choice(FIXED)
                line = f"{operator[:3].upper()}-{commune.code}-{kind[:2].upper()}{number:04d}"
                place = places[placed % len(places)]
                placed += 1
                level = centre * rng.lognormvariate(0, 0.35 if urban else 0.45)  # this line's typical speed
                for sample in range(6):
                    day = date(2024, 9, 1) + timedelta(days=rng.randint(0, 60))
                    when = f"{day:%d/%m/%Y} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:{sample:02d}"
                    speed = max(1.0, rng.gauss(level, level * 0.12))
                    rows.append([line, operator, kind, place, when, f"{speed:.1f}", SYNTHETIC_LABEL])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LINE_SAMPLE_HEADER)
        writer.writerows(rows)
    return path


def write_demo_population(plan: Plan, path: Path, wards: list[AdministrativeUnit]) -> Path:
    """Synthetic population points (the `hatangso import population` format): each village a few
    hamlets of houses around a made-up centre within ~2 km of its commune's synthetic centre, the
    commune's synthetic population shared among them; and the 5G wards' points (they have no
    villages: the points name the ward)."""
    rng = random.Random(SEED + 8)
    communes = list(plan.area_unit.children.filter(level="commune").order_by("code"))
    profiles = _profiles(communes, random.Random(SEED))
    centres = _commune_centres(communes)
    rows = []
    for commune in communes:
        villages = list(commune.children.filter(level="village").order_by("code"))
        weights = [rng.uniform(0.6, 1.4) for _ in villages]
        for village, weight in zip(villages, weights, strict=True):
            people = profiles[commune.pk].population * weight / sum(weights)
            lat0, lon0 = _near(rng, *centres[commune.pk], 2000)
            points = 8
            for _ in range(points):
                lat, lon = _near(rng, lat0, lon0, 300)
                rows.append([lat, lon, round(people / points), village.code, SYNTHETIC_LABEL])
    ward_rng = random.Random(SEED + 16)  # its own stream: the rows above stay as they were
    for ward, (lat0, lon0) in zip(wards, _ward_centres(wards).values(), strict=True):
        people, points = ward_rng.randint(8_000, 16_000), 24
        for _ in range(points):
            lat, lon = _near(ward_rng, lat0, lon0, 900)
            rows.append([lat, lon, round(people / points), ward.code, SYNTHETIC_LABEL])
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(["vi_do", "kinh_do", "dan_so", "ma_don_vi", "ghi_chu"])
        writer.writerows(rows)
    return path


# --- The illustrative plans (kế hoạch minh họa) ----------------------------------------------------
# The province's 2024 plan covers every commune of Thừa Thiên Huế in 2024; the 2026–2030 plan of
# phường Hương Trà covers the post-2025 phường. Their figures are synthetic like the seed's, drawn
# from their own random streams so the seed plan's data (and its scorecard) stay as they were.

ILLUSTRATIVE_PLANS_DIR = Path(__file__).resolve().parent.parent / "plans" / "data" / "demo"
PROVINCE_PLAN_FILE = ILLUSTRATIVE_PLANS_DIR / "thua-thien-hue-2024.yaml"
COMMUNE_PLAN_FILE = ILLUSTRATIVE_PLANS_DIR / "phuong-huong-tra-2026-2030.yaml"
MOBILE_2026 = {"viettel": 0.5, "vnpt": 0.26, "mobifone": 0.2, "vietnamobile": 0.04}
SAMPLES_PER_LINE = 6


def _communes_in(plan: Plan) -> list[AdministrativeUnit]:
    """The communes of the plan's area in force during its period (the area itself for a commune)."""
    span = parse_period(plan.period)
    return list(
        rollup_units(plan.area_unit, start=span.start, end=span.end)
        .filter(level="commune")
        .select_related("parent")
        .order_by("code")
    )


def write_illustrative_values(province_plan: Plan, commune_plan: Plan, seed_plan: Plan, path: Path) -> int:
    """The synthetic values of the illustrative plans (the `hatangso import values` format): every
    commune of the province in 2024, and phường Hương Trà in 2026. The seed's communes already have
    their population and households (write_demo_values): they get only the elements it lacks."""
    rng = random.Random(SEED + 10)
    seed_list = list(seed_plan.area_unit.children.filter(level="commune").order_by("code"))
    seed_profiles = _profiles(seed_list, random.Random(SEED))
    seed_communes = {c.code: seed_profiles[c.pk].population for c in seed_list}
    rows: list[tuple] = []

    def add(period, unit, element, value, operator=""):
        rows.append((period, unit.code, unit.name, element, operator, value, SYNTHETIC_LABEL))

    year = province_plan.period
    communes = _communes_in(province_plan)
    for commune in communes:
        urban = commune.type_name == "Phường"
        drawn = rng.randint(6_000, 24_000) if urban else rng.randint(4_000, 14_000)
        population = seed_communes.get(commune.code, drawn)  # the seed's communes keep theirs
        if commune.code not in seed_communes:
            households = int(population / rng.uniform(3.6, 4.2))
            add(year, commune, "population", population)
            add(year, commune, "adult_population", int(population * rng.uniform(0.72, 0.78)))
            add(year, commune, "households", households)
            add(year, commune, "households_ftth", int(households * _rate(rng, 0.86 if urban else 0.8)))
            add(year, commune, "households_with_internet", int(households * _rate(rng, 0.94)))
            add(year, commune, "internet_users", int(population * _rate(rng, 0.9, 0.02)))
            add(year, commune, "agencies", 1)
        # The last commune is not yet on the government network: the province misses its 100 %.
        add(year, commune, "agencies_gov_network_connected", int(commune != communes[-1]))
        add(year, commune, "agencies_on_infrastructure_platforms", rng.choice([0, 1, 1, 1]))
        enterprises = rng.randint(8, 60) if urban else rng.randint(2, 20)
        add(year, commune, "enterprises", enterprises)
        add(
            year,
            commune,
            "enterprises_on_infrastructure_platforms",
            int(enterprises * _rate(rng, 0.26, 0.08)),
        )
        for operator, share in MOBILE_SHARES.items():
            subscriptions = int(population * 1.2 * share)
            if commune.code not in seed_communes:  # the seed's communes report theirs monthly
                add(year, commune, "mobile_subscriptions", subscriptions, operator)
            add(year, commune, "mobile_broadband_subscriptions", int(population * 0.86 * share), operator)
            add(year, commune, "subscriptions_2g_only", int(subscriptions * _rate(rng, 0.04, 0.01)), operator)
        for operator, share in FIXED_SHARES.items():
            lines = int(population * _rate(rng, 0.245, 0.03) * share)
            add(year, commune, "fixed_broadband_subscriptions", lines, operator)
            add(
                year,
                commune,
                "fixed_broadband_subscriptions_1gbps",
                int(lines * _rate(rng, 0.07, 0.02)),
                operator,
            )
    district = seed_plan.area_unit  # its own agencies (12, write_demo_values) report too
    add(year, district, "agencies_gov_network_connected", 12)
    add(year, district, "agencies_on_infrastructure_platforms", 9)

    # Phường Hương Trà in 2026: a year of the 2026–2030 plan, some targets met, some missed.
    ward, year = commune_plan.area_unit, commune_plan.period
    population = 36_480
    adults = int(population * 0.76)
    households = int(population / 3.8)
    add(year, ward, "population", population)
    add(year, ward, "adult_population", adults)
    add(year, ward, "households", households)
    add(year, ward, "households_ftth", int(households * 0.912))
    add(year, ward, "adults_with_digital_signature", int(adults * 0.52))
    add(year, ward, "agencies", 4)
    add(year, ward, "agencies_gov_network_connected", 4)
    for operator, share in MOBILE_2026.items():
        subscriptions = int(population * 1.24 * share)
        add(year, ward, "mobile_subscriptions", subscriptions, operator)
        add(year, ward, "mobile_broadband_subscriptions", int(population * 0.97 * share), operator)
        add(year, ward, "subscriptions_2g_only", int(subscriptions * 0.054), operator)
        add(year, ward, "iot_connections", int(population * 1.1 * share), operator)
    for operator, stations_4g, stations_5g in (("viettel", 22, 14), ("vnpt", 12, 5), ("mobifone", 10, 4)):
        add(year, ward, "bts_stations_4g", stations_4g, operator)
        add(year, ward, "bts_stations_5g", stations_5g, operator)
    for operator, share in {"viettel": 0.45, "vnpt": 0.37, "fpt": 0.18}.items():
        lines = int(population * 0.31 * share)
        add(year, ward, "fixed_broadband_subscriptions", lines, operator)
        add(year, ward, "fixed_broadband_subscriptions_1gbps", int(lines * 0.26), operator)

    _write_values_file(path, rows)
    return len(rows)


def _write_values_file(path: Path, rows: list[tuple]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["ky", "ma_don_vi", "ten_don_vi", "ma_chi_so", "doanh_nghiep", "gia_tri", "ghi_chu"])
        writer.writerows(rows)


def illustrative_values_path() -> Path:
    return settings.HOME / "demo" / "gia-tri-ke-hoach-minh-hoa-synthetic.csv"


def write_illustrative_line_samples(
    province_plan: Plan, commune_plan: Plan, seed_plan: Plan, path: Path
) -> Path:
    """Speed samples (the `hatangso import speedtests` format) for the communes the seed's samples
    leave out, in September–October 2024, and for phường Hương Trà in September–October 2026: each
    commune at least 300 samples, VNNIC's floor for publishing a commune's median."""
    rng = random.Random(SEED + 12)
    seed_communes = {c.code for c in seed_plan.area_unit.children.filter(level="commune")}
    rows = []

    def lines(commune, count, centre, spread, first_day):
        for number in range(1, count + 1):
            operator = rng.choice(FIXED)
            line = f"{operator[:3].upper()}-{commune.code}-{first_day.year}-{number:04d}"
            level = centre * rng.lognormvariate(0, spread)
            for sample in range(SAMPLES_PER_LINE):
                day = first_day + timedelta(days=rng.randint(0, 60))
                when = f"{day:%d/%m/%Y} {rng.randint(7, 22):02d}:{rng.randint(0, 59):02d}:{sample:02d}"
                speed = max(1.0, rng.gauss(level, level * 0.12))
                rows.append([line, operator, "ca_nhan", commune.code, when, f"{speed:.1f}", SYNTHETIC_LABEL])

    for commune in _communes_in(province_plan):
        if commune.code not in seed_communes:
            urban = commune.type_name == "Phường"
            lines(
                commune, 52, rng.uniform(150, 210) if urban else rng.uniform(105, 160), 0.35, date(2024, 9, 1)
            )
    lines(commune_plan.area_unit, 60, 190, 0.3, date(2026, 9, 1))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(LINE_SAMPLE_HEADER)
        writer.writerows(rows)
    return path
