"""Reading the target of one line of a plan's goals (mục tiêu, chỉ tiêu): its value and unit of
measure (the catalog's five units), the comparison the words state, yearly milestones, "duy trì"
and a condition.

Plans write targets as "đạt 90%", "tối thiểu 100 Mb/s", "Số thuê bao băng rộng di động/100 dân: 90%"
(a per-100 figure written with a % sign), "mỗi người dân có 01 tài khoản …" (per person),
"352 trạm BTS 5G" (a count), "giảm … xuống dưới 5%", "năm 2025 đạt 60%, năm 2026 đạt 80%". A line
with no figure in one of these forms is no target.
"""

import re
from dataclasses import dataclass, field

from hatangso.collection.validation import parse_number

NUMBER = r"\d+(?:[.,]\d+)*"
SPEEDS = {"gb/s": 1000, "gbps": 1000, "mb/s": 1, "mbps": 1, "mbit/s": 1, "kb/s": 0.001, "kbps": 0.001}
SPEED = r"(?:gb/s|gbps|mb/s|mbps|mbit/s|kb/s|kbps)\b"
# What is counted in a count target ("352 trạm BTS 5G", "120 điểm Wi-Fi").
COUNTED = (
    r"(?:trạm|vị trí|thuê bao|tài khoản|kết nối|điểm|cột|tuyến|km|hệ thống|nền tảng|doanh nghiệp|"
    r"khu|cơ quan|hộ|thôn|xã|phường)\b"
)
QUANTITY = re.compile(
    rf"(?<![\d.,/])(?P<value>{NUMBER})\s*(?:(?P<percent>%)|(?P<speed>{SPEED})|(?=(?P<counted>{COUNTED})))",
    re.IGNORECASE,
)
PER_HUNDRED = re.compile(r"(?:/|trên)\s*100\s*(?:người\s*)?dân", re.IGNORECASE)
PER_PERSON = re.compile(
    rf"(?:mỗi|bình quân|trung bình)\s+(?:một\s+)?(?:người|người dân|đầu người)\s+(?:có\s+)?"
    rf"(?P<value>{NUMBER})"
    rf"|(?P<value2>{NUMBER})\s+\w+(?:\s+\w+)?\s*/\s*người\b",
    re.IGNORECASE,
)
MILESTONE = re.compile(
    rf"(?:đến\s+)?(?:hết\s+)?năm\s+(?P<year>20\d\d)\s*[:,]?\s*(?P<words>(?:[^\d;]{{0,40}}?))"
    rf"(?P<value>{NUMBER})\s*(?P<unit>%|{SPEED})?",
    re.IGNORECASE,
)
# "đạt 80 - 90%", "từ 80% đến 90%": the range's floor is the target.
RANGE = re.compile(
    rf"(?:từ\s+)?(?P<low>{NUMBER})\s*(?:%|{SPEED})?\s*(?:-|–|đến)\s*(?P<value>{NUMBER})\s*"
    rf"(?:(?P<percent>%)|(?P<speed>{SPEED}))",
    re.IGNORECASE,
)
CONDITION = re.compile(r"\((?P<text>khi\s+[^)]*)\)", re.IGNORECASE)
# The words right before a figure that state how it is compared, most specific first. "đạt",
# "duy trì", a colon state none: the indicator's direction decides.
COMPARATORS = (
    (r"xuống\s+dưới|dưới|thấp hơn|ít hơn", "<"),
    (r"không\s+(?:vượt\s+)?quá|tối đa|xuống\s+còn|xuống|còn", "<="),
    (r"trên|hơn|vượt", ">"),
    (r"tối thiểu|ít nhất|từ|lên|tăng", ">="),
)
LEAD_IN = re.compile(
    r"(?P<words>(?:(?:đạt|duy trì|phủ sóng|tối thiểu|ít nhất|xuống dưới|xuống còn|xuống|dưới|trên|hơn|"
    r"không vượt quá|không quá|tối đa|lên|từ|còn|thấp hơn|ít hơn|vượt|là|:)\s*)+)$",
    re.IGNORECASE,
)
# A speed right after "tốc độ (trung bình, tối thiểu)" qualifies what is counted ("80% đường truyền …
# tốc độ trung bình 100 Mb/s") when the line's target is a percentage.
QUALIFYING_SPEED = re.compile(
    r"tốc độ(?:\s+(?:trung bình|tối thiểu|truy nhập|tải xuống|từ|trên|đạt))*\s*$", re.IGNORECASE
)


