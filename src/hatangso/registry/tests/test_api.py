"""The registry API: scoped reads, and the plan owner's review of detected sites."""

import json

import pytest

from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.registry.imports import import_stations
from hatangso.registry.models import Operator, Site, Station


@pytest.fixture
def stations(seed_plan, actor, tmp_path):
    path = tmp_path / "tram.csv"
    path.write_text(
        "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong\n"
        "V1,viettel,4G,16.53,107.47,19996,01/03/2019\n"
        "N1,vnpt,4G,16.53005,107.47005,19996,01/06/2021\n"
        "M1,mobifone,4G,16.53,107.4701,19996,01/06/2021\n"
        "N2,vnpt,4G,16.60,107.50,20005,01/06/2021\n",
        encoding="utf-8",
    )
    import_stations(path=path, actor=actor, user=COMMAND_LINE)
    return Site.objects.get(stations__code="V1")


@pytest.fixture
def call(client, actor, seed_plan):
    def as_user(username, role, operator=None):
        user = create_user(username=username, password="a long passphrase 2024", actor=actor)
        grant_membership(
            user=user,
            role=role,
            actor=actor,
            unit=seed_plan.area_unit if role != "enterprise" else None,
            operator=Operator.objects.get(code=operator) if operator else None,
        )
        _, token = create_api_token(user=user, name="t", actor=actor)

        def request(method, path, body=None):
            response = getattr(client, method)(
                f"/api/v1/registry/{path}",
                data=json.dumps(body) if body is not None else None,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            return response.status_code, response.json()

        return request

    return as_user


def test_an_operator_sees_only_its_own_stations(stations, call):
    viettel = call("viettel", "enterprise", "viettel")
    status, page = viettel("get", "stations")
    assert status == 200 and [s["code"] for s in page["items"]] == ["V1"]
    status, site = viettel("get", f"sites/{stations.code}")
    assert status == 200
    assert site["operator_count"] == 3 and site["shared"] is True
    assert [s["code"] for s in site["stations"]] == ["V1"]  # never the competitors' stations
    status, page = viettel("get", "sites")
    assert [s["code"] for s in page["items"]] == [stations.code]  # not the site VNPT stands on alone
    other = Site.objects.get(stations__code="N2")
    assert viettel("get", f"sites/{other.code}")[0] == 404


def test_the_plan_owner_reviews_sites(stations, call):
    owner = call("vhtt", "plan_owner")
    status, page = owner("get", "sites?shared=true")
    assert status == 200 and [s["code"] for s in page["items"]] == [stations.code]
    status, site = owner("post", f"sites/{stations.code}/confirm")
    assert status == 200 and site["confirmed"] is True
    mobifone = Station.objects.get(code="M1")
    status, new_site = owner(
        "post", f"sites/{stations.code}/split", {"stations": [mobifone.pk], "reason": "khác cột"}
    )
    assert status == 200 and [s["code"] for s in new_site["stations"]] == ["M1"]
    assert ChangeLogEntry.objects.filter(object_type="registry.site", reason="khác cột").exists()
    status, error = owner("post", f"sites/{stations.code}/split", {"stations": [999999]})
    assert status == 400 and error["detail_en"] == "Some stations are not on this site"


def test_only_the_plan_owner_decides(stations, call, table_counts):
    callers = (call("viettel", "enterprise", "viettel"), call("lanhdao", "leader"))
    before = table_counts()
    for caller in callers:
        status, _ = caller("post", f"sites/{stations.code}/confirm")
        assert status == 404
    assert table_counts() == before
    assert not Site.objects.filter(confirmed=True).exists()


def test_the_public_gets_nothing(stations, client):
    assert client.get("/api/v1/registry/stations").status_code == 401
    assert client.get(f"/api/v1/registry/sites/{stations.code}").status_code == 401


def test_the_site_review_page(stations, client, actor, seed_plan):
    owner = create_user(username="vhtt", password="a long passphrase 2024", actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=seed_plan.area_unit, actor=actor)
    client.force_login(owner)
    page = client.get("/ha-tang/vi-tri/").content.decode()
    assert stations.code in page and "3 doanh nghiệp" in page and "M1" in page
    response = client.post("/ha-tang/vi-tri/", {"site": stations.code, "action": "confirm"})
    assert response.status_code == 302 and Site.objects.get(pk=stations.pk).confirmed
    mobifone = Station.objects.get(code="M1")
    client.post(
        "/ha-tang/vi-tri/",
        {"site": stations.code, "action": "split", "station": [mobifone.pk], "reason": "khác cột"},
    )
    page = client.get("/ha-tang/vi-tri/?show=all").content.decode()
    assert "Đã tách 1 trạm sang vị trí mới" in page
    assert Station.objects.get(code="M1").site != stations


def test_the_site_review_page_is_for_the_plan_owner_only(stations, client, actor):
    user = create_user(username="viettel", password="a long passphrase 2024", actor=actor)
    grant_membership(user=user, role="enterprise", operator=Operator.objects.get(code="viettel"), actor=actor)
    client.force_login(user)
    assert client.get("/ha-tang/vi-tri/").status_code == 404
    assert client.post("/ha-tang/vi-tri/", {"site": stations.code, "action": "confirm"}).status_code == 404
    assert not Site.objects.filter(confirmed=True).exists()


def test_an_operator_sends_its_station_list(seed_plan, client, actor, table_counts):
    user = create_user(username="viettel", password="a long passphrase 2024", actor=actor)
    grant_membership(user=user, role="enterprise", operator=Operator.objects.get(code="viettel"), actor=actor)
    _, token = create_api_token(user=user, name="t", actor=actor)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    from django.core.files.uploadedfile import SimpleUploadedFile

    def send(text):
        upload = SimpleUploadedFile("tram-viettel.csv", text.encode(), content_type="text/csv")
        response = client.post("/api/v1/registry/imports/stations", {"file": upload}, **auth)
        return response.status_code, response.json()

    header = "ma_tram,doanh_nghiep,cong_nghe,vi_do,kinh_do,ma_don_vi,ngay_hoat_dong\n"
    before = table_counts()
    status, body = send(
        header + "V1,viettel,4G,16.53,107.47,19996,01/03/2019\nN1,vnpt,4G,16.53,107.47,19996,\n"
    )
    assert status == 400 and body["detail_en"] == "File tram-viettel.csv has 1 error(s); nothing was written"
    assert body["errors"] == [
        {
            "row": 3,
            "column": "doanh_nghiep",
            "value": "vnpt",
            "reason_vi": "VNPT ngoài phạm vi của bạn",
            "reason_en": "VNPT is outside your scope",
        }
    ]
    assert table_counts() == before
    status, body = send(header + "V1,viettel,4G,16.53,107.47,19996,01/03/2019\n")
    assert status == 200 and (body["kind"], body["created"]) == ("stations", 1)
    assert Station.objects.get().import_batch_id == body["batch"]
    upload = SimpleUploadedFile("tram.exe", b"MZ")
    response = client.post("/api/v1/registry/imports/stations", {"file": upload}, **auth)
    assert response.status_code == 400
    assert response.json()["detail_en"].startswith("Only .csv, .geojson, .json, .xlsx files up to 20 MB")
    assert client.post("/api/v1/registry/imports/opencellid", {"file": upload}, **auth).status_code == 404
