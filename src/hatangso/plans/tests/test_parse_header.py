"""The header of a plan document read from its header block (issue 20, item 3): each case from a
small text written for the test."""

from datetime import date

from hatangso.plans.drafting import draft_plan_file
from hatangso.plans.parsing import parse_plan

BODY = (
    "I. MỤC ĐÍCH\n1. Mục đích\na) Phát triển hạ tầng số.\n"
    "II. CHỈ TIÊU\n- Tỷ lệ dùng chung cột treo cáp đạt 60%.\n"
)


def test_issuer_from_the_header_block_with_the_motto_between_and_a_date_split_anywhere():
    plan = parse_plan(
        "ỦY BAN NHÂN DÂN\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nTỈNH LẠNG SƠN\nĐộc lập - Tự do - Hạnh phúc\n"
        "Số: 45/KH-UBND\nLạng Sơn, ngày\n05 tháng\n3 năm 2025\n"
        "KẾ HOẠCH\nPhát triển hạ tầng số tỉnh Lạng Sơn năm 2025\n" + BODY
    )
    assert (plan.issuer, plan.code, plan.place, plan.issued_on) == (
        "UBND tỉnh Lạng Sơn",
        "45/KH-UBND",
        "Lạng Sơn",
        date(2025, 3, 5),
    )
    assert plan.title == "Kế hoạch Phát triển hạ tầng số tỉnh Lạng Sơn năm 2025"
    assert plan.doc_type == "KẾ HOẠCH"
    assert (plan.year, plan.end_year, plan.period) == (2025, None, "2025")
    assert plan.warnings == ["Không thấy hạn báo cáo ('trước ngày dd/mm/yyyy') / no report deadline found"]


def test_a_header_table_flattened_on_one_line_and_a_parent_written_in_full():
    plan = parse_plan(
        "UBND THÀNH PHỐ HUẾ\nSố: 9/KH-UBND Huế, ngày 1 tháng 8 năm 2025\nKẾ HOẠCH Chuyển đổi số năm 2025\n"
        "Thực hiện Kế hoạch số 3/KH-UBND ngày 2 tháng 1 năm 2025 của Ủy ban nhân dân tỉnh Thừa Thiên Huế.\n"
        + BODY
    )
    assert (plan.code, plan.place, plan.issued_on) == ("9/KH-UBND", "Huế", date(2025, 8, 1))
    assert (plan.parent_code, plan.parent_date, plan.parent_issuer) == (
        "3/KH-UBND",
        date(2025, 1, 2),
        "UBND tỉnh Thừa Thiên Huế",
    )


def test_the_period_of_multi_year_plans():
    head = "UBND XÃ A LƯỚI 1\nSố: 7/KH-UBND\nA Lưới 1, ngày 2 tháng 7 năm 2025\nKẾ HOẠCH\n"
    for title, years in (
        ("Chuyển đổi số giai đoạn\n2023 - 2025", (2023, 2025)),
        ("Phát triển hạ tầng số 2026-2030", (2026, 2030)),
        ("Phát triển hạ tầng số đến năm 2030", (2025, 2030)),
    ):
        plan = parse_plan(head + title + "\n" + BODY)
        assert (plan.year, plan.end_year, plan.period) == (*years, str(years[0])), title
        assert plan.issuer == "UBND xã A Lưới 1"
        assert not any("no year in the title" in w for w in plan.warnings), title


def test_references_joined_across_lines_and_the_parent_the_text_implements():
    plan = parse_plan(
        "UBND HUYỆN PHONG ĐIỀN\nSố: 12/KH-UBND\nPhong Điền, ngày 9 tháng 3 năm 2024\n"
        "KẾ HOẠCH Phát triển hạ tầng số năm 2024\n"
        "Căn cứ Quyết định số\n749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ;\n"
        "Căn cứ Kế hoạch số 88/KH-UBND ngày 2/2/2024 của UBND tỉnh Thừa Thiên Huế về chuyển đổi số;\n"
        "Thực hiện Quyết định số 3/QĐ-UBND ngày 5/1/2024 và Kế hoạch số 159/KH-UBND ngày 15/4/2024\n"
        "của UBND tỉnh Thừa Thiên Huế về phát triển hạ tầng số.\n" + BODY
    )
    assert plan.references[0] == "Căn cứ Quyết định số 749/QĐ-TTg ngày 03/6/2020 của Thủ tướng Chính phủ;"
    assert (plan.parent_code, plan.parent_date, plan.parent_issuer) == (
        "159/KH-UBND",
        date(2024, 4, 15),
        "UBND tỉnh Thừa Thiên Huế",
    )


def test_a_decision_that_issues_a_plan_is_read_as_that_plan(reference_units):
    plan = parse_plan(
        "ỦY BAN NHÂN DÂN\nTHÀNH PHỐ HUẾ\nSố: 310/QĐ-UBND\nHuế, ngày 20 tháng 8 năm 2025\n"
        "QUYẾT ĐỊNH\nBan hành Kế hoạch phát triển hạ tầng số\ngiai đoạn\n2025 - 2030\n"
        "Căn cứ Luật Tổ chức chính quyền địa phương;\n"
        "Điều 1. Ban hành kèm theo Quyết định này Kế hoạch phát triển hạ tầng số giai đoạn 2025 - 2030.\n"
        "Điều 2. Quyết định có hiệu lực từ ngày ký.\n" + BODY
    )
    assert plan.title == "Kế hoạch phát triển hạ tầng số giai đoạn 2025 - 2030"
    assert plan.doc_type == "KẾ HOẠCH"
    assert (plan.decision_code, plan.decision_date) == ("310/QĐ-UBND", date(2025, 8, 20))
    assert (plan.year, plan.end_year, plan.issuer) == (2025, 2030, "UBND thành phố Huế")
    header = draft_plan_file(plan).plan_file["plan"]
    assert header["preamble"] == "Ban hành kèm theo Quyết định số 310/QĐ-UBND ngày 20/08/2025"
    assert (header["year"], header["end_year"], header["period"]) == (2025, 2030, "2025")
