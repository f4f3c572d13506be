"""Writing through the API: the same checks, scope, versions and workflow as every other path."""

import json

import pytest

from hatangso.collection.models import DataValue
from hatangso.core.models import ChangeLogEntry
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator

PASSWORD = "a long passphrase 2024"


@pytest.fixture
def api(seed_plan, actor, client):
    from datetime import date

    def caller(name, role, unit_code=None, operator=None):
        user = create_user(username=name, password=PASSWORD, actor=actor)
        grant_membership(
            user=user,
            role=role,
            actor=actor,
            unit=resolve_unit(unit_code, start=date(2024, 6, 1)) if unit_code else None,
            operator=Operator.objects.get(code=operator) if operator else None,
        )
        _, token = create_api_token(user=user, name="t", actor=actor)

        def call(method, path, body=None):
            response = getattr(client, method)(
                f"/api/v1/{path}",
                data=json.dumps(body) if body is not None else None,
                content_type="application/json",
                HTTP_AUTHORIZATION=f"Bearer {token}",
            )
            return response.status_code, response.json()

        return call

    return {
        "tuha": caller("tuha", "commune", "19996"),
        "owner": caller("vhtt", "plan_owner", "480"),
        "viettel": caller("viettel", "enterprise", operator="viettel"),
    }


def value(element, unit, amount, **extra):
    return {"data_element": element, "unit": unit, "period": "2024", "value": amount, **extra}


def test_put_creates_then_needs_the_version(api):
    status, body = api["tuha"]("put", "values/", value("population", "19996", "10.500"))
    assert (status, body["value"], body["version"]) == (200, "10500", 1)
    status, body = api["tuha"]("put", "values/", value("population", "19996", "10600"))
    assert status == 409
    assert body["detail_en"] == "This value exists (version 1, entered by tuha); send the version you changed"
    status, body = api["tuha"](
        "put", "values/", value("population", "19996", "10600", version=1, reason="đếm lại")
    )
    assert (status, body["version"]) == (200, 2)
    status, body = api["owner"]("put", "values/", value("population", "19996", "99", version=1))
    assert status == 409 and "someone else (tuha)" in body["detail_en"]
    assert DataValue.objects.get().value == 10600
    entry = ChangeLogEntry.objects.filter(object_type="collection.datavalue", action="update").get()
    assert (entry.actor, entry.reason, entry.origin) == ("tuha", "đếm lại", "api: PUT /api/v1/values/")


def test_put_outside_the_scope_is_not_found_and_bad_values_are_400(api):
    assert api["tuha"]("put", "values/", value("population", "20041", "1"))[0] == 404
    assert (
        api["tuha"]("put", "values/", value("mobile_subscriptions", "19996", "1", operator="viettel"))[0]
        == 404
    )
    assert (
        api["viettel"]("put", "values/", value("mobile_subscriptions", "19996", "1", operator="vnpt"))[0]
        == 404
    )
    status, body = api["viettel"](
        "put", "values/", value("mobile_subscriptions", "20041", "-3", operator="viettel")
    )
    assert (status, body["detail_en"]) == (400, "mobile_subscriptions: a count cannot be negative")
    assert (
        api["viettel"]("put", "values/", value("mobile_subscriptions", "20041", "3", operator="viettel"))[0]
        == 200
    )
    assert DataValue.objects.count() == 1


def test_the_workflow_through_the_api(api):
    api["tuha"]("put", "values/", value("households", "19996", "3000"))
    status, submission = api["tuha"](
        "post",
        "submissions/",
        {"plan": "1529-kh-ubnd", "form": "ubnd_xa_nam", "unit": "19996", "period": "2024"},
    )
    assert (status, submission["status"]) == (200, "draft")
    sid = submission["id"]
    api["tuha"]("put", "values/", value("households_ftth", "19996", "3500"))
    status, checks = api["tuha"]("get", f"submissions/{sid}/checks")
    assert status == 200
    assert checks["violations"] == [
        "Số hộ có cáp quang không vượt quá tổng số hộ: Số hộ gia đình có truy nhập Internet băng rộng cáp "
        "quang là 3.500, phải không lớn hơn (≤) Tổng số hộ gia đình là 3.000."
    ]
    assert api["viettel"]("get", f"submissions/{sid}/checks")[0] == 404
    assert api["viettel"]("get", f"submissions/{sid}")[0] == 404
    assert api["tuha"]("post", f"submissions/{sid}/approve", {})[0] == 404
    assert api["tuha"]("post", f"submissions/{sid}/submit", {})[1]["status"] == "submitted"
    assert api["owner"]("post", f"submissions/{sid}/approve", {})[1]["status"] == "approved"
    status, body = api["tuha"]("put", "values/", value("households", "19996", "3100", version=1))
    assert status == 409 and "approved report" in body["detail_en"]
    status, body = api["owner"]("post", f"submissions/{sid}/reopen", {"comment": ""})
    assert (status, body["detail_en"]) == (400, "Give a reason for re-opening it")
    assert api["owner"]("post", f"submissions/{sid}/reopen", {"comment": "sửa số hộ"})[1]["status"] == "draft"
    assert api["tuha"]("put", "values/", value("households", "19996", "3100", version=1))[0] == 200
    status, listed = api["owner"]("get", "submissions/")
    assert [s["id"] for s in listed["items"]] == [sid]
    assert api["viettel"]("get", "submissions/")[1]["items"] == []
    assert ChangeLogEntry.objects.filter(object_type="collection.submission", reason="sửa số hộ").exists()


def test_import_a_values_file_through_the_api(seed_plan, client, actor, table_counts):
    from django.core.files.uploadedfile import SimpleUploadedFile

    user = create_user(username="tuha2", password=PASSWORD, actor=actor)
    grant_membership(
        user=user, role="commune", unit=resolve_unit("19996", start=seed_plan.issued_on), actor=actor
    )
    _, token = create_api_token(user=user, name="t", actor=actor)

    def send(text):
        upload = SimpleUploadedFile("gia-tri.csv", text.encode(), content_type="text/csv")
        response = client.post(
            "/api/v1/values/import", {"file": upload}, HTTP_AUTHORIZATION=f"Bearer {token}"
        )
        return response.status_code, response.json()

    before = table_counts()
    status, body = send(
        "ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,population,100\n2024,20005,population,5\n"
    )
    assert status == 400 and body["detail_en"] == "File gia-tri.csv has 1 error(s); nothing was written"
    assert body["errors"][0]["reason_en"] == "20005 is outside your scope" and body["errors"][0]["row"] == 3
    assert table_counts() == before
    status, body = send("ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,population,100\n")
    assert status == 200 and body["created"] == 1 and len(body["submissions"]) == 1
