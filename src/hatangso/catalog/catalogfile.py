"""The national indicator catalog's file (data/catalog.yaml): its schema and the readable errors
it gives. Read from the file, not the database, wherever a plan file is checked."""

import functools
from decimal import Decimal
from pathlib import Path
from typing import Literal

from pydantic import Field, ValidationError

from hatangso.plans.expressions import expression_names
from hatangso.plans.planfile import (
    CODE,
    Comparison,
    DataElementSpec,
    _Strict,
    read_yaml,
    schema_problems,
)
from hatangso.utilities.errors import UserError

CATALOG_FILE = Path(__file__).resolve().parent / "data" / "catalog.yaml"
Unit = Literal["%", "Mb/s", "per 100 inhabitants", "per person", "count"]
# The comparisons each direction allows, the first being the one an entry gets when it names none.
COMPARISONS = {"higher": (">=", ">"), "lower": ("<=", "<")}


class FormEntry(_Strict):
    code: str = Field(pattern=CODE)
    name: str
    name_en: str
    reporter: Literal["commune", "enterprise", "district"]
    period_type: Literal["monthly", "quarterly", "yearly"]
    elements: list[str]


class IndicatorEntry(_Strict):
    code: str = Field(pattern=CODE)
    name: str
    name_en: str
    definition: str
    definition_en: str
    unit: Unit
    direction: Literal["higher", "lower"]
    comparison: Comparison | None = None
    numerator: str
    denominator: str
    factor: Decimal = Field(gt=0)
    aggregation: Literal["ratio_of_sums", "median_of_samples", "sum"]
    sources: list[str] = Field(min_length=1)

    @property
    def target_comparison(self) -> str:
        return self.comparison or COMPARISONS[self.direction][0]

    def element_codes(self) -> list[str]:
        return sorted(expression_names(self.numerator) | expression_names(self.denominator))

    def plan_fields(self) -> dict:
        """What a plan indicator picking this entry takes from it."""
        return {
            "name": self.name,
            "unit": self.unit,
            "numerator": self.numerator,
            "denominator": self.denominator,
            "factor": self.factor,
            "comparison": self.target_comparison,
        }


class CatalogFile(_Strict):
    data_elements: list[DataElementSpec]
    forms: list[FormEntry]
    indicators: list[IndicatorEntry]

    def indicator(self, code: str) -> IndicatorEntry | None:
        return self.by_code.get(code)

    @functools.cached_property
    def by_code(self) -> dict[str, IndicatorEntry]:
        return {i.code: i for i in self.indicators}

    def collected_by(self, entry: IndicatorEntry) -> list[dict]:
        """Who supplies an entry's inputs: the forms that collect its reported elements (with their
        reporter) and the providers that compute the others."""
        elements = {e.code: e for e in self.data_elements}
        used = entry.element_codes()
        found = [
            {"form": f.code, "name": f.name, "name_en": f.name_en, "reporter": f.reporter}
            for f in self.forms
            if set(f.elements) & set(used)
        ]
        providers = sorted({elements[c].provider for c in used} - {"values"})
        if "count_units(" in entry.numerator + entry.denominator:  # units counted in the area
            providers.append("geography")
        return found + [{"provider": p} for p in providers]

    def problems(self) -> list[tuple[str, str]]:
        """Codes declared twice, undeclared element codes, comparisons against the direction, and
        reported elements no form collects, as (Vietnamese, English)."""
        problems: list[tuple[str, str]] = []
        for label, codes in (
            ("data_elements", [e.code for e in self.data_elements]),
            ("forms", [f.code for f in self.forms]),
            ("indicators", [i.code for i in self.indicators]),
        ):
            duplicates = ", ".join(sorted({c for c in codes if codes.count(c) > 1}))
            if duplicates:
                problems.append((f"{label}: trùng mã {duplicates}", f"{label}: duplicate code {duplicates}"))
        elements = {e.code: e for e in self.data_elements}
        collected = {code for form in self.forms for code in form.elements}
        for entry in self.indicators:
            where = f"indicators[{entry.code}]"
            for side in ("numerator", "denominator"):
                for code in sorted(expression_names(getattr(entry, side)) - set(elements)):
                    problems.append(
                        (
                            f"{where}.{side}: phần tử dữ liệu '{code}' chưa được khai báo",
                            f"{where}.{side}: data element '{code}' is not declared",
                        )
                    )
            if entry.comparison and entry.comparison not in COMPARISONS[entry.direction]:
                problems.append(
                    (
                        f"{where}.comparison: '{entry.comparison}' trái với chiều '{entry.direction}'",
                        f"{where}.comparison: '{entry.comparison}' contradicts direction '{entry.direction}'",
                    )
                )
            for code in entry.element_codes():
                if code in elements and elements[code].provider == "values" and code not in collected:
                    problems.append(
                        (
                            f"{where}: phần tử dữ liệu '{code}' không thuộc biểu báo cáo nào",
                            f"{where}: data element '{code}' is in no form",
                        )
                    )
        for form in self.forms:
            where = f"forms[{form.code}].elements"
            allowed = {"commune": {"commune", "village"}}.get(form.reporter, {form.reporter})
            for code in form.elements:
                element = elements.get(code)
                if element is None:
                    problems.append(
                        (
                            f"{where}: phần tử dữ liệu '{code}' chưa được khai báo",
                            f"{where}: data element '{code}' is not declared",
                        )
                    )
                elif element.provider != "values" or element.reporter not in allowed:
                    problems.append(
                        (
                            f"{where}: '{code}' không do {form.reporter} báo cáo",
                            f"{where}: '{code}' is not reported by {form.reporter}",
                        )
                    )
        return problems


def validate_catalog_data(data: object, name: str) -> CatalogFile:
    """A catalog file's content (parsed YAML) checked against the schema and its references."""
    if not isinstance(data, dict):
        raise UserError(
            f"Danh mục chỉ tiêu {name} trống hoặc sai cấu trúc",
            f"Indicator catalog {name} is empty or malformed",
        )
    try:
        catalog = CatalogFile.model_validate(data)
    except ValidationError as exc:
        problems = [(p.vi, p.en) for p in schema_problems(exc, data)]
    else:
        problems = catalog.problems()
    if problems:
        raise UserError(
            f"Danh mục chỉ tiêu {name} có lỗi: {'; '.join(vi for vi, _ in problems)}",
            f"Indicator catalog {name} is invalid: {'; '.join(en for _, en in problems)}",
        )
    return catalog


@functools.cache
def _read(path: Path, modified: float) -> CatalogFile:
    return validate_catalog_data(read_yaml(path, "Danh mục chỉ tiêu", "Indicator catalog"), path.name)


def read_catalog(path: Path = CATALOG_FILE) -> CatalogFile:
    """The catalog file, read once per process and again when it changes."""
    path = Path(path)
    modified = path.stat().st_mtime if path.is_file() else 0.0
    return _read(path, modified)
