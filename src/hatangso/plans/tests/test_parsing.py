"""Reading plan documents: the seed, variants of it as documents arrive, other localities' plans,
and garbage."""

import unicodedata
from datetime import date

import pytest
import yaml
from docx import Document

from hatangso.analytics.services import evaluate_scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.drafting import draft_plan_file, match_indicator
from hatangso.plans.parsing import parse_plan, read_document
from hatangso.plans.planfile import PlanFile
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period
from hatangso.utilities.testing import CATALOG_TARGETS, SEED_DOCUMENT, needs_shared

SEED = SEED_DOCUMENT
pytestmark = needs_shared(SEED)


def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


def seed_items() -> dict[str, tuple[str, str]]:
    spec = yaml.safe_load(SEED_PLAN_FILE.read_text(encoding="utf-8"))
    return {
        i["number"]: (i["kind"], i["text"])
        for i in spec["items"]
        if i["kind"] in ("task", "measure", "responsibility")
    }


def parsed_targets(text: str) -> dict[str, float]:
    draft = draft_plan_file(parse_plan(text))
    return {i["code"]: i["target"] for i in draft.plan_file["indicators"]}


def test_the_seed_yields_its_header_indicators_tasks_and_deadline(reference_units):
    plan = parse_plan(seed_text())
    assert (plan.code, plan.issued_on, plan.place) == ("1529/KH-UBND", date(2024, 5, 6), "Hương Trà")
    assert plan.issuer == "UBND thị xã Hương Trà"
    assert plan.title == "Kế hoạch Phát triển hạ tầng số trên địa bàn thị xã Hương Trà năm 2024"
    assert (plan.year, plan.period) == (2024, "2024")
    assert (plan.parent_code, plan.parent_date, plan.parent_issuer) == (
        "159/KH-UBND",
        date(2024, 4, 15),
        "UBND tỉnh Thừa Thiên Huế",
    )
    assert plan.deadline == date(2024, 11, 30)
    assert len(plan.agencies) == 8 and plan.agencies[0] == "Phòng Văn hóa và Thông tin"
    got = {i.number: (i.kind, i.text) for i in plan.items if i.kind in ("task", "measure", "responsibility")}
    assert got == seed_items()  # every task of III, measure of IV and responsibility of VI, word for word
    draft = draft_plan_file(plan)
    assert {i["code"]: i["target"] for i in draft.plan_file["indicators"]} == CATALOG_TARGETS
    assert draft.plan_file["plan"]["area_unit"] == "480"
    agencies = next(i for i in draft.plan_file["indicators"] if i["code"] == "agencies_on_digital_platforms")
    assert agencies["condition"] == "province_deployed"
    assert draft.review == []
    PlanFile.model_validate(draft.plan_file)


def test_the_parsed_plan_gives_the_seed_plans_scorecard(seed_plan, actor, tmp_path):
    tu_ha = resolve_unit("19996", start=date(2024, 6, 1))
    for code, value in (
        ("households", 3000),
        ("households_ftth", 2800),
        ("population", 12000),
        ("internet_users", 11500),
    ):
        set_value(
            element=DataElement.objects.get(code=code),
            unit=tu_ha,
            period="2024",
            value=str(value),
            actor=actor,
        )
    period = parse_period("2024")

    def card():
        rows = evaluate_scorecard(plan=seed_plan, unit=seed_plan.area_unit, period=period).as_json()[
            "indicators"
        ]
        return [(i["code"], i["target"], i["value"], i["status"]) for i in rows]

    before = card()
    draft = tmp_path / "ban-nhap.yaml"
    draft.write_text(
        yaml.safe_dump(draft_plan_file(parse_plan(seed_text())).plan_file, allow_unicode=True),
        encoding="utf-8",
    )
    load_plan(path=draft, actor=actor, user=COMMAND_LINE)
    seed_plan.refresh_from_db()
    assert card() == before