@dataclass
class Target:
    value: float
    unit: str  # "%", "Mb/s", "per 100 inhabitants", "per person", "count"
    comparison: str | None  # None: the words state none; the indicator's direction decides
    maintain: bool = False
    condition: str | None = None
    milestones: dict[int, float] = field(default_factory=dict)  # year → target


def _number(text: str) -> float:
    return float(parse_number(text))


def _comparison(before: str, line: str) -> str | None:
    """The comparison the words before a figure state, else the verb of the line ("giảm", "tăng")."""
    lead = LEAD_IN.search(before.rstrip())
    words = lead.group("words").lower() if lead else ""
    for pattern, comparison in COMPARATORS:
        if re.search(rf"(?:^|\s)(?:{pattern})(?:\s|$)", f" {words} "):
            return comparison
    lowered = line.lower()
    if re.search(r"\bgiảm\b", lowered):
        return "<="
    if re.search(r"\btăng\b", lowered):
        return ">="
    return None


def _unit(match: re.Match, line: str) -> tuple[str, float]:
    value = _number(match.group("value"))
    if PER_HUNDRED.search(line):
        return "per 100 inhabitants", value
    if match.group("percent"):
        return "%", value
    if match.group("speed"):
        return "Mb/s", round(value * SPEEDS[match.group("speed").lower()], 6)
    return "count", value


def _milestones(line: str) -> dict[int, tuple[float, str | None, str]]:
    found = {}
    for match in MILESTONE.finditer(line):
        year = int(match.group("year"))
        found[year] = (_number(match.group("value")), match.group("unit"), match.group("words"))
    return found if len(found) >= 2 else {}


def read_target(line: str) -> Target | None:
    """The target a goal line states, or None when it states none in a form this module reads."""
    condition = CONDITION.search(line)
    common = {
        "maintain": bool(re.search(r"\bduy trì\b", line, re.IGNORECASE)),
        "condition": condition.group("text").strip() if condition else None,
    }
    if milestones := _milestones(line):
        year = max(milestones)
        value, unit, words = milestones[year]
        unit = (
            "per 100 inhabitants" if PER_HUNDRED.search(line)
            else "%" if unit == "%" else "Mb/s" if unit else _unit_of_line(line)
        )  # fmt: skip
        return Target(
            value=value,
            unit=unit,
            comparison=_comparison(words, line),
            milestones={y: v for y, (v, _u, _w) in sorted(milestones.items())},
            **common,
        )
    if ranged := RANGE.search(line):
        unit, _high = _unit(ranged, line)
        scale = SPEEDS[ranged.group("speed").lower()] if ranged.group("speed") else 1
        low = round(_number(ranged.group("low")) * scale, 6)
        return Target(value=low, unit=unit, comparison=">=", **common)
    per_person = PER_PERSON.search(line)
    if per_person:
        value = per_person.group("value") or per_person.group("value2")
        before = line[: per_person.start()]
        return Target(value=_number(value), unit="per person", comparison=_comparison(before, line), **common)
    quantities = [m for m in QUANTITY.finditer(line) if not _is_per_hundred_base(m, line)]
    if not quantities:
        return None
    has_percent = any(m.group("percent") for m in quantities)
    candidates = [
        m for m in quantities
        if not (m.group("speed") and has_percent and QUALIFYING_SPEED.search(line[: m.start()]))
    ]  # fmt: skip
    stated = [m for m in candidates if LEAD_IN.search(line[: m.start()].rstrip())]
    chosen = (stated or [m for m in candidates if m.group("percent")] or candidates)[0]
    unit, value = _unit(chosen, line)
    return Target(value=value, unit=unit, comparison=_comparison(line[: chosen.start()], line), **common)


def _is_per_hundred_base(match: re.Match, line: str) -> bool:
    """The "100" of "/100 dân" is the base of the unit, not a figure."""
    return any(m.start() <= match.start() < m.end() for m in PER_HUNDRED.finditer(line))


def _unit_of_line(line: str) -> str:
    quantities = [m for m in QUANTITY.finditer(line) if not _is_per_hundred_base(m, line)]
    return _unit(quantities[-1], line)[0] if quantities else "count"


def direction(comparison: str | None) -> str:
    """"lower" for a target to stay under, else "higher"."""
    return "lower" if comparison in ("<", "<=") else "higher"
