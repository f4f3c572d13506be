"""The plan file format (YAML): its schema and the readable errors it gives."""

import json
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from hatangso.utilities.errors import UserError
from hatangso.utilities.lazy import lazy_import
from hatangso.utilities.text import clean_text

yaml = lazy_import("yaml")

CODE = r"^[a-z][a-z0-9_]*$"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value):
        return clean_text(value) if isinstance(value, str) else value


class ParentPlan(_Strict):
    code: str
    issued_on: date | None = None
    issuer: str = ""
    title: str = ""


class Signature(_Strict):
    authority: str = ""
    delegation: str = ""
    title: str = ""
    name: str = ""


class PlanHeader(_Strict):
    code: str
    title: str
    issued_on: date
    issuer: str
    issuer_full: str = ""
    place: str = ""
    area_unit: str
    year: int = Field(ge=2000, le=2100)
    # The last year of a multi-year plan ("giai đoạn 2026–2030").
    end_year: int | None = Field(default=None, ge=2000, le=2100)
    period: str
    report_deadline: date | None = None
    report_to: str = ""
    legal_basis: list[str] = []
    preamble: str = ""
    parent: ParentPlan | None = None
    closing: str = ""
    recipients: list[str] = []
    signature: Signature = Signature()
    # A plan written as an example (the demo's), not an issued document.
    illustrative: bool = False


class ReportSpec(_Strict):
    """Who issues the results report (báo cáo kết quả thực hiện) and who signs it (NĐ 30/2020)."""

    parent_body: str = Field(default="", description="cơ quan chủ quản, e.g. UBND THỊ XÃ HƯƠNG TRÀ")
    issuing_body: str = Field(
        default="",
        description="cơ quan ban hành, e.g. PHÒNG VĂN HÓA VÀ THÔNG TIN; a UBND on two lines, "
        "e.g. 'ỦY BAN NHÂN DÂN\\nPHƯỜNG HƯƠNG TRÀ'",
    )
    issuer_name: str = Field(
        default="", description="its name in a sentence, e.g. Phòng Văn hóa và Thông tin"
    )
    symbol: str = Field(default="BC", description="ký hiệu after 'Số: …/', e.g. BC-VHTT")
    place: str = Field(default="", description="địa danh; the plan's place when empty")
    signature: Signature = Signature()
    recipients: list[str] = []

    @field_validator("*", mode="before")
    @classmethod
    def _nfc(cls, value, info):
        """As every text of the file, except that the issuing body keeps its lines: a UBND writes
        its name as ỦY BAN NHÂN DÂN over PHƯỜNG … (NĐ 30/2020, Phụ lục I)."""
        if info.field_name == "issuing_body" and isinstance(value, str):
            return "\n".join(clean_text(line) for line in value.splitlines() if line.strip())
        return clean_text(value) if isinstance(value, str) else value


class ConditionSpec(_Strict):
    code: str = Field(pattern=CODE)
    text: str
    met: bool = False
    note: str = ""


class AgencySpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str
    kind: Literal[
        "district_office",
        "district_unit",
        "commune_committee",
        "enterprise",
        "province_department",
        "leadership",
    ]


class SectionSpec(_Strict):
    number: str
    title: str


class DataElementSpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str
    value_type: Literal["count", "number", "percentage", "boolean"]
    aggregation: Literal["sum", "last"]
    across_sources: Literal["sum", "max"] = "sum"
    unit: str = ""
    reporter: Literal["village", "commune", "district", "enterprise"]
    # Who computes the element: reported values, or counted from the infrastructure registry.
    provider: Literal["values", "registry", "measurements"] = "values"


class FormSpec(_Strict):
    code: str = Field(pattern=CODE)
    name: str
    reporter: Literal["commune", "enterprise", "district"]
    period_type: Literal["monthly", "quarterly", "yearly"]
    due_days: int = Field(default=15, ge=0, le=365)
    operators: list[str] = []
    elements: list[str]


class RuleSpec(_Strict):
    code: str = Field(pattern=CODE)
    left: str
    operator: Literal["<=", "<", ">=", ">", "=="]
    right: str
    text: str


Comparison = Literal[">=", ">", "<=", "<"]


