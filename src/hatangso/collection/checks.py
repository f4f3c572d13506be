"""Checks shown to a reporter before submitting and listed for the plan owner: the plan's
validation rules, and values far from the unit's own history (outliers).

Both quote values, so for a user they use only the values that user may read (the scope of
`/api/v1/values/`): a commune never meets an operator's raw figure through its report's checks.
The command line (`COMMAND_LINE`) reads everything; `user=None` (the public) reads nothing."""

import re
import statistics
from dataclasses import dataclass
from decimal import Decimal

from hatangso.analytics.engine import UnitCounter, build_scope, evaluate_expression
from hatangso.analytics.providers import PROVIDERS
from hatangso.collection.models import DataElement, DataValue
from hatangso.core.scoping import scope_for
from hatangso.geography.models import AdministrativeUnit
from hatangso.plans.expressions import expression_names
from hatangso.plans.models import Plan, ValidationRule
from hatangso.registry.models import Operator
from hatangso.utilities.numbers import format_number
from hatangso.utilities.periods import Period, period_label

# A value is an outlier when it differs from the median of its own earlier values of the same
# period kind by more than this share (0.5 = ±50 %).
OUTLIER_CHANGE = Decimal("0.5")
# ... and by at least this much, so that 1 → 0 lines is not an alarm.
OUTLIER_MIN_DIFFERENCE = Decimal(3)
_COMPARE = {
    "<=": lambda a, b: a <= b,
    "<": lambda a, b: a < b,
    ">=": lambda a, b: a >= b,
    ">": lambda a, b: a > b,
    "==": lambda a, b: a == b,
}

# What the left side must be, in words (the sign after it for whoever reads formulas).
_MUST = {
    "<=": "không lớn hơn (≤)",
    "<": "nhỏ hơn (<)",
    ">=": "đạt tối thiểu (≥)",
    ">": "lớn hơn (>)",
    "==": "bằng (=)",
}


def _number(value: Decimal) -> str:
    return format_number(value, 0 if value == value.to_integral_value() else 2)


def _in_words(expression: str) -> str:
    """A rule's side with each data element's name in place of its code."""
    codes = expression_names(expression)
    names = dict(DataElement.objects.filter(code__in=codes).values_list("code", "name"))
    return re.sub(r"\b[a-z][a-z0-9_]*\b", lambda m: names.get(m.group(0), m.group(0)), expression)


@dataclass(frozen=True)
class Violation:
    rule: ValidationRule
    left: Decimal
    right: Decimal

    def __str__(self) -> str:
        """The rule, then both sides in words with their numbers: "Số hộ có cáp quang không vượt quá
        tổng số hộ: Số hộ có FTTH là 1.200, phải không lớn hơn (≤) Tổng số hộ là 1.000."."""
        left, right = _in_words(self.rule.left), _in_words(self.rule.right)
        must = _MUST[self.rule.operator]
        return (
            f"{self.rule.text}: {left} là {_number(self.left)}, phải {must} {right} là {_number(self.right)}."
        )

    @property
    def elements(self) -> set[str]:
        """The data elements the rule compares: their rows are the ones to look at again."""
        return set(expression_names(self.rule.left)) | set(expression_names(self.rule.right))


@dataclass(frozen=True)
class Outlier:
    value: DataValue
    median: Decimal
    history: int

    def __str__(self) -> str:
        """The value in words against its own history: "Dân số — Xã Tứ Hạ, Năm 2024: 21.000, cao
        hơn nhiều so với các kỳ trước (trung vị 9.900 của 3 kỳ)."; the operator is named after the
        unit when the figure is an operator's (the command line lists every source together)."""
        value = self.value
        where = ", ".join(filter(None, (value.unit.name, value.operator and str(value.operator))))
        direction = "cao hơn" if value.value > self.median else "thấp hơn"
        return (
            f"{value.data_element.name} — {where}, {period_label(value.period)}: {_number(value.value)}, "
            f"{direction} nhiều so với các kỳ trước (trung vị {_number(self.median)} của {self.history} kỳ)."
        )


def _readable(user, value_ids) -> set[int] | None:
    """Of these values, those the user may read (None: all, for a superuser or the command line)."""
    if scope_for(user).is_superuser:
        return None
    values = DataValue.objects.filter(pk__in=set(value_ids))
    return set(scope_for(user).filter_values(values).values_list("pk", flat=True))


def rule_violations(
    plan: Plan, unit: AdministrativeUnit, period: Period, operator: Operator | None = None, *, user
) -> list[Violation]:
    """Rules broken by the data of a unit (with its villages) and period; rules whose data are
    not all there yet are not judged, nor — for a user — rules whose data the user may not all read."""
    rules = list(plan.validation_rules.all())
    codes = (
        set().union(*(expression_names(r.left) | expression_names(r.right) for r in rules))
        if rules
        else set()
    )
    elements = list(DataElement.objects.filter(code__in=codes, provider="values"))
    scope = build_scope(unit, period, operator.pk if operator else None)
    totals = PROVIDERS["values"].totals(elements, scope)
    readable = _readable(user, (pk for total in totals.values() for pk in total.value_ids))
    violations = []
    for rule in rules:
        names = expression_names(rule.left) | expression_names(rule.right)
        if any(totals.get(n) is None or totals[n].value is None for n in names):
            continue
        if readable is not None and any(pk not in readable for n in names for pk in totals[n].value_ids):
            continue
        values = {n: totals[n].value for n in names}
        counter = UnitCounter(scope)
        left = evaluate_expression(rule.left, values, counter)
        right = evaluate_expression(rule.right, values, counter)
        if not _COMPARE[rule.operator](left, right):
            violations.append(Violation(rule=rule, left=left, right=right))
    return violations


def outliers(
    unit: AdministrativeUnit, period: Period, operator: Operator | None = None, *, user
) -> list[Outlier]:
    """Values of the unit (and its villages) in the period that stray from their own history —
    for a user, among the values the user may read (their history has the same unit and source)."""
    values = DataValue.objects.filter(
        unit__path__startswith=unit.path,
        period_start__gte=period.start,
        period_end__lte=period.end,
    ).select_related("data_element", "unit", "operator")
    if operator is not None:
        values = values.filter(operator=operator)
    values = scope_for(user).filter_values(values)
    found = []
    for value in values:
        span = value.period_end - value.period_start
        earlier = [
            v.value
            for v in DataValue.objects.filter(
                data_element=value.data_element,
                unit=value.unit,
                operator=value.operator,
                period_end__lt=value.period_start,
            ).order_by("-period_end")[:12]
            if abs((v.period_end - v.period_start) - span).days <= 3  # the same kind of period
        ]
        if not earlier:
            continue
        median = Decimal(statistics.median(earlier))
        difference = abs(value.value - median)
        if median and difference >= OUTLIER_MIN_DIFFERENCE and difference / abs(median) > OUTLIER_CHANGE:
            found.append(Outlier(value=value, median=median, history=len(earlier)))
    return found
