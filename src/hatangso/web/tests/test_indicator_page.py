"""The indicator page: definition, value per commune, trend, and the evidence a user may see."""

from datetime import date

import pytest

from hatangso.analytics.models import IndicatorResult
from hatangso.analytics.publishing import publish_scorecard
from hatangso.analytics.services import compute_scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.dataversion import data_version
from hatangso.core.models import ChangeLogEntry
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.utilities.periods import parse_period

JUNE_2024 = date(2024, 6, 1)
# Distinctive figures, so a page that shows one to someone who may not read it is caught.
FIGURES = {"19996": ("40357", "39113"), "20005": ("37219", "35021")}


@pytest.fixture
def computed(seed_plan, actor):
    for code, (population, users) in FIGURES.items():
        unit = resolve_unit(code, start=JUNE_2024)
        for element, value in (("population", population), ("internet_users", users)):
            set_value(element=DataElement.objects.get(code=element), unit=unit, period="2024", value=value,
                      actor=actor)  # fmt: skip
    period = parse_period("2024")
    compute_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=period)
    for code in FIGURES:
        compute_scorecard(plan=seed_plan, unit=resolve_unit(code, start=JUNE_2024), period=period)
    return seed_plan


def login(client, actor, role, **membership):
    user = create_user(username=role, password="a long passphrase 2024", actor=actor)
    grant_membership(user=user, role=role, actor=actor, **membership)
    client.force_login(user)


def viewer(client, actor):
    """A logged-in account without a role: the pages need a login; it sees the aggregates."""
    client.force_login(create_user(username="viewer", password="a long passphrase 2024", actor=actor))


def test_the_page_shows_the_number_its_communes_and_the_trend(computed, client, actor):
    login(client, actor, "leader", unit=computed.area_unit)
    page = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/").content.decode()
    assert "Tỷ lệ người sử dụng Internet" in page and "≥ 97" in page
    assert "74.134 / 77.576" in page and "95,6" in page  # (39113 + 35021) / (40357 + 37219)
    assert "Phường Tứ Hạ" in page and "96,9" in page and "94,1" in page  # the two communes
    assert "<th>Năm 2023</th>" in page and "<th>Quý I/2024</th>" in page  # the trend periods, in words
    trend_row = page.split("<th>Năm 2023</th>", 1)[1].split("</table>", 1)[0]
    assert "<th>Năm 2024</th>" in trend_row and '<td class="num">95,6</td>' in trend_row  # the year ends it
    assert page.count("<svg") >= 1  # the commune chart, inline (no script, no CDN)
    assert 'href="/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/"' in client.get("/").content.decode()


def test_the_public_is_asked_to_log_in(computed, client):
    response = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=19996")
    assert response.status_code == 302
    assert response.url == "/dang-nhap/?next=/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/%3Funit%3D19996"


def test_an_account_without_a_role_sees_the_aggregates_but_no_raw_figures(computed, client, actor):
    viewer(client, actor)
    page = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/").content.decode()
    assert "74.134 / 77.576" in page and "95,6" in page  # the area's aggregate
    assert "96,9" not in page and "94,1" not in page and "không hiển thị" in page  # not the communes'
    page = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=19996").content.decode()
    assert "96,9" not in page and "Không hiển thị: kết quả của một xã, phường" in page
    assert "chỉ hiện cho cơ quan của địa bàn và đơn vị đã báo cáo" in page
    assert "internet_users</code></td>" not in page  # no element totals
    assert "39.113 / 40.357" not in page


def test_the_plan_owner_sees_the_evidence(computed, client, actor):
    login(client, actor, "plan_owner", unit=computed.area_unit)
    page = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/").content.decode()
    population = DataElement.objects.get(code="population").name  # the element's name, not its code
    assert f"<td>{population}</td>" in page and "77.576" in page and ">population<" not in page
    assert "Số liệu báo cáo được dùng (4)" in page
    assert "40.357" in page and "37.219" in page


def test_a_commune_sees_only_its_own_inputs(computed, client, actor):
    login(client, actor, "commune", unit=resolve_unit("19996", start=JUNE_2024))
    page = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/").content.decode()
    assert "Số liệu báo cáo được dùng (2)" in page and "chỉ những số liệu bạn được xem" in page
    assert "40.357" in page and "39.113" in page
    assert "37.219" not in page and "35.021" not in page
    assert "<code>population</code></td>" not in page  # element totals are for the area's roles


def test_unknown_indicators_and_units_are_not_found(computed, client, actor):
    viewer(client, actor)
    assert client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/khong_co/").status_code == 404
    assert client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=99999").status_code == 404


def test_a_unit_not_yet_computed_is_computed_when_read(computed, client, actor):
    login(client, actor, "leader", unit=computed.area_unit)
    huong_van = resolve_unit("20008", start=JUNE_2024)
    assert not IndicatorResult.objects.filter(unit=huong_van).exists()
    page = client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/?unit=20008").content.decode()
    internet_users = DataElement.objects.get(code="internet_users").name
    assert f"Chưa có số liệu: {internet_users}" in page and "Chưa có thông tin" in page  # no values reported
    stored = IndicatorResult.objects.get(unit=huong_van, indicator__code="internet_users", period="2024")
    version = data_version()  # the leader's account is no data
    assert stored.data_version <= version < ChangeLogEntry.objects.latest("id").id
    assert f"từ dữ liệu phiên bản {version} (mới nhất)" in page


def test_a_communes_figures_stay_with_the_commune_and_the_area(computed, client, actor):
    """Per commune, the numerator and denominator are its reported figures: the public, another
    commune and the scorecard API without a session (once published) see the rate, not the figures."""
    viewer(client, actor)
    assert (
        "35.021 / 37.219"
        not in client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/").content.decode()
    )
    assert "35.021 / 37.219" not in client.get("/?unit=20005").content.decode()
    publish_scorecard(plan=computed, period="2024", actor=actor)
    client.logout()
    card = client.get("/api/v1/plans/1529-kh-ubnd/scorecard?unit=20005").json()
    row = next(i for i in card["indicators"] if i["code"] == "internet_users")
    assert (row["value"], row["numerator"], "lineage" in row) == (94.1, None, False)
    district = client.get("/api/v1/plans/1529-kh-ubnd/scorecard").json()
    assert next(i for i in district["indicators"] if i["code"] == "internet_users")["numerator"] == 74134
    login(client, actor, "commune", unit=resolve_unit("20005", start=JUNE_2024))
    assert "35.021 / 37.219" in client.get("/?unit=20005").content.decode()
