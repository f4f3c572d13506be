"""A report's checks quote only values the reader may read (issue 16 item 4): a commune's checks
never show an operator's raw figures, which `/api/v1/values/` already hides from it."""

import re
from datetime import date

import pytest
from django.utils.html import strip_tags

from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.collection.workflow import get_submission
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator

JUNE_2024 = date(2024, 6, 1)
PASSWORD = "a long passphrase 2024"
BTS_OUTLIER = (
    "Số vị trí trạm BTS — Phường Tứ Hạ, Viettel, Quý III/2024: 40, cao hơn nhiều so với các kỳ trước "
    "(trung vị 9 của 4 kỳ)."
)


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
        form=form, unit=resolve_unit("19996", start=JUNE_2024), operator=None, period="2024",
        user=COMMAND_LINE,
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
        "outliers": [
            "Dân số — Phường Tứ Hạ, Năm 2024: 21.000, cao hơn nhiều so với các kỳ trước "
            "(trung vị 9.900 của 3 kỳ)."
        ],
    }
    page = client.get(f"/nhap-lieu/{form.pk}/2024/").content.decode()
    assert "Dân số — Phường Tứ Hạ, Năm 2024: 21.000" in page  # its own outlier is shown
    assert "bts_sites" not in page and "smartphone_subscriptions" not in page


def test_the_plan_owner_sees_every_value_in_the_checks(reported, client, actor, seed_plan):
    _, submission = reported
    login(client, actor, "vhtt", "plan_owner", unit=seed_plan.area_unit)
    checks = client.get(f"/api/v1/submissions/{submission.pk}/checks").json()
    assert BTS_OUTLIER in checks["outliers"]
    assert checks["violations"] == [
        "Thuê bao điện thoại thông minh không vượt quá tổng thuê bao di động: Số thuê bao sử dụng điện "
        "thoại thông minh là 150, phải không lớn hơn (≤) Tổng số thuê bao điện thoại di động là 100."
    ]
    page = client.get(f"/duyet/{submission.pk}/").content.decode()
    assert BTS_OUTLIER in page


def test_an_operator_sees_its_own_figures_only(reported, client, actor):
    login(client, actor, "viettel", "enterprise", operator=Operator.objects.get(code="viettel"))
    form_q = reported[0].plan.forms.get(code="doanh_nghiep_quy")
    page = client.get(f"/nhap-lieu/{form_q.pk}/2024Q3/").content.decode()
    assert BTS_OUTLIER in page  # its own
    assert "Dân số" not in page  # not the commune's


def test_an_outlier_on_the_entry_page_reads_in_words_and_marks_its_row(reported, client, actor):
    """Viettel's subscriptions in Tứ Hạ fall from about 1.550 to 100 in March 2024 (issue 23 item 4)."""
    for month, subscriptions in (("202401", 1500), ("202402", 1600)):
        put(actor, "mobile_subscriptions", month, subscriptions, "viettel")
    put(actor, "smartphone_subscriptions", "202403", 90, "viettel")  # no broken rule: only the outlier
    login(client, actor, "viettel", "enterprise", operator=Operator.objects.get(code="viettel"))
    form_m = reported[0].plan.forms.get(code="doanh_nghiep_thang")
    page = client.get(f"/nhap-lieu/{form_m.pk}/202403/").content.decode()
    [checks] = re.findall(r'<section class="checks".*?</section>', page, re.S)
    assert (
        "<li>Tổng số thuê bao điện thoại di động — Phường Tứ Hạ, Viettel, Tháng 03/2024: 100, thấp hơn nhiều "
        "so với các kỳ trước (trung vị 1.550 của 2 kỳ).</li>"
    ) in checks
    assert "mobile_subscriptions" not in page and "202403" not in strip_tags(page)  # no code, no raw period
    marked = re.findall(r'<tr class="[^"]*to-check[^"]*">\s*<td>[^<]*</td>\s*<td><label[^>]*>([^<]+)<', page)
    assert marked == ["Tổng số thuê bao điện thoại di động"]  # the row to look at again
