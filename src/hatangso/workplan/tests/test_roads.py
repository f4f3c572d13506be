"""The roads list (VI.3.c) on the web, the map that places an incident, and who sees which
incident reports."""

import json
from datetime import date

import pytest
from django.contrib.staticfiles import finders

from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.geography.services import import_boundaries
from hatangso.plans.models import Agency
from hatangso.utilities.errors import UserError
from hatangso.workplan.models import Incident, Road, Task
from hatangso.workplan.services import report_incident, save_road, sync_tasks

PASSWORD = "a long passphrase 2024"
JUNE_2024 = date(2024, 6, 1)


@pytest.fixture
def people(seed_plan, actor):
    """One account per kind of user that matters here."""
    sync_tasks(plan=seed_plan, actor=actor)
    area = seed_plan.area_unit

    def account(name, role=None, **membership):
        user = create_user(username=name, password=PASSWORD, actor=actor)
        if role:
            grant_membership(user=user, role=role, actor=actor, **membership)
        return user

    return {
        "owner": account("owner", "plan_owner", unit=area),
        "qldt": account("qldt", "agency", unit=area, agency=Agency.objects.get(code="phong_qldt")),
        "finance": account("finance", "agency", unit=area, agency=Agency.objects.get(code="phong_tckh")),
        "commune": account("commune", "commune", unit=resolve_unit("19996", start=JUNE_2024)),
        "elsewhere": account("elsewhere", "plan_owner", unit=resolve_unit("476", start=JUNE_2024)),
    }


def road_form(**changes):
    data = {"name": "Đường Lý Bôn", "section": "từ cầu Tứ Hạ đến chợ", "unit": "19996", "work": "build",
            "status": "planned", "note": ""}  # fmt: skip
    return data | changes


def test_the_plan_owner_adds_and_changes_a_road(people, client, seed_plan):
    client.force_login(people["owner"])
    task = Task.objects.get(item__plan=seed_plan, item__number="VI.3.c")
    response = client.post("/ke-hoach/1529-kh-ubnd/tuyen-duong/moi/", road_form(tasks=[task.pk]))
    assert response.status_code == 302
    road = Road.objects.get()
    assert (road.name, road.unit.code, road.work) == ("Đường Lý Bôn", "19996", "build")
    assert road.status == "planned"
    assert list(road.tasks.all()) == [task]
    page = client.get("/ke-hoach/1529-kh-ubnd/tuyen-duong/").content.decode()
    assert "Đường Lý Bôn" in page and "VI.3.c" in page

    client.post(
        f"/ke-hoach/1529-kh-ubnd/tuyen-duong/{road.pk}/",
        road_form(status="in_progress", note="Đang thi công"),
    )
    road.refresh_from_db()
    assert (road.status, road.note, road.tasks.count()) == ("in_progress", "Đang thi công", 0)
    changes = ChangeLogEntry.objects.filter(object_type="workplan.road", object_id=str(road.pk))
    assert [c.action for c in changes.order_by("pk")] == ["create", "update"]
    assert changes.order_by("pk").last().before["status"] == "planned"


def test_the_roads_list_filters(people, client, seed_plan, actor):
    for name, status, code in (("Đường A", "planned", "19996"), ("Đường B", "done", "20005")):
        save_road(plan=seed_plan, road=None, name=name, work="repair", status=status,
                  unit=resolve_unit(code, start=JUNE_2024), user=COMMAND_LINE, actor=actor)  # fmt: skip
    client.force_login(people["commune"])
    assert "Đường A" in client.get("/ke-hoach/1529-kh-ubnd/tuyen-duong/?status=planned").content.decode()
    assert "Đường B" not in client.get("/ke-hoach/1529-kh-ubnd/tuyen-duong/?status=planned").content.decode()
    only_b = client.get("/ke-hoach/1529-kh-ubnd/tuyen-duong/?unit=20005").content.decode()
    assert "Đường B" in only_b and "Đường A" not in only_b


