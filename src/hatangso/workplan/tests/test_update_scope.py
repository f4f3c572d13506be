"""Progress updates and their evidence are read through one rule (issue 16 item 5): the plan owner,
the leader, the task's lead agency and the update's author's own organisation — never a
competitor on a task of "the enterprises", never another commune on a task of "the communes"."""

import io
from datetime import date

import pytest

from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.registry.models import Operator
from hatangso.workplan.models import Evidence, ProgressUpdate, Task

PASSWORD = "a long passphrase 2024"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JUNE_2024 = date(2024, 6, 1)


@pytest.fixture
def users(seed_plan, actor):
    def user(username, role, **membership):
        account = create_user(username=username, password=PASSWORD, actor=actor)
        grant_membership(user=account, role=role, actor=actor, **membership)
        return account

    area = seed_plan.area_unit
    return {
        "viettel": user("viettel", "enterprise", operator=Operator.objects.get(code="viettel")),
        "vnpt": user("vnpt", "enterprise", operator=Operator.objects.get(code="vnpt")),
        "tuha": user("tuha", "commune", unit=resolve_unit("19996", start=JUNE_2024)),
        "huongtoan": user("huongtoan", "commune", unit=resolve_unit("20005", start=JUNE_2024)),
        "owner": user("vhtt", "plan_owner", unit=area),
        "leader": user("chutich", "leader", unit=area),
        "qldt": user("qldt", "agency", agency=Agency.objects.get(code="phong_qldt"), unit=area),
        "tckh": user("tckh", "agency", agency=Agency.objects.get(code="phong_tckh"), unit=area),
    }


def post_update(client, user, task, text, file_name):
    client.force_login(user)
    evidence = io.BytesIO(PDF)
    evidence.name = file_name
    response = client.post(
        f"/api/v1/tasks/{task.pk}/updates", {"text": text, "done_on": "2024-09-01", "files": [evidence]}
    )
    assert response.status_code == 200, response.content
    return Evidence.objects.get(file_name=file_name)


def reads(client, user, task, evidence) -> tuple[list[str], int, bool]:
    """What `user` gets: the updates' texts from the API, the download's status, and whether the
    task page shows the update."""
    client.force_login(user)
    texts = [u["text"] for u in client.get(f"/api/v1/tasks/{task.pk}/updates").json()]
    download = client.get(f"/minh-chung/{evidence.pk}/").status_code
    page = client.get(f"/ke-hoach/1529-kh-ubnd/nhiem-vu/{task.pk}/").content.decode()
    return texts, download, evidence.update.text in page


def test_an_operators_update_is_not_a_competitors(users, client):
    task = Task.objects.get(item__number="VI.8.a")  # led by "the enterprises"
    evidence = post_update(client, users["viettel"], task, "Viettel đã ngầm hóa 2 km cáp", "viettel.pdf")
    assert evidence.update.author_operator.code == "viettel"
    assert reads(client, users["vnpt"], task, evidence) == ([], 404, False)
    assert reads(client, users["tuha"], task, evidence) == ([], 404, False)
    assert reads(client, users["tckh"], task, evidence) == ([], 404, False)  # not the lead
    for own in ("viettel", "owner", "leader"):
        assert reads(client, users[own], task, evidence) == (["Viettel đã ngầm hóa 2 km cáp"], 200, True)


def test_one_commune_does_not_read_anothers_evidence(users, client):
    task = Task.objects.get(item__number="VI.7.a")  # led by "the communes"
    evidence = post_update(client, users["tuha"], task, "Tứ Hạ đã rà soát cột treo cáp", "tuha.pdf")
    assert evidence.update.author_unit.code == "19996"
    assert reads(client, users["huongtoan"], task, evidence) == ([], 404, False)
    assert reads(client, users["viettel"], task, evidence) == ([], 404, False)
    for own in ("tuha", "owner", "leader"):
        assert reads(client, users[own], task, evidence) == (["Tứ Hạ đã rà soát cột treo cáp"], 200, True)
    # Hương Toàn's own update on the same task is its own, and Tứ Hạ does not read it either.
    other = post_update(client, users["huongtoan"], task, "Hương Toàn đã rà soát", "huongtoan.pdf")
    assert reads(client, users["tuha"], task, other) == (["Tứ Hạ đã rà soát cột treo cáp"], 404, False)


def test_an_agencys_task_is_read_by_the_agency_not_by_the_others(users, client):
    task = Task.objects.get(item__number="VI.3.c")  # led by Phòng Quản lý đô thị
    evidence = post_update(client, users["owner"], task, "Chủ trì đã lập danh sách", "owner.pdf")
    assert evidence.update.author_agency is None  # the plan owner writes for no agency
    assert reads(client, users["qldt"], task, evidence) == (["Chủ trì đã lập danh sách"], 200, True)
    for outsider in ("tckh", "tuha", "viettel"):
        assert reads(client, users[outsider], task, evidence) == ([], 404, False)


def test_the_public_reads_no_update(users, client):
    task = Task.objects.get(item__number="VI.8.a")
    evidence = post_update(client, users["viettel"], task, "Viettel đã ngầm hóa", "v.pdf")
    client.logout()
    assert client.get(f"/minh-chung/{evidence.pk}/").status_code == 302  # the login page
    assert client.get(f"/api/v1/tasks/{task.pk}/updates").status_code == 401
    assert ProgressUpdate.objects.count() == 1
