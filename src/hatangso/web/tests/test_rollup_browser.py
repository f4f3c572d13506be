"""Results rolled up, in a real browser on a phone (Playwright driving Debian's chromium): the
province plan's indicator page lists its districts with their own targets, filters them without
JavaScript, opens the district's own plan and comes back through the link to the parent plan; no
page is wider than 390 px."""

import re

from hatangso.core.scoping import COMMAND_LINE
from hatangso.web.tests.browsing import needs_chromium
from hatangso.web.tests.test_many_plans_browser import PHONE, width
from hatangso.web.tests.test_map_browser import PASSWORD, build, watched

pytestmark = needs_chromium

PROVINCE_PAGE = "/ke-hoach/159-kh-ubnd/chi-tieu/internet_users/"
DISTRICT_PAGE = "/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/"


def add_the_parent_plan(tmp_path):
    """The seed plan's parent (159/KH-UBND, which the seed cites) as an illustrative province plan,
    and the seed reloaded, now linked to it."""
    from hatangso.core.changelog import Actor
    from hatangso.core.services import create_user, grant_membership
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan

    text = SEED_PLAN_FILE.read_text(encoding="utf-8")
    text = text.replace('code: "1529/KH-UBND"', 'code: "159/KH-UBND"', 1).replace(
        'area_unit: "480"', 'area_unit: "46"', 1
    )
    path = tmp_path / "tinh.yaml"
    path.write_text(text, encoding="utf-8")
    actor = Actor.command("test")
    province = load_plan(path=path, actor=actor, user=COMMAND_LINE).plan
    load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE)
    owner = create_user(username="sokhcn", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=province.area_unit, actor=actor)


def test_the_province_page_lists_its_districts_and_links_both_ways(
    browser, live_server, transactional_db, tmp_path
):
    build(tmp_path)
    add_the_parent_plan(tmp_path)
    page, errors = watched(browser)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", "sokhcn")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector(".plan-title")

    page.goto(f"{live_server.url}{PROVINCE_PAGE}")
    assert re.fullmatch(r"\d/9 địa bàn đạt chỉ tiêu", page.locator(".rollup strong").inner_text())
    rows = page.locator("table.children tbody tr")
    assert rows.count() == 9
    assert width(page)[0] <= 390, width(page)

    # The filter is a plain form: choosing "Chưa có thông tin" and submitting reloads the page.
    page.select_option("#children-status", "no_data")
    page.locator("form.switch", has=page.locator("#children-status")).locator("button").click()
    page.wait_for_url("**status=no_data**")
    assert rows.count() == 8  # every district but Hương Trà, the only one with figures
    assert "Thị xã Hương Trà" not in page.locator("table.children").inner_text()

    page.goto(f"{live_server.url}{PROVINCE_PAGE}")
    page.locator("table.children a", has_text="Kế hoạch 1529/KH-UBND").click()
    page.wait_for_url(f"**{DISTRICT_PAGE}")
    assert width(page)[0] <= 390, width(page)
    page.locator(".parent-plan a").click()
    page.wait_for_url(f"**{PROVINCE_PAGE}#theo-dia-ban")
    assert not errors, errors
