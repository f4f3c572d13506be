"""Evaluate a plan's indicators for a unit and period."""

import operator
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from simpleeval import EvalWithCompoundTypes, InvalidExpression

from hatangso.analytics.providers import PROVIDERS, ElementTotal, Scope
from hatangso.analytics.status import Status
from hatangso.collection.models import DataElement
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import rollup_units
from hatangso.plans.expressions import PARSE_LOCK, expression_names
from hatangso.plans.models import Indicator, IndicatorTarget, Plan
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import Period

UNIT_LEVELS = set(AdministrativeUnit.Level.values)
# Whether a value achieves its target, by the indicator's comparison.
COMPARISONS = {">=": operator.ge, ">": operator.gt, "<=": operator.le, "<": operator.lt}


class PlanTargets:
    """The targets that apply to a plan's indicators per unit and year, read in a few queries for
    a whole evaluation: a unit's assigned target (that year's, else every year's); else, where a
    child plan covers the unit and the year and has the indicator, the child plan's target for the
    unit (its own target: children inherit the parent's only when they have none); else the plan's
    target for the year; else the indicator's final target."""

    def __init__(self, plan: Plan):
        self.children: dict[int, list[Plan]] = defaultdict(list)
        plans, frontier = {plan.pk}, [plan.pk]
        while frontier:
            found = [p for p in Plan.objects.filter(parent__in=frontier).select_related("area_unit")
                     if p.pk not in plans]  # fmt: skip
            for child in found:
                self.children[child.parent_id].append(child)
            plans.update(p.pk for p in found)
            frontier = [p.pk for p in found]
        self.indicators = {
            (i.plan_id, i.code): i for i in Indicator.objects.filter(plan__in=plans - {plan.pk})
        }
        self.values = {
            (indicator, year, unit): value
            for indicator, year, unit, value in IndicatorTarget.objects.filter(indicator__plan__in=plans)
            .values_list("indicator", "year", "unit", "value")
        }  # fmt: skip

    def target(self, indicator: Indicator, unit: AdministrativeUnit, year: int) -> Decimal:
        for key in ((indicator.pk, year, unit.pk), (indicator.pk, None, unit.pk)):
            if key in self.values:
                return self.values[key]
        for child in self.children.get(indicator.plan_id, []):
            own = self.indicators.get((child.pk, indicator.code))
            in_years = child.year <= year <= (child.end_year or child.year)
            if own is not None and in_years and unit.path.startswith(child.area_unit.path):
                return self.target(own, unit, year)
        return self.values.get((indicator.pk, year, None), indicator.target)


@dataclass
class Evaluation:
    indicator: Indicator
    status: Status
    # The target that applies to the unit and year evaluated (PlanTargets), not always the
    # indicator's final one.
    target: Decimal
    value: float | None = None
    numerator: float | None = None
    denominator: float | None = None
    reason: str = ""
    flags: list[str] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)
    lineage: dict = field(default_factory=dict)
    value_ids: list[int] = field(default_factory=list)
    synthetic: bool = False
    # The providers of the data elements the indicator reads (what its stored result's data
    # version is read from), whether or not it could be computed.
    providers: set[str] = field(default_factory=set)


def _round(value: Decimal | None, places: int) -> float | None:
    return None if value is None else float(round(value, places))


def _exact(value: Decimal) -> float:
    """A figure as the double nearest its exact decimal, rounded to no places: the value is rounded
    once, for display only (`utilities.numbers.format_number`, which reads a double back as the
    shortest decimal it stands for), so no second rounding can move a digit."""
    return float(value)


class UnitCounter:
    """`count_units('village')`: units of a level in the scope, valid during the period."""

    def __init__(self, scope: Scope):
        self.scope = scope
        self.used: dict[str, int] = {}

    def __call__(self, level: str) -> Decimal:
        if level not in UNIT_LEVELS:
            raise UserError(
                f"count_units: cấp '{level}' không có (dùng {', '.join(sorted(UNIT_LEVELS))})",
                f"count_units: unknown level '{level}' (use {', '.join(sorted(UNIT_LEVELS))})",
            )
        count = self.scope.level_counts.get(level, 0)
        self.used[level] = count
        return Decimal(count)


_PARSED: dict[str, object] = {}


def _parsed(expression: str):
    """simpleeval's tree of an expression, parsed once per process under the parse lock (threads of
    the web server evaluate at once; see plans.expressions.PARSE_LOCK)."""
    tree = _PARSED.get(expression)
    if tree is None:
        with PARSE_LOCK:
            tree = _PARSED.get(expression) or EvalWithCompoundTypes.parse(expression)
        _PARSED[expression] = tree
    return tree


def evaluate_expression(expression: str, names: dict[str, Decimal], counter: UnitCounter) -> Decimal:
    evaluator = EvalWithCompoundTypes(names=names, functions={"count_units": counter})
    try:
        result = evaluator.eval(expression, previously_parsed=_parsed(expression))
    except (InvalidExpression, SyntaxError, TypeError) as exc:
        raise UserError(
            f"Biểu thức '{expression}' không hợp lệ: {exc}", f"Expression '{expression}' is invalid: {exc}"
        ) from exc
    return Decimal(result)


