"""The demo's plans (issue 17 item 6): the seed under its province's plan and a post-2025 commune
plan, each with real statuses, and the illustrative ones labelled wherever they appear."""

import json
from datetime import date
from pathlib import Path

import pytest
from docx import Document
from openpyxl import load_workbook

from hatangso.analytics.publishing import publish_scorecard, withdraw_publication
from hatangso.analytics.services import compute_scorecard
from hatangso.core.changelog import Actor
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.demo.dataset import COMMUNE_PLAN_FILE, PROVINCE_PLAN_FILE
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.services import load_plan
from hatangso.reports.docx_report import ILLUSTRATIVE_BANNER, SYNTHETIC_BANNER
from hatangso.utilities.periods import parse_period
from hatangso.utilities.testing import CATALOG_TARGETS
from hatangso.utilities.testing import run_cli as hatangso

PROVINCE, SEED, COMMUNE = "159/KH-UBND", "1529/KH-UBND", "27/KH-UBND"
LABEL = "illustrative plan, not an issued document"
BANNER = 'class="synthetic illustrative"'


def compute_json(home: Path, *args: str) -> dict:
    result = hatangso(home, "compute", *args, "--json")
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)


def test_the_demo_has_three_plans_at_three_levels_linked_to_their_parent(demo):
    home, _ = demo
    result = hatangso(home, "plan", "list", "--json")
    assert result.returncode == 0, result.stderr
    plans = {p["code"]: p for p in json.loads(result.stdout)}
    assert set(plans) == {PROVINCE, SEED, COMMUNE}
    levels = {code: p["level"] for code, p in plans.items()}
    assert levels == {PROVINCE: "province", SEED: "district", COMMUNE: "commune"}
    assert plans[SEED]["parent"] == plans[PROVINCE]["slug"]
    assert plans[PROVINCE]["children"] == [plans[SEED]["slug"]]
    assert sorted(c for c, p in plans.items() if p["illustrative"]) == [PROVINCE, COMMUNE]
    assert (plans[COMMUNE]["area"]["code"], plans[COMMUNE]["year"], plans[COMMUNE]["end_year"]) == (
        "19996",
        2026,
        2030,
    )


@pytest.mark.parametrize("code, period", [(PROVINCE, "2024"), (COMMUNE, "2026")])
def test_each_illustrative_plan_computes_real_statuses_with_units_and_directions(demo, code, period):
    home, _ = demo
    card = compute_json(home, "--plan", code, "--period", period)
    indicators = {i["code"]: i for i in card["indicators"]}
    # Every indicator has its data: synthetic values, speed samples, the 5G layer.
    assert {i["status"] for i in indicators.values()} == {"achieved", "not_achieved"}, [
        (i["code"], i["reason"]) for i in indicators.values() if i["value"] is None
    ]
    speed = indicators["fixed_download_median"]
    assert speed["unit"] == "Mb/s" and speed["sources"] == ["measurements"]
    assert (speed["status"] == "achieved") == (speed["value"] >= speed["target"])
    per_100 = indicators["mobile_broadband_subscriptions_per_100"]
    assert per_100["unit"] == "per 100 inhabitants"
    assert per_100["value"] == round(per_100["numerator"] / per_100["denominator"] * 100, 1)
    only_2g = indicators["only_2g_subscription_share"]  # "below 5 %": lower is better
    assert only_2g["comparison"] == "<"
    assert (only_2g["status"] == "achieved") == (only_2g["value"] < only_2g["target"])


def test_the_illustrative_plans_use_catalog_indicators_beyond_the_seed(demo):
    home, _ = demo
    used = set()
    for code, period in ((PROVINCE, "2024"), (COMMUNE, "2026")):
        used |= {i["code"] for i in compute_json(home, "--plan", code, "--period", period)["indicators"]}
    beyond = used - set(CATALOG_TARGETS)
    assert len(beyond) >= 8, beyond
    assert {"population_5g_coverage", "only_2g_subscription_share", "fixed_download_median"} <= beyond


def test_year_and_assigned_targets_apply_and_a_province_commune_has_its_own_median(demo):
    home, _ = demo
    household_fiber = next(
        i
        for i in compute_json(home, "--plan", COMMUNE, "--period", "2026")["indicators"]
        if i["code"] == "household_fiber"
    )
    assert household_fiber["target"] == 90.0  # the 2026 target, not 2030's 100
    for unit, target in (("480", 120.0), ("19996", 150.0)):
        card = compute_json(home, "--plan", PROVINCE, "--period", "2024", "--unit", unit)
        speed = next(i for i in card["indicators"] if i["code"] == "fixed_download_median")
        assert (speed["target"], speed["status"] in {"achieved", "not_achieved"}) == (target, True)
    # A ward of Huế's centre, outside the seed's district: its own samples, over the floor of 300.
    card = compute_json(home, "--plan", PROVINCE, "--period", "2024", "--unit", "19750")
    speed = next(i for i in card["indicators"] if i["code"] == "fixed_download_median")
    assert speed["lineage"]["fixed_download_median_mbps"]["inputs"] >= 300 and speed["value"] is not None


