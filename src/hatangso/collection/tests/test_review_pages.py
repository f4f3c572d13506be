"""The plan owner's pages: who has reported, and approving, returning, re-opening reports."""

from datetime import date

import pytest

from hatangso.collection import workflow
from hatangso.collection.models import Submission
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit

PASSWORD = "a long passphrase 2024"


@pytest.fixture
def submitted(seed_plan, actor):
    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    submission = workflow.get_submission(
        form=seed_plan.forms.get(code="ubnd_xa_nam"),
        unit=tu_ha,
        operator=None,
        period="2024",
        user=COMMAND_LINE,
        actor=actor,
    )
    return workflow.submit(submission=submission, user=COMMAND_LINE, actor=actor)


def login(client, actor, name, role, unit_code):
    user = create_user(username=name, password=PASSWORD, actor=actor)
    grant_membership(user=user, role=role, unit=resolve_unit(unit_code, start=date(2024, 6, 1)), actor=actor)
    client.force_login(user)


def test_the_plan_owner_sees_completeness_and_waiting_reports(submitted, client, actor):
    login(client, actor, "vhtt", "plan_owner", "480")
    page = client.get("/ke-hoach/1529-kh-ubnd/duyet/").content.decode()
    assert f'href="/duyet/{submitted.pk}/"' in page
    assert "1/9" in page and "Xã Bình Thành" in page  # one of nine communes in; the others listed


def test_approve_return_reopen_from_the_page(submitted, client, actor):
    login(client, actor, "vhtt", "plan_owner", "480")
    url = f"/duyet/{submitted.pk}/"
    client.post(url, {"action": "return", "comment": "", "confirmed": "1"})
    assert Submission.objects.get().status == "submitted"  # a return needs a comment
    client.post(url, {"action": "approve", "confirmed": "1"})
    assert Submission.objects.get().status == "approved"
    client.post(url, {"action": "reopen", "comment": "Sai số hộ", "confirmed": "1"})
    submission = Submission.objects.get()
    assert (submission.status, submission.comment) == ("draft", "Sai số hộ")
    page = client.get(url).content.decode()
    assert "Đã duyệt → Đang nhập · Sai số hộ" in page
    assert (
        ChangeLogEntry.objects.filter(object_type="collection.submission", origin=f"web: {url}").count() == 2
    )


@pytest.mark.parametrize(("role", "unit"), [("commune", "19996"), ("leader", "480")])
def test_others_cannot_review(submitted, client, actor, role, unit):
    login(client, actor, "someone", role, unit)
    assert client.get("/ke-hoach/1529-kh-ubnd/duyet/").status_code == 404
    assert client.post(f"/duyet/{submitted.pk}/", {"action": "approve", "confirmed": "1"}).status_code == 404
    assert Submission.objects.get().status == "submitted"
