"""Reading plans, indicators, forms and units through the API, with a token."""

import pytest

from hatangso.core.services import create_api_token, create_user
from hatangso.plans.models import Plan
from hatangso.plans.selectors import get_plan
from hatangso.utilities.testing import CATALOG_TARGETS


@pytest.fixture
def get(seed_plan, actor, client):
    user = create_user(username="reader", password="a long passphrase 2024", actor=actor)
    _, token = create_api_token(user=user, name="t", actor=actor)

    def call(path):
        response = client.get(f"/api/v1/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")
        return response.status_code, response.json()

    return call


def test_plans_and_their_indicators(get):
    status, plans = get("plans/")
    assert status == 200
    assert [(p["code"], p["slug"], p["area_unit"], p["report_deadline"]) for p in plans] == [
        ("1529/KH-UBND", "1529-kh-ubnd", "480", "2024-11-30")
    ]
    status, indicators = get("plans/1529-kh-ubnd/indicators")
    assert status == 200
    assert {i["code"]: float(i["target"]) for i in indicators} == CATALOG_TARGETS
    agencies = next(i for i in indicators if i["code"] == "agencies_on_digital_platforms")
    assert agencies["condition"] and agencies["condition_met"] is False
    status, error = get("plans/khong-co/indicators")
    assert status == 404 and error["detail_en"].startswith("No plan 'khong-co'")


def test_forms_list_their_fields_in_order(get):
    status, forms = get("plans/1529-kh-ubnd/forms")
    assert status == 200
    commune = next(f for f in forms if f["code"] == "ubnd_xa_nam")
    assert (commune["reporter"], commune["period_type"]) == ("commune", "yearly")
    assert [f["order"] for f in commune["fields"]] == list(range(1, len(commune["fields"]) + 1))
    assert commune["fields"][0]["code"] == "population"
    assert any(f["per_village"] for f in commune["fields"])
    enterprise = next(f for f in forms if f["reporter"] == "enterprise")
    assert set(enterprise["operators"]) >= {"viettel", "vnpt", "mobifone"}


def test_units_by_parent_level_and_day(get):
    status, page = get("units/?parent=480&level=commune&on=2024-06-01")
    assert status == 200
    assert [u["code"] for u in page["items"]] == [
        "19996", "20005", "20008", "20011", "20017", "20020", "20026", "20035", "20041"
    ]  # fmt: skip
    status, page = get("units/?code=19996")
    names = [(u["name"], u["valid_to"]) for u in page["items"]]
    assert names == [("Phường Tứ Hạ", "2025-06-30"), ("Phường Hương Trà", None)]


def test_reads_need_a_token(seed_plan, client):
    for path in ("plans/1529-kh-ubnd/forms", "plans/1529-kh-ubnd/indicators", "units/"):
        assert client.get(f"/api/v1/{path}").status_code == 401
    # The list of plans answers the public too: the published ones, none here.
    assert client.get("/api/v1/plans/").json() == []
    response = client.get("/api/v1/plans/1529-kh-ubnd")
    assert (response.status_code, response.json()["detail_en"]) == (404, "No plan '1529-kh-ubnd'")
    response = client.get("/api/v1/plans/", HTTP_AUTHORIZATION="Bearer hts_not-a-token")
    assert response.status_code == 401  # a bad token is refused, not read as the public
    # Without a token the scorecard is the published one (DESIGN.md §2 "public: published
    # aggregates only"): none is published here, so 404 with the reason, not live numbers.
    response = client.get("/api/v1/plans/1529-kh-ubnd/scorecard?period=2024")
    assert response.status_code == 404
    assert response.json()["detail_en"] == "No scorecard of plan 1529/KH-UBND is published for 2024"


def test_a_plan_is_found_by_its_code_before_its_slug_in_one_query(seed_plan, django_assert_num_queries):
    """Every API request reads its plan (get_plan): one query, and a code wins over another plan's
    equal slug, as when the two were looked up one after the other."""
    other = Plan.objects.get(pk=seed_plan.pk)
    other.pk, other.code, other.slug = None, seed_plan.slug, "ke-hoach-khac"
    other.save()
    for asked, found in ((seed_plan.slug, other), (seed_plan.code, seed_plan), ("ke-hoach-khac", other)):
        with django_assert_num_queries(1):
            assert get_plan(asked) == found