def test_phong_qldt_keeps_the_list_too(people, client):
    client.force_login(people["qldt"])
    assert client.post("/ke-hoach/1529-kh-ubnd/tuyen-duong/moi/", road_form()).status_code == 302
    assert Road.objects.count() == 1


@pytest.mark.parametrize("who", ["commune", "finance", "elsewhere"])
def test_others_read_the_list_but_cannot_change_it(who, people, client, seed_plan, actor, table_counts):
    road = save_road(
        plan=seed_plan, road=None, name="Đường Lý Bôn", work="build", user=COMMAND_LINE, actor=actor
    )
    client.force_login(people[who])
    listing = client.get("/ke-hoach/1529-kh-ubnd/tuyen-duong/")
    if who == "elsewhere":
        # Another district's owner opens only the plans covering its area or within it: not Hương
        # Trà's (the plan's pages answer 404, as for any plan it may not open).
        assert listing.status_code == 404
    assert f"/ke-hoach/1529-kh-ubnd/tuyen-duong/{road.pk}/" not in listing.content.decode()
    before = table_counts()
    assert client.get("/ke-hoach/1529-kh-ubnd/tuyen-duong/moi/").status_code == 404
    assert (
        client.post("/ke-hoach/1529-kh-ubnd/tuyen-duong/moi/", road_form(name="Đường khác")).status_code
        == 404
    )
    assert (
        client.post(f"/ke-hoach/1529-kh-ubnd/tuyen-duong/{road.pk}/", road_form(status="done")).status_code
        == 404
    )
    assert table_counts() == before
    road.refresh_from_db()
    assert road.status == "planned"


def test_the_public_is_sent_to_the_login(people, client):
    assert client.get("/ke-hoach/1529-kh-ubnd/tuyen-duong/").status_code == 302
    assert client.post("/ke-hoach/1529-kh-ubnd/tuyen-duong/moi/", road_form()).status_code == 302
    assert not Road.objects.exists()


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"name": "   "}, "Trường này là bắt buộc."),
        ({"work": "paint"}, "Hãy chọn một lựa chọn hợp lệ. paint không phải"),
        ({"unit": "99999"}, "Hãy chọn một lựa chọn hợp lệ. 99999 không phải"),
    ],
)
def test_a_bad_road_form_writes_nothing(changes, message, people, client, table_counts):
    client.force_login(people["owner"])
    before = table_counts()
    response = client.post("/ke-hoach/1529-kh-ubnd/tuyen-duong/moi/", road_form(**changes))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert table_counts() == before


def test_a_road_listed_twice_is_refused(people, client, seed_plan, actor, table_counts):
    save_road(plan=seed_plan, road=None, name="Đường Lý Bôn", section="từ cầu Tứ Hạ đến chợ",
              work="build", user=COMMAND_LINE, actor=actor)  # fmt: skip
    client.force_login(people["owner"])
    before = table_counts()
    response = client.post("/ke-hoach/1529-kh-ubnd/tuyen-duong/moi/", road_form(name="  Đường   Lý Bôn "))
    assert response.status_code == 400
    assert "Tuyến «Đường Lý Bôn từ cầu Tứ Hạ đến chợ» đã có trong danh mục" in response.content.decode()
    assert table_counts() == before


def test_the_service_refuses_a_unit_outside_the_area(people, seed_plan, actor, table_counts):
    before = table_counts()
    outside = resolve_unit("476", start=JUNE_2024)
    with pytest.raises(UserError) as refused:
        save_road(plan=seed_plan, road=None, name="Quốc lộ 1A", work="build", unit=outside,
                  user=people["owner"], actor=actor)  # fmt: skip
    assert refused.value.vi == f"{outside.name} không thuộc địa bàn kế hoạch"
    with pytest.raises(UserError) as refused:
        save_road(plan=seed_plan, road=None, name="Quốc lộ 1A", work="build", user=people["finance"],
                  actor=actor)  # fmt: skip
    assert refused.value.vi == "Không có tuyến đường này"
    assert table_counts() == before


