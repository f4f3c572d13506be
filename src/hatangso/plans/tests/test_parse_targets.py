"""Targets of every form (issue 20, item 1) and a targets part read without its header (item 2):
each from a small text written for the test."""

import pytest

from hatangso.plans.drafting import draft_plan_file
from hatangso.plans.parsing import parse_plan
from hatangso.plans.planfile import PlanFile
from hatangso.plans.targets import read_target
from hatangso.utilities.errors import UserError


@pytest.mark.parametrize(
    ("line", "value", "unit", "comparison"),
    [
        ("Tỷ lệ hộ gia đình có Internet cáp quang đạt 85%.", 85, "%", None),
        ("Tỷ lệ người sử dụng Internet đạt 98,5%.", 98.5, "%", None),
        ("Tốc độ băng rộng cố định (tải xuống, i-Speed): 120 Mb/s.", 120, "Mb/s", None),
        ("Tốc độ truy nhập cố định tối thiểu 1 Gb/s.", 1000, "Mb/s", ">="),
        ("Tốc độ Wi-Fi công cộng đạt 512 kbps.", 0.512, "Mb/s", None),
        ("Số thuê bao băng rộng di động/100 dân: 95%.", 95, "per 100 inhabitants", None),
        ("Số thuê bao băng rộng cố định trên 100 dân đạt 40 thuê bao.", 40, "per 100 inhabitants", None),
        ("Phấn đấu mỗi người dân có 01 tài khoản điện toán đám mây.", 1, "per person", None),
        ("Phát triển mới 250 trạm BTS 5G.", 250, "count", None),
        ("Tăng số trạm BTS 5G lên 1.200 trạm.", 1200, "count", ">="),
        ("Tỷ lệ dùng chung cột treo cáp tối thiểu 90%.", 90, "%", ">="),
        ("Tỷ lệ người sử dụng Internet trên 90%.", 90, "%", ">"),
        ("Tỷ lệ hộ nghèo có thiết bị thông minh không quá 98%.", 98, "%", "<="),
        ("Tỷ lệ thuê bao chỉ dùng 2G dưới 3%.", 3, "%", "<"),
        ("Giảm số người chỉ sử dụng điện thoại 2G xuống dưới 4%.", 4, "%", "<"),
        ("Giảm tỷ lệ thuê bao 2G xuống còn 6%.", 6, "%", "<="),
        ("Tiếp tục duy trì 100% xã có cáp quang.", 100, "%", None),
        # a range: its floor
        ("Tỷ lệ hộ gia đình có Internet cáp quang đạt 80 - 90%.", 80, "%", ">="),
        ("Tốc độ băng rộng cố định từ 0,5 đến 1 Gb/s.", 500, "Mb/s", ">="),
        # the speed qualifies what is counted; the percentage is the target
        ("75% đường truyền cố định đến cá nhân có tốc độ trung bình 100 Mb/s.", 75, "%", None),
        ("Mạng di động tốc độ tối thiểu 60 Mb/s phủ sóng 95% dân số.", 95, "%", None),
    ],
)
def test_target_forms(line, value, unit, comparison):
    target = read_target(line)
    assert (target.value, target.unit, target.comparison) == (pytest.approx(value), unit, comparison)


def test_yearly_milestones_and_maintain_and_condition():
    target = read_target("Tỷ lệ dân số phủ sóng 5G: năm 2025 đạt 55%, năm 2026 đạt 70%, năm 2027 đạt 85%")
    assert (target.value, target.unit, target.milestones) == (85, "%", {2025: 55, 2026: 70, 2027: 85})
    target = read_target("Duy trì 100% thôn được phủ băng rộng di động (khi cấp tỉnh triển khai).")
    assert (target.maintain, target.condition) == (True, "khi cấp tỉnh triển khai")
    assert read_target("Phối hợp phủ sóng kết nối IoT tại các khu công nghiệp.") is None
    assert read_target("Hoàn thành trong năm 2025.") is None