class IndicatorSpec(_Strict):
    """A plan's indicator. An indicator of the national catalog needs only its code and target: what
    the file leaves out (name, unit, formula, comparison) comes from the catalog's entry."""

    code: str = Field(pattern=CODE)
    section: str = ""
    name: str | None = None
    text: str = ""
    unit: str | None = None
    numerator: str | None = None
    denominator: str | None = None
    factor: Decimal | None = None
    # "<" for "giảm … xuống dưới 5 %": achieved only strictly below the target.
    comparison: Comparison | None = None
    target: Decimal
    baseline: Decimal | None = None
    maintain: bool = False
    condition: str | None = None
    # A target per year of a multi-year plan, where the document gives one ({2025: 60, 2026: 80}).
    targets: dict[int, Decimal] = {}
    # Targets handed down to areas below the plan's (giao chỉ tiêu), by unit code: one for every
    # year ({"19996": 90}) or one per year ({"19996": {2025: 60, 2026: 80}}).
    assigned: dict[str, Decimal | dict[int, Decimal]] = {}

    def definition(self) -> dict:
        """The indicator's fields as the plan stores them: the file's, else the catalog entry's, else
        the defaults of a plan file that spells out its formula (%, × 100, ≥)."""
        from hatangso.catalog.catalogfile import read_catalog

        entry = read_catalog().indicator(self.code)
        fallback = entry.plan_fields() if entry else {"unit": "%", "factor": Decimal(100), "comparison": ">="}
        fields = self.model_dump(exclude={"code", "condition", "targets", "assigned"})
        return {name: fallback.get(name) if value is None else value for name, value in fields.items()}

    def target_rows(self) -> list[tuple[int | None, str | None, Decimal]]:
        """The targets besides the final one as (year, unit code, value): a year's target has no
        unit, an area's target for every year has no year."""
        rows: list[tuple[int | None, str | None, Decimal]] = [(y, None, v) for y, v in self.targets.items()]
        for unit, given in self.assigned.items():
            if isinstance(given, dict):
                rows.extend((y, unit, v) for y, v in given.items())
            else:
                rows.append((None, unit, given))
        return rows

    def formula_problem(self) -> tuple[str, str] | None:
        from hatangso.catalog.catalogfile import read_catalog

        if read_catalog().indicator(self.code) or None not in (self.name, self.numerator, self.denominator):
            return None
        where = f"indicators[{self.code}]"
        return (
            f"{where}: chỉ tiêu '{self.code}' không có trong danh mục chỉ tiêu và không có đủ tên, "
            f"công thức (name, numerator, denominator)",
            f"{where}: indicator '{self.code}' is not in the indicator catalog and has no full name "
            f"and formula (name, numerator, denominator)",
        )


class ItemSpec(_Strict):
    number: str
    kind: Literal["purpose", "requirement", "goal", "task", "measure", "funding", "responsibility"]
    text: str
    lead: str | None = None
    coordinating: list[str] = []
    # The section VI items (kind responsibility) that give a task of III/IV its lead and partners.
    responsibilities: list[str] = Field(
        default=[], description="mục trách nhiệm (VI) giao chủ trì, phối hợp, e.g. [VI.1.a, VI.7.b]"
    )
    condition: str | None = None
    indicators: list[str] = []
    # A qualitative goal's state follows the tasks that deliver it (the report's indicator table).
    tasks: list[str] = Field(
        default=[], description="nhiệm vụ, giải pháp thực hiện mục tiêu định tính, e.g. [III.2.a, IV.1.b]"
    )


