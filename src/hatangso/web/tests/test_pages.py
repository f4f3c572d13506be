import re
from datetime import date

import pytest

from hatangso.analytics.services import compute_scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.utilities.periods import parse_period


@pytest.fixture
def viewer(client, db, actor):
    """A logged-in account without any role: the dashboard's aggregates, no commune's figures."""
    from hatangso.core.services import create_user

    client.force_login(create_user(username="viewer", password="a long passphrase 2024", actor=actor))
    return client


def test_home_without_a_plan(viewer):
    response = viewer.get("/")
    assert response.status_code == 200
    assert "Chưa có kế hoạch nào" in response.content.decode()


def test_the_public_is_sent_to_the_public_page(client, seed_plan):
    response = client.get("/?unit=19996")
    assert response.status_code == 302 and response.url == "/cong-khai/"
    assert (
        client.get("/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/").url
        == "/dang-nhap/?next=/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/"
    )


def _enter(actor, synthetic):
    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    for code, value in (("population", "12345"), ("internet_users", "12000")):
        set_value(
            element=DataElement.objects.get(code=code),
            unit=tu_ha,
            period="2024",
            value=value,
            actor=actor,
            synthetic=synthetic,
        )


def test_home_shows_the_stored_scorecard_in_vietnamese_format(viewer, seed_plan, actor):
    _enter(actor, synthetic=True)
    compute_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=parse_period("2024"))
    page = viewer.get("/").content.decode()
    assert "Dữ liệu mẫu" in page and "synthetic demo data" in page
    assert (
        "synthetic demo data" in viewer.get("/ke-hoach/1529-kh-ubnd/nhiem-vu/").content.decode()
    )  # on every page
    assert "12.000 / 12.345" in page
    assert "97,2" in page  # 12000 / 12345 = 97.21 %
    assert "≥ 97" in page
    assert "Chưa có thông tin" in page and "Không thực hiện" in page
    assert "30/11/2024" in page


def test_real_data_carry_no_synthetic_label(viewer, seed_plan, actor):
    _enter(actor, synthetic=False)
    compute_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=parse_period("2024"))
    assert "Dữ liệu mẫu" not in viewer.get("/").content.decode()


def test_scorecard_api(client, seed_plan, actor):
    """A logged-in reader gets the scorecard computed now (the public only a published one); a
    commune's own results are the commune's and the area's: an account without a role gets them
    only as published (none here)."""
    _enter(actor, synthetic=False)
    reader = create_user(username="reader", password="a long passphrase 2024", actor=actor)
    client.force_login(reader)
    assert client.get("/api/v1/plans/1529-kh-ubnd/scorecard?period=2024&unit=19996").status_code == 404
    assert client.get("/api/v1/plans/1529-kh-ubnd/scorecard?period=2024").status_code == 200
    grant_membership(
        user=reader, role="commune", unit=resolve_unit("19996", start=date(2024, 6, 1)), actor=actor
    )
    response = client.get("/api/v1/plans/1529-kh-ubnd/scorecard?period=2024&unit=19996")
    assert response.status_code == 200
    body = response.json()
    assert body["plan"] == "1529/KH-UBND" and body["unit"] == {"code": "19996", "name": "Phường Tứ Hạ"}
    internet = next(i for i in body["indicators"] if i["code"] == "internet_users")
    assert (internet["value"], internet["status"], internet["target"]) == (97.2, "achieved", 97.0)
    missing = client.get("/api/v1/plans/none/scorecard")
    assert missing.status_code == 404
    assert missing.json()["detail_en"].startswith("No plan 'none'")


def test_admin_is_read_only(admin_client, seed_plan):
    assert admin_client.get("/admin/plans/indicator/").status_code == 200
    assert admin_client.get("/admin/plans/indicator/add/").status_code == 403


def test_commune_scorecards_are_reachable_from_the_home_page(viewer, seed_plan, actor):
    _enter(actor, synthetic=False)
    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    compute_scorecard(plan=seed_plan, unit=tu_ha, period=parse_period("2024"))
    home = viewer.get("/").content.decode()
    for code in ("19996", "20005", "20008", "20011", "20017", "20020", "20026", "20035", "20041"):
        assert f'<option value="{code}">' in home
    page = viewer.get("/?unit=19996").content.decode()
    assert "Tổng quan · Phường Tứ Hạ · Năm 2024" in page
    assert "97,2" not in page and "12.000 / 12.345" not in page  # a commune's results are its own
    assert viewer.get("/?unit=99999").status_code == 404


def test_the_menu_offers_only_what_the_role_may_open(client, seed_plan, actor):
    from hatangso.core.services import create_user, grant_membership
    from hatangso.geography.selectors import resolve_unit

    clerk = create_user(username="tuha", password="a long passphrase 2024", actor=actor)
    grant_membership(
        user=clerk, role="commune", unit=resolve_unit("19996", start=seed_plan.issued_on), actor=actor
    )
    client.force_login(clerk)
    page = client.get("/").content.decode()
    assert (
        'href="/nhap-lieu/"' in page
        and 'href="/ke-hoach/1529-kh-ubnd/duyet/"' not in page
        and 'href="/ha-tang/vi-tri/"' not in page
    )
    owner = create_user(username="vhtt", password="a long passphrase 2024", actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=seed_plan.area_unit, actor=actor)
    client.force_login(owner)
    page = client.get("/").content.decode()
    assert (
        'href="/ke-hoach/1529-kh-ubnd/duyet/"' in page
        and 'href="/ha-tang/vi-tri/"' in page
        and 'href="/nhap-lieu/"' not in page
    )


def test_home_draws_its_trends_as_svg_without_a_chart_script(viewer, seed_plan, actor):
    from hatangso.analytics.services import compute_scorecard
    from hatangso.collection.models import DataElement
    from hatangso.collection.services import set_value
    from hatangso.geography.selectors import resolve_unit
    from hatangso.utilities.periods import parse_period

    tu_ha = resolve_unit("19996", start=seed_plan.issued_on)
    for code, value in (("households", 100), ("households_ftth", 80)):
        set_value(
            element=DataElement.objects.get(code=code),
            unit=tu_ha,
            period="2024",
            value=str(value),
            actor=actor,
        )
    compute_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=parse_period("2024"))
    page = viewer.get("/").content.decode()
    assert page.count('<svg class="sparkline"') == 15
    # The scripts are the app's own (tables as cards on a phone) and htmx, served by the app (no CDN);
    # the page works without them.
    assert re.findall(r"<script[^>]*>", page) == [
        '<script src="/static/web/tables.js" defer>', '<script src="/static/django_htmx/htmx-2.min.js" defer>'
    ]
