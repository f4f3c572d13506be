"""The indicator page (issue 23 item 7): a period switch, evidence links only for whoever may open
the file, the source of a value entered directly, and names instead of codes."""

import pytest

from hatangso.collection.models import DataElement
from hatangso.collection.services import import_values, set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.selectors import resolve_unit
from hatangso.web.tests.test_indicator_page import JUNE_2024, computed, login  # noqa: F401 (fixture)

PAGE = "/ke-hoach/1529-kh-ubnd/chi-tieu/internet_users/"


@pytest.fixture
def imported(computed, actor, tmp_path):  # noqa: F811 (the fixture imported above)
    """Both communes' users from one file (import #n), their population typed in directly: a commune
    may not open a file holding another commune's figures."""
    path = tmp_path / "users.csv"
    path.write_text(
        "ky,ma_don_vi,ma_chi_so,gia_tri\n2024,19996,internet_users,39114\n2024,20005,internet_users,35022\n",
        encoding="utf-8",
    )
    return import_values(path=path, actor=actor, user=COMMAND_LINE).batch


def test_the_period_switch_offers_the_plans_periods_in_words(computed, client, actor):  # noqa: F811
    login(client, actor, "leader", unit=computed.area_unit)
    page = client.get(PAGE).content.decode()
    assert '<option value="2024" selected>Năm 2024</option>' in page
    assert '<option value="2024Q1">Quý I/2024</option>' in page and "Năm 2023" in page
    page = client.get(PAGE + "?period=2024Q1").content.decode()
    assert '<option value="2024Q1" selected>Quý I/2024</option>' in page
    assert "Quý I/2024" in page.split("</h2>", 1)[1].split("</p>", 1)[0]  # the heading's period
    assert client.get(PAGE + "?period=1999").status_code == 404


def test_the_file_link_and_the_direct_entry_label(imported, computed, client, actor):  # noqa: F811
    file_link = f'<a href="/tep-nhap/{imported.pk}/">Tệp nhập #{imported.pk}</a>'
    login(client, actor, "plan_owner", unit=computed.area_unit)
    page = client.get(PAGE).content.decode()
    assert file_link in page and client.get(f"/tep-nhap/{imported.pk}/").status_code == 200
    assert f"Nhập trực tiếp ({actor.name})" in page  # the population typed in, not "#1 mẫu"
    client.logout()
    login(client, actor, "commune", unit=resolve_unit("19996", start=JUNE_2024))
    page = client.get(PAGE).content.decode()
    assert client.get(f"/tep-nhap/{imported.pk}/").status_code == 404  # the commune may not open it
    assert f"Tệp nhập #{imported.pk}" in page and file_link not in page  # named, not linked


def test_a_value_typed_over_its_files_is_no_longer_the_files(imported, computed, client, actor):  # noqa: F811
    users, tu_ha = DataElement.objects.get(code="internet_users"), resolve_unit("19996", start=JUNE_2024)
    set_value(element=users, unit=tu_ha, period="2024", value="39115", actor=actor)
    login(client, actor, "plan_owner", unit=computed.area_unit)
    page = client.get(PAGE).content.decode()
    row = page.split('<td class="num">39.115</td>', 1)[1].split("</tr>", 1)[0]
    assert "Nhập trực tiếp" in row and "Tệp nhập" not in row


def test_the_formula_and_the_sources_are_in_words(computed, client, actor):  # noqa: F811
    login(client, actor, "plan_owner", unit=computed.area_unit)
    page = client.get(PAGE).content.decode()
    users, population = (DataElement.objects.get(code=code).name for code in ("internet_users", "population"))
    assert f"{users} / {population}" in page and "<code>" not in page
    assert "số liệu báo cáo" in page and ">values<" not in page
