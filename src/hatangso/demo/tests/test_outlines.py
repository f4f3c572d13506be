"""The demo's map shapes (issue 18 item 5): Huế's real province and district outlines, credited, and
illustrative commune shapes inside the real district, labelled until real ones are imported."""

import json

import pytest
import shapely
from shapely.geometry import shape

from hatangso.core.scoping import COMMAND_LINE
from hatangso.demo.dataset import (
    OUTLINES_FILE,
    OUTLINES_SOURCE,
    PROVINCE_PLAN_FILE,
    five_g_wards,
    import_demo_boundaries,
)
from hatangso.geography.models import UnitBoundary
from hatangso.geography.services import import_boundaries
from hatangso.plans.services import load_plan

ILLUSTRATIVE = "<strong>Ranh giới xã minh họa / illustrative commune boundaries:</strong>"
# The commune shapes are stored on a 1e-6° grid (~0.1 m): "inside" allows that rounding.
GRID = 1e-6


def raw_outline(code: str):
    """A district's outline straight from the shipped data file."""
    data = json.loads(OUTLINES_FILE.read_text(encoding="utf-8"))
    return shape(next(d for d in data["level2s"] if d["level2_id"] == code))


@pytest.fixture
def demo_shapes(seed_plan, actor, tmp_path):
    province_plan = load_plan(path=PROVINCE_PLAN_FILE, actor=actor, user=COMMAND_LINE).plan
    wards = five_g_wards(province_plan)
    import_demo_boundaries(seed_plan, tmp_path, wards, actor)
    return seed_plan, wards


def communes_of(plan):
    return list(plan.area_unit.children.filter(level="commune").order_by("code"))


def test_the_demo_district_is_the_real_outline_and_its_communes_tile_it(demo_shapes):
    plan, wards = demo_shapes
    stored = UnitBoundary.objects.get(unit=plan.area_unit)
    district, real = shape(stored.geometry), raw_outline("480")
    assert plan.area_unit.code == "480"
    assert (stored.synthetic, stored.source) == (False, OUTLINES_SOURCE)
    assert abs(district.area - real.area) / real.area < 0.01
    assert district.symmetric_difference(real).area / real.area < 0.01  # the same place, not only size

    communes = communes_of(plan)
    cells = {b.unit.code: b for b in UnitBoundary.objects.filter(unit__in=communes).select_related("unit")}
    assert sorted(cells) == [c.code for c in communes] and len(cells) == 9
    inside = district.buffer(GRID)
    for code, boundary in cells.items():
        cell = shape(boundary.geometry)
        assert boundary.synthetic and not cell.is_empty, code
        assert inside.contains(cell), code
    union = shapely.union_all([shape(b.geometry) for b in cells.values()])
    assert union.area / district.area > 0.99  # the illustrative communes cover the whole district
    # The 5G wards' made-up cells stay out of it: no place lies in two communes.
    others = UnitBoundary.objects.filter(synthetic=True).exclude(unit__in=communes)
    assert sorted(b.unit.code for b in others) == sorted(w.code for w in wards)
    for boundary in others:
        overlap = shape(boundary.geometry).intersection(district).area  # rounding slivers at most
        assert overlap < 1e-6 * district.area, boundary.unit.code


def test_the_province_and_the_districts_of_2024_get_their_outlines(demo_shapes):
    outlined = dict(UnitBoundary.objects.filter(synthetic=False).values_list("unit__code", "unit__level"))
    assert outlined == {
        "46": "province",
        **{code: "district" for code in ("476", "477", "478", "479", "480", "481", "482")},
    }
    # Phú Lộc took in Nam Đông on 01/01/2025: its outline is both of the data's.
    phu_loc = shape(UnitBoundary.objects.get(unit__code="482", synthetic=False).geometry)
    assert abs(phu_loc.area - (raw_outline("482").area + raw_outline("483").area)) / phu_loc.area < 0.01


def test_the_map_credits_the_outlines_and_labels_the_communes_until_real_ones_are_imported(
    demo_shapes, actor, client, django_user_model, tmp_path
):
    plan, _ = demo_shapes
    client.force_login(
        django_user_model.objects.create_superuser("quantri", "q@example.invalid", "pw 2024 ok")
    )
    page = client.get(f"/ke-hoach/{plan.slug}/ban-do/").content.decode()
    assert f"Ranh giới tỉnh, huyện: {OUTLINES_SOURCE}" in page
    assert ILLUSTRATIVE in page

    layer = client.get(f"/ke-hoach/{plan.slug}/ban-do/xa-phuong.geojson").json()
    assert sorted(f["properties"]["code"] for f in layer["features"]) == [c.code for c in communes_of(plan)]
    outlines = {f["properties"]["code"]: f["properties"] for f in layer["outlines"]["features"]}
    assert sorted(outlines) == ["46", "476", "477", "478", "479", "480", "481", "482"]
    assert {p["source"] for p in outlines.values()} == {OUTLINES_SOURCE}

    # A user imports the communes' real shapes: the label goes, the outlines' credit stays.
    real = tmp_path / "ranh-gioi-xa.geojson"
    features = [
        {"type": "Feature", "properties": {"ma": b.unit.code}, "geometry": b.geometry}
        for b in UnitBoundary.objects.filter(unit__in=communes_of(plan)).select_related("unit")
    ]
    real.write_text(json.dumps({"type": "FeatureCollection", "features": features}), encoding="utf-8")
    assert import_boundaries(path=real, actor=actor, on=plan.issued_on, source="Sở TN&MT") == 9
    page = client.get(f"/ke-hoach/{plan.slug}/ban-do/").content.decode()
    assert ILLUSTRATIVE not in page and f"Ranh giới tỉnh, huyện: {OUTLINES_SOURCE}" in page


def test_a_map_without_imported_shapes_neither_credits_nor_labels_them(seed_plan, client, django_user_model):
    client.force_login(
        django_user_model.objects.create_superuser("quantri", "q@example.invalid", "pw 2024 ok")
    )
    page = client.get(f"/ke-hoach/{seed_plan.slug}/ban-do/").content.decode()
    assert "Ranh giới tỉnh, huyện:" not in page and ILLUSTRATIVE not in page
    layer = client.get(f"/ke-hoach/{seed_plan.slug}/ban-do/xa-phuong.geojson").json()
    assert layer["features"] == [] and layer["outlines"]["features"] == []


def test_a_province_plan_colours_its_districts_and_a_district_plan_its_communes(demo_shapes):
    from hatangso.plans.models import Plan
    from hatangso.web.layers import commune_layer

    seed_plan, _ = demo_shapes
    province_plan = Plan.objects.get(code="159/KH-UBND")
    districts = {code: {"value": 80.0, "status": "achieved"} for code in ("476", "480", "482")}
    drawn = commune_layer(province_plan, "2024", districts)
    assert sorted(f["properties"]["code"] for f in drawn["features"]) == ["476", "480", "482"]
    assert {f["properties"]["status"] for f in drawn["features"]} == {"achieved"}
    # The district plan colours its communes (with no value: "no data"), never its own outline.
    drawn = commune_layer(seed_plan, "2024", {})
    codes = sorted(f["properties"]["code"] for f in drawn["features"])
    assert codes == [c.code for c in communes_of(seed_plan)] and "480" not in codes
