"""Roles and scoping (DESIGN.md §2): every read goes through the user's scope; outside it, 404."""

from datetime import date

import pytest
from django.contrib.auth import get_user_model

from hatangso.collection.models import DataElement, DataValue
from hatangso.collection.services import set_value
from hatangso.core.models import ApiToken, ChangeLogEntry, RateCounter
from hatangso.core.services import create_api_token, create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.registry.models import Operator
from hatangso.utilities.errors import UserError

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"


@pytest.fixture
def values(seed_plan, actor):
    """Own reports of two communes, and two operators' figures in the first one."""

    def put(code, unit_code, value, operator=None):
        return set_value(
            element=DataElement.objects.get(code=code),
            unit=resolve_unit(unit_code, start=JUNE_2024),
            period="2024",
            value=str(value),
            actor=actor,
            operator=Operator.objects.get(code=operator) if operator else None,
        )

    return {
        "tu_ha": put("population", "19996", 10000),
        "binh_thanh": put("population", "20041", 5000),
        "viettel": put("mobile_subscriptions", "19996", 9000, "viettel"),
        "vnpt": put("mobile_subscriptions", "19996", 4000, "vnpt"),
    }


@pytest.fixture
def users(seed_plan, actor):
    def user(name, role, unit=None, operator=None, agency=None):
        account = create_user(username=name, password=PASSWORD, actor=actor)
        grant_membership(
            user=account,
            role=role,
            actor=actor,
            unit=resolve_unit(unit, start=JUNE_2024) if unit else None,
            operator=Operator.objects.get(code=operator) if operator else None,
            agency=Agency.objects.get(code=agency) if agency else None,
        )
        return account

    return {
        "plan_owner": user("vhtt", "plan_owner", unit="480"),
        "leader": user("lanhdao", "leader", unit="480"),
        "agency": user("qldt", "agency", unit="480", agency="phong_qldt"),
        "commune": user("tuha", "commune", unit="19996"),
        "enterprise": user("viettel", "enterprise", operator="viettel"),
        "no_role": create_user(username="citizen", password=PASSWORD, actor=actor),
    }


VISIBLE = {
    "plan_owner": {"tu_ha", "binh_thanh", "viettel", "vnpt"},
    "leader": {"tu_ha", "binh_thanh", "viettel", "vnpt"},
    "agency": {"tu_ha", "binh_thanh", "viettel", "vnpt"},
    "commune": {"tu_ha"},
    "enterprise": {"viettel"},
    "no_role": set(),
}


@pytest.mark.parametrize("role", VISIBLE)
def test_each_role_reads_only_its_scope_through_the_api(role, users, values, client, actor):
    _, token = create_api_token(user=users[role], name="test", actor=actor)
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    listed = client.get("/api/v1/values/?limit=100", **auth)
    assert listed.status_code == 200
    ids = {item["id"] for item in listed.json()["items"]}
    assert ids == {values[name].pk for name in VISIBLE[role]}
    for name, value in values.items():
        detail = client.get(f"/api/v1/values/{value.pk}", **auth)
        if name in VISIBLE[role]:
            assert detail.status_code == 200
            assert detail.json()["value"] == str(value.value)
        else:
            assert detail.status_code == 404
            assert "value" not in detail.json()


def test_the_api_needs_a_valid_token(users, values, client, actor):
    assert client.get("/api/v1/values/").status_code == 401
    assert client.get("/api/v1/values/", HTTP_AUTHORIZATION="Bearer hts_not-a-token").status_code == 401
    token, secret = create_api_token(user=users["commune"], name="test", actor=actor)
    ApiToken.objects.filter(pk=token.pk).update(revoked=True)
    assert client.get("/api/v1/values/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    token, secret = create_api_token(user=users["commune"], name="expired", actor=actor, days=-1)
    assert client.get("/api/v1/values/", HTTP_AUTHORIZATION=f"Bearer {secret}").status_code == 401
    assert not ApiToken.objects.filter(key_hash__contains=secret).exists()  # only a hash is stored


def test_a_logged_in_browser_uses_its_session(users, values, client):
    client.force_login(users["enterprise"])
    items = client.get("/api/v1/values/").json()["items"]
    assert [i["operator"] for i in items] == ["viettel"]


def test_scope_decides_who_may_write(users, values):
    from hatangso.core.scoping import scope_for

    tu_ha = resolve_unit("19996", start=JUNE_2024)
    binh_thanh = resolve_unit("20041", start=JUNE_2024)
    viettel, vnpt = Operator.objects.get(code="viettel"), Operator.objects.get(code="vnpt")
    commune, enterprise = scope_for(users["commune"]), scope_for(users["enterprise"])
    assert commune.can_write_value(unit=tu_ha, operator=None)
    assert not commune.can_write_value(unit=binh_thanh, operator=None)
    assert not commune.can_write_value(unit=tu_ha, operator=viettel)
    assert enterprise.can_write_value(unit=binh_thanh, operator=viettel)
    assert not enterprise.can_write_value(unit=tu_ha, operator=vnpt)
    assert scope_for(users["plan_owner"]).can_write_value(unit=tu_ha, operator=vnpt)
    assert not scope_for(users["leader"]).can_write_value(unit=tu_ha, operator=None)
    assert not scope_for(users["no_role"]).can_write_value(unit=tu_ha, operator=None)


def test_roles_are_checked_and_audited(seed_plan, actor):
    user = create_user(username="clerk", password=PASSWORD, actor=actor)
    with pytest.raises(UserError) as caught:
        grant_membership(user=user, role="commune", unit=resolve_unit("480", start=JUNE_2024), actor=actor)
    assert caught.value.en == "Thị xã Hương Trà (480) is not a commune"
    with pytest.raises(UserError) as caught:
        grant_membership(user=user, role="enterprise", actor=actor)
    assert caught.value.en == "The enterprise role needs an operator"
    with pytest.raises(UserError) as caught:
        create_user(username="weak", password="123", actor=actor)
    assert caught.value.en.startswith("The password is too weak")
    assert not get_user_model().objects.filter(username="weak").exists()
    grant_membership(user=user, role="commune", unit=resolve_unit("19996", start=JUNE_2024), actor=actor)
    assert ChangeLogEntry.objects.filter(object_type="core.membership", action="create").count() == 1
    assert ChangeLogEntry.objects.filter(object_type="auth.user", action="create").count() == 1
    assert "password" in ChangeLogEntry.objects.get(object_type="auth.user").after
    assert not ChangeLogEntry.objects.get(object_type="auth.user").after["password"].startswith("a long")


def test_failed_logins_are_throttled(db, client, actor, settings):
    settings.LOGIN_FAILURE_LIMIT = 3
    create_user(username="clerk", password=PASSWORD, actor=actor)
    for _ in range(3):
        assert not client.login(username="clerk", password="wrong password")
    # Even the right password is refused while the account is throttled.
    assert not client.login(username="clerk", password=PASSWORD)
    RateCounter.objects.all().delete()  # the window has passed
    assert client.login(username="clerk", password=PASSWORD)


def test_values_stay_private_on_the_public_pages(values, client):
    assert client.get("/api/v1/values/").status_code == 401
    assert DataValue.objects.count() == 4
