"""The plan file format (YAML): its schema and the readable errors it gives."""

import json
import re
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from hatangso.utilities.errors import UserError
from hatangso.utilities.text import clean_text

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
    period: str
    report_deadline: date | None = None
    report_to: str = ""
    legal_basis: list[str] = []
    preamble: str = ""
    parent: ParentPlan | None = None
    closing: str = ""
    recipients: list[str] = []
    signature: Signature = Signature()


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


class IndicatorSpec(_Strict):
    code: str = Field(pattern=CODE)
    section: str = ""
    name: str
    text: str = ""
    unit: str = "%"
    numerator: str
    denominator: str
    factor: Decimal = Decimal(100)
    comparison: Literal[">=", "<="] = ">="
    target: Decimal
    baseline: Decimal | None = None
    maintain: bool = False
    condition: str | None = None


class ItemSpec(_Strict):
    number: str
    kind: Literal["purpose", "requirement", "goal", "task", "measure", "funding", "responsibility"]
    text: str
    lead: str | None = None
    coordinating: list[str] = []
    condition: str | None = None
    indicators: list[str] = []


_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def expression_names(expression: str) -> set[str]:
    """The data-element codes an expression uses (function names and string literals excluded)."""
    without_strings = re.sub(r"'[^']*'|\"[^\"]*\"", "", expression)
    return {
        match.group(0)
        for match in _NAME.finditer(without_strings)
        if not without_strings[match.end() :].lstrip().startswith("(")
    }


class PlanFile(_Strict):
    plan: PlanHeader
    conditions: list[ConditionSpec] = []
    agencies: list[AgencySpec] = []
    sections: list[SectionSpec] = []
    data_elements: list[DataElementSpec] = []
    indicators: list[IndicatorSpec]
    items: list[ItemSpec] = []

    @model_validator(mode="after")
    def _references(self) -> "PlanFile":
        problems: list[str] = []
        for label, codes in (
            ("conditions", [c.code for c in self.conditions]),
            ("agencies", [a.code for a in self.agencies]),
            ("sections", [s.number for s in self.sections]),
            ("data_elements", [d.code for d in self.data_elements]),
            ("indicators", [i.code for i in self.indicators]),
            ("items", [i.number for i in self.items]),
        ):
            duplicates = sorted({c for c in codes if codes.count(c) > 1})
            if duplicates:
                problems.append(f"{label}: trùng mã / duplicate code {', '.join(duplicates)}")
        conditions = {c.code for c in self.conditions}
        agencies = {a.code for a in self.agencies}
        sections = {s.number for s in self.sections}
        indicators = {i.code for i in self.indicators}
        for indicator in self.indicators:
            if indicator.condition and indicator.condition not in conditions:
                problems.append(
                    f"indicators.{indicator.code}.condition: '{indicator.condition}' "
                    "chưa khai báo / not declared"
                )
            if indicator.section and sections and indicator.section not in sections:
                problems.append(
                    f"indicators.{indicator.code}.section: '{indicator.section}' không có / unknown"
                )
        for item in self.items:
            where = f"items.{item.number}"
            for agency in [item.lead, *item.coordinating]:
                if agency and agency not in agencies:
                    problems.append(f"{where}: cơ quan / agency '{agency}' chưa khai báo / not declared")
            if item.condition and item.condition not in conditions:
                problems.append(f"{where}.condition: '{item.condition}' chưa khai báo / not declared")
            problems.extend(
                f"{where}.indicators: '{code}' không có / unknown"
                for code in item.indicators
                if code not in indicators
            )
        if problems:
            raise ValueError("; ".join(problems))
        return self


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


def read_plan_file(path: Path) -> PlanFile:
    path = Path(path)
    if not path.is_file():
        raise UserError(f"Không tìm thấy tệp kế hoạch {path}", f"Plan file {path} not found")
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except (yaml.YAMLError, UnicodeDecodeError) as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" (dòng/line {mark.line + 1})" if mark else ""
        raise UserError(
            f"Tệp kế hoạch {path.name} không phải YAML hợp lệ{where}",
            f"Plan file {path.name} is not valid YAML{where}",
        ) from exc
    if not isinstance(data, dict):
        raise UserError(
            f"Tệp kế hoạch {path.name} trống hoặc sai cấu trúc",
            f"Plan file {path.name} is empty or malformed",
        )
    try:
        return PlanFile.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{_location(err['loc'], data) or '(gốc/root)'}: {err['msg']}" for err in exc.errors()
        )
        raise UserError(
            f"Tệp kế hoạch {path.name} có lỗi: {details}",
            f"Plan file {path.name} is invalid: {details}",
        ) from exc
