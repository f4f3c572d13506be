"""Results rolled up (issue 17 item 3): a parent plan's indicator page counts the areas below that
achieved their own targets and lists them — each with its own target, its rating and a link to the
child plan's page — sorted and filtered by query parameters, the worst first; the child plan's page
links back to the parent's."""

import html
import re

import pytest

from hatangso.analytics.tests.test_targets import ONLY_2G_CODE, plans  # noqa: F401 (a fixture)
from hatangso.core.services import create_user, grant_membership
from hatangso.utilities.errors import NotFound
from hatangso.web.selectors import indicator_page

PAGE = "/ke-hoach/97-kh-test/chi-tieu/only_2g_subscription_share/"
CHILD_PAGE = "/ke-hoach/96-kh-test/chi-tieu/only_2g_subscription_share/"


@pytest.fixture
def province_owner(plans, client, actor):  # noqa: F811
    province, _district = plans
    owner = create_user(username="province", password="a long passphrase 2024", actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=province.area_unit, actor=actor)
    client.force_login(owner)
    return client


def children_rows(page: str) -> list[list[str]]:
    """The children table's rows as the text of their cells."""
    table = page.split('<table class="compact children">', 1)[1].split("</table>", 1)[0]
    body = table.split("<tbody>", 1)[1]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S):
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)
        rows.append([" ".join(html.unescape(re.sub(r"<[^>]+>", " ", c)).split()) for c in cells])
    return rows


def test_the_parent_page_counts_and_lists_the_children_worst_first(province_owner):
    page = province_owner.get(PAGE).content.decode()
    # 2024: quận Phú Xuân 6 % against the province's 8 % (achieved); thị xã Hương Trà 5,03 % against
    # its own plan's 4 % (not achieved); the seven others have no figures.
    assert "1/9 địa bàn đạt chỉ tiêu" in page
    rows = children_rows(page)
    assert [r[0] for r in rows][:1] == ["Thị xã Hương Trà Kế hoạch 96/KH-TEST"]
    assert rows[0][1:4] == ["5,0", "< 4", "✗ Chưa hoàn thành"]
    assert rows[-1][:4] == ["Quận Phú Xuân", "6,0", "< 8", "✓ Hoàn thành"]
    thuan_hoa = next(r for r in rows if r[0] == "Quận Thuận Hóa")
    assert thuan_hoa[1:4] == ["—", "< 7", "? Chưa có thông tin"]  # the target the province assigned
    assert len(rows) == 9
    assert f'href="{CHILD_PAGE}"' in page  # the child plan's own page of the indicator


def test_the_children_are_sorted_and_filtered_by_query(province_owner):
    achieved = children_rows(province_owner.get(PAGE + "?status=achieved").content.decode())
    assert [r[0] for r in achieved] == ["Quận Phú Xuân"]
    by_value = children_rows(province_owner.get(PAGE + "?sort=-value").content.decode())
    assert [r[1] for r in by_value[:2]] == ["6,0", "5,0"] and {r[1] for r in by_value[2:]} == {"—"}
    by_name = [
        r[0].split(" Kế hoạch")[0]
        for r in children_rows(province_owner.get(PAGE + "?sort=name").content.decode())
    ]
    assert by_name == sorted(by_name)
    none = children_rows(province_owner.get(PAGE + "?status=not_applicable").content.decode())
    assert none == [["Không có địa bàn nào có đánh giá này."]]


@pytest.mark.parametrize(
    ("sort", "status", "vi", "en"),
    [
        ("random", "", "Không có cách sắp xếp 'random'", "No sort order 'random'"),
        ("worst", "good", "Không có đánh giá 'good'", "No status 'good'"),
    ],
)
def test_an_unknown_order_or_status_is_not_found(plans, province_owner, sort, status, vi, en):  # noqa: F811
    province, _district = plans
    user = province_owner.get("/").wsgi_request.user
    with pytest.raises(NotFound) as caught:
        indicator_page(
            user, plan=province, code=ONLY_2G_CODE, unit=province.area_unit, sort=sort, status=status
        )
    assert (caught.value.vi, caught.value.en) == (vi, en)
    assert province_owner.get(f"{PAGE}?sort={sort}&status={status}").status_code == 404


def test_the_child_plans_page_links_to_the_parents(plans, client, actor):  # noqa: F811
    _province, district = plans
    owner = create_user(username="district", password="a long passphrase 2024", actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=district.area_unit, actor=actor)
    client.force_login(owner)
    page = client.get(CHILD_PAGE).content.decode()
    assert f'<a href="{PAGE}#theo-dia-ban">97/KH-TEST — ' in page
    assert "1/9 địa bàn đạt chỉ tiêu" in page
    rows = children_rows(page)
    # The worst first: the farthest above its own ceiling, then the communes without figures.
    assert rows[0][:4] == ["Xã Bình Thành", "5,1", "< 4", "✗ Chưa hoàn thành"]
    assert rows[1][:4] == ["Xã Hương Toàn", "5,1", "< 5", "✗ Chưa hoàn thành"]  # assigned 5 %
    assert rows[-1][:4] == ["Phường Tứ Hạ", "4,9", "< 5", "✓ Hoàn thành"]
    assert {r[3] for r in rows[2:-1]} == {"? Chưa có thông tin"} and len(rows) == 9


def test_a_multi_year_plans_page_shows_its_path_of_targets(province_owner):
    page = province_owner.get(PAGE).content.decode()
    assert "<dt>Lộ trình</dt><dd>2024: 8 %; 2025: 5 %</dd>" in page
    assert ONLY_2G_CODE in page


def only_2g_tile(page: str) -> str:
    return next(t for t in page.split('<li class="tile ')[1:] if f"/{ONLY_2G_CODE}/" in t)


def test_the_dashboard_draws_a_multi_year_plans_path_of_targets(province_owner):
    """2024 against its year's 8 %, 2025 (a later year of the plan, offered on the dashboard)
    against the final 5 %; the sparkline's dashed target steps between the periods' targets."""
    tile = only_2g_tile(province_owner.get("/ke-hoach/97-kh-test/").content.decode())
    assert '<p class="tile-target">Kế hoạch &lt; 8 %</p>' in tile
    assert re.search(r'<polyline points="[^"]+" class="spark-target"/>', tile)
    label = re.search(r'aria-label="([^"]*)"', tile)[1]
    assert "Kế hoạch — Năm 2023: 5 %; Quý I/2024: 8 %;" in html.unescape(label)
    later = only_2g_tile(province_owner.get("/ke-hoach/97-kh-test/?period=2025").content.decode())
    assert '<p class="tile-target">Kế hoạch &lt; 5 %</p>' in later


def test_a_plan_of_one_year_keeps_a_flat_target_line(province_owner):
    tile = only_2g_tile(province_owner.get("/ke-hoach/96-kh-test/").content.decode())
    assert '<p class="tile-target">Kế hoạch &lt; 4 %</p>' in tile
    assert re.search(r'<line [^>]+class="spark-target"/>', tile)
    assert not re.search(r'<polyline [^>]+class="spark-target"/>', tile)
