"""Numbers and dates as Vietnamese offices write them (1.234,5 · 30/11/2024)."""

import re

from django import template
from django.utils.translation import gettext_lazy as _

from hatangso.core.changelog import actor_label
from hatangso.utilities.numbers import format_date, format_number, unit_label, unit_suffix

register = template.Library()
# Who wrote (an import's, a change's): a command's "system" in the reader's language.
register.filter("actor", actor_label)


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


# Where a result's figures come from (the providers an indicator's data elements are read from).
SOURCES = {
    "values": _("số liệu báo cáo"),
    "geography": _("danh mục đơn vị hành chính"),
    "registry": _("cơ sở dữ liệu hạ tầng"),
    "measurements": _("số liệu đo"),
}
# count_units('village') in a formula, count_units(village) in the evidence: how many units there are.
COUNT_UNITS = re.compile(r"count_units\(['\"]?(\w+)['\"]?\)")
UNIT_COUNTS = {
    "village": _("số thôn, tổ dân phố"),
    "commune": _("số xã, phường"),
    "district": _("số quận, huyện"),
}
CODE = re.compile(r"(?<![\w-])[a-z][a-z0-9_]*(?![\w-])", re.ASCII)  # population, households_ftth


@register.filter
def element_names(text):
    """Each data element's code in a text (a formula, a reason) replaced by the element's name."""
    from hatangso.collection.models import DataElement

    text = COUNT_UNITS.sub(lambda m: str(UNIT_COUNTS.get(m.group(1), m.group(0))), str(text or ""))
    if not CODE.search(text):
        return text
    names = dict(DataElement.objects.values_list("code", "name"))
    return CODE.sub(lambda m: names.get(m.group(0), m.group(0)), text)


@register.filter
def vn_reason(reason):
    """A result's reason as the pages show it: the Vietnamese half of the stored "vi / en" text,
    with element names for codes ("Chưa có số liệu: Số hộ gia đình")."""
    return element_names((reason or "").split(" / ")[0])


@register.filter
def source_names(sources):
    """"geography, measurements" in words; a list or one name."""
    names = [sources] if isinstance(sources, str) else list(sources or ())
    return ", ".join(str(SOURCES.get(name, name)) for name in names)
