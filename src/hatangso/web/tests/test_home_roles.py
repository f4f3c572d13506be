"""The home page starts each role's day (issue 23 item 1): a clerk's and an operator's reports with
their deadlines and what was returned, an operator's incidents and registry changes, an agency's
tasks, the plan owner's reports waiting, late reporters, new incidents and stale publication, a
leader's scorecard and what is late; and the task board opens on the agency's own tasks."""

import re
from datetime import date

import pytest
from django.utils import timezone

from hatangso.analytics.models import PublishedScorecard
from hatangso.collection import workflow
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.registry.models import Operator
from hatangso.workplan.models import Incident, Task
from hatangso.workplan.services import report_incident, sync_tasks

JUNE = date(2024, 6, 1)


@pytest.fixture
def world(seed_plan, actor):
    """Tứ Hạ's yearly report returned with a comment, VNPT's January report waiting, a new incident
    and one assigned to Viettel, the plan's tasks."""
    yearly = seed_plan.forms.get(code="ubnd_xa_nam")
    tu_ha = workflow.get_submission(form=yearly, unit=resolve_unit("19996", start=JUNE), operator=None,
                                    period="2024", user=COMMAND_LINE, actor=actor)  # fmt: skip
    workflow.return_submission(submission=workflow.submit(submission=tu_ha, user=COMMAND_LINE, actor=actor),
                               comment="Thiếu số hộ có cáp quang", user=COMMAND_LINE,
                               actor=actor)  # fmt: skip
    monthly = seed_plan.forms.get(code="doanh_nghiep_thang")
    vnpt = Operator.objects.get(code="vnpt")
    vnpt = workflow.get_submission(form=monthly, unit=seed_plan.area_unit, operator=vnpt, period="202401",
                                   user=COMMAND_LINE, actor=actor)  # fmt: skip
    workflow.submit(submission=vnpt, user=COMMAND_LINE, actor=actor)
    report_incident(category="unsafe", description="Cột nghiêng ở chợ", address="Chợ Tứ Hạ", actor=actor)
    assigned = report_incident(category="damaged", description="Hộp cáp vỡ nắp", address="Thôn 2",
                               actor=actor)  # fmt: skip
    viettel = Operator.objects.get(code="viettel")
    Incident.objects.filter(pk=assigned.pk).update(status="assigned", assigned_operator=viettel)
    sync_tasks(plan=seed_plan, actor=actor)
    return seed_plan


def as_role(client, actor, role, **membership):
    user = create_user(username=f"u-{role}", password="a long passphrase 2024", actor=actor)
    grant_membership(user=user, role=role, actor=actor, **membership)
    client.force_login(user)
    return user


def todo(client, key: str) -> str:
    """The text of one list of the home page's "Việc cần làm"."""
    page = client.get("/").content.decode()
    assert "Việc cần làm" in page
    found = re.search(rf'<section class="panel" id="viec-{key}".*?</section>', page, re.S)
    assert found, key
    return re.sub(r"<[^>]+>", " ", found[0])


def test_the_clerk_sees_its_reports_deadlines_and_what_was_returned(world, client, actor):
    as_role(client, actor, "commune", unit=resolve_unit("19996", start=JUNE))
    returned = todo(client, "tra-lai")
    assert "Phường Tứ Hạ" in returned and "Ý kiến của người duyệt: Thiếu số hộ có cáp quang" in returned
    page = client.get("/").content.decode()
    assert f'href="/nhap-lieu/{world.forms.get(code="ubnd_xa_nam").pk}/2024/?r=0"' in page
    assert "Chỉ tiêu" in page  # the plan's dashboard stays below


def test_the_operator_sees_its_forms_incidents_and_registry_changes(world, client, actor):
    user = as_role(client, actor, "enterprise", operator=Operator.objects.get(code="viettel"))
    ChangeLogEntry.objects.create(user=user, actor="u-enterprise", origin="web", action="update",
                                  object_type="registry.station", object_id="1",
                                  object_repr="Viettel TTH001")  # fmt: skip
    reports = todo(client, "bao-cao")
    assert "Viettel" in reports and "quá hạn từ" in reports  # 2024's periods are past their deadlines
    assert re.search(r"Tháng 0?1/2024", reports) and "202401" not in reports
    incidents = todo(client, "phan-anh")
    assert "Hư hỏng" in incidents and "Thôn 2" in incidents and "Chợ Tứ Hạ" not in incidents
    assert "Viettel TTH001" in todo(client, "ha-tang")


def test_the_agency_sees_its_own_tasks(world, client, actor):
    as_role(client, actor, "agency", agency=Agency.objects.get(code="phong_qldt"), unit=world.area_unit)
    tasks = todo(client, "nhiem-vu")
    assert "VI.3.c" in tasks and "VI.2 " not in tasks


def test_the_task_board_opens_on_the_agencys_tasks(world, client, actor):
    as_role(client, actor, "agency", agency=Agency.objects.get(code="phong_qldt"), unit=world.area_unit)
    board = client.get("/ke-hoach/1529-kh-ubnd/nhiem-vu/").content.decode()
    assert "VI.3.c" in board and ">VI.2<" not in board
    assert '<option value="phong_qldt" selected>' in board
    everyone = client.get("/ke-hoach/1529-kh-ubnd/nhiem-vu/?agency=").content.decode()
    assert ">VI.2<" in everyone


def test_the_plan_owner_sees_waiting_reports_late_reporters_new_incidents_and_stale_results(
    world, client, actor
):
    as_role(client, actor, "plan_owner", unit=world.area_unit)
    PublishedScorecard.objects.create(plan=world, period="2024", unit=world.area_unit,
                                      snapshot={"scorecard": {}}, published_by_name="vhtt",
                                      published_at=timezone.now())  # fmt: skip
    waiting = todo(client, "cho-duyet")
    assert "VNPT" in waiting and re.search(r"Tháng 0?1/2024", waiting)
    late = todo(client, "tre-han")
    assert "9 đơn vị chưa báo cáo: Phường Tứ Hạ, Xã Hương Toàn" in late
    assert "Cột nghiêng" not in todo(client, "phan-anh-moi") and "Mất an toàn" in todo(client, "phan-anh-moi")
    assert "số liệu đã thay đổi sau đó" in todo(client, "cong-bo")


def test_the_leader_sees_the_scorecard_and_what_is_late(world, client, actor):
    as_role(client, actor, "leader", unit=world.area_unit)
    Task.objects.filter(item__number="VI.2").update(due_date=date(2024, 3, 1), status="in_progress")
    assert "VI.2" in todo(client, "nhiem-vu-tre")
    assert "đơn vị chưa báo cáo" in todo(client, "tre-han")
    page = client.get("/").content.decode()
    assert 'id="chi-tieu"' in page and 'id="viec-cho-duyet"' not in page


def test_the_dashboards_switch_keeps_to_the_dashboard(world, client, actor):
    as_role(client, actor, "leader", unit=world.area_unit)
    fragment = client.get("/ke-hoach/1529-kh-ubnd/?period=2024", HTTP_HX_REQUEST="true").content.decode()
    assert "Việc cần làm" not in fragment and 'id="dashboard"' in fragment
