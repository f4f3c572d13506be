"""DHIS2-style period codes: yearly `2024`, quarterly `2024Q3`, monthly `202409`."""

import calendar
import re
from dataclasses import dataclass
from datetime import date, datetime

from django.utils.translation import gettext as _

from hatangso.utilities.errors import UserError

_PATTERNS = {
    # Years from 1000: year 0 is no date (it would crash the date arithmetic).
    "yearly": re.compile(r"^([1-9]\d{3})$"),
    "quarterly": re.compile(r"^([1-9]\d{3})Q([1-4])$"),
    "monthly": re.compile(r"^([1-9]\d{3})(0[1-9]|1[0-2])$"),
}


@dataclass(frozen=True, order=True)
class Period:
    start: date
    end: date
    code: str
    kind: str

    def contains(self, other: "Period") -> bool:
        return self.start <= other.start and other.end <= self.end

    def __str__(self) -> str:
        return self.code


def parse_period(code: object) -> Period:
    text = str(code).strip().upper() if code is not None else ""
    if match := _PATTERNS["yearly"].match(text):
        year = int(match[1])
        return Period(date(year, 1, 1), date(year, 12, 31), text, "yearly")
    if match := _PATTERNS["quarterly"].match(text):
        year, quarter = int(match[1]), int(match[2])
        first_month = 3 * quarter - 2
        last_month = first_month + 2
        end = date(year, last_month, calendar.monthrange(year, last_month)[1])
        return Period(date(year, first_month, 1), end, text, "quarterly")
    if match := _PATTERNS["monthly"].match(text):
        year, month = int(match[1]), int(match[2])
        end = date(year, month, calendar.monthrange(year, month)[1])
        return Period(date(year, month, 1), end, text, "monthly")
    raise UserError(
        f"Kỳ báo cáo '{text}' không hợp lệ; dùng 2024, 2024Q3 hoặc 202409",
        f"Period '{text}' is not valid; use 2024, 2024Q3 or 202409",
    )


def is_valid_period(code: object) -> bool:
    try:
        parse_period(code)
    except UserError:
        return False
    return True


def parse_day(text: str) -> date:
    """A day as offices write it (dd/mm/yyyy, d/m/yyyy, dd-mm-yyyy) or ISO (yyyy-mm-dd[ hh:mm:ss])."""
    text = (text or "").strip()
    for pattern in ("%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d", "%Y-%m-%d %H:%M:%S"):
        try:
            return datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise UserError(
        f"Ngày '{text}' phải có dạng dd/mm/yyyy", f"Date '{text}' must be dd/mm/yyyy (or yyyy-mm-dd)"
    )


def parse_iso_day(text: str) -> date:
    """A day given on the command line, yyyy-mm-dd."""
    try:
        return date.fromisoformat(text)
    except ValueError as exc:
        raise UserError(
            f"Ngày '{text}' phải có dạng YYYY-MM-DD", f"Date '{text}' must be YYYY-MM-DD"
        ) from exc


def trend_periods(period: Period, today: date) -> list[str]:
    """The year before, then the quarters of the report's year that have begun."""
    year = period.start.year
    quarters = [f"{year}Q{q}" for q in range(1, 5) if parse_period(f"{year}Q{q}").start <= today]
    return [str(year - 1), *quarters]


def period_codes(kind: str, year: int) -> list[str]:
    """Every period of a kind ("yearly", "quarterly", "monthly") in a year, in order."""
    if kind == "quarterly":
        return [f"{year}Q{q}" for q in range(1, 5)]
    if kind == "monthly":
        return [f"{year}{m:02d}" for m in range(1, 13)]
    return [str(year)]


ROMAN_QUARTERS = {1: "I", 2: "II", 3: "III", 4: "IV"}


def period_label(code: str) -> str:
    """2024 → Năm 2024, 2024Q3 → Quý III/2024, 202409 → Tháng 09/2024, as people and the reports
    write them (in the active language: reports are built in Vietnamese)."""
    period = parse_period(code)
    if period.kind == "quarterly":
        quarter = ROMAN_QUARTERS[(period.start.month + 2) // 3]
        return _("Quý %(quarter)s/%(year)s") % {"quarter": quarter, "year": period.start.year}
    if period.kind == "monthly":
        month = f"{period.start.month:02d}"
        return _("Tháng %(month)s/%(year)s") % {"month": month, "year": period.start.year}
    return _("Năm %(year)s") % {"year": period.start.year}
