"""Pages in a real browser: Playwright driving Debian's chromium (DESIGN.md §8)."""

import json

from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.services import import_boundaries
from hatangso.web.tests.browsing import needs_chromium
from hatangso.workplan.models import Incident

# The `browser` fixture (browsing.py) closes the database connection of the test's own ORM calls.
pytestmark = needs_chromium


def test_a_click_on_the_map_places_the_incident(browser, live_server, transactional_db, tmp_path):
    from hatangso.core.changelog import Actor
    from hatangso.geography.services import load_reference_units
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan
    from hatangso.registry.operators import load_reference_operators

    actor = Actor.command("test")
    load_reference_units(actor=actor)
    load_reference_operators(actor=actor)
    plan = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    square = [[107.35, 16.39], [107.45, 16.39], [107.45, 16.49], [107.35, 16.49], [107.35, 16.39]]
    feature = {"type": "Feature", "properties": {"ma": "19996"},
               "geometry": {"type": "Polygon", "coordinates": [square]}}  # fmt: skip
    shapes = {"type": "FeatureCollection", "features": [feature]}
    path = tmp_path / "ranh-gioi.geojson"
    path.write_text(json.dumps(shapes))
    import_boundaries(path=path, actor=actor, on=plan.issued_on, synthetic=True)

    page = browser.new_page()
    errors = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.on("console", lambda message: message.type == "error" and errors.append(message.text))
    page.goto(f"{live_server.url}/phan-anh/")
    page.wait_for_selector(".map-label")  # the shapes came from the app, labelled
    assert "Phường Tứ Hạ *" in page.inner_text("#location-map")
    box = page.locator("#location-map").bounding_box()
    page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
    lat, lon = float(page.input_value("#id_lat")), float(page.input_value("#id_lon"))
    assert 16.39 < lat < 16.49 and 107.35 < lon < 107.45

    page.select_option("#id_category", "unsafe")
    page.fill("#id_description", "Cột viễn thông nghiêng sát nhà dân")
    page.get_by_role("button", name="Gửi phản ánh").click()
    page.wait_for_selector("text=/phan-anh/theo-doi/")
    incident = Incident.objects.get()
    assert (round(incident.lat, 6), round(incident.lon, 6)) == (lat, lon)
    assert errors == []  # no script error, nothing blocked by the content security policy
