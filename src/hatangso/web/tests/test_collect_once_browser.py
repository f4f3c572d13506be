"""Collect once in a real browser (Playwright driving Debian's chromium, DESIGN.md §8): a commune
clerk enters one value that appears in both the commune's district plan and the province plan."""

from playwright.sync_api import expect

from hatangso.core.scoping import COMMAND_LINE
from hatangso.web.tests.browsing import needs_chromium
from hatangso.web.tests.test_map_browser import PASSWORD, watched

pytestmark = needs_chromium

SLUGS = ("1529-kh-ubnd", "159-kh-ubnd")


def build(tmp_path):
    """The seed plan of thị xã Hương Trà, the province plan of the collect-once tests over it, and
    the clerk of phường Tứ Hạ (19996), which both plans cover."""
    from datetime import date

    from hatangso.collection.tests.test_collect_once import PROVINCE_FILE
    from hatangso.core.changelog import Actor
    from hatangso.core.services import create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit
    from hatangso.geography.services import load_reference_units
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.registry.operators import load_reference_operators

    actor = Actor.command("test")
    load_reference_units(actor=actor)
    load_reference_operators(actor=actor)
    load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE)
    (tmp_path / "tinh.yaml").write_text(PROVINCE_FILE, encoding="utf-8")
    load_plan(path=tmp_path / "tinh.yaml", actor=actor, user=COMMAND_LINE)
    clerk = create_user(username="tuha", password=PASSWORD, actor=actor)
    grant_membership(
        user=clerk, role="commune", unit=resolve_unit("19996", start=date(2024, 6, 1)), actor=actor
    )


def test_a_commune_clerk_enters_one_value_that_appears_in_both_plans(
    browser, live_server, transactional_db, tmp_path
):
    from hatangso.collection.models import DataValue

    build(tmp_path)
    page, errors = watched(browser)
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", "tuha")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector(".plan-title")

    page.get_by_role("link", name="Nhập số liệu").first.click()
    page.wait_for_url("**/nhap-lieu/")
    card = page.locator("section.card")
    expect(card).to_have_count(1)  # one entry for both plans
    expect(card.get_by_role("heading")).to_have_text("Số liệu hằng năm của Phường Tứ Hạ")
    card.get_by_role("link", name="Năm 2024", exact=True).click()
    page.wait_for_url("**/nhap-lieu/*/2024/**")
    expect(page.get_by_role("heading", level=2)).to_have_text("Số liệu kỳ Năm 2024 của Phường Tứ Hạ")

    population = page.get_by_label("Dân số", exact=True)
    internet = page.get_by_label("Số người sử dụng Internet", exact=True)
    expect(population).to_have_count(1)  # asked once, for both plans
    row = page.locator("tr").filter(has=population)
    expect(row.locator(".uses")).to_have_text("dùng cho: KH 1529/KH-UBND, KH 159/KH-UBND")
    population.fill("20000")
    internet.fill("15000")
    page.get_by_role("button", name="Lưu nháp").click()
    expect(page.get_by_role("status").filter(has_text="Đã lưu 2 giá trị (bản nháp).")).to_be_visible()
    assert DataValue.objects.filter(unit__code="19996", data_element__code="population").count() == 1

    for slug in SLUGS:  # the one value, in each plan's indicator page and scorecard
        page.goto(f"{live_server.url}/ke-hoach/{slug}/chi-tieu/internet_users/?unit=19996")
        expect(page.locator("main")).to_contain_text("75,0 % (15.000 / 20.000)")
        card = page.request.get(f"{live_server.url}/api/v1/plans/{slug}/scorecard?unit=19996").json()
        found = next(r for r in card["indicators"] if r["code"] == "internet_users")
        assert (found["numerator"], found["denominator"], found["value"]) == (15000, 20000, 75), slug
    assert errors == []
