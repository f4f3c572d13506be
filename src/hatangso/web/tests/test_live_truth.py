"""One live truth (issue 15): after a commune's value changes and the owner approves, without
running `compute`, every screen, the API, the map and the report's data show the new value; the
public page keeps the published one and tells the owner it is out of date."""

from datetime import date

import pytest

from hatangso.analytics.models import IndicatorResult
from hatangso.analytics.publishing import publish_scorecard
from hatangso.collection import workflow
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.changelog import Actor
from hatangso.core.dataversion import data_version
from hatangso.core.models import ChangeLogEntry
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.reports.content import gather
from hatangso.utilities.periods import parse_period

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"
CODE = "household_fiber"
STALE_NOTE = "Số liệu đã thay đổi sau khi công bố"


def tu_ha():
    return resolve_unit("19996", start=JUNE_2024)


@pytest.fixture
def people(seed_plan, actor):
    owner = create_user(username="vhtt", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=seed_plan.area_unit, actor=actor)
    clerk = create_user(username="tuha", password=PASSWORD, actor=actor)
    grant_membership(user=clerk, role="commune", unit=tu_ha(), actor=actor)
    return {"owner": owner, "clerk": clerk}


def report(plan, people, values: dict[str, str], reopen: bool = False):
    """The clerk enters the values and submits; the owner approves (re-opening it first)."""
    clerk, owner = Actor(people["clerk"], "web"), Actor(people["owner"], "web")
    submission = workflow.get_submission(form=plan.forms.get(code="ubnd_xa_nam"), unit=tu_ha(), operator=None,
                                         period="2024", user=people["clerk"], actor=clerk)  # fmt: skip
    if reopen:
        workflow.reopen(
            submission=submission, reason="Sai số hộ cáp quang", user=people["owner"], actor=owner
        )
    for code, value in values.items():
        set_value(
            element=DataElement.objects.get(code=code), unit=tu_ha(), period="2024", value=value, actor=clerk
        )
    workflow.submit(submission=submission, user=people["clerk"], actor=clerk)
    workflow.approve(submission=submission, user=people["owner"], actor=owner)


def tile(client, unit: str = "") -> float | None:
    response = client.get(f"/?unit={unit}" if unit else "/")
    [entry] = [t.entry for t in response.context["tiles"] if t.indicator.code == CODE]
    return entry.value