def test_documents_as_they_arrive(reference_units):
    text = seed_text()
    nfd = unicodedata.normalize("NFD", text)
    flattened = text.replace(
        "Số: 1529/KH-UBND\n\nHương Trà, ngày 06 tháng 5 năm 2024",
        "Số: 1529/KH-UBND | Hương Trà, ngày 6 tháng 5 năm 2024",
    )
    bullets = text.replace("\n- ", "\n• ").replace("đạt 95%.", "đạt 95 % .")
    rewrapped = text.replace(
        "Tỷ lệ dùng chung vị trí trạm BTS giữa các doanh nghiệp đạt 17%.",
        "Tỷ lệ dùng chung vị trí trạm BTS\ngiữa các doanh nghiệp đạt 17%.",
    )
    for variant in (nfd, flattened, bullets, rewrapped):
        plan = parse_plan(variant)
        assert (plan.code, plan.issued_on) == ("1529/KH-UBND", date(2024, 5, 6))
        assert parsed_targets(variant) == CATALOG_TARGETS
        assert {i.number for i in plan.items if i.kind in ("task", "measure", "responsibility")} == set(
            seed_items()
        )
    changed = text.replace("đạt 17%", "đạt 20%").replace("đạt 97%", "đạt 98,5%")
    targets = parsed_targets(changed)
    assert (targets["bts_site_sharing"], targets["internet_users"]) == (20.0, 98.5)


def test_a_docx_of_the_seed(reference_units, tmp_path):
    document = Document()
    for line in seed_text().splitlines():
        document.add_paragraph(line)
    path = tmp_path / "ke-hoach.docx"
    document.save(path)
    plan = parse_plan(read_document(path))
    assert plan.code == "1529/KH-UBND" and len(plan.indicators) == 15 and plan.deadline == date(2024, 11, 30)


OTHER_PLAN = """UBND HUYỆN PHONG ĐIỀN
Số: 87/KH-UBND
Phong Điền, ngày 9 tháng 02 năm 2024
KẾ HOẠCH
Phát triển hạ tầng số trên địa bàn
huyện Phong Điền năm 2024
Thực hiện Kế hoạch số 159/KH-UBND ngày 15/4/2024 của UBND tỉnh Thừa Thiên Huế.
Ủy ban nhân dân huyện Phong Điền ban hành Kế hoạch như sau:
I. MỤC ĐÍCH, YÊU CẦU
1. Mục đích
a) Phát triển hạ tầng số phục vụ chuyển đổi số của huyện.
II. MỤC TIÊU, CHỈ TIÊU
+ Tỷ lệ hộ gia đình có kết nối Internet băng rộng cáp quang đạt 80%.
+ Tỷ lệ dùng chung cột treo cáp tối thiểu 90%.
+ 100% thôn, bản được phủ sóng băng rộng di động.
+ Tỷ lệ trường học có wifi miễn phí đạt 60%.
III. NHIỆM VỤ
1. Hạ tầng băng rộng
a) Phát triển hạ tầng cáp quang đến thôn, bản.
VI. TỔ CHỨC THỰC HIỆN
1. Phòng Văn hóa và Thông tin
a) Chủ trì, theo dõi việc thực hiện Kế hoạch.
2. Ban Quản lý dự án đầu tư xây dựng
Phối hợp thực hiện Kế hoạch.
Trên đây là Kế hoạch của UBND huyện; các cơ quan báo cáo kết quả trước ngày 15/12/2024./.
"""


def test_another_localitys_plan(reference_units):
    plan = parse_plan(OTHER_PLAN)
    assert (plan.code, plan.issued_on, plan.place) == ("87/KH-UBND", date(2024, 2, 9), "Phong Điền")
    assert plan.issuer == "UBND huyện Phong Điền" and plan.deadline == date(2024, 12, 15)
    assert plan.title == "Kế hoạch Phát triển hạ tầng số trên địa bàn huyện Phong Điền năm 2024"
    draft = draft_plan_file(plan)
    assert {i["code"]: i["target"] for i in draft.plan_file["indicators"]} == {
        "household_fiber": 80.0,
        "pole_sharing": 90.0,
        "village_mobile_broadband_coverage": 100.0,
    }
    assert any("trường học có wifi" in line for line in draft.review)  # not in the catalog: for the owner
    assert any(a["name"] == "Ban Quản lý dự án đầu tư xây dựng" for a in draft.plan_file["agencies"])
    assert [i["number"] for i in draft.plan_file["items"] if i["kind"] == "responsibility"] == [
        "VI.1.a",
        "VI.2",
    ]