def test_an_incident_reaches_only_the_triage_of_its_area(people, client, actor):
    """Located in the post-2025 phường Hương Trà, the successor of Tứ Hạ: Hương Trà's QLĐT sees
    it; the owner of another district does not, and cannot act on it."""
    incident = report_incident(category="damaged", description="Nắp cống bể cáp bị vỡ", address="Chợ Tứ Hạ",
                               actor=actor)  # fmt: skip
    incident.unit = resolve_unit("19996", start=date(2025, 7, 1))
    incident.save()
    unlocated = report_incident(category="other", description="Cáp treo thấp, chưa rõ nơi", address="?",
                                actor=actor)  # fmt: skip
    client.force_login(people["qldt"])
    page = client.get("/phan-anh/xu-ly/").content.decode()
    assert "Nắp cống bể cáp bị vỡ" in page and "Cáp treo thấp" in page
    client.force_login(people["elsewhere"])
    page = client.get("/phan-anh/xu-ly/").content.decode()
    assert "Nắp cống bể cáp bị vỡ" not in page and "Cáp treo thấp" in page
    client.post("/phan-anh/xu-ly/", {"incident": incident.pk, "status": "rejected", "comment": "không"})
    incident.refresh_from_db()
    assert incident.status == Incident.Status.NEW
    assert unlocated.status == Incident.Status.NEW


def test_the_incident_form_places_the_report_on_a_map(seed_plan, client, actor, tmp_path):
    shapes = {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "properties": {"ma": code},
             "geometry": {"type": "Polygon", "coordinates": [[[x, 16.4], [x + 0.05, 16.4], [x + 0.05, 16.45],
                                                              [x, 16.45], [x, 16.4]]]}}
            for code, x in (("19996", 107.5), ("20005", 107.55))
        ],
    }  # fmt: skip
    path = tmp_path / "ranh-gioi.geojson"
    path.write_text(json.dumps(shapes))
    import_boundaries(path=path, actor=actor, on=seed_plan.issued_on, synthetic=True)

    page = client.get("/phan-anh/").content.decode()
    assert 'id="location-map"' in page and 'data-boundaries="/ban-do/ranh-gioi.geojson"' in page
    assert 'data-lat="id_lat"' in page and "leaflet/leaflet.js" in page and "web/location-picker.js" in page
    assert finders.find("leaflet/leaflet.js") and finders.find("web/location-picker.js")

    collection = client.get("/ban-do/ranh-gioi.geojson").json()
    assert [f["properties"]["code"] for f in collection["features"]] == ["19996", "20005"]
    assert all(f["properties"]["synthetic"] for f in collection["features"])
    assert client.get("/ban-do/ranh-gioi.geojson?on=2026-01-01").json()["features"] == []
    assert client.get("/ban-do/ranh-gioi.geojson?on=01/01/2024").status_code == 404

    response = client.post("/phan-anh/", {"category": "unsafe", "description": "Cột nghiêng sát nhà dân",
                                          "lat": "16.42", "lon": "107.52"})  # fmt: skip
    assert response.status_code == 200
    assert (Incident.objects.get().lat, Incident.objects.get().lon) == (16.42, 107.52)


def test_triage_links_a_report_to_a_listed_road(people, client, seed_plan, actor):
    road = save_road(
        plan=seed_plan, road=None, name="Đường Lý Bôn", work="repair", user=COMMAND_LINE, actor=actor
    )
    incident = report_incident(category="unsafe", description="Cáp chùng thấp qua đường Lý Bôn",
                               address="Đường Lý Bôn", actor=actor)  # fmt: skip
    client.force_login(people["qldt"])
    assert "Đường Lý Bôn" in client.get("/phan-anh/xu-ly/").content.decode()
    client.post("/phan-anh/xu-ly/", {"incident": incident.pk, "status": "assigned", "operator": "viettel",
                                     "road": road.pk, "comment": "Viettel xử lý"})  # fmt: skip
    incident.refresh_from_db()
    assert incident.road == road
    assert f"#{incident.pk}" in client.get(f"/ke-hoach/1529-kh-ubnd/tuyen-duong/{road.pk}/").content.decode()