class PlanFile(_Strict):
    plan: PlanHeader
    conditions: list[ConditionSpec] = []
    agencies: list[AgencySpec] = []
    sections: list[SectionSpec] = []
    data_elements: list[DataElementSpec] = []
    forms: list[FormSpec] = []
    validation_rules: list[RuleSpec] = []
    indicators: list[IndicatorSpec]
    items: list[ItemSpec] = []
    report: ReportSpec = ReportSpec()

    def reference_problems(self) -> list[tuple[str, str]]:
        """Codes used but not declared, and codes declared twice, as (Vietnamese, English)."""
        problems: list[tuple[str, str]] = []
        for label, codes in (
            ("conditions", [c.code for c in self.conditions]),
            ("agencies", [a.code for a in self.agencies]),
            ("sections", [s.number for s in self.sections]),
            ("data_elements", [d.code for d in self.data_elements]),
            ("forms", [f.code for f in self.forms]),
            ("validation_rules", [r.code for r in self.validation_rules]),
            ("indicators", [i.code for i in self.indicators]),
            ("items", [i.number for i in self.items]),
        ):
            duplicates = ", ".join(sorted({c for c in codes if codes.count(c) > 1}))
            if duplicates:
                problems.append((f"{label}: trùng mã {duplicates}", f"{label}: duplicate code {duplicates}"))

        def undeclared(where: str, what_vi: str, what_en: str, code: str) -> None:
            problems.append(
                (
                    f"{where}: {what_vi} '{code}' chưa được khai báo",
                    f"{where}: {what_en} '{code}' is not declared",
                )
            )

        conditions = {c.code for c in self.conditions}
        agencies = {a.code for a in self.agencies}
        sections = {s.number for s in self.sections}
        indicators = {i.code for i in self.indicators}
        first, last = self.plan.year, self.plan.end_year or self.plan.year
        if last < first:
            problems.append(
                (
                    f"plan.end_year: năm kết thúc {last} trước năm bắt đầu {first}",
                    f"plan.end_year: the end year {last} is before the start year {first}",
                )
            )
        for indicator in self.indicators:
            where = f"indicators[{indicator.code}]"
            for year, unit, _value in indicator.target_rows():
                if year is not None and not first <= year <= last:
                    key = f"{where}.{'assigned' if unit else 'targets'}"
                    problems.append(
                        (
                            f"{key}: năm {year} nằm ngoài thời gian của kế hoạch ({first}–{last})",
                            f"{key}: the year {year} is outside the plan's years ({first}–{last})",
                        )
                    )
            if problem := indicator.formula_problem():
                problems.append(problem)
            if indicator.condition and indicator.condition not in conditions:
                undeclared(f"{where}.condition", "điều kiện", "condition", indicator.condition)
            if indicator.section and sections and indicator.section not in sections:
                undeclared(f"{where}.section", "mục", "section", indicator.section)
        reporters = {d.code: d.reporter for d in self.data_elements}
        computed = {d.code for d in self.data_elements if d.provider != "values"}
        for form in self.forms:
            where = f"forms[{form.code}].elements"
            allowed = {"commune": {"commune", "village"}}.get(form.reporter, {form.reporter})
            for code in form.elements:
                if code in computed:
                    problems.append(
                        (
                            f"{where}: '{code}' được tính từ dữ liệu, không ai báo cáo",
                            f"{where}: '{code}' is computed, nobody reports it",
                        )
                    )
                if code in reporters and reporters[code] not in allowed:
                    problems.append(
                        (
                            f"{where}: '{code}' do {reporters[code]} báo cáo, "
                            f"không thuộc biểu của {form.reporter}",
                            f"{where}: '{code}' is reported by {reporters[code]}, "
                            f"not in a {form.reporter} form",
                        )
                    )
            if form.operators and form.reporter != "enterprise":
                problems.append(
                    (
                        f"forms[{form.code}].operators: chỉ dùng cho biểu của doanh nghiệp",
                        f"forms[{form.code}].operators: only enterprise forms list operators",
                    )
                )
        responsibilities = {i.number for i in self.items if i.kind == "responsibility"}
        numbers = {i.number for i in self.items}
        # The kinds the work plan tracks as tasks (workplan.services.TASK_KINDS).
        tracked = {i.number for i in self.items if i.kind in ("task", "measure", "responsibility")}
        for item in self.items:
            where = f"items[{item.number}]"
            if item.tasks and item.kind != "goal":
                problems.append(
                    (
                        f"{where}.tasks: chỉ mục tiêu (kind: goal) ghi nhiệm vụ thực hiện",
                        f"{where}.tasks: only a goal (kind: goal) lists the tasks that deliver it",
                    )
                )
            for number in item.tasks:
                if number not in numbers:
                    undeclared(f"{where}.tasks", "nhiệm vụ", "task", number)
                elif number not in tracked:
                    problems.append(
                        (
                            f"{where}.tasks: mục '{number}' không phải nhiệm vụ, giải pháp hay trách nhiệm",
                            f"{where}.tasks: item '{number}' is not a task, measure or responsibility",
                        )
                    )
            for number in item.responsibilities:
                if number not in responsibilities:
                    undeclared(f"{where}.responsibilities", "mục trách nhiệm", "responsibility item", number)
            if item.lead and item.lead not in agencies:
                undeclared(f"{where}.lead", "cơ quan", "agency", item.lead)
            for agency in item.coordinating:
                if agency not in agencies:
                    undeclared(f"{where}.coordinating", "cơ quan", "agency", agency)
            if item.condition and item.condition not in conditions:
                undeclared(f"{where}.condition", "điều kiện", "condition", item.condition)
            for code in item.indicators:
                if code not in indicators:
                    undeclared(f"{where}.indicators", "chỉ tiêu", "indicator", code)
        return problems


