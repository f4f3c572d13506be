"""The review page of a draft (issue 20, item 5): units, comparisons and yearly milestones editable,
unmatched targets highlighted with their unit, the area's level shown."""

from decimal import Decimal

from hatangso.plans.models import Plan
from hatangso.plans.tests.test_parse_page import field, form_of, people, problems_of, upload  # noqa: F401

PLAN = """UBND THỊ XÃ HƯƠNG TRÀ
Số: 66/KH-UBND
Hương Trà, ngày 2 tháng 2 năm 2024
KẾ HOẠCH
Chuyển đổi số của thị xã giai đoạn 2024 - 2025
I. MỤC ĐÍCH
1. Mục đích
a) Phát triển hạ tầng số của thị xã.
II. CHỈ TIÊU
- Tỷ lệ dân số được phủ sóng 5G: năm 2024 đạt 30%, năm 2025 đạt 50%.
- Tốc độ Wi-Fi công cộng tối thiểu 50 Mb/s.
Trên đây là Kế hoạch; các đơn vị báo cáo trước ngày 15/12/2024./.
"""


def test_units_directions_and_milestones_are_edited_on_the_review_page(people, client, table_counts):  # noqa: F811
    client.force_login(people["owner"])
    draft_url = upload(client, "chuyen-doi-so.txt", PLAN.encode()).url
    page = client.get(draft_url)
    html = page.content.decode()
    assert "Thị xã Hương Trà (mã 480, cấp huyện / district)" in html
    assert "1 chỉ tiêu chưa khớp danh mục (tô vàng)" in html
    assert "kế hoạch 50 Mb/s (≥, chiều tăng)" in html
    data = form_of(page)
    coverage = field(data, "ind", "code", "population_5g_coverage", "milestones")
    assert data[coverage] == "2024: 30; 2025: 50"
    wifi = field(data, "ind", "text", "Tốc độ Wi-Fi công cộng tối thiểu 50 Mb/s.", "unit")
    assert data[wifi] == "Mb/s"
    assert (data["plan-year"], data["plan-end_year"]) == ("2024", "2025")

    before = table_counts()
    bad = client.post(draft_url, {**data, coverage: "năm 2024 là 30", "action": "load"})
    assert "one target per year, separated by semicolons: 2025: 60; 2026: 80" in bad.content.decode()
    assert table_counts() == before

    data[coverage] = "2024: 35; 2025: 55,5"
    data[coverage.replace("milestones", "target")] = "55.5"
    data[coverage.replace("milestones", "comparison")] = ">"
    loaded = client.post(draft_url, {**data, "action": "load"})
    assert loaded.status_code == 302, problems_of(loaded)
    indicator = Plan.objects.get(code="66/KH-UBND").indicators.get(code="population_5g_coverage")
    assert (indicator.comparison, indicator.unit) == (">", "%")
    targets = dict(indicator.targets.values_list("year", "value"))
    assert targets == {2024: Decimal("35"), 2025: Decimal("55.5")}