@pytest.mark.parametrize("fmt", ["docx", "xlsx"])
def test_the_reports_of_an_illustrative_plan_say_so_and_the_seed_s_do_not(demo, tmp_path, fmt):
    home, _ = demo
    texts = {}
    for code, period in ((PROVINCE, "2024"), (SEED, "2024")):
        out = tmp_path / f"{code.split('/')[0]}.{fmt}"
        result = hatangso(
            home, "report", "--format", fmt, "--out", str(out), "--plan", code, "--period", period
        )
        assert result.returncode == 0, result.stderr
        if fmt == "docx":
            texts[code] = [cell.text for table in Document(out).tables[:3] for cell in table.rows[0].cells]
        else:
            workbook = load_workbook(out, read_only=True)
            texts[code] = [
                row[0] for sheet in workbook for row in sheet.iter_rows(max_row=5, values_only=True) if row
            ]
    assert ILLUSTRATIVE_BANNER in texts[PROVINCE] and SYNTHETIC_BANNER in texts[PROVINCE]
    assert ILLUSTRATIVE_BANNER not in texts[SEED] and SYNTHETIC_BANNER in texts[SEED]


@pytest.fixture
def illustrative(seed_plan, actor, django_user_model):
    """The two illustrative plans beside the seed, scored and published, and a superuser."""
    plans = [
        load_plan(path=path, actor=actor, user=COMMAND_LINE).plan
        for path in (PROVINCE_PLAN_FILE, COMMUNE_PLAN_FILE)
    ]
    admin = django_user_model.objects.create_superuser(
        "quantri", "quantri@example.invalid", "a long pass 2024"
    )
    for plan in (seed_plan, *plans):
        compute_scorecard(plan=plan, unit=plan.area_unit, period=parse_period(plan.period))
        publish_scorecard(plan=plan, period=plan.period, actor=Actor.command("test", user=admin))
    return admin, *plans


def test_every_page_of_an_illustrative_plan_carries_the_banner(illustrative, seed_plan, client):
    admin, province, commune = illustrative
    client.force_login(admin)
    for plan in (province, commune):
        for address in (
            f"/ke-hoach/{plan.slug}/",
            f"/ke-hoach/{plan.slug}/noi-dung/",
            f"/cong-khai/{plan.slug}/",
        ):
            page = client.get(address).content.decode()
            assert BANNER in page and f"kế hoạch {plan.code} được soạn để minh họa" in page, address
    seed_page = client.get(f"/ke-hoach/{seed_plan.slug}/").content.decode()
    assert BANNER not in seed_page
    # The switcher names the illustrative plans as such, on every page.
    switcher = seed_page.split('<details class="plans">')[1].split("</details>")[0]
    assert switcher.count(LABEL) == 2


def test_the_public_list_labels_the_illustrative_plans(illustrative, client):
    page = client.get("/cong-khai/").content.decode()
    items = [item for item in page.split("<li>") if "/cong-khai/" in item.split("</li>")[0]]
    labelled = sorted(item.split(">")[1].split("<")[0] for item in items if LABEL in item.split("</li>")[0])
    assert labelled == [PROVINCE, COMMUNE]
    assert BANNER not in page  # a page of no plan in particular


def test_a_plan_the_visitor_may_not_open_is_not_named_on_its_404(illustrative, client, actor):
    admin, province, _ = illustrative
    user = create_user(username="xa", password="a long pass 2024", actor=actor)
    commune = resolve_unit("20041", start=date(2024, 6, 1))
    grant_membership(user=user, role="commune", actor=actor, unit=commune)
    client.force_login(user)  # a commune outside the post-2025 phường: 27/KH-UBND is not its plan
    response = client.get("/ke-hoach/27-kh-ubnd/")
    assert response.status_code == 404
    assert BANNER not in response.content.decode() and "27/KH-UBND" not in response.content.decode()
    # The public reads a published plan's page with its label, and nothing once it is withdrawn.
    client.logout()
    assert BANNER in client.get(f"/cong-khai/{province.slug}/").content.decode()
    withdraw_publication(plan=province, period=province.period, actor=Actor.command("test", user=admin))
    response = client.get(f"/cong-khai/{province.slug}/")
    assert BANNER not in response.content.decode()


def test_a_median_speed_shows_no_ratio_where_a_share_shows_its_counts(demo):
    home, _ = demo
    result = hatangso(home, "compute", "--plan", PROVINCE, "--period", "2024", columns=200)
    assert result.returncode == 0, result.stderr
    cells = [line.split("│") for line in result.stdout.splitlines() if line.startswith("│")]
    rows = {row[2].strip(): row[5].strip() for row in cells if row[1].strip()}
    speed = next(figures for name, figures in rows.items() if name.startswith("Tốc độ tải xuống"))
    share = next(figures for name, figures in rows.items() if name.startswith("Tỷ lệ người sử dụng Internet"))
    assert speed == "—" and " / " in share  # "146,7 Mb/s" is no "147 / 1"