# Vietnamese for pydantic's error types that a plan author meets; others keep pydantic's English.
_ERRORS_VI = {
    "missing": "thiếu trường bắt buộc",
    "extra_forbidden": "khóa không có trong định dạng tệp kế hoạch",
    "decimal_parsing": "phải là một số",
    "decimal_type": "phải là một số",
    "int_parsing": "phải là số nguyên",
    "float_parsing": "phải là một số",
    "date_from_datetime_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_parsing": "phải là ngày dạng YYYY-MM-DD",
    "date_type": "phải là ngày dạng YYYY-MM-DD",
    "literal_error": "giá trị không thuộc danh sách cho phép",
    "string_pattern_mismatch": "mã chỉ gồm chữ thường không dấu, số và dấu gạch dưới",
    "string_type": "phải là chuỗi ký tự",
    "list_type": "phải là một danh sách",
    "bool_parsing": "phải là true hoặc false",
    "greater_than_equal": "giá trị quá nhỏ",
    "less_than_equal": "giá trị quá lớn",
}


SCHEMA_FILE = Path(__file__).resolve().parent / "data" / "plan-file.schema.json"


def plan_file_schema() -> str:
    """The plan file's JSON Schema (for editors' YAML validation); shipped as plan-file.schema.json."""
    schema = PlanFile.model_json_schema()
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["title"] = "hatangso plan file"
    return json.dumps(schema, ensure_ascii=False, indent=2) + "\n"


def _location(loc: tuple, data: dict) -> str:
    """ "indicators.3.target" → "indicators[bts_site_sharing].target" so users find the line."""
    parts: list[str] = []
    node = data
    for step in loc:
        if isinstance(step, int) and isinstance(node, list) and step < len(node):
            node = node[step]
            key = node.get("code") or node.get("number") if isinstance(node, dict) else None
            parts[-1] = f"{parts[-1]}[{key or step + 1}]"
        else:
            parts.append(str(step))
            node = node.get(step) if isinstance(node, dict) else None
    return ".".join(parts)


def read_yaml(path: Path, what_vi: str = "Tệp kế hoạch", what_en: str = "Plan file") -> object:
    """A YAML file's content, or one sentence saying what is wrong with the file (what_vi/what_en
    name the kind of file)."""
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy {what_vi.lower()} {path}", f"{what_en} {path} not found")
    try:
        # libyaml's parser (shipped in PyYAML's wheels): ≈ 6 × the pure-Python one on the seed's file
        loader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
        return yaml.load(path.read_text(encoding="utf-8"), Loader=loader)
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng/line {mark.line + 1})" if mark else ""
        raise UserError(
            f"{what_vi} {path.name} không phải YAML hợp lệ{where}",
            f"{what_en} {path.name} is not valid YAML{where}",
        ) from exc


def read_plan_file(path: Path) -> PlanFile:
    return validate_plan_data(read_yaml(path), Path(path).name)


@dataclass(frozen=True)
class Problem:
    """One problem of a plan file: where ("plan.issued_on", "indicators[bts_site_sharing].target"),
    in Vietnamese and in English."""

    where: str
    vi: str
    en: str


def schema_problems(exc: ValidationError, data: dict) -> list[Problem]:
    """pydantic's errors for a YAML file, each where the author finds it, in Vietnamese and English."""
    problems = []
    for err in exc.errors():
        where = _location(err["loc"], data)
        problems.append(
            Problem(
                where=where,
                vi=f"{where or '(gốc)'}: {_ERRORS_VI.get(err['type'], err['msg'])}",
                en=f"{where or '(root)'}: {err['msg']}",
            )
        )
    return problems


def plan_file_problems(data: dict) -> tuple[PlanFile | None, list[Problem]]:
    """The validated plan file (None when the schema fails) and every problem found."""
    try:
        plan_file = PlanFile.model_validate(data)
    except ValidationError as exc:
        return None, schema_problems(exc, data)
    return plan_file, [Problem(vi.split(": ", 1)[0], vi, en) for vi, en in plan_file.reference_problems()]


def validate_plan_data(data: object, name: str) -> PlanFile:
    """A plan file's content (parsed YAML) checked against the schema and its references."""
    if not isinstance(data, dict):
        raise UserError(
            f"Tệp kế hoạch {name} trống hoặc sai cấu trúc",
            f"Plan file {name} is empty or malformed",
        )
    plan_file, problems = plan_file_problems(data)
    if problems:
        raise UserError(
            f"Tệp kế hoạch {name} có lỗi: {'; '.join(p.vi for p in problems)}",
            f"Plan file {name} is invalid: {'; '.join(p.en for p in problems)}",
        )
    return plan_file
