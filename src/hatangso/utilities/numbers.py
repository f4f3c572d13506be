"""Vietnamese number and date formats for what users read (1.234,5 and 30/11/2024).

`format_number` is the one place a number is rounded for display (DESIGN.md §3): half up, from
the exact value, once. Every screen, the DOCX and the scorecard's read-outs call it; the XLSX
stores the exact value under a one-decimal number format that Excel rounds the same way.

What "the exact value" is for each type:
- `Decimal` and `int`: the value itself.
- `float`: the shortest decimal that reads back as the same double (`repr`), which is what the
  float was made from. The engine stores an indicator's value as the double nearest the exact
  ratio numerator / denominator (computed in `Decimal`, not rounded to any places). For a ratio
  whose exact decimal is a tie at the shown place (2.799/3.358 is not; 1.731/2.000 = 86,55 % is),
  `repr` gives back that decimal ("86.55"), so the tie rounds up as the exact ratio does, where
  formatting the binary double (86.5499999…) would round it down. A ratio that is not a tie lies
  at least 1 / (20 · denominator) from one, far more than a double's error (≈ 10⁻¹⁴ at 100 %), so
  for any denominator below 10¹² the digit shown is the digit of the exact ratio.
"""

from datetime import date
from decimal import ROUND_HALF_UP, Decimal

# Places an indicator's value is shown with, everywhere (screens, DOCX, XLSX number format).
VALUE_DECIMALS = 1


def exact_decimal(value: float | int | Decimal) -> Decimal:
    """The decimal a number stands for (see the module's docstring for floats)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    return Decimal(repr(float(value)))


def display_decimal(value: float | int | Decimal | None, decimals: int = VALUE_DECIMALS) -> Decimal | None:
    """The value rounded once, half up, to the places shown: 83.353… → 83.4, 86.55 → 86.6."""
    if value is None:
        return None
    rounded = exact_decimal(value).quantize(Decimal(1).scaleb(-decimals), rounding=ROUND_HALF_UP)
    return rounded.copy_abs() if rounded.is_zero() else rounded  # never "-0,0"


def display_value(value: float | int | Decimal | None, decimals: int = VALUE_DECIMALS) -> float | None:
    """The value as shown, as a JSON number (83.4): what the scorecard JSON carries. Never the
    exact double: from 15 digits of a ratio anyone recovers the numerator and denominator (a
    commune's reported figures), which the public and other communes must not read."""
    rounded = display_decimal(value, decimals)
    return None if rounded is None else float(rounded)


def format_number(value: float | int | Decimal | None, decimals: int = VALUE_DECIMALS) -> str:
    """1.234,5 — thousands with dots, decimals with a comma, rounded by `display_decimal`."""
    rounded = display_decimal(value, decimals)
    if rounded is None:
        return "—"
    text = f"{rounded:,.{decimals}f}"
    return text.replace(",", "\x00").replace(".", ",").replace("\x00", ".")


# How an indicator's unit of measure is written (the catalog's units, DESIGN.md §3). "per 100
# inhabitants" is subscriptions / population × 100, a count per 100 people that may exceed 100: it is
# never written with a % sign.
UNIT_LABELS = {
    "%": "%",
    "Mb/s": "Mb/s",
    "per 100 inhabitants": "/100 dân",
    "per person": "/người",
    "count": "",
}


def unit_label(unit: str) -> str:
    """The unit as the ĐVT column and the text after a value write it (units outside the catalog's
    five, from older plan files, as they are)."""
    return UNIT_LABELS.get(unit, unit)


def unit_suffix(unit: str) -> str:
    """What follows a value: "%", " Mb/s", "/100 dân", "/người", nothing for a count."""
    label = unit_label(unit)
    return label if label.startswith(("%", "/")) or not label else f" {label}"


def format_amount(value: float | int | Decimal | None, unit: str, decimals: int = VALUE_DECIMALS) -> str:
    """A value with its unit, rounded once by `format_number`: 20,6% · 60,0 Mb/s · 84,3/100 dân ·
    1,2/người · 352,0."""
    return "—" if value is None else f"{format_number(value, decimals)}{unit_suffix(unit)}"


def format_date(value: date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def plain_decimal(value: Decimal) -> str:
    """An exact decimal as text without storage padding ("10000", "97.5"), for files and APIs."""
    text = f"{value:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text
