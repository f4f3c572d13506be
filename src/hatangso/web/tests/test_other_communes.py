"""Another commune's results are not shown at all (issue 16 item 9; README, Roles and scope): they
are computed from that commune's reports, drafts included — on the indicator page, the dashboard,
the map and the scorecard API alike."""

from datetime import date

import pytest

from hatangso.collection.services import enter_value
from hatangso.core.changelog import Actor
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"


@pytest.fixture
def draft(seed_plan, actor):
    """Bình Thành (20041) has typed its households into its yearly report, not yet submitted:
    873 of 1000 households on fibre, 87,3 %."""
    clerk = create_user(username="binhthanh", password=PASSWORD, actor=actor)
    grant_membership(user=clerk, role="commune", unit=resolve_unit("20041", start=JUNE_2024), actor=actor)
    for element, value in (("households", "1000"), ("households_ftth", "873")):
        enter_value(
            user=clerk, actor=Actor(user=clerk, origin="test"), element_code=element, unit_code="20041",
            period="2024", value=value,
        )  # fmt: skip
    return clerk


@pytest.fixture
def login(client, actor):
    def as_user(username, role, unit):
        user = create_user(username=username, password=PASSWORD, actor=actor)
        grant_membership(user=user, role=role, unit=resolve_unit(unit, start=JUNE_2024), actor=actor)
        client.force_login(user)
        return client

    return as_user


def test_a_commune_does_not_see_another_communes_draft_result(draft, login):
    client = login("tuha", "commune", "19996")
    page = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/household_fiber/?unit=20041").content.decode()
    assert "Xã Bình Thành" in page
    assert "87,3" not in page and "873" not in page
    assert "Không hiển thị: kết quả của một xã, phường" in page
    area = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/household_fiber/").content.decode()
    row = area.split("Xã Bình Thành", 1)[1].split("</tr>", 1)[0]
    assert "87,3" not in row and "không hiển thị" in row
    dashboard = client.get("/?unit=20041").content.decode()
    assert "87,3" not in dashboard
    assert (
        "87,3" not in client.get("/ke-hoach/1529-kh-ubnd/ban-do/?indicator=household_fiber").content.decode()
    )  # the map
    response = client.get("/api/v1/plans/1529-kh-ubnd/scorecard?unit=20041")
    assert response.status_code == 404  # nothing published: the public's answer
    assert "Chưa công bố kết quả kỳ 2024" in response.json()["detail"]


def test_the_commune_itself_and_the_area_see_it(draft, client, login):
    client.force_login(draft)
    assert (
        "87,3" in client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/household_fiber/?unit=20041").content.decode()
    )
    assert "<strong>87,3</strong>" in client.get("/?unit=20041").content.decode()
    login("vhtt", "plan_owner", "480")
    assert (
        "87,3" in client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/household_fiber/?unit=20041").content.decode()
    )
    area = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/household_fiber/").content.decode()
    assert "87,3" in area.split("Xã Bình Thành", 1)[1].split("</tr>", 1)[0]
    assert "87,3" in client.get("/ke-hoach/1529-kh-ubnd/ban-do/?indicator=household_fiber").content.decode()
    card = client.get("/api/v1/plans/1529-kh-ubnd/scorecard?unit=20041").json()
    row = next(i for i in card["indicators"] if i["code"] == "household_fiber")
    assert round(row["value"], 1) == 87.3
