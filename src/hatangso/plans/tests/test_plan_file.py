"""The seed plan file (1529/KH-UBND, Hương Trà 2024): what it loads, its fidelity to the document,
idempotent reloads with change-log rows, and the readable errors bad plan files give."""

import re
import unicodedata
from datetime import date
from decimal import Decimal

import pytest
import yaml

from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.plans.expressions import expression_names
from hatangso.plans.models import Indicator, Plan, PlanItem
from hatangso.plans.services import SEED_PLAN_FILE, load_plan
from hatangso.utilities.errors import UserError
from hatangso.utilities.testing import CATALOG_TARGETS, SEED_DOCUMENT, needs_shared

PLAN_CODE = "1529/KH-UBND"

CATALOG = CATALOG_TARGETS
MAINTAINED = {
    "village_mobile_broadband_coverage",
    "village_fixed_broadband_coverage",
    "commune_government_network",
}
CONDITIONED_ITEMS = {"II.3.1", "II.4.1", "III.1.e", "III.4.a"}
TASKS = {
    *(f"III.1.{letter}" for letter in ("a", "b", "c", "d", "đ", "e", "g")),
    "III.2.a",
    "III.2.b",
    "III.3.a",
    "III.3.b",
    "III.4.a",
    "III.4.b",
    "III.5.a",
    "III.5.b",
}
MEASURES = {
    *(f"IV.1.{letter}" for letter in "abc"),
    *(f"IV.2.{letter}" for letter in "abcd"),
    *(f"IV.3.{letter}" for letter in "abc"),
    *(f"IV.4.{letter}" for letter in "abc"),
    *(f"IV.5.{letter}" for letter in "ab"),
    *(f"IV.6.{letter}" for letter in "ab"),
}


def items_of(plan: Plan, kind: str) -> dict[str, PlanItem]:
    return {item.number: item for item in plan.items.filter(kind=kind).select_related("lead", "condition")}


# --- the seed plan as loaded -------------------------------------------------------------------


def test_seed_plan_header(seed_plan):
    plan = Plan.objects.select_related("area_unit").get(pk=seed_plan.pk)
    assert plan.code == PLAN_CODE
    assert plan.issued_on == date(2024, 5, 6)
    assert plan.year == 2024 and plan.period == "2024"
    assert plan.report_deadline == date(2024, 11, 30)
    assert plan.area_unit.code == "480"
    assert plan.area_unit.name == "Thị xã Hương Trà"
    assert plan.area_unit.is_valid_between(date(2024, 1, 1), date(2024, 12, 31))
    assert plan.parent_reference["code"] == "159/KH-UBND"
    assert plan.parent_reference["issued_on"] == "2024-04-15"
    assert plan.parent is None  # the provincial plan itself is not loaded
    assert len(plan.legal_basis) == 1 and "159/KH-UBND" in plan.legal_basis[0]


def test_seed_plan_has_exactly_the_catalog_indicators(seed_plan):
    assert list(seed_plan.indicators.values_list("code", flat=True)) == list(CATALOG)


@pytest.mark.parametrize(("code", "target"), CATALOG.items())
def test_catalog_indicator_target(seed_plan, code, target):
    indicator = seed_plan.indicators.select_related("condition").get(code=code)
    assert indicator.target == Decimal(target)
    assert indicator.comparison == ">="
    assert indicator.factor == 100
    assert indicator.unit == "%"
    assert indicator.maintain is (code in MAINTAINED)
    if code == "agencies_on_digital_platforms":
        assert indicator.condition is not None
        assert indicator.condition.code == "province_deployed"
        assert indicator.condition.met is False
        assert "khi cấp tỉnh triển khai" in indicator.condition.text
    else:
        assert indicator.condition is None


def test_every_item_kind_is_present(seed_plan):
    kinds = set(seed_plan.items.values_list("kind", flat=True))
    assert kinds == set(PlanItem.Kind.values)


def test_tasks_and_measures(seed_plan):
    assert set(items_of(seed_plan, "task")) == TASKS
    assert set(items_of(seed_plan, "measure")) == MEASURES


def test_funding(seed_plan):
    assert set(items_of(seed_plan, "funding")) == {"V.1", "V.2"}


