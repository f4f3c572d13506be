"""Switching plan in a real browser (Playwright driving Debian's chromium, DESIGN.md §8), on a phone:
the header's switcher opens another plan's same page, and no page of a plan is wider than 390 px."""

from hatangso.core.scoping import COMMAND_LINE
from hatangso.web.tests.browsing import needs_chromium
from hatangso.web.tests.test_map_browser import PASSWORD, build, watched

pytestmark = needs_chromium

PHONE = {"width": 390, "height": 844}


def add_the_province_plan(tmp_path):
    from hatangso.analytics.publishing import publish_scorecard
    from hatangso.analytics.services import compute_scorecard
    from hatangso.core.changelog import Actor
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.utilities.periods import parse_period

    text = SEED_PLAN_FILE.read_text(encoding="utf-8")
    text = text.replace('code: "1529/KH-UBND"', 'code: "159/KH-UBND"', 1).replace(
        'area_unit: "480"', 'area_unit: "46"', 1
    )
    path = tmp_path / "tinh.yaml"
    path.write_text(text, encoding="utf-8")
    actor = Actor.command("test")
    plan = load_plan(path=path, actor=actor, user=COMMAND_LINE).plan
    compute_scorecard(plan=plan, unit=plan.area_unit, period=parse_period("2024"))
    publish_scorecard(plan=plan, period="2024", actor=actor)


WIDER = """() => [document.documentElement.scrollWidth, [...document.querySelectorAll("body *")]
  .filter(e => e.getBoundingClientRect().right > innerWidth + 1)
  .slice(0, 5).map(e => `${e.tagName}.${e.className} ${(e.textContent || "").trim().slice(0, 40)}`)]"""


def width(page) -> tuple[int, list[str]]:
    """The page's width, and the first elements reaching past the window (to say why)."""
    return tuple(page.evaluate(WIDER))


def test_switching_plan_on_a_phone(browser, live_server, transactional_db, tmp_path):
    build(tmp_path)  # the seed plan, published, and its plan owner `vhtt` (Hương Trà)
    add_the_province_plan(tmp_path)  # the province's plan covers Hương Trà: vhtt reads it too
    page, errors = watched(browser)
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}/dang-nhap/")
    page.fill("input[name=username]", "vhtt")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_selector(".plan-title")
    assert page.locator(".plan-title").inner_text().startswith("1529/KH-UBND")  # its own plan first
    assert "1529/KH-UBND" in page.locator(".plans > summary").inner_text()

    page.locator(".plans > summary").click()
    page.locator(".plans a", has_text="159/KH-UBND").click()
    page.wait_for_url("**/ke-hoach/159-kh-ubnd/")
    assert page.locator(".plan-title").inner_text().startswith("159/KH-UBND")
    assert "159/KH-UBND" in page.locator(".plans > summary").inner_text()

    # From a plan's map, the switcher opens the other plan's map.
    page.goto(f"{live_server.url}/ke-hoach/159-kh-ubnd/ban-do/")
    page.locator(".plans > summary").click()
    page.locator(".plans a", has_text="1529/KH-UBND").click()
    page.wait_for_url("**/ke-hoach/1529-kh-ubnd/ban-do/")
    page.wait_for_selector(".map-label")

    too_wide = {}
    for address in (
        "/ke-hoach/1529-kh-ubnd/",
        "/ke-hoach/159-kh-ubnd/",
        "/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/",
        "/ke-hoach/159-kh-ubnd/ban-do/",
        "/ke-hoach/1529-kh-ubnd/nhiem-vu/",
        "/ke-hoach/1529-kh-ubnd/tuyen-duong/",
        "/ke-hoach/1529-kh-ubnd/tuyen-duong/moi/",
        "/ke-hoach/1529-kh-ubnd/duyet/",
        "/ke-hoach/1529-kh-ubnd/bao-cao/",
        "/ke-hoach/1529-kh-ubnd/cong-bo/",
        "/ke-hoach/1529-kh-ubnd/noi-dung/",
        "/ban-do/",  # a former address: the list of the two plans
        "/nhap-lieu/",
    ):
        page.goto(f"{live_server.url}{address}")
        page.wait_for_load_state("load")
        page.locator(".plans > summary").click()  # the open switcher must fit too
        wide, what = width(page)
        if wide > PHONE["width"]:
            too_wide[address] = (wide, what)
    page.goto(f"{live_server.url}/ke-hoach/1529-kh-ubnd/nhiem-vu/")
    page.locator("table a").first.click()  # a task's page
    page.wait_for_url("**/ke-hoach/1529-kh-ubnd/nhiem-vu/*/")
    wide, what = width(page)
    if wide > PHONE["width"]:
        too_wide[page.url] = (wide, what)

    page.context.clear_cookies()
    for address in (
        "/cong-khai/",
        "/cong-khai/1529-kh-ubnd/?indicator=internet_users",
        "/cong-khai/159-kh-ubnd/",
    ):
        page.goto(f"{live_server.url}{address}")
        page.wait_for_load_state("load")
        wide, what = width(page)
        if wide > PHONE["width"]:
            too_wide[address] = (wide, what)
    assert not too_wide, "\n".join(f"{where}: {wide} px, {what}" for where, (wide, what) in too_wide.items())
    assert errors == []  # no script error, nothing blocked by the content security policy