def test_matching_reads_abbreviations_and_missing_accents():
    assert match_indicator("Ty le dung chung vi tri tram BTS giua cac DN dat 20%")[0] == "bts_site_sharing"
    assert match_indicator("100% TDP được phủ BRDĐ")[0] == "village_mobile_broadband_coverage"
    assert match_indicator("Tỷ lệ trường học có wifi miễn phí")[0] is None


@pytest.mark.parametrize(
    ("content", "en"),
    [
        (b"", "is empty"),
        (b"\x00\x01\x02\xff\xfe binary", "is not a document"),
        (b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", "Cannot read the PDF"),
        ("Biên bản họp thôn về vệ sinh môi trường.".encode(), "does not look like a plan"),
    ],
)
def test_garbage_gets_a_clear_message(tmp_path, content, en):
    path = tmp_path / "van-ban.txt"
    path.write_bytes(content)
    with pytest.raises(UserError) as error:
        parse_plan(read_document(path))
    assert en in error.value.en


def seed_links() -> dict[str, tuple[list[str], list[str]]]:
    """Each item's partners as its own text names them (those a task of III/IV takes from the section
    VI responsibilities it cites are the file's reading, not words of the task) and indicators."""
    spec = yaml.safe_load(SEED_PLAN_FILE.read_text(encoding="utf-8"))
    return {
        i["number"]: ([] if i.get("responsibilities") else i["coordinating"], i["indicators"])
        for i in spec["items"]
    }


def test_coordinating_agencies_are_read_as_the_seed_file_has_them(reference_units):
    draft = draft_plan_file(parse_plan(seed_text()))
    got = {i["number"]: i.get("coordinating", []) for i in draft.plan_file["items"]}
    links = seed_links()
    assert got == {n: links.get(n, ([], []))[0] for n in got}  # every one of the hand-written file's
    assert {n for n, (c, _) in links.items() if c} <= set(got)
    assert got["VI.3.d"] == ["phong_vhtt", "co_quan_lien_quan"]
    assert got["VI.1.e"] == ["so_tttt"]  # "các phòng chuyên môn thuộc Sở Thông tin và Truyền thông"
    declared = {a["code"] for a in draft.plan_file["agencies"]}
    assert {"so_tttt", "co_quan_lien_quan"} <= declared  # named only there, declared from the catalog


def test_item_indicator_links_are_only_ones_the_seed_file_makes(reference_units):
    draft = draft_plan_file(parse_plan(seed_text()))
    links = seed_links()
    got = {i["number"]: i.get("indicators", []) for i in draft.plan_file["items"]}
    assert {n: c for n, c in got.items() if c and not set(c) <= set(links.get(n, ([], []))[1])} == {}
    assert got["III.1.e"] == ["bts_site_sharing", "pole_sharing", "duct_sharing"]
    assert set(got["III.1.a"]) == {"household_fiber", "village_fixed_broadband_coverage"}
    assert got["IV.3.b"] == []  # building poles and ducts ("cột treo cáp, cống bể cáp") is not sharing them
    assert sum(1 for c in got.values() if c) >= 12


def test_coordinating_agencies_of_another_localitys_plan(reference_units):
    text = OTHER_PLAN.replace(
        "a) Chủ trì, theo dõi việc thực hiện Kế hoạch.",
        "a) Chủ trì, phối hợp với Phòng Tài chính – Kế hoạch, Ban Quản lý dự án đầu tư xây dựng và "
        "UBND các xã, thị trấn theo dõi việc thực hiện Kế hoạch.\n"
        "b) Phối hợp với các đơn vị tư vấn lập hồ sơ.",
    )
    draft = draft_plan_file(parse_plan(text))
    items = {i["number"]: i for i in draft.plan_file["items"]}
    # The en dash and "và" of the name are the catalog's "Phòng Tài chính và Kế hoạch"; the district's
    # own unit is its responsibility heading; "UBND các xã, thị trấn" names no known agency: reading
    # stops there, and an unknown partner ("các đơn vị tư vấn") is not guessed.
    assert items["VI.1.a"]["coordinating"] == ["phong_tckh", "ban_quan_ly_du_an_dau_tu_xay_dung"]
    assert "coordinating" not in items["VI.1.b"]
    PlanFile.model_validate(draft.plan_file)
    assert draft.plan_file and not PlanFile.model_validate(draft.plan_file).reference_problems()


def test_text_copied_from_pdfs_and_web_pages(reference_units):
    text = seed_text()
    variants = {
        # extra spaces everywhere, a space before the full stop
        "spaces": text.replace("đạt 90%.", "đạt   90 % .").replace("Số: 1529", "Số:   1529"),
        # the title broken across lines, and the heading of II split over two lines
        "broken": text.replace(
            "KẾ HOẠCH Phát triển hạ tầng số trên địa bàn thị xã Hương Trà năm 2024",
            "KẾ HOẠCH\nPhát triển hạ tầng số trên địa bàn\nthị xã Hương Trà năm 2024",
        ).replace("II. MỤC TIÊU, CHỈ TIÊU NĂM 2024", "II. MỤC TIÊU, CHỈ TIÊU\nNĂM 2024"),
        # every kind of bullet
        "bullets": text.replace("\n- Tỷ lệ dùng chung cột", "\n– Tỷ lệ dùng chung cột")
        .replace("\n- Tỷ lệ người sử dụng", "\n+ Tỷ lệ người sử dụng")
        .replace("\n- Tỷ lệ dân số", "\n• Tỷ lệ dân số"),
        # the header table flattened with "|"
        "table": text.replace(
            "Số: 1529/KH-UBND\n\nHương Trà, ngày 06 tháng 5 năm 2024",
            "UBND THỊ XÃ HƯƠNG TRÀ | CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
            "Số: 1529/KH-UBND | Hương Trà, ngày 06 tháng 5 năm 2024",
        ),
        # document codes typed in the wrong case
        "codes": text.replace("Số: 1529/KH-UBND", "Số: 1529/kh-ubnd").replace(
            "Kế hoạch số 159/KH-UBND", "Kế hoạch số 159/KH-Ubnd"
        ),
    }
    for name, variant in variants.items():
        plan = parse_plan(variant)
        assert (plan.code, plan.issued_on, plan.parent_code) == (
            "1529/KH-UBND",
            date(2024, 5, 6),
            "159/KH-UBND",
        ), name
        assert plan.title == "Kế hoạch Phát triển hạ tầng số trên địa bàn thị xã Hương Trà năm 2024", name
        assert ("II", "MỤC TIÊU, CHỈ TIÊU NĂM 2024") in plan.sections, name
        assert parsed_targets(variant) == CATALOG_TARGETS, name
        assert not [i for i in plan.items if i.kind == "goal" and i.text == "NĂM 2024"], name


def test_document_codes_are_written_officially():
    from hatangso.plans.parsing import normalise_code

    assert normalise_code("749/QĐ-TTG") == "749/QĐ-TTg"
    assert normalise_code("159 / kh - ubnd") == "159/KH-UBND"
    plan = parse_plan(
        "Số: 12/KH-UBND\nA, ngày 1 tháng 2 năm 2024\nKẾ HOẠCH Chuyển đổi số năm 2024\n"
        "Căn cứ Quyết định số 749/QĐ-TTG ngày 03/6/2020 của Thủ tướng Chính phủ.\n"
        "Căn cứ Kế hoạch số 5/kh-ubnd ngày 4/1/2024 của UBND tỉnh X.\n"
        "I. MỤC ĐÍCH\n1. Mục đích\na) Một.\n"
    )
    assert plan.parent_code == "5/KH-UBND" and plan.parent_date == date(2024, 1, 4)
    assert any("749/QĐ-TTG" in r for r in plan.references)  # the reference itself stays as written