def test_responsibilities_cover_all_eight_subsections_with_their_lead(seed_plan):
    responsibilities = items_of(seed_plan, "responsibility")
    assert all(number.startswith("VI.") for number in responsibilities)
    titles = dict(seed_plan.sections.values_list("number", "title"))
    for n in range(1, 9):
        section = f"VI.{n}"
        in_section = [
            item
            for number, item in responsibilities.items()
            if number == section or number.startswith(f"{section}.")
        ]
        assert in_section, f"no responsibility in {section}"
        for item in in_section:
            assert item.lead is not None, f"{item.number} has no lead agency"
            # The subsection is named after the agency that leads it.
            assert item.lead.name.casefold() == titles[section].casefold()


def test_conditioned_items(seed_plan):
    conditioned = {
        item.number: item.condition.code
        for item in seed_plan.items.select_related("condition").exclude(condition=None)
    }
    assert conditioned == dict.fromkeys(CONDITIONED_ITEMS, "province_deployed")


# --- fidelity to the seed document ----------------------------------------------------------------

_DASH = re.compile(r"^-\s+")
_LETTER = re.compile(r"^[a-zđ]\)\s+")
_HEADING = re.compile(r"^(?:[IVX]+|\d+)\.\s+")
_SPACES = re.compile(r"\s+")


def normalise(text: str) -> str:
    return _SPACES.sub(" ", unicodedata.normalize("NFC", text)).strip()


def document_lines(text: str) -> tuple[list[str], list[str]]:
    """Non-empty lines from "I. MỤC ĐÍCH" to before "Nơi nhận:", prefixes stripped.

    Returns the lines and the joins made: a line that starts in lower case without a letter
    prefix continues the sentence of the line before it (a page break in the source).
    """
    raw = [normalise(line) for line in text.splitlines()]
    raw = [line for line in raw if line]
    start = next(i for i, line in enumerate(raw) if line.startswith("I. MỤC ĐÍCH"))
    end = next(i for i, line in enumerate(raw) if line.startswith("Nơi nhận:"))
    lines: list[str] = []
    joins: list[str] = []
    for line in raw[start:end]:
        if lines and line[0].islower() and not _LETTER.match(line):
            lines[-1] = f"{lines[-1]} {line}"
            joins.append(lines[-1])
            continue
        lines.append(line)
    cleaned = []
    for line in lines:
        line = _HEADING.sub("", _LETTER.sub("", _DASH.sub("", line)))
        # The plan file drops the Markdown bold markers around the report deadline.
        line = line.replace("**", "").removesuffix(":").strip()
        cleaned.append(line)
    return cleaned, joins


def stored_texts(plan: Plan) -> str:
    texts = [
        *plan.items.values_list("text", flat=True),
        *plan.sections.values_list("title", flat=True),
        *plan.indicators.values_list("text", flat=True),
        plan.closing,
        *plan.legal_basis,
    ]
    return " ¶ ".join(normalise(text) for text in texts)


@needs_shared(SEED_DOCUMENT)
def test_every_line_of_the_seed_document_is_stored(seed_plan):
    lines, joins = document_lines(SEED_DOCUMENT.read_text(encoding="utf-8"))
    # The one sentence split across two lines (IV.1.a, "...thông tin đại" / "chúng, ...").
    assert len(joins) == 1 and "phương tiện thông tin đại chúng, Cổng thông tin điện tử" in joins[0]
    assert len(lines) == 116

    haystack = stored_texts(Plan.objects.get(pk=seed_plan.pk))
    missing, split = [], []
    for line in lines:
        if line in haystack:
            continue
        # One bullet of II.2 carries two indicators; each indicator keeps its half.
        parts = [part.strip() for part in line.split("; ")]
        if len(parts) > 1 and all(part in haystack for part in parts):
            split.append(line)
            continue
        missing.append(line)
    assert missing == []
    assert len(split) <= 1
    assert all(line.startswith("80% đường truyền Internet cố định") for line in split)


# --- reloading --------------------------------------------------------------------------------


def catalog_snapshot(plan: Plan) -> dict[str, tuple]:
    return {
        ind.code: (ind.target, ind.comparison, ind.maintain, ind.name, ind.numerator, ind.denominator)
        for ind in Indicator.objects.filter(plan=plan)
    }


def without_change_log(counts: dict[str, int]) -> dict[str, int]:
    return {label: n for label, n in counts.items() if label != "core.ChangeLogEntry"}


def test_reloading_the_same_file_creates_no_rows(seed_plan, actor, table_counts):
    before = table_counts()
    summary = load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE)
    assert summary.created is False
    assert summary.plan.pk == seed_plan.pk
    assert without_change_log(table_counts()) == without_change_log(before)


