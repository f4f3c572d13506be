"""Sentences the data can say by itself, in the register of a Vietnamese results report.

Anything the data cannot say (difficulties, proposals) is the plan owner's text; where it is
missing the report prints `PLACEHOLDER`, never invented prose.
"""

from collections import Counter
from datetime import date

from hatangso.analytics.engine import Evaluation
from hatangso.analytics.status import Status
from hatangso.reports.content import ReportContent
from hatangso.utilities.numbers import (
    display_decimal,
    exact_decimal,
    format_amount,
    format_date,
    format_number,
)
from hatangso.utilities.periods import ROMAN_QUARTERS
from hatangso.workplan.models import Task

PLACEHOLDER = "[Chưa có nội dung — cơ quan chủ trì bổ sung trước khi ban hành]"


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


# Every drafted paragraph carries this mark until the owner writes the section on the report page.
DRAFT_NOTE = (
    "Phần tô vàng là dự thảo do phần mềm soạn từ số liệu; cơ quan chủ trì kiểm tra, chỉnh sửa "
    "trên trang Báo cáo trước khi ban hành."
)

TASK_STATE_ORDER = ("done", "in_progress", "not_started", "overdue", "waiting", "cancelled")


def task_summary(content: ReportContent) -> str:
    """Every task counted once by its state as of the report date, the counts adding up to the total."""
    counts = Counter(line.state_code for line in content.tasks)
    parts = [f"{counts[s]:02d} {str(Task.STATES[s]).lower()}" for s in TASK_STATE_ORDER if counts[s]]
    whose = COMMUNES_TASKS if content.commune_document else "và trách nhiệm của Kế hoạch"
    return (
        f"Trong {len(content.tasks):02d} nhiệm vụ, giải pháp {whose}, "
        f"đến ngày {format_date(content.report_date)}: {'; '.join(parts)}."
    )


# The tasks a commune's own report covers (content._task_lines(communes_only=True)).
COMMUNES_TASKS = "của Kế hoạch do UBND các xã, phường chủ trì hoặc phối hợp"


def _issued(day) -> str:
    if isinstance(day, str):
        day = date.fromisoformat(day)
    return format_date(day)


def deployment_draft(content: ReportContent) -> list[str]:
    """Section I from the plan's documents and the evidence of its tasks."""
    plan = content.plan
    if content.commune_document:  # the commune carries out the plan above it
        first = (
            f"Thực hiện Kế hoạch số {plan.code} ngày {format_date(plan.issued_on)} của {plan.issuer}, "
            f"{content.settings['issuer_name']} triển khai {len(content.tasks):02d} nhiệm vụ, giải pháp "
            f"{COMMUNES_TASKS} và theo dõi {len(content.evaluations):02d} chỉ tiêu định lượng trên địa bàn."
        )
        return [first, *_reported(content)]
    parent = plan.parent
    cited = (
        {"code": parent.code, "issued_on": parent.issued_on, "issuer": parent.issuer}
        if parent is not None
        else plan.parent_reference
    )
    basis = ""
    if cited and cited.get("code"):
        basis = f"Thực hiện Kế hoạch số {cited['code']}"
        if cited.get("issued_on"):
            basis += f" ngày {_issued(cited['issued_on'])}"
        if cited.get("issuer"):
            basis += f" của {cited['issuer']}"
        basis += ", "
    leads = {line.lead for line in content.tasks if line.lead}
    tasks = (
        f"giao {len(content.tasks):02d} nhiệm vụ, giải pháp và trách nhiệm cho {len(leads):02d} cơ quan, "
        "đơn vị chủ trì, với "
        if content.tasks
        else "với "
    )
    first = (
        f"{basis}{plan.issuer} đã ban hành Kế hoạch số {plan.code} ngày {format_date(plan.issued_on)}, "
        f"{tasks}{len(content.evaluations):02d} chỉ tiêu định lượng"
        + (f" và {len(content.goals):02d} mục tiêu định tính." if content.goals else ".")
    )
    return [first, *_reported(content)]


def _reported(content: ReportContent) -> list[str]:
    """What the tasks' accepted updates say, as of the report date."""
    reported = [line for line in content.tasks if line.updates]
    if not content.tasks:
        return []
    if reported:
        updates = sum(line.updates for line in reported)
        files = sum(line.evidence_files for line in reported)
        second = (
            f"Đến ngày {format_date(content.report_date)}, các cơ quan, đơn vị đã báo cáo kết quả thực hiện "
            f"{len(reported):02d} nhiệm vụ ({updates:02d} lần cập nhật được chấp nhận, {files:02d} tệp minh "
            f"chứng); {len(content.tasks) - len(reported):02d} nhiệm vụ chưa có báo cáo kết quả."
        )
    else:
        second = (
            f"Đến ngày {format_date(content.report_date)}, chưa có cơ quan, đơn vị nào báo cáo kết quả "
            "thực hiện nhiệm vụ được chấp nhận."
        )
    return [second]


