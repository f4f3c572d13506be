"""Numbers and dates as Vietnamese offices write them (1.234,5 · 30/11/2024)."""

from django import template

from hatangso.utilities.numbers import format_date, format_number

register = template.Library()


@register.filter
def vn_number(value, decimals=1):
    return format_number(value, int(decimals))


@register.filter
def vn_date(value):
    return format_date(value)


@register.filter
def comparison_sign(value):
    return {">=": "≥", "<=": "≤"}.get(value, value)
