"""Vietnamese number and date formats for what users read (1.234,5 and 30/11/2024)."""

from datetime import date
from decimal import Decimal


def format_number(value: float | int | Decimal | None, decimals: int = 1) -> str:
    if value is None:
        return "—"
    text = f"{float(value):,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def plain_decimal(value: Decimal) -> str:
    """An exact decimal as text without storage padding ("10000", "97.5"), for files and APIs."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
