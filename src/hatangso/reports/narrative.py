"""Sentences the data can say by itself, in the register of a Vietnamese results report.

Anything the data cannot say (difficulties, proposals) is the plan owner's text; where it is
missing the report prints `PLACEHOLDER`, never invented prose.
"""

from hatangso.analytics.engine import Evaluation
from hatangso.analytics.status import Status
from hatangso.reports.content import ReportContent
from hatangso.utilities.numbers import (
    display_decimal,
    exact_decimal,
    format_amount,
    format_number,
)

PLACEHOLDER = (
    "[Chưa có nội dung — cơ quan chủ trì bổ sung trước khi ban hành / text to be written by the plan owner]"
)


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
    target = exact_decimal(evaluation.target)
    text = format_amount(target, indicator.unit, 0 if target == target.to_integral_value() else 1)
    # A lower-is-better target is a ceiling: "dưới 5%" (strictly below), "không quá 5%".
    text = {"<": f"dưới {text}", "<=": f"không quá {text}"}.get(indicator.comparison, text)
    return f"duy trì {text}" if indicator.maintain else text


def share_of_target(evaluation: Evaluation) -> float | None:
    """Thực hiện as a percentage of Kế hoạch (the report's 'Tỷ lệ %' column), not rounded: the
    DOCX rounds it for display, the XLSX cell holds it under a one-decimal format. None for a
    ceiling ("dưới 5 %"): 4 % is no 80 % completion of it."""
    target = exact_decimal(evaluation.target)
    if evaluation.value is None or not target or evaluation.indicator.comparison in ("<", "<="):
        return None
    return float(exact_decimal(evaluation.value) / target * 100)


def indicator_sentence(evaluation: Evaluation) -> str:
    indicator = evaluation.indicator
    name = indicator.name
    value = format_amount(evaluation.value, indicator.unit)
    target = target_text(evaluation)
    if evaluation.status == Status.NOT_APPLICABLE:
        condition = indicator.condition.text if indicator.condition_id else "điều kiện chưa đáp ứng"
        return f"{name}: chưa thực hiện ({condition})."
    if evaluation.status == Status.NO_DATA:
        return f"{name}: chưa có thông tin để đánh giá."
    if evaluation.status == Status.ACHIEVED:
        shown, target_value = display_decimal(evaluation.value), exact_decimal(evaluation.target)
        exceeded = shown < target_value if indicator.comparison in ("<", "<=") else shown > target_value
        verdict = "vượt chỉ tiêu kế hoạch" if exceeded else "đạt chỉ tiêu kế hoạch"
        return f"{name} đạt {value}, {verdict} ({target})."
    # From the value as shown, so that the shown value and the gap add up to the target.
    gap = abs(exact_decimal(evaluation.target) - display_decimal(evaluation.value))
    missing = (
        f"{format_number(gap)} điểm phần trăm"
        if indicator.unit == "%"
        else format_amount(gap, indicator.unit)
    )
    gap_words = "còn cao hơn" if indicator.comparison in ("<", "<=") else "còn thiếu"
    return f"{name} đạt {value}, chưa đạt chỉ tiêu kế hoạch ({target}), {gap_words} {missing}."


def summary_sentence(content: ReportContent) -> str:
    total = len(content.evaluations)
    parts = [f"{content.counts[status]:02d}/{total:02d} chỉ tiêu {status.label.lower()}" for status in Status]
    return f"Trong {total:02d} chỉ tiêu của Kế hoạch: {'; '.join(parts)}."
