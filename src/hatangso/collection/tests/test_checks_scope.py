"""A report's checks quote only values the reader may read (issue 16 item 4): a commune's checks
never show an operator's raw figures, which `/api/v1/values/` already hides from it."""

from datetime import date

import pytest

from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.collection.workflow import get_submission
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"


def put(actor, code, period, value, operator=None, unit="19996"):
    set_value(
        element=DataElement.objects.get(code=code),
        unit=resolve_unit(unit, start=JUNE_2024),
        period=period,
        value=str(value),
        actor=actor,
        operator=Operator.objects.get(code=operator) if operator else None,
    )


@pytest.fixture
def reported(seed_plan, actor):
    """Viettel's BTS sites in Tứ Hạ jump from 9 to 40 in 2024Q3 and its smartphones exceed its
    subscriptions (a broken rule); Tứ Hạ's own population doubles (its own outlier)."""
    for quarter in ("2023Q3", "2023Q4", "2024Q1", "2024Q2"):
        put(actor, "bts_sites", quarter, 9, "viettel")
    put(actor, "bts_sites", "2024Q3", 40, "viettel")
    put(actor, "mobile_subscriptions", "202403", 100, "viettel")
    put(actor, "smartphone_subscriptions", "202403", 150, "viettel")
    for year, population in ((2021, 9800), (2022, 9900), (2023, 10000), (2024, 21000)):
        put(actor, "population", str(year), population)
    form = seed_plan.forms.get(code="ubnd_xa_nam")
    submission = get_submission(
        form=form, unit=resolve_unit("19996", start=JUNE_2024), operator=None, period="2024", user=None,
        actor=actor,
    )  # fmt: skip
    return form, submission


def login(client, actor, username, role, **membership):
    user = create_user(username=username, password=PASSWORD, actor=actor)
    grant_membership(user=user, role=role, actor=actor, **membership)
    client.force_login(user)
    return user


def test_a_communes_report_checks_show_no_operator_figures(reported, client, actor):
    form, submission = reported
    login(client, actor, "tuha", "commune", unit=resolve_unit("19996", start=JUNE_2024))
    assert client.get("/api/v1/values/?element=bts_sites").json()["items"] == []  # the reference scope
    checks = client.get(f"/api/v1/submissions/{submission.pk}/checks")
    assert checks.status_code == 200
    assert checks.json() == {
        "violations": [],
        "outliers": ["population 19996 2024: 21000 (trung vị trước đó / earlier median 9900, 3 kỳ)"],
    }
    page = client.get(f"/nhap-lieu/{form.pk}/2024/").content.decode()
    assert "population 19996 2024: 21000" in page  # its own outlier is shown
    assert "bts_sites" not in page and "smartphone_subscriptions" not in page


def test_the_plan_owner_sees_every_value_in_the_checks(reported, client, actor, seed_plan):
    _, submission = reported
    login(client, actor, "vhtt", "plan_owner", unit=seed_plan.area_unit)
    checks = client.get(f"/api/v1/submissions/{submission.pk}/checks").json()
    assert "bts_sites 19996 2024Q3: 40 (trung vị trước đó / earlier median 9, 4 kỳ)" in checks["outliers"]
    assert checks["violations"] == [
        "Thuê bao điện thoại thông minh không vượt quá tổng thuê bao di động: Số thuê bao sử dụng điện "
        "thoại thông minh là 150, phải không lớn hơn (≤) Tổng số thuê bao điện thoại di động là 100."
    ]
    page = client.get(f"/duyet/{submission.pk}/").content.decode()
    assert "bts_sites 19996 2024Q3: 40" in page


def test_an_operator_sees_its_own_figures_only(reported, client, actor):
    login(client, actor, "viettel", "enterprise", operator=Operator.objects.get(code="viettel"))
    form_q = reported[0].plan.forms.get(code="doanh_nghiep_quy")
    page = client.get(f"/nhap-lieu/{form_q.pk}/2024Q3/").content.decode()
    assert "bts_sites 19996 2024Q3: 40" in page  # its own
    assert "population 19996" not in page  # not the commune's
