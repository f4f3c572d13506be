"""The plan text page and `GET /api/v1/plans/` show the plans the caller may open: those whose area
covers or lies within its role's area (plans.selectors.plans_for); the public reads the plans with a
published scorecard, and only while it is published."""

from datetime import date

import pytest

from hatangso.analytics.publishing import publish_scorecard, withdraw_publication
from hatangso.collection.tests.test_collect_once import PROVINCE_FILE
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.services import load_plan

SEED, PROVINCE, BESIDE = "1529-kh-ubnd", "159-kh-ubnd", "77-kh-ubnd"


@pytest.fixture
def plans(seed_plan, actor, tmp_path):
    """The seed (480), the province's (46) and one of thị xã Hương Thủy (479), beside the seed."""
    for name, text in (
        ("tinh.yaml", PROVINCE_FILE),
        (
            "huong-thuy.yaml",
            PROVINCE_FILE.replace("159/KH-UBND", "77/KH-UBND")
            .replace('"46"', '"479"')
            .replace("illustrative: true", "illustrative: false"),
        ),
    ):
        path = tmp_path / name
        path.write_text(text, encoding="utf-8")
        load_plan(path=path, actor=actor, user=COMMAND_LINE)


@pytest.fixture
def account(actor):
    """`account(role, unit)`: a new account with that membership and an API token's secret."""
    made = []

    def make(role: str | None = None, unit: str | None = None):
        user = create_user(username=f"user{len(made)}", password="a long passphrase 2024", actor=actor)
        if role:
            grant_membership(
                user=user, role=role, unit=resolve_unit(unit, start=date(2024, 6, 1)), actor=actor
            )
        made.append(user)
        return user, create_api_token(user=user, name="t", actor=actor)[1]

    return make


def api(client, path: str, token: str | None = None):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"} if token else {}
    response = client.get(f"/api/v1/{path}", **headers)
    return response.status_code, response.json()


@pytest.mark.parametrize(
    ("role", "unit", "seen"),
    [
        ("commune", "19996", [SEED, PROVINCE]),  # the plans covering its commune
        ("plan_owner", "479", [PROVINCE, BESIDE]),
        ("plan_owner", "46", [SEED, PROVINCE, BESIDE]),  # every plan within the province
        (None, None, [SEED, PROVINCE, BESIDE]),  # an account without a role reads what any account reads
    ],
)
def test_the_api_lists_and_shows_the_plans_the_caller_may_open(plans, account, client, role, unit, seen):
    _, token = account(role, unit)
    status, listed = api(client, "plans/", token)
    assert status == 200 and [p["slug"] for p in listed] == seen
    for slug in (SEED, PROVINCE, BESIDE):
        for path in (f"plans/{slug}", f"plans/{slug}/indicators", f"plans/{slug}/forms"):
            status, body = api(client, path, token)
            if slug in seen:
                assert status == 200, path
            else:  # as if it did not exist, without naming the plans that do
                assert (status, body["detail_en"]) == (404, f"No plan '{slug}'"), path


def test_the_public_reads_only_published_plans(plans, client, actor):
    from hatangso.plans.models import Plan

    assert api(client, "plans/") == (200, [])
    province = Plan.objects.get(slug=PROVINCE)
    publish_scorecard(plan=province, period="2024", actor=actor)
    status, listed = api(client, "plans/")
    assert status == 200 and [(p["slug"], p["area_unit"]) for p in listed] == [(PROVINCE, "46")]
    assert api(client, f"plans/{PROVINCE}")[1]["code"] == "159/KH-UBND"
    assert api(client, f"plans/{SEED}") == (404, {"detail": "Không có kế hoạch '1529-kh-ubnd'",
                                                  "detail_en": "No plan '1529-kh-ubnd'"})  # fmt: skip
    assert api(client, f"plans/{PROVINCE}/forms")[0] == 401  # forms and indicators need an account
    withdraw_publication(plan=province, period="2024", actor=actor)
    assert api(client, "plans/") == (200, [])
    assert api(client, f"plans/{PROVINCE}")[0] == 404


def test_the_plan_text_page_is_for_those_who_may_open_the_plan(plans, account, client):
    user, _ = account("commune", "19996")
    client.force_login(user)
    for slug in (SEED, PROVINCE):
        response = client.get(f"/ke-hoach/{slug}/noi-dung/")
        assert response.status_code == 200 and response.context["plan"].slug == slug
    response = client.get(f"/ke-hoach/{BESIDE}/noi-dung/")
    assert response.status_code == 404 and "77/KH-UBND" not in response.content.decode()
    user, _ = account("plan_owner", "479")
    client.force_login(user)
    assert client.get(f"/ke-hoach/{BESIDE}/noi-dung/").status_code == 200
    assert client.get(f"/ke-hoach/{SEED}/noi-dung/").status_code == 404
    client.logout()
    assert (
        client.get(f"/ke-hoach/{PROVINCE}/noi-dung/").url
        == f"/dang-nhap/?next=/ke-hoach/{PROVINCE}/noi-dung/"
    )


def test_a_commune_is_asked_nothing_by_a_plan_that_does_not_cover_it(plans, account, client):
    from hatangso.plans.models import Plan

    user, _ = account("commune", "19996")
    client.force_login(user)
    beside = Plan.objects.get(slug=BESIDE).forms.get(code="xa_nam")
    assert client.get(f"/nhap-lieu/{beside.pk}/2024/").status_code == 404
    assert client.get(f"/nhap-lieu/{beside.pk}/2024/excel/").status_code == 404
    page = client.get("/nhap-lieu/").content.decode()
    assert "159/KH-UBND" in page and "77/KH-UBND" not in page and f"/nhap-lieu/{beside.pk}/" not in page
