"""Numbers and dates as Vietnamese offices write them (1.234,5 · 30/11/2024)."""

from django import template

from hatangso.utilities.numbers import format_date, format_number, unit_label, unit_suffix

register = template.Library()


@register.filter
def vn_number(value, decimals=1):
    return format_number(value, int(decimals))


@register.filter
def vn_date(value):
    return format_date(value)


@register.filter
def vn_unit(unit):
    """The unit after a value on the pages: "94,1 %", "60,0 Mb/s", "84,3/100 dân" (per 100
    inhabitants is subscriptions / population × 100, never a percentage)."""
    label = unit_label(unit)
    return label if label.startswith("/") or not label else f" {label}"


@register.filter
def vn_unit_suffix(unit):
    """The unit as the reports write it after a value: "95,6%", "60,0 Mb/s", "84,3/100 dân"."""
    return unit_suffix(unit)


@register.filter
def comparison_sign(value):
    return {">=": "≥", "<=": "≤"}.get(value, value)
