"""The map page and the public page in a real browser (Playwright driving Debian's chromium): the
layers load from the app, the colours are the ratings', no script error and nothing blocked by
the content security policy."""

import json
from datetime import date

from hatangso.core.scoping import COMMAND_LINE
from hatangso.web.tests.browsing import needs_chromium

pytestmark = needs_chromium

JUNE = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"
SQUARES = {
    "19996": [[107.40, 16.42], [107.42, 16.42], [107.42, 16.44], [107.40, 16.44], [107.40, 16.42]],
    "20005": [[107.42, 16.42], [107.44, 16.42], [107.44, 16.44], [107.42, 16.44], [107.42, 16.42]],
}
STATIONS = (
    "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ngay_hoat_dong\n"
    "V1,viettel,4G,16.43,107.405,01/01/2020\nN1,vnpt,4G,16.43001,107.40501,01/01/2020\n"
    "V2,viettel,4G,16.43,107.415,01/01/2020\n"
)


def build(tmp_path):
    from hatangso.analytics.publishing import publish_scorecard
    from hatangso.analytics.services import compute_scorecard
    from hatangso.collection.models import DataElement
    from hatangso.collection.services import set_value
    from hatangso.core.changelog import Actor
    from hatangso.core.services import create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit
    from hatangso.geography.services import import_boundaries, load_reference_units
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.registry.imports import IMPORTERS
    from hatangso.registry.operators import load_reference_operators
    from hatangso.utilities.periods import parse_period

    actor = Actor.command("test")
    load_reference_units(actor=actor)
    load_reference_operators(actor=actor)
    plan = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    features = [
        {
            "type": "Feature",
            "properties": {"ma": code},
            "geometry": {"type": "Polygon", "coordinates": [ring]},
        }
        for code, ring in SQUARES.items()
    ]
    (tmp_path / "ranh-gioi.geojson").write_text(
        json.dumps({"type": "FeatureCollection", "features": features})
    )
    import_boundaries(path=tmp_path / "ranh-gioi.geojson", actor=actor, on=date(2024, 1, 1))
    (tmp_path / "tram.csv").write_text(STATIONS)
    IMPORTERS["stations"](path=tmp_path / "tram.csv", actor=actor, user=COMMAND_LINE)
    for code, users in (("19996", "990"), ("20005", "500")):
        unit = resolve_unit(code, start=JUNE)
        for element, value in (("population", "1000"), ("internet_users", users)):
            set_value(element=DataElement.objects.get(code=element), unit=unit, period="2024", value=value,
                      actor=actor)  # fmt: skip
    for unit in (plan.area_unit, *(resolve_unit(c, start=JUNE) for c in SQUARES)):
        compute_scorecard(plan=plan, unit=unit, period=parse_period("2024"))
    publish_scorecard(plan=plan, period="2024", actor=actor)
    owner = create_user(username="vhtt", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=plan.area_unit, actor=actor)


def watched(browser):
    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    return page, errors


def fills(page) -> dict[str, str]:
    """Each commune label's text -> the fill of the shape drawn for it (same order)."""
    labels = page.locator(".map-label").all_inner_texts()
    shapes = page.locator("path.leaflet-interactive")
    return {label: shapes.nth(n).get_attribute("fill") for n, label in enumerate(labels)}


def test_the_public_page_and_the_map_page_in_a_browser(browser, live_server, transactional_db, tmp_path):
    build(tmp_path)
    page, errors = watched(browser)
    page.goto(f"{live_server.url}/cong-khai/1529-kh-ubnd/?indicator=internet_users")
    page.wait_for_selector(".map-label")
    assert fills(page) == {"Phường Tứ Hạ: 99": "#2e8b57", "Xã Hương Toàn: 50": "#c0392b"}
    assert page.locator("a.cta[href='/phan-anh/']").count() == 1

    page.goto(f"{live_server.url}/dang-nhap/?next=/ke-hoach/1529-kh-ubnd/ban-do/")
    page.fill("input[name=username]", "vhtt")
    page.fill("input[name=password]", PASSWORD)
    page.press("input[name=password]", "Enter")
    page.wait_for_url("**/ke-hoach/1529-kh-ubnd/ban-do/")
    layers = page.locator(".leaflet-control-layers")
    page.locator(".leaflet-control-layers-overlays label").nth(4).wait_for(state="attached")  # all five
    # The layer list is folded into its button (it covered the map on a phone) and opens from it.
    assert "leaflet-control-layers-expanded" not in layers.get_attribute("class")
    layers.hover()
    overlays = [t.strip() for t in page.locator(".leaflet-control-layers-overlays label").all_inner_texts()]
    assert overlays[1:] == ["Vùng phủ di động (0)", "Vị trí trạm (2)", "Trạm BTS (3)", "Phản ánh (0)"]
    assert overlays[0].startswith("Xã, phường: ") and overlays[0].endswith("(2)")
    # Choosing another indicator reloads the page with it (no data: hatched).
    page.select_option("#indicator", "household_fiber")
    page.wait_for_url("**/ke-hoach/1529-kh-ubnd/ban-do/?indicator=household_fiber")
    page.wait_for_selector(".map-label")
    assert page.locator("path.leaflet-interactive.no-data").count() == 2
    assert errors == []  # no script error, nothing blocked by the content security policy
