"""Checks of single reported values, shared by file imports, forms and the API."""

import re
from decimal import Decimal, InvalidOperation

from hatangso.collection.models import DataElement
from hatangso.utilities.text import clean_text, looks_like_formula

_VN_THOUSANDS = re.compile(r"^-?\d{1,3}(\.\d{3})+$")
_TRUE = {"1", "co", "có", "x", "yes", "true", "đạt"}
_FALSE = {"0", "khong", "không", "no", "false", "chưa"}


class ValueProblem(ValueError):
    def __init__(self, vi: str, en: str):
        self.vi = vi
        self.en = en
        super().__init__(f"{vi} / {en}")


def parse_number(text: str) -> Decimal:
    """Numbers as Vietnamese offices write them: 1.234,5 · 1234,5 · 1234.5 · 1.234 (= 1234)."""
    text = clean_text(text).replace(" ", "").replace("\u00a0", "").removesuffix("%")
    if "," in text and "." in text:
        decimal_mark = "," if text.rfind(",") > text.rfind(".") else "."
        thousands = "." if decimal_mark == "," else ","
        text = text.replace(thousands, "").replace(decimal_mark, ".")
    elif "," in text:
        text = text.replace(",", ".")
    elif _VN_THOUSANDS.match(text):
        text = text.replace(".", "")
    try:
        number = Decimal(text)
    except InvalidOperation as exc:
        raise ValueProblem("không phải là số", "is not a number") from exc
    if not number.is_finite():
        raise ValueProblem("không phải là số", "is not a number")
    return number


def check_comment(raw: str) -> str:
    """A comment as given, or ValueProblem if a spreadsheet would read it as a formula: comments go
    into the CSV/XLSX exports and templates, so they are refused like formula-like values."""
    if looks_like_formula(clean_text(raw)):
        raise ValueProblem(
            "ghi chú không được bắt đầu bằng =, +, -, @ (ký tự của công thức); hãy bỏ ký tự đầu",
            "a comment cannot start with =, +, -, @ (formula characters); remove the first character",
        )
    return raw


def check_value(element: DataElement, raw: str) -> Decimal:
    """The value as a number, or ValueProblem saying why it cannot be accepted."""
    plain_whole_number = isinstance(raw, str) and raw.isdigit() and raw.isascii()  # most values of a file
    if plain_whole_number and element.value_type != DataElement.ValueType.BOOLEAN:
        number = Decimal(raw)
        # A plain whole number is a valid count: only a percentage's range is left to check.
        if element.value_type == DataElement.ValueType.COUNT:
            return number
        return _checked_number(element, number)
    text = clean_text(raw)
    if not text:
        raise ValueProblem("thiếu giá trị", "value is missing")
    if looks_like_formula(text):
        raise ValueProblem(
            "ô chứa công thức hoặc ký tự đầu =, +, -, @; hãy nhập giá trị số",
            "cell holds a formula or starts with =, +, -, @; enter a plain number",
        )
    if element.value_type == DataElement.ValueType.BOOLEAN:
        key = text.casefold()
        if key in _TRUE:
            return Decimal(1)
        if key in _FALSE:
            return Decimal(0)
        raise ValueProblem("phải là 1 (có) hoặc 0 (không)", "must be 1 (yes) or 0 (no)")
    return _checked_number(element, parse_number(text))


def _checked_number(element: DataElement, number: Decimal) -> Decimal:
    if element.value_type == DataElement.ValueType.COUNT:
        if number < 0:
            raise ValueProblem("số đếm không được âm", "a count cannot be negative")
        if number != number.to_integral_value():
            raise ValueProblem("số đếm phải là số nguyên", "a count must be a whole number")
    if element.value_type == DataElement.ValueType.PERCENTAGE and not 0 <= number <= 100:
        raise ValueProblem("tỷ lệ phần trăm phải từ 0 đến 100", "a percentage must be between 0 and 100")
    return number
