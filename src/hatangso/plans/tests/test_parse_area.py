"""A plan's area found by name at any level, before or after 2025 (issue 20, item 4), and a
multi-year commune plan with targets of the national catalog read, drafted and loaded."""

import pytest
import yaml

from hatangso.core.scoping import COMMAND_LINE
from hatangso.plans.drafting import area_label, draft_plan_file, draft_yaml
from hatangso.plans.models import Plan
from hatangso.plans.parsing import parse_plan
from hatangso.plans.services import load_plan

BODY = "I. MỤC ĐÍCH\n1. Mục đích\na) Phát triển hạ tầng số.\n"


@pytest.mark.parametrize(
    ("block", "dated", "code", "label"),
    [
        ("UBND TỈNH THỪA THIÊN HUẾ", "Huế, ngày 3 tháng 4 năm 2024", "46", "cấp tỉnh / province"),
        ("ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HUẾ", "Huế, ngày 3 tháng 9 năm 2025", "46", "cấp tỉnh / province"),
        ("UBND THỊ XÃ HƯƠNG TRÀ", "Hương Trà, ngày 3 tháng 4 năm 2024", "480", "cấp huyện / district"),
        ("ỦY BAN NHÂN DÂN\nPHƯỜNG HƯƠNG TRÀ", "Hương Trà, ngày 3 tháng 9 năm 2025", "19996", "cấp xã"),
        ("UBND XÃ A LƯỚI 1", "A Lưới 1, ngày 3 tháng 9 năm 2025", "20056", "cấp xã / commune"),
    ],
)
def test_the_area_by_name_at_any_level(reference_units, block, dated, code, label):
    text = f"{block}\nSố: 5/KH-UBND\n{dated}\nKẾ HOẠCH Chuyển đổi số năm {dated[-4:]}\n{BODY}"
    draft = draft_plan_file(parse_plan(text))
    assert draft.plan_file["plan"]["area_unit"] == code
    assert label in area_label(draft.plan_file)
    assert "# Địa bàn / area: " in draft_yaml(draft.plan_file, draft.review, "x.txt")
    assert not any("Chưa xác định được địa bàn" in note for note in draft.review)


COMMUNE_PLAN = """ỦY BAN NHÂN DÂN
XÃ A LƯỚI 1
Số: 21/KH-UBND
A Lưới 1, ngày 10 tháng 9 năm 2025
KẾ HOẠCH
Phát triển hạ tầng số trên địa bàn xã giai đoạn 2025 - 2027
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
a) Phát triển hạ tầng số của xã.
II. MỤC TIÊU, CHỈ TIÊU
- Số thuê bao băng rộng di động/100 dân: 88%.
- Tỷ lệ dân số được phủ sóng 5G: năm 2025 đạt 40%, năm 2026 đạt 60%, năm 2027 đạt 80%.
- Phấn đấu mỗi người dân có 01 tài khoản sử dụng dịch vụ điện toán đám mây.
- Tốc độ băng rộng di động (tốc độ tải xuống theo i-Speed): 45 Mb/s.
III. NHIỆM VỤ
1. Hạ tầng
a) Phát triển băng rộng di động tới thôn.
Trên đây là Kế hoạch của UBND xã; các đơn vị báo cáo trước ngày 15/12/2025./.
"""


def test_a_multi_year_commune_plan_is_drafted_and_loads(reference_units, actor, tmp_path):
    draft = draft_plan_file(parse_plan(COMMUNE_PLAN))
    header = draft.plan_file["plan"]
    assert (header["area_unit"], header["year"], header["end_year"], header["period"]) == (
        "20056", 2025, 2027, "2025"
    )
    assert header["issuer"] == "UBND xã A Lưới 1"
    # the speed is matched among the speed indicators, its wording close enough to be checked
    assert [note.split(" → ")[1][:22] for note in draft.review] == ["mobile_download_median"]
    indicators = {i["code"]: i for i in draft.plan_file["indicators"]}
    assert indicators["population_5g_coverage"]["targets"] == {2025: 40, 2026: 60, 2027: 80}
    # cloud accounts are reported by the operators: the draft's forms collect them
    assert any("cloud_accounts" in f["elements"] for f in draft.plan_file["forms"])
    path = tmp_path / "ban-nhap.yaml"
    path.write_text(draft_yaml(draft.plan_file, draft.review, "xa.txt"), encoding="utf-8")
    assert yaml.safe_load(path.read_text(encoding="utf-8"))["plan"]["end_year"] == 2027
    load_plan(path=path, actor=actor, user=COMMAND_LINE)
    plan = Plan.objects.get(code="21/KH-UBND")
    assert (plan.year, plan.end_year, plan.area_unit.code) == (2025, 2027, "20056")
    units = dict(plan.indicators.values_list("code", "unit"))
    assert units == {
        "mobile_broadband_subscriptions_per_100": "per 100 inhabitants",
        "population_5g_coverage": "%",
        "cloud_accounts_per_person": "per person",
        "mobile_download_median": "Mb/s",
    }
