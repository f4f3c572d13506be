"""Sentences the data can say by itself, in the register of a Vietnamese results report.

Anything the data cannot say (difficulties, proposals) is the plan owner's text; where it is
missing the report prints `PLACEHOLDER`, never invented prose.
"""

from hatangso.analytics.engine import Evaluation
from hatangso.reports.content import RATINGS, ReportContent
from hatangso.utilities.numbers import format_number

PLACEHOLDER = (
    "[Chưa có nội dung — cơ quan chủ trì bổ sung trước khi ban hành / text to be written by the plan owner]"
)


def amount(value: float | None, unit: str) -> str:
    """20,6% · 1.234 thuê bao · 60 Mb/s — numbers as Vietnamese offices write them."""
    if value is None:
        return "—"
    decimals = 0 if float(value).is_integer() else 1 if unit == "%" else 2
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
    text = amount(float(indicator.target), indicator.unit)
    return f"duy trì {text}" if indicator.maintain else text


def share_of_target(evaluation: Evaluation) -> float | None:
    """Thực hiện as a percentage of Kế hoạch (the report's 'Tỷ lệ %' column)."""
    target = float(evaluation.indicator.target)
    if evaluation.value is None or not target:
        return None
    return round(evaluation.value / target * 100, 1)


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
        exceeded = evaluation.value > float(indicator.target)
        verdict = "vượt chỉ tiêu kế hoạch" if exceeded else "đạt chỉ tiêu kế hoạch"
        return f"{name} đạt {value}, {verdict} ({target})."
    gap = abs(float(indicator.target) - evaluation.value)
    unit = "điểm phần trăm" if indicator.unit == "%" else indicator.unit
    missing = f"{format_number(gap, 1)} {unit}"
    return f"{name} đạt {value}, chưa đạt chỉ tiêu kế hoạch ({target}), còn thiếu {missing}."


def summary_sentence(content: ReportContent) -> str:
    total = len(content.evaluations)
    parts = [
        f"{content.counts[status]:02d}/{total:02d} chỉ tiêu {RATINGS[status].lower()}" for status in RATINGS
    ]
    return f"Trong {total:02d} chỉ tiêu của Kế hoạch: {'; '.join(parts)}."
