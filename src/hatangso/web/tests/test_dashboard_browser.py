"""The dashboard in a real browser (Playwright driving Debian's chromium, DESIGN.md §8): htmx swaps
the tiles without reloading the page, nothing breaks the content security policy, the menu folds
on a phone without a script, and the keyboard reaches the skip link first."""

from datetime import date

from hatangso.core.scoping import COMMAND_LINE
from hatangso.web.tests.browsing import needs_chromium

pytestmark = needs_chromium
PASSWORD = "a long passphrase 2024"


def _world():
    from hatangso.analytics.services import compute_scorecard
    from hatangso.collection.models import DataElement
    from hatangso.collection.services import set_value
    from hatangso.core.changelog import Actor
    from hatangso.core.services import create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit
    from hatangso.geography.services import load_reference_units
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.registry.operators import load_reference_operators
    from hatangso.utilities.periods import parse_period

    actor = Actor.command("test")
    load_reference_units(actor=actor)
    load_reference_operators(actor=actor)
    plan = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    for element, value in (("population", "40357"), ("internet_users", "39113")):
        set_value(element=DataElement.objects.get(code=element), unit=tu_ha, period="2024", value=value,
                  actor=actor)  # fmt: skip
    compute_scorecard(plan=plan, unit=plan.area_unit, period=parse_period("2024"))
    owner = create_user(username="vhtt", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=plan.area_unit, actor=actor)


def _page(browser, width: int, errors: list):
    page = browser.new_page(viewport={"width": width, "height": 900})
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type in ("error", "warning") and errors.append(message.text))
    return page


def _log_in(page, url):
    page.goto(f"{url}/dang-nhap/")
    page.fill("#id_username", "vhtt")
    page.fill("#id_password", PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()
    page.locator("h1", has_text="Tổng quan").wait_for()


def test_switches_swap_the_tiles_in_place_and_the_menu_folds(browser, live_server, transactional_db):
    _world()
    errors = []
    desk = _page(browser, 1280, errors)
    _log_in(desk, live_server.url)
    assert desk.url == f"{live_server.url}/"  # the login lands on the dashboard
    assert desk.get_by_role("link", name="Duyệt báo cáo", exact=True).is_visible()  # a wide menu is open
    assert not desk.get_by_text("Danh mục", exact=True).is_visible()
    desk.evaluate("() => { window.notReloaded = true; }")
    desk.select_option("#switch-period", "2024Q3")
    desk.locator("h1", has_text="Quý III/2024").wait_for()
    assert desk.evaluate("() => window.notReloaded === true")  # htmx swapped the fragment
    assert desk.url == f"{live_server.url}/ke-hoach/1529-kh-ubnd/?period=2024Q3&unit="  # the plan's address
    desk.get_by_role("link", name="sau sắp xếp (từ 01/07/2025)").click()
    desk.locator("#switch-unit option", has_text="Phường Kim Trà").wait_for(state="attached")
    assert desk.evaluate("() => window.notReloaded === true")
    assert desk.locator(".tile").count() == 15

    phone = _page(browser, 390, errors)
    _log_in(phone, live_server.url)
    phone.keyboard.press("Tab")  # on a freshly loaded page the keyboard reaches the skip link first
    assert phone.locator(".skip-link").evaluate("link => link === document.activeElement")
    entry = phone.get_by_role("link", name="Duyệt báo cáo", exact=True)
    assert not entry.is_visible()  # folded
    phone.get_by_text("Danh mục", exact=True).click()
    assert entry.is_visible()
    width = phone.evaluate("() => document.documentElement.scrollWidth")
    assert width <= 390, width  # nothing wider than the phone
    assert errors == []  # no script error, nothing blocked by the content security policy