def _without_english(reason: str, names: dict[str, str]) -> str:
    """The engine's reason in Vietnamese: its English half dropped, data-element codes named."""
    text = reason.split(" / ")[0].strip()
    for code, name in sorted(names.items(), key=lambda pair: -len(pair[0])):
        text = text.replace(code, name)
    return text


def furthest_behind(content: ReportContent, evaluation: Evaluation, count: int = 3) -> list[str]:
    """The communes furthest from their target on an indicator, worst first: 'Xã A (62,0%)'."""
    code, ceiling = evaluation.indicator.code, evaluation.indicator.comparison in ("<", "<=")
    behind = [
        (commune.name, results[code].value)
        for commune, results in content.communes
        if code in results and results[code].status == Status.NOT_ACHIEVED
    ]
    behind.sort(key=lambda pair: pair[1], reverse=ceiling)
    return [f"{name} ({format_amount(value, evaluation.indicator.unit)})" for name, value in behind[:count]]


def _by_lead(lines) -> str:
    groups: dict[str, list[str]] = {}
    for line in lines:
        groups.setdefault(line.lead or "chưa giao cơ quan chủ trì", []).append(line.number)
    return "; ".join(f"{lead}: {len(numbers):02d} ({', '.join(numbers)})" for lead, numbers in groups.items())


def limitations_draft(content: ReportContent, element_names: dict[str, str]) -> list[str]:
    """Section III: every indicator not achieved or without data, and the overdue tasks."""
    sentences = []
    for evaluation in content.evaluations:
        if evaluation.status == Status.NOT_ACHIEVED:
            sentence = indicator_sentence(evaluation).rstrip(".")
            communes = furthest_behind(content, evaluation)
            if communes:
                sentence += f"; các xã, phường còn thấp nhất: {', '.join(communes)}"
            sentences.append(sentence + ".")
        elif evaluation.status == Status.NO_DATA:
            reason = _without_english(evaluation.reason, element_names)
            sentences.append(
                f"{evaluation.indicator.name}: chưa có số liệu để đánh giá"
                + (f" ({reason})" if reason else "")
                + "."
            )
    overdue = [line for line in content.tasks if line.state_code == "overdue"]
    if overdue:
        sentences.append(
            f"{len(overdue):02d} nhiệm vụ, giải pháp đã quá thời hạn nhưng chưa hoàn thành, theo cơ quan "
            f"chủ trì: {_by_lead(overdue)}."
        )
    if not sentences:
        sentences.append("Các chỉ tiêu có số liệu đều đạt kế hoạch; không có nhiệm vụ quá hạn.")
    return sentences


def next_steps_draft(content: ReportContent, next_targets: dict[str, str]) -> list[str]:
    """Section IV: the open tasks by lead, the tasks waiting for their condition, and the targets of
    the next period for the indicators not yet achieved (`next_targets`: code → target text)."""
    sentences = []
    open_tasks = [t for t in content.tasks if t.state_code in ("not_started", "in_progress", "overdue")]
    if open_tasks:
        sentences.append(
            f"Tiếp tục triển khai {len(open_tasks):02d} nhiệm vụ, giải pháp chưa hoàn thành, theo cơ quan "
            f"chủ trì: {_by_lead(open_tasks)}."
        )
    waiting = [line for line in content.tasks if line.state_code == "waiting"]
    if waiting:
        sentences.append(
            f"Theo dõi, sẵn sàng triển khai {len(waiting):02d} nhiệm vụ khi đáp ứng điều kiện "
            f"({', '.join(line.number for line in waiting)})."
        )
    for evaluation in content.evaluations:
        if evaluation.status in (Status.NOT_ACHIEVED, Status.NO_DATA):
            target = next_targets.get(evaluation.indicator.code) or target_text(evaluation)
            no_data = evaluation.status == Status.NO_DATA
            verb = "Thu thập số liệu và phấn đấu đạt" if no_data else "Phấn đấu đạt"
            sentences.append(f"{verb} chỉ tiêu {evaluation.indicator.name}: {target}.")
    return sentences