def evaluate_indicator(
    indicator: Indicator, scope: Scope, totals: dict[str, ElementTotal], target: Decimal | None = None
) -> Evaluation:
    """The indicator for the scope, compared with `target` (default: the indicator's final one)."""
    target = indicator.target if target is None else target
    if indicator.condition_id and not indicator.condition.met:
        return Evaluation(
            indicator,
            Status.NOT_APPLICABLE,
            target,
            reason=f"Điều kiện chưa đáp ứng: {indicator.condition.text} / condition not met",
        )
    used = expression_names(indicator.numerator) | expression_names(indicator.denominator)
    missing = sorted(code for code in used if totals[code].value is None)
    lineage = {
        code: {
            "total": _round(totals[code].value, 4),
            "inputs": totals[code].inputs,
            "provider": totals[code].provider,
            **({"items": totals[code].items} if totals[code].items else {}),
        }
        for code in sorted(used)
    }
    sources = sorted({totals[code].provider for code in used})
    synthetic = any(totals[code].synthetic for code in used)
    if missing:
        return Evaluation(
            indicator,
            Status.NO_DATA,
            target,
            lineage=lineage,
            sources=sources,
            synthetic=synthetic,
            reason="; ".join(
                dict.fromkeys(
                    totals[code].reason or f"Chưa có số liệu: {code} / no data for {code}" for code in missing
                )
            ),
        )
    names = {code: totals[code].value for code in used}
    counter = UnitCounter(scope)
    numerator = evaluate_expression(indicator.numerator, names, counter)
    denominator = evaluate_expression(indicator.denominator, names, counter)
    for level, count in counter.used.items():
        lineage[f"count_units({level})"] = {"total": count, "inputs": count, "provider": "geography"}
    if counter.used:
        sources = sorted({*sources, "geography"})
    value_ids = [pk for code in used for pk in totals[code].value_ids]
    base = dict(
        numerator=_exact(numerator),
        denominator=_exact(denominator),
        sources=sources,
        lineage=lineage,
        value_ids=value_ids,
        synthetic=synthetic,
    )
    if denominator == 0:
        return Evaluation(
            indicator, Status.NO_DATA, target, reason="Mẫu số bằng 0 / denominator is zero", **base
        )
    value = numerator / denominator * indicator.factor  # exact to 28 significant digits (Decimal)
    flags = []
    if indicator.unit == "%" and value > 100:
        flags.append("over_100")
    if any(totals[code].estimated for code in used):  # counts of a partly merged unit, split by share
        flags.append("estimated")
    met = COMPARISONS[indicator.comparison](value, target)
    status = Status.ACHIEVED if met else Status.NOT_ACHIEVED
    return Evaluation(indicator, status, target, value=_exact(value), flags=flags, **base)


# A scope of up to this many units (a commune, a district) is read once and then named by its ids:
# the providers' half a dozen queries find its units by primary key instead of each matching every
# unit's path again (on SQLite a LIKE, which does not use the path index: a scan of the country's
# units each). A larger scope stays a query, too many ids to list in SQL.
LISTED_SCOPE_UNITS = 500


def build_scope(unit: AdministrativeUnit, period: Period, operator_id: int | None = None) -> Scope:
    units = rollup_units(unit, start=period.start, end=period.end)
    ids = list(units.values_list("pk", flat=True)[: LISTED_SCOPE_UNITS + 1])
    # An empty scope stays the query: an empty list of ids compiles to no SQL at all, which the
    # values provider's statement cannot embed.
    if 0 < len(ids) <= LISTED_SCOPE_UNITS:
        units = AdministrativeUnit.objects.filter(pk__in=ids)
    return Scope(unit=unit, period=period, units=units, operator_id=operator_id)


def _element_codes(indicator: Indicator) -> set[str]:
    return expression_names(indicator.numerator) | expression_names(indicator.denominator)


def indicator_providers(plan: Plan) -> dict[str, set[str]]:
    """Per indicator of the plan, the providers of the data elements it reads."""
    indicators = list(plan.indicators.all())
    providers = dict(
        DataElement.objects.filter(code__in=set().union(*map(_element_codes, indicators))).values_list(
            "code", "provider"
        )
    )
    return {i.code: {providers[c] for c in _element_codes(i) if c in providers} for i in indicators}


def evaluate_plan(
    plan: Plan,
    unit: AdministrativeUnit,
    period: Period,
    codes: set[str] | None = None,
    targets: PlanTargets | None = None,
) -> list[Evaluation]:
    """The plan's indicators (those of `codes`, or all) evaluated for the unit and period; only the
    providers of their elements are asked. A caller evaluating many units passes the plan's
    `targets`, read once."""
    scope = build_scope(unit, period)
    indicators = list(plan.indicators.select_related("condition").order_by("order"))
    if codes is not None:
        indicators = [i for i in indicators if i.code in codes]
    codes = set().union(*map(_element_codes, indicators))
    elements = list(DataElement.objects.filter(code__in=codes))
    unknown = codes - {e.code for e in elements}
    if unknown:
        raise UserError(
            f"Kế hoạch dùng phần tử dữ liệu chưa khai báo: {', '.join(sorted(unknown))}",
            f"The plan uses undeclared data elements: {', '.join(sorted(unknown))}",
        )
    totals: dict[str, ElementTotal] = {}
    for provider_name in sorted({e.provider for e in elements}):
        provider = PROVIDERS.get(provider_name)
        if provider is None:
            raise UserError(
                f"Nguồn tính '{provider_name}' chưa được đăng ký",
                f"Provider '{provider_name}' is not registered",
            )
        totals.update(provider.totals([e for e in elements if e.provider == provider_name], scope))
    targets = targets or PlanTargets(plan)
    year = period.start.year
    provider_of = {e.code: e.provider for e in elements}
    evaluations = []
    for indicator in indicators:
        evaluation = evaluate_indicator(indicator, scope, totals, targets.target(indicator, unit, year))
        evaluation.providers = {provider_of[code] for code in _element_codes(indicator)}
        evaluations.append(evaluation)
    return evaluations
