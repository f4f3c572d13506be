"""Sentences the data can say by itself, in the register of a Vietnamese results report.

Anything the data cannot say (difficulties, proposals) is the plan owner's text; where it is
missing the report prints `PLACEHOLDER`, never invented prose.
"""

from decimal import Decimal

from hatangso.analytics.engine import Evaluation
from hatangso.reports.content import RATINGS, ReportContent
from hatangso.utilities.numbers import VALUE_DECIMALS, display_decimal, exact_decimal, format_number

PLACEHOLDER = (
    "[Chưa có nội dung — cơ quan chủ trì bổ sung trước khi ban hành / text to be written by the plan owner]"
)


def amount(value: float | Decimal | None, unit: str, decimals: int = VALUE_DECIMALS) -> str:
    """An indicator's value as every screen shows it (20,6% · 60,0 Mb/s), rounded once by
    `format_number`; targets pass `decimals` (90% · 97,5%)."""
    if value is None:
        return "—"
    text = format_number(value, decimals)
    return f"{text}%" if unit == "%" else f"{text} {unit}".strip()


ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_words(period) -> str:
    """'năm 2024', 'quý III năm 2024', 'tháng 9 năm 2024'."""
    year = period.start.year
    if period.kind == "quarterly":
        return f"quý {ROMAN_QUARTERS[(period.start.month + 2) // 3]} năm {year}"
    if period.kind == "monthly":
        return f"tháng {period.start.month} năm {year}"
    return f"năm {year}"


def target_text(evaluation: Evaluation) -> str:
    indicator = evaluation.indicator
    target = exact_decimal(indicator.target)
    text = amount(target, indicator.unit, 0 if target == target.to_integral_value() else 1)
    return f"duy trì {text}" if indicator.maintain else text


def share_of_target(evaluation: Evaluation) -> float | None:
    """Thực hiện as a percentage of Kế hoạch (the report's 'Tỷ lệ %' column), not rounded: the
    DOCX rounds it for display, the XLSX cell holds it under a one-decimal format."""
    target = exact_decimal(evaluation.indicator.target)
    if evaluation.value is None or not target:
        return None
    return float(exact_decimal(evaluation.value) / target * 100)


def indicator_sentence(evaluation: Evaluation) -> str:
    indicator = evaluation.indicator
    name = indicator.name
    value = amount(evaluation.value, indicator.unit)
    target = target_text(evaluation)
    if evaluation.status == "not_applicable":
        condition = indicator.condition.text if indicator.condition_id else "điều kiện chưa đáp ứng"
        return f"{name}: chưa thực hiện ({condition})."
    if evaluation.status == "no_data":
        return f"{name}: chưa có thông tin để đánh giá."
    if evaluation.status == "achieved":
        exceeded = display_decimal(evaluation.value) > exact_decimal(indicator.target)  # as shown
        verdict = "vượt chỉ tiêu kế hoạch" if exceeded else "đạt chỉ tiêu kế hoạch"
        return f"{name} đạt {value}, {verdict} ({target})."
    # From the value as shown, so that the shown value and the gap add up to the target.
    gap = abs(exact_decimal(indicator.target) - display_decimal(evaluation.value))
    unit = "điểm phần trăm" if indicator.unit == "%" else indicator.unit
    missing = f"{format_number(gap)} {unit}"
    return f"{name} đạt {value}, chưa đạt chỉ tiêu kế hoạch ({target}), còn thiếu {missing}."


def summary_sentence(content: ReportContent) -> str:
    total = len(content.evaluations)
    parts = [
        f"{content.counts[status]:02d}/{total:02d} chỉ tiêu {RATINGS[status].lower()}" for status in RATINGS
    ]
    return f"Trong {total:02d} chỉ tiêu của Kế hoạch: {'; '.join(parts)}."