def test_reloading_the_same_file_writes_no_change_log(seed_plan, actor):
    before = ChangeLogEntry.objects.count()
    load_plan(path=SEED_PLAN_FILE, actor=actor, user=COMMAND_LINE)
    assert ChangeLogEntry.objects.count() == before


@pytest.fixture
def edited_copy(tmp_path):
    """A copy of the seed file (same name) with bts_site_sharing's target 17 → 20."""
    text = SEED_PLAN_FILE.read_text(encoding="utf-8")
    assert text.count("target: 17\n") == 1
    path = tmp_path / SEED_PLAN_FILE.name
    path.write_text(text.replace("target: 17\n", "target: 20\n"), encoding="utf-8")
    return path


def test_reloading_an_edited_target_updates_that_indicator(seed_plan, actor, edited_copy, table_counts):
    indicators_before = catalog_snapshot(seed_plan)
    counts_before = table_counts()
    first_new_log = (ChangeLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1

    load_plan(path=edited_copy, actor=actor, user=COMMAND_LINE)

    indicators_after = catalog_snapshot(seed_plan)
    changed = {code for code in indicators_before if indicators_before[code] != indicators_after[code]}
    assert changed == {"bts_site_sharing"}
    assert indicators_after["bts_site_sharing"][0] == Decimal(20)
    assert without_change_log(table_counts()) == without_change_log(counts_before)

    bts = Indicator.objects.get(plan=seed_plan, code="bts_site_sharing")
    entry = ChangeLogEntry.objects.get(
        id__gte=first_new_log, object_type="plans.indicator", object_id=str(bts.pk)
    )
    assert entry.action == ChangeLogEntry.Action.UPDATE
    assert entry.origin == actor.origin
    assert Decimal(entry.before["target"]) == 17
    assert Decimal(entry.after["target"]) == 20


def test_reloading_an_edited_target_logs_one_update(seed_plan, actor, edited_copy):
    first_new_log = (ChangeLogEntry.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    load_plan(path=edited_copy, actor=actor, user=COMMAND_LINE)
    entries = list(ChangeLogEntry.objects.filter(id__gte=first_new_log))
    bts = Indicator.objects.get(plan=seed_plan, code="bts_site_sharing")
    assert [(e.action, e.object_type, e.object_id) for e in entries] == [
        (ChangeLogEntry.Action.UPDATE, "plans.indicator", str(bts.pk))
    ]
    assert Decimal(entries[0].before["target"]) == 17
    assert Decimal(entries[0].after["target"]) == 20


# --- bad plan files ----------------------------------------------------------------------------


def seed_data() -> dict:
    return yaml.safe_load(SEED_PLAN_FILE.read_text(encoding="utf-8"))


def indicator(data: dict, code: str) -> dict:
    return next(i for i in data["indicators"] if i["code"] == code)


def item(data: dict, number: str) -> dict:
    return next(i for i in data["items"] if i["number"] == number)


def _unknown_key(data):
    data["owner"] = "Phòng Văn hóa và Thông tin"


def _target_not_a_number(data):
    indicator(data, "bts_site_sharing")["target"] = "mười bảy phần trăm"


def _undeclared_condition(data):
    indicator(data, "bts_site_sharing")["condition"] = "ghost_condition"


def _undeclared_data_element(data):
    indicator(data, "bts_site_sharing")["numerator"] = "ghost_element + bts_sites_shared"


def _undeclared_lead(data):
    item(data, "VI.1.a")["lead"] = "ghost_agency"


def _goal_cites_a_missing_task(data):
    item(data, "II.3.2")["tasks"] = ["III.9.z"]


def _goal_cites_a_goal(data):
    item(data, "II.3.2")["tasks"] = ["III.2.b", "II.3.1"]


def _task_lists_tasks(data):
    item(data, "III.2.a")["tasks"] = ["III.2.b"]


def _duplicate_indicator(data):
    data["indicators"].append(dict(indicator(data, "pole_sharing")))


def _unknown_area_unit(data):
    data["plan"]["area_unit"] = "99999"


BAD_FILES = {
    "unknown top-level key": (
        _unknown_key,
        "có lỗi: owner: khóa không có trong định dạng tệp kế hoạch",
        "is invalid: owner: Extra inputs are not permitted",
    ),
    "target not a number": (
        _target_not_a_number,
        "có lỗi: indicators[bts_site_sharing].target: phải là một số",
        "is invalid: indicators[bts_site_sharing].target: Input should be a valid decimal",
    ),
    "undeclared condition": (
        _undeclared_condition,
        "indicators[bts_site_sharing].condition: điều kiện 'ghost_condition' chưa được khai báo",
        "indicators[bts_site_sharing].condition: condition 'ghost_condition' is not declared",
    ),
    "undeclared data element": (
        _undeclared_data_element,
        "Chỉ tiêu bts_site_sharing: numerator dùng phần tử dữ liệu chưa khai báo ghost_element",
        "Indicator bts_site_sharing: numerator uses undeclared data element(s) ghost_element",
    ),
    "undeclared lead agency": (
        _undeclared_lead,
        "items[VI.1.a].lead: cơ quan 'ghost_agency' chưa được khai báo",
        "items[VI.1.a].lead: agency 'ghost_agency' is not declared",
    ),
    "goal cites a missing task": (
        _goal_cites_a_missing_task,
        "items[II.3.2].tasks: nhiệm vụ 'III.9.z' chưa được khai báo",
        "items[II.3.2].tasks: task 'III.9.z' is not declared",
    ),
    "goal cites a goal": (
        _goal_cites_a_goal,
        "items[II.3.2].tasks: mục 'II.3.1' không phải nhiệm vụ, giải pháp hay trách nhiệm",
        "items[II.3.2].tasks: item 'II.3.1' is not a task, measure or responsibility",
    ),
    "task lists tasks": (
        _task_lists_tasks,
        "items[III.2.a].tasks: chỉ mục tiêu (kind: goal) ghi nhiệm vụ thực hiện",
        "items[III.2.a].tasks: only a goal (kind: goal) lists the tasks that deliver it",
    ),
    "duplicate indicator code": (
        _duplicate_indicator,
        "indicators: trùng mã pole_sharing",
        "indicators: duplicate code pole_sharing",
    ),
    "unknown area unit": (
        _unknown_area_unit,
        "Không có đơn vị hành chính mã 99999",
        "No administrative unit has code 99999",
    ),
}


def assert_nothing_written(counts_before: dict[str, int], table_counts) -> None:
    assert table_counts() == counts_before
    assert not Plan.objects.exists()


@pytest.mark.parametrize("case", BAD_FILES)
def test_bad_plan_file_is_refused(case, reference_units, actor, tmp_path, table_counts):
    mutate, vi, en = BAD_FILES[case]
    data = seed_data()
    mutate(data)
    path = tmp_path / "ke-hoach-loi.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    before = table_counts()
    with pytest.raises(UserError) as caught:
        load_plan(path=path, actor=actor, user=COMMAND_LINE)
    assert vi in caught.value.vi
    assert en in caught.value.en
    assert_nothing_written(before, table_counts)


def test_a_valid_copy_of_the_seed_loads(reference_units, actor, tmp_path):
    """The bad-file cases above differ from a loadable file only by their one mistake."""
    path = tmp_path / "ke-hoach.yaml"
    path.write_text(yaml.safe_dump(seed_data(), allow_unicode=True, sort_keys=False), encoding="utf-8")
    assert load_plan(path=path, actor=actor, user=COMMAND_LINE).indicators == 15


def test_missing_plan_file(reference_units, actor, tmp_path, table_counts):
    path = tmp_path / "khong-co.yaml"
    before = table_counts()
    with pytest.raises(UserError) as caught:
        load_plan(path=path, actor=actor, user=COMMAND_LINE)
    assert caught.value.vi == f"Không tìm thấy tệp kế hoạch {path}"
    assert caught.value.en == f"Plan file {path} not found"
    assert_nothing_written(before, table_counts)


def test_invalid_yaml_names_the_line(reference_units, actor, tmp_path, table_counts):
    path = tmp_path / "hong.yaml"
    path.write_text('plan:\n  code: "1529/KH-UBND"\n  title: Kế hoạch: năm 2024\n', encoding="utf-8")
    before = table_counts()
    with pytest.raises(UserError) as caught:
        load_plan(path=path, actor=actor, user=COMMAND_LINE)
    assert caught.value.vi == "Tệp kế hoạch hong.yaml không phải YAML hợp lệ (dòng/line 3)"
    assert caught.value.en == "Plan file hong.yaml is not valid YAML (dòng/line 3)"
    assert_nothing_written(before, table_counts)


# --- expression_names ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("expression", "names"),
    [
        ("a + b", {"a", "b"}),
        ("count_units('village')", set()),
        ("x / (y + z)", {"x", "y", "z"}),
        ("x * 1e3 + 2.5", {"x"}),
        ("count_units('commune') - households", {"households"}),
        ("a +", set()),
    ],
)
def test_expression_names(expression, names):
    assert expression_names(expression) == names
