"""The work-plan and incident pages, from the public form to triage."""

import io
from datetime import date
from pathlib import Path

import pytest
from PIL import Image

from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.plans.models import Agency
from hatangso.registry.models import Operator
from hatangso.workplan.models import Evidence, Incident, IncidentPhoto, Task

PASSWORD = "a long passphrase 2024"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def photo_with_gps() -> io.BytesIO:
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (16.0, 30.0, 0.0)}
    buffer = io.BytesIO()
    Image.new("RGB", (20, 20), "blue").save(buffer, format="JPEG", exif=exif)
    buffer.seek(0)
    buffer.name = "cot-nghieng.jpg"
    return buffer


def report(client, **changes):
    data = {
        "category": "unsafe",
        "description": "Cột viễn thông nghiêng sát nhà dân",
        "address": "Tổ 3, phường Tứ Hạ",
    }
    return client.post("/phan-anh/", data | changes)


def test_a_citizen_reports_and_follows_only_their_report(seed_plan, client):
    response = client.post(
        "/phan-anh/",
        {
            "category": "unsafe",
            "description": "Cáp chùng thấp qua đường Lý Bôn",
            "address": "Đường Lý Bôn",
            "photos": [photo_with_gps()],
        },
    )
    assert response.status_code == 200
    first = Incident.objects.get()
    page = response.content.decode()
    assert f"/phan-anh/theo-doi/{first.token}/" in page
    stored = IncidentPhoto.objects.get()
    assert b"Exif" not in Path(stored.stored_path).read_bytes()[:300]  # location stripped
    report(client, description="Nắp cống bể cáp bị vỡ trước chợ")
    second = Incident.objects.exclude(pk=first.pk).get()
    own = client.get(f"/phan-anh/theo-doi/{first.token}/").content.decode()
    assert "Cáp chùng thấp" in own and "Nắp cống bể" not in own
    assert client.get(f"/phan-anh/theo-doi/{second.token[:-2]}xx/").status_code == 404
    assert client.get("/phan-anh/xu-ly/").status_code == 302  # triage needs a login


def test_bots_and_floods_store_nothing(seed_plan, client):
    assert report(client, website="http://spam.example").status_code == 200
    assert not Incident.objects.exists()
    for _ in range(5):
        report(client)
    response = report(client)
    assert response.status_code == 400
    assert "Bạn đã gửi nhiều phản ánh trong một giờ" in response.content.decode()
    assert Incident.objects.count() == 5


def test_a_bad_photo_is_refused_and_nothing_stored(seed_plan, client):
    fake = io.BytesIO(b"<svg onload=alert(1)>")
    fake.name = "anh.jpg"
    response = client.post(
        "/phan-anh/",
        {"category": "damaged", "description": "Hộp cáp bị vỡ nắp", "address": "Thôn 1", "photos": [fake]},
    )
    assert response.status_code == 400
    assert "Tệp anh.jpg không thuộc loại được nhận (jpeg, png)" in response.content.decode()
    assert not Incident.objects.exists() and not IncidentPhoto.objects.exists()


def test_qldt_assigns_and_the_operator_sees_it(seed_plan, client, actor):
    report(client)
    incident = Incident.objects.get()
    qldt = create_user(username="qldt", password=PASSWORD, actor=actor)
    grant_membership(
        user=qldt,
        role="agency",
        agency=Agency.objects.get(code="phong_qldt"),
        unit=seed_plan.area_unit,
        actor=actor,
    )
    client.force_login(qldt)
    assert "Cột viễn thông nghiêng" in client.get("/phan-anh/xu-ly/").content.decode()
    client.post(
        "/phan-anh/xu-ly/",
        {
            "incident": incident.pk,
            "status": "assigned",
            "operator": "viettel",
            "comment": "Chuyển Viettel xử lý",
        },
    )
    incident.refresh_from_db()
    assert (incident.status, incident.assigned_operator.code) == ("assigned", "viettel")
    viettel = create_user(username="viettel", password=PASSWORD, actor=actor)
    grant_membership(
        user=viettel, role="enterprise", operator=Operator.objects.get(code="viettel"), actor=actor
    )
    vnpt = create_user(username="vnpt", password=PASSWORD, actor=actor)
    grant_membership(user=vnpt, role="enterprise", operator=Operator.objects.get(code="vnpt"), actor=actor)
    client.force_login(viettel)
    assert "Cột viễn thông nghiêng" in client.get("/phan-anh/xu-ly/").content.decode()
    client.force_login(vnpt)
    assert "Cột viễn thông nghiêng" not in client.get("/phan-anh/xu-ly/").content.decode()
    assert client.post("/phan-anh/xu-ly/", {"incident": incident.pk, "status": "resolved"}).status_code == 404
    public = client.get(f"/phan-anh/theo-doi/{incident.token}/").content.decode()
    assert "Đã chuyển xử lý: Chuyển Viettel xử lý" in public


@pytest.mark.parametrize(
    ("typed", "assigned", "message"),
    [
        ("Hương Trà", "19996", ""),  # Phường Tứ Hạ's code since 1 July 2025
        ("phường hương trà", "19996", ""),
        ("Phường Hương Trà (19996)", "19996", ""),  # as the picker offers it
        ("19996", "19996", ""),
        ("Tứ Hà", None, "Không có xã, phường nào tên «Tứ Hà»; chọn trong danh sách hoặc ghi mã"),
    ],
)
def test_the_triage_finds_the_commune_by_its_name(seed_plan, client, actor, typed, assigned, message):
    """Triage staff assign a report to a commune by typing its name as it is today (the page offers
    "Phường Hương Trà (19996)" as they type), not its GSO code; a name that matches nothing is one
    sentence and changes nothing."""
    report(client)
    incident = Incident.objects.get()
    owner = create_user(username="vhtt", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=seed_plan.area_unit, actor=actor)
    client.force_login(owner)
    assert '<option value="Phường Hương Trà (19996)">' in client.get("/phan-anh/xu-ly/").content.decode()
    response = client.post("/phan-anh/xu-ly/", {"incident": incident.pk, "status": "assigned", "unit": typed},
                           follow=True)  # fmt: skip
    incident.refresh_from_db()
    assert (incident.assigned_unit.code if incident.assigned_unit_id else None) == assigned
    if message:
        assert message in response.content.decode() and incident.status == "new"