EXCERPT = """1. Mạng viễn thông băng rộng di động
- Số thuê bao băng rộng di động/100 dân: 92%.
- Tốc độ băng rộng di động (tốc độ tải xuống theo i-Speed): 40 Mb/s.
- Giảm số người chỉ sử dụng điện thoại 2G xuống dưới 4%.
- Tỷ lệ dân số được phủ sóng 5G: năm 2025 đạt 50%, năm 2026 đạt 75%.
- Phát triển mới 120 trạm BTS 5G.
2. Mạng băng rộng cố định
- Tốc độ băng rộng cố định (tốc độ tải xuống theo i-Speed): 95 Mb/s.
- Số điểm Wi-Fi công cộng miễn phí đạt 80 điểm.
- Tốc độ Wi-Fi công cộng tối thiểu 50 Mb/s.
3. Điện toán đám mây
- Phấn đấu trung bình mỗi người dân có 01 tài khoản sử dụng dịch vụ điện toán đám mây.
"""


def test_a_targets_part_without_its_header_is_read_and_matched_by_meaning_and_unit(reference_units):
    plan = parse_plan(EXCERPT)
    assert plan.sections == [
        ("1", "Mạng viễn thông băng rộng di động"),
        ("2", "Mạng băng rộng cố định"),
        ("3", "Điện toán đám mây"),
    ]
    draft = draft_plan_file(plan)
    got = {
        i["code"]: (i["target"], i["unit"], i["comparison"], i.get("targets"), i["section"])
        for i in draft.plan_file["indicators"]
    }
    assert got == {
        "mobile_broadband_subscriptions_per_100": (92, "per 100 inhabitants", ">=", None, "1"),
        "mobile_download_median": (40, "Mb/s", ">=", None, "1"),
        "only_2g_subscription_share": (4, "%", "<", None, "1"),
        "population_5g_coverage": (75, "%", ">=", {2025: 50, 2026: 75}, "1"),
        "bts_5g_stations": (120, "count", ">=", None, "1"),
        "fixed_download_median": (95, "Mb/s", ">=", None, "2"),
        "cloud_accounts_per_person": (1, "per person", ">=", None, "3"),
    }
    # What matches nothing is listed with its value, unit and direction, never loaded nor linked.
    assert [(u["text"], u["target"], u["unit"], u["comparison"]) for u in draft.unmatched] == [
        ("Số điểm Wi-Fi công cộng miễn phí đạt 80 điểm.", 80, "count", ">="),
        ("Tốc độ Wi-Fi công cộng tối thiểu 50 Mb/s.", 50, "Mb/s", ">="),
    ]
    assert draft.plan_file["items"] == []
    notes = [n for n in draft.review if n.startswith("Chỉ tiêu chưa khớp")]
    assert len(notes) == 2
    assert "kế hoạch 80 (≥, chiều tăng)" in notes[0] and "kế hoạch 50 Mb/s (≥, chiều tăng)" in notes[1]
    # The missing header is listed for review, not refused.
    for missing in ("no document number", "no place and date", "no plan title", "no plan year"):
        assert any(missing in n for n in draft.review), missing
    assert any("only the targets were read" in n for n in draft.review)


def test_a_speed_never_links_to_a_coverage_indicator(reference_units):
    text = (
        "Số: 3/KH-UBND\nA, ngày 2 tháng 3 năm 2025\nKẾ HOẠCH Phát triển hạ tầng số năm 2025\n"
        "I. MỤC ĐÍCH\n1. Mục đích\na) Phát triển hạ tầng số.\n"
        "II. CHỈ TIÊU\n1. Tốc độ băng rộng di động đạt 50 Mb/s.\n- 100% thôn được phủ băng rộng di động.\n"
        "- Phấn đấu mỗi người dân có 01 tài khoản sử dụng dịch vụ điện toán đám mây.\n"
        "III. NHIỆM VỤ\n1. Hạ tầng\na) Phát triển băng rộng di động tới thôn.\n"
    )
    draft = draft_plan_file(parse_plan(text))
    assert {i["code"]: (i["target"], i["unit"]) for i in draft.plan_file["indicators"]} == {
        "mobile_download_median": (50, "Mb/s"),
        "village_mobile_broadband_coverage": (100, "%"),
        "cloud_accounts_per_person": (1, "per person"),
    }
    assert [i["number"] for i in draft.plan_file["items"] if i["kind"] == "goal"] == []
    PlanFile.model_validate(draft.plan_file)


def test_a_text_with_neither_targets_nor_sections_is_still_refused():
    with pytest.raises(UserError) as error:
        parse_plan("Thông báo lịch họp giao ban tháng 3.\nĐề nghị các đơn vị tham dự đầy đủ.")
    assert error.value.vi == (
        "Văn bản không giống một kế hoạch (không có số/ký hiệu, mục I, II, … hay chỉ tiêu)"
    )
