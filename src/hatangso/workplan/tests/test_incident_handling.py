"""Operators (and communes) handle the incident reports assigned to them on /phan-anh/xu-ly/: being
handled, handled with a note, with photos, audited; nobody else's (issue 23 item 3)."""

import io
from datetime import date

import pytest
from PIL import Image

from hatangso.core.changelog import Actor
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator
from hatangso.workplan import services
from hatangso.workplan.models import Incident, IncidentEvent, IncidentPhoto

URL = "/phan-anh/xu-ly/"


@pytest.fixture
def incidents(reference_units, actor):
    """One report assigned to Viettel, one to VNPT, one to Phường Tứ Hạ, one not assigned."""
    made = {}
    for name in ("viettel", "vnpt", "tuha", "new"):
        made[name] = services.report_incident(
            category="unsafe", description=f"Cáp treo thấp ({name})", address="Thôn 1", actor=actor
        )
    Incident.objects.filter(pk=made["viettel"].pk).update(
        status="assigned", assigned_operator=Operator.objects.get(code="viettel")
    )
    Incident.objects.filter(pk=made["vnpt"].pk).update(
        status="assigned", assigned_operator=Operator.objects.get(code="vnpt")
    )
    Incident.objects.filter(pk=made["tuha"].pk).update(
        status="assigned", assigned_unit=resolve_unit("19996", start=date(2024, 6, 1))
    )
    return {name: Incident.objects.get(pk=i.pk) for name, i in made.items()}


def account(actor, name, **membership):
    user = create_user(username=name, password="a long passphrase 2024", actor=actor)
    grant_membership(user=user, actor=actor, **membership)
    return user


@pytest.fixture
def viettel(actor):
    return account(actor, "viettel", role="enterprise", operator=Operator.objects.get(code="viettel"))


def photo(name="anh.jpg") -> io.BytesIO:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "green").save(buffer, format="JPEG")
    buffer.seek(0)
    buffer.name = name
    return buffer


def test_the_operator_sees_only_its_reports_with_a_form(incidents, viettel, client):
    client.force_login(viettel)
    page = client.get(URL).content.decode()
    assert "Cáp treo thấp (viettel)" in page
    assert "(vnpt)" not in page and "(tuha)" not in page and "(new)" not in page
    assert f'name="incident" value="{incidents["viettel"].pk}"' in page
    assert 'enctype="multipart/form-data"' in page and "Đã xử lý xong" in page
    assert 'href="/phan-anh/xu-ly/"' in page and "Phản ánh cần xử lý" in page  # in its menu


def test_the_operator_reports_progress_then_resolution_with_a_photo(incidents, viettel, client):
    client.force_login(viettel)
    incident = incidents["viettel"]
    response = client.post(URL, {"incident": incident.pk, "status": "in_progress", "note": ""})
    assert response.status_code == 302
    incident.refresh_from_db()
    assert incident.status == "in_progress"
    posted = {"incident": incident.pk, "status": "resolved", "note": "Đã căng lại cáp", "photos": [photo()]}
    client.post(URL, posted)
    incident.refresh_from_db()
    assert incident.status == "resolved" and incident.resolved_at is not None
    assert IncidentPhoto.objects.filter(incident=incident).count() == 1
    steps = list(IncidentEvent.objects.filter(incident=incident).values_list("status", "comment"))
    assert steps[-2:] == [("in_progress", ""), ("resolved", "Đã căng lại cáp")]
    logged = ChangeLogEntry.objects.filter(object_type="workplan.incident", object_id=str(incident.pk))
    assert logged.filter(user=viettel, origin=f"web: {URL}", reason="Đã căng lại cáp").count() == 1
    public = client.get(f"/phan-anh/theo-doi/{incident.token}/").content.decode()
    assert "Đã xử lý xong: Đã căng lại cáp" in public
    assert f'name="incident" value="{incident.pk}"' not in client.get(URL).content.decode()  # closed


def test_the_commune_handles_what_is_assigned_to_it(incidents, client, actor):
    tuha = account(actor, "tuha", role="commune", unit=resolve_unit("19996", start=date(2024, 6, 1)))
    client.force_login(tuha)
    client.post(URL, {"incident": incidents["tuha"].pk, "status": "in_progress"})
    incidents["tuha"].refresh_from_db()
    assert incidents["tuha"].status == "in_progress"
    assert client.post(URL, {"incident": incidents["viettel"].pk, "status": "in_progress"}).status_code == 404


@pytest.mark.parametrize("other", ["vnpt", "tuha", "new"])
def test_another_report_is_not_found_and_unchanged(incidents, viettel, client, other):
    client.force_login(viettel)
    logged = ChangeLogEntry.objects.count()
    response = client.post(URL, {"incident": incidents[other].pk, "status": "resolved", "note": "x"})
    assert response.status_code == 404
    assert Incident.objects.get(pk=incidents[other].pk).status == incidents[other].status
    assert ChangeLogEntry.objects.count() == logged


@pytest.mark.parametrize(
    ("posted", "error"),
    [
        ({"status": "resolved", "note": " "}, "Cần ghi đã xử lý thế nào"),
        ({"status": "rejected", "note": "không phải"}, "Chọn «Đang xử lý» hoặc «Đã xử lý xong»"),
        ({"status": "in_progress", "photos": [photo(f"{n}.jpg") for n in "abcd"]}, "Tối đa 3 tệp mỗi lần"),
    ],
)  # fmt: skip
def test_a_bad_step_says_what_to_do_and_writes_nothing(incidents, viettel, client, posted, error):
    client.force_login(viettel)
    incident = incidents["viettel"]
    logged, events = ChangeLogEntry.objects.count(), IncidentEvent.objects.count()
    response = client.post(URL, {"incident": incident.pk, **posted}, follow=True)
    assert error in response.content.decode()
    assert Incident.objects.get(pk=incident.pk).status == "assigned"
    assert (ChangeLogEntry.objects.count(), IncidentEvent.objects.count()) == (logged, events)
    assert not IncidentPhoto.objects.filter(incident=incident).exists()


def test_a_closed_report_is_not_changed_again(incidents, viettel, client):
    Incident.objects.filter(pk=incidents["viettel"].pk).update(status="resolved")
    client.force_login(viettel)
    response = client.post(URL, {"incident": incidents["viettel"].pk, "status": "in_progress"}, follow=True)
    assert "Phản ánh đã đóng; liên hệ cơ quan tiếp nhận nếu cần mở lại" in response.content.decode()
    assert Incident.objects.get(pk=incidents["viettel"].pk).status == "resolved"


def test_an_operator_with_nothing_assigned_gets_an_empty_list(incidents, client, actor):
    fpt = account(actor, "fpt", role="enterprise", operator=Operator.objects.get(code="fpt"))
    client.force_login(fpt)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Không có phản ánh nào giao cho đơn vị bạn." in response.content.decode()


def test_the_service_refuses_the_command_line_and_the_triage(incidents, actor):
    with pytest.raises(Exception, match="Không có phản ánh này"):
        services.handle_incident(incident=incidents["viettel"], status="resolved", note="x",
                                 user=COMMAND_LINE, actor=Actor.command("test"))  # fmt: skip