def test_an_agency_reports_progress_with_evidence(seed_plan, client, actor):
    qldt = create_user(username="qldt", password=PASSWORD, actor=actor)
    grant_membership(
        user=qldt,
        role="agency",
        agency=Agency.objects.get(code="phong_qldt"),
        unit=seed_plan.area_unit,
        actor=actor,
    )
    client.force_login(qldt)
    board = client.get("/ke-hoach/1529-kh-ubnd/nhiem-vu/?agency=phong_qldt").content.decode()
    assert "VI.3.c" in board and "VI.2" not in board
    own = Task.objects.get(item__number="VI.3.c")
    evidence = io.BytesIO(PDF)
    evidence.name = "danh-sach-tuyen-duong.pdf"
    response = client.post(
        f"/ke-hoach/1529-kh-ubnd/nhiem-vu/{own.pk}/",
        {"text": "Đã lập danh sách", "done_on": "2024-09-01", "progress": "50", "files": [evidence]},
    )
    assert response.status_code == 302
    stored = Evidence.objects.get()
    download = client.get(f"/minh-chung/{stored.pk}/")
    assert (
        download["Content-Disposition"].startswith("attachment")
        and download["Content-Type"] == "application/pdf"
    )
    assert download["X-Content-Type-Options"] == "nosniff"
    other = Task.objects.get(item__number="VI.2")
    assert (
        client.post(
            f"/ke-hoach/1529-kh-ubnd/nhiem-vu/{other.pk}/", {"text": "x", "done_on": "2024-09-01"}
        ).status_code
        == 404
    )
    page = client.get(f"/ke-hoach/1529-kh-ubnd/nhiem-vu/{other.pk}/").content.decode()
    assert "Gửi cập nhật" not in page
    commune = create_user(username="tuha", password=PASSWORD, actor=actor)
    from hatangso.geography.selectors import resolve_unit

    grant_membership(
        user=commune, role="commune", unit=resolve_unit("19996", start=date(2024, 6, 1)), actor=actor
    )
    client.force_login(commune)
    assert client.get(f"/minh-chung/{stored.pk}/").status_code == 404


def test_tasks_and_updates_over_the_api(seed_plan, client, actor):
    from hatangso.core.services import create_api_token

    qldt = create_user(username="qldt", password=PASSWORD, actor=actor)
    grant_membership(
        user=qldt,
        role="agency",
        agency=Agency.objects.get(code="phong_qldt"),
        unit=seed_plan.area_unit,
        actor=actor,
    )
    _, token = create_api_token(user=qldt, name="t", actor=actor)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    tasks = client.get("/api/v1/plans/1529-kh-ubnd/tasks?agency=phong_qldt", **auth).json()
    # Its own responsibilities (VI.3) and the measures of IV it leads through them.
    numbers = ["IV.2.a", "IV.2.b", "IV.2.d", "VI.3.a", "VI.3.b", "VI.3.c", "VI.3.d"]
    assert [t["number"] for t in tasks] == numbers
    waiting = client.get("/api/v1/plans/1529-kh-ubnd/tasks?state=waiting", **auth).json()
    assert {t["number"] for t in waiting} == {"III.1.e", "III.4.a"}
    own = tasks[numbers.index("VI.3.c")]["id"]
    evidence = io.BytesIO(PDF)
    evidence.name = "ds.pdf"
    response = client.post(
        f"/api/v1/tasks/{own}/updates",
        {"text": "Đã lập danh sách", "done_on": "2024-09-01", "files": [evidence]},
        **auth,
    )
    assert response.status_code == 200, response.content
    assert response.json()["evidence"] == ["ds.pdf"]
    other = Task.objects.get(item__number="VI.2").pk
    assert (
        client.post(
            f"/api/v1/tasks/{other}/updates", {"text": "x", "done_on": "2024-09-01"}, **auth
        ).status_code
        == 404
    )
    update = response.json()["id"]
    decide = client.post(
        f"/api/v1/updates/{update}/accept", data="{}", content_type="application/json", **auth
    )
    assert decide.status_code == 404, decide.content  # only the plan owner decides


def test_the_owner_records_that_the_province_has_deployed(seed_plan, client, actor):
    owner = create_user(username="vhtt", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=seed_plan.area_unit, actor=actor)
    client.force_login(owner)
    shared = Task.objects.get(item__number="III.1.e")
    assert shared.state(date(2024, 12, 15)) == "waiting"
    client.post(
        f"/ke-hoach/1529-kh-ubnd/nhiem-vu/{shared.pk}/",
        {"condition": "met", "note": "Công văn 123/STTTT ngày 01/10/2024"},
    )
    shared = Task.objects.get(pk=shared.pk)
    assert shared.item.condition.met and shared.state(date(2024, 12, 15)) == "overdue"
    # Loading the plan file again keeps what the owner recorded.
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan

    load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE)
    assert Task.objects.get(pk=shared.pk).item.condition.met is True