def test_an_approved_change_shows_everywhere_at_once_but_not_on_the_published_page(
    seed_plan, people, actor, client
):
    report(seed_plan, people, {"households": "2212", "households_ftth": "2081"})
    publish_scorecard(plan=seed_plan, period="2024", actor=Actor(people["owner"], "web"))
    client.force_login(people["owner"])
    assert tile(client, "19996") == pytest.approx(2081 / 2212 * 100, abs=0.05)  # 94,1 %
    assert STALE_NOTE not in client.get("/ke-hoach/1529-kh-ubnd/cong-bo/").content.decode()

    report(seed_plan, people, {"households_ftth": "2200"}, reopen=True)  # and nobody runs compute
    new = 2200 / 2212 * 100  # 99,5 %
    version = ChangeLogEntry.objects.latest("id").id

    # The dashboard tile (context and HTML), with when and from which data version it was computed.
    response = client.get("/?unit=19996")
    assert tile(client, "19996") == pytest.approx(new, abs=0.05)
    page = response.content.decode()
    assert "<strong>99,5</strong>" in page and "<strong>94,1</strong>" not in page
    assert response.context["data_version"] == version
    assert f"từ dữ liệu phiên bản {version} (mới nhất)" in page
    assert tile(client) == pytest.approx(new, abs=0.05)  # the area: Tứ Hạ is its only commune with data
    # The indicator page: the number and the commune table.
    response = client.get(f"/ke-hoach/1529-kh-ubnd/chi-tieu/{CODE}/?unit=19996")
    assert response.context["d"].result.value == pytest.approx(new, abs=0.05)
    assert "<strong>99,5 %</strong>" in response.content.decode()
    area = client.get(f"/ke-hoach/1529-kh-ubnd/chi-tieu/{CODE}/").context["d"]
    assert dict((c.code, r.value) for c, r in area.communes)["19996"] == pytest.approx(new, abs=0.05)
    # The API with a token.
    _, secret = create_api_token(user=people["owner"], name="test", actor=actor)
    assert data_version() == version  # a token changes no number
    card = client.get("/api/v1/plans/1529-kh-ubnd/scorecard?unit=19996",
                      headers={"Authorization": f"Bearer {secret}"}).json()  # fmt: skip
    row = next(r for r in card["indicators"] if r["code"] == CODE)
    assert (row["value"], row["numerator"], card["data_version"]) == (
        pytest.approx(new, abs=0.05),
        2200,
        version,
    )
    # The map: the commune's value that colours it (the table beside the map lists it).
    response = client.get(f"/ke-hoach/1529-kh-ubnd/ban-do/?indicator={CODE}")
    communes = response.context["communes"]
    assert next(c for c in communes if c["code"] == "19996")["value"] == pytest.approx(new, abs=0.05)
    assert "99,5" in response.content.decode() and "94,1" not in response.content.decode()
    # The report's data: what the DOCX and XLSX writers read.
    content = gather(plan=seed_plan, unit=seed_plan.area_unit, period=parse_period("2024"))
    assert next(e for e in content.evaluations if e.indicator.code == CODE).value == pytest.approx(
        new, abs=0.05
    )
    by_commune = {commune.code: evaluations for commune, evaluations in content.communes}
    assert by_commune["19996"][CODE].value == pytest.approx(new, abs=0.05)
    # Every stored result read is current (and storing them wrote no change-log row): the values'
    # results are of the last write's version, the others of their own sources' last write.
    assert data_version() == version
    results = IndicatorResult.objects.filter(unit=tu_ha(), period="2024")
    stored = dict(results.values_list("indicator__code", "data_version"))
    assert stored[CODE] == version and max(stored.values()) == version

    # The public page keeps the published number and says when it was published...
    client.logout()
    page = client.get(f"/cong-khai/1529-kh-ubnd/?indicator={CODE}").content.decode()
    assert "94,1" in page and "99,5" not in page and "Công bố lúc" in page
    assert STALE_NOTE not in page  # the public is not told about data it cannot see
    # ... and the owner sees that newer data exist, there and on the publish page.
    client.force_login(people["owner"])
    page = client.get(f"/cong-khai/1529-kh-ubnd/?indicator={CODE}").content.decode()
    assert "94,1" in page and "99,5" not in page and STALE_NOTE in page
    assert STALE_NOTE in client.get("/ke-hoach/1529-kh-ubnd/cong-bo/").content.decode()
    publish_scorecard(plan=seed_plan, period="2024", actor=Actor(people["owner"], "web"))  # publishing again
    assert STALE_NOTE not in client.get("/ke-hoach/1529-kh-ubnd/cong-bo/").content.decode()
    page = client.get(f"/cong-khai/1529-kh-ubnd/?indicator={CODE}").content.decode()
    assert "99,5" in page and STALE_NOTE not in page


def test_results_stored_before_a_write_are_recomputed_on_the_next_read(seed_plan, people, actor, client):
    """A stale stored result is never shown: the read recomputes it (the old behaviour showed the
    stored number until `hatangso compute` ran again)."""
    report(seed_plan, people, {"households": "2212", "households_ftth": "2081"})
    client.force_login(people["owner"])
    assert tile(client, "19996") == pytest.approx(94.08, abs=0.05)
    stored = IndicatorResult.objects.get(unit=tu_ha(), period="2024", indicator__code=CODE)
    report(seed_plan, people, {"households_ftth": "2200"}, reopen=True)
    assert tile(client, "19996") == pytest.approx(99.46, abs=0.05)
    again = IndicatorResult.objects.get(pk=stored.pk)  # the same row, replaced
    assert again.data_version > stored.data_version and again.computed_at > stored.computed_at
    assert again.value == pytest.approx(99.46, abs=0.05)
