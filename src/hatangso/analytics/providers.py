"""Indicator sources: who computes the total of a data element over a scope.

Each data element names its provider (`DataElement.provider`, "values" by default). The registry
and measurement pipelines register their own providers here, so registry- and measurement-based
indicators need no special case in the engine.
"""

from dataclasses import dataclass, field
from decimal import Context, Decimal
from functools import cached_property
from typing import Protocol

from django.db import connection
from django.db.models import Count, QuerySet

from hatangso.collection.models import DataElement, DataValue
from hatangso.core.dataversion import data_domain
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import missing_crosswalk, partial_predecessors, successors_during
from hatangso.utilities.periods import Period


@dataclass
class Scope:
    """What an evaluation covers: the units that roll up into `unit`, for one period."""

    unit: AdministrativeUnit
    period: Period
    # Kept as a query: a national scope has tens of thousands of units, too many to list in SQL.
    units: QuerySet[AdministrativeUnit]
    # Only one source's figures (one operator's report), or everyone's when None.
    operator_id: int | None = None

    @cached_property
    def missing_crosswalk(self) -> str:
        """Why the units before a reorganisation are not in the scope, when no crosswalk links them."""
        return missing_crosswalk(self.unit, start=self.period.start, end=self.period.end)

    @cached_property
    def partial_predecessors(self) -> dict[str, tuple[AdministrativeUnit, Decimal | None]]:
        return partial_predecessors(self.unit)

    def shares(self, unit_ids: set[int]) -> dict[int, tuple[AdministrativeUnit, Decimal | None]]:
        """Of these units, those in a partly merged predecessor's subtree: the predecessor and the
        share of it that went to the scope's unit."""
        partial = self.partial_predecessors
        if not partial:
            return {}
        paths = AdministrativeUnit.objects.filter(pk__in=unit_ids).values_list("pk", "path")
        return {pk: partial[prefix] for pk, path in paths for prefix in partial if path.startswith(prefix)}

    @cached_property
    def successors(self) -> dict[int, set[int]]:
        """Units of the scope that others of it replaced during the period, with those successors."""
        return successors_during(self.units, start=self.period.start, end=self.period.end)

    @cached_property
    def level_counts(self) -> dict[str, int]:
        return dict(self.units.order_by().values_list("level").annotate(count=Count("pk")))


@dataclass
class ElementTotal:
    value: Decimal | None
    provider: str
    inputs: int = 0
    value_ids: list[int] = field(default_factory=list)
    synthetic: bool = False
    # Codes of the registry items (or other non-value inputs) behind the total.
    items: list[str] = field(default_factory=list)
    # Why there is no value, when the provider knows (e.g. too few measured lines).
    reason: str = ""
    # Part of the total is a share of a partly merged unit: an estimate, not a count.
    estimated: bool = False


class Provider(Protocol):
    name: str

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]: ...


PROVIDERS: dict[str, Provider] = {}


def register_provider(provider: Provider) -> Provider:
    PROVIDERS[provider.name] = provider
    return provider


# Of the scope's values, those a total is made of, chosen on the database so that a national scope
# sends back one row per unit and source rather than every month of every source: per element,
# unit and source the latest value of a stock, and a flow's values of its longest periods (a yearly
# total rather than the months it contains, the most complete figure; the kind of a period is read
# from its code, utilities.periods: `2024`, `2024Q3`, `202409`). SQLite and PostgreSQL both run
# it. The unary `+` keeps SQLite from walking the element index for a scope that holds most of the
# values (its planner has no statistics); the unit's index or a plain scan is faster.
_CHOSEN = """
SELECT data_element_id, unit_id, operator_id, id, value, synthetic FROM (
    SELECT data_element_id, unit_id, operator_id, id, value, synthetic,
           {rank} OVER (PARTITION BY data_element_id, unit_id, operator_id ORDER BY {order}) AS pick
    FROM collection_datavalue
    WHERE +data_element_id IN ({elements}) AND unit_id IN ({units})
          AND period_start >= %s AND period_end <= %s {operator}
) ranked
WHERE pick = 1
"""
_LATEST = {"rank": "ROW_NUMBER()", "order": "period_end DESC, period_start DESC"}
_LONGEST = {
    "rank": "RANK()",
    "order": "CASE WHEN LENGTH(period) = 4 THEN 2 WHEN period LIKE '%%Q%%' THEN 1 ELSE 0 END DESC",
}


_VALUE_FIELD = DataValue._meta.get_field("value")
_QUANTUM = Decimal(1).scaleb(-_VALUE_FIELD.decimal_places)
_FROM_FLOAT = Context(prec=15).create_decimal_from_float


def _decimal(value) -> Decimal:
    """A value as the ORM reads it: PostgreSQL returns a Decimal; SQLite the number it stored (an
    integer or a float), a float read as Django's SQLite backend does, at 15 digits to the field's
    places."""
    if type(value) is int:
        return Decimal(value)
    if isinstance(value, Decimal):
        return value
    return _FROM_FLOAT(value).quantize(_QUANTUM, context=_VALUE_FIELD.context)


def _without_replaced(stocks: list[tuple], successors: dict[int, set[int]]) -> list[tuple]:
    """A stock is a territory's latest figure: a unit's value is left out when every successor of
    it in the scope reported the element from the same source (the old commune's June count and the
    new commune's December count are not both counted in a year that spans the reorganisation)."""
    reported = {(element_id, unit_id, source) for element_id, unit_id, source, *_ in stocks}
    return [
        (element_id, unit_id, source, *rest)
        for element_id, unit_id, source, *rest in stocks
        if not (
            unit_id in successors
            and all((element_id, successor, source) in reported for successor in successors[unit_id])
        )
    ]


class ReportedValues:
    """Totals of reported data values.

    Per unit and source (the unit itself or an operator) a stock takes its latest value in the
    period (a yearly figure counts as of 31/12) and a flow the sum of its values over the longest
    periods reported (a yearly total rather than the months it contains); sources are then summed
    or maxed as the element says; units are summed. Percentages are never averaged: indicators
    divide these totals.
    """

    name = "values"

    # A total is synthetic when a value it is made of is (an older month's synthetic value that a
    # later real one replaced does not make it so).

    def chosen(self, elements: list[DataElement], scope: Scope, *, stocks: bool) -> list[tuple]:
        """(element id, unit id, source, value id, value, synthetic) of the values the totals of the
        stocks (or of the flows) are made of, as the database returns them."""
        ids = [e.pk for e in elements if (e.aggregation == DataElement.Aggregation.LAST) == stocks]
        if not ids:
            return []
        units, unit_params = scope.units.order_by().values("pk").query.sql_with_params()
        operator = [scope.operator_id] if scope.operator_id else []
        sql = _CHOSEN.format(
            **(_LATEST if stocks else _LONGEST),
            elements=", ".join(["%s"] * len(ids)),
            units=units,
            operator="AND operator_id = %s" if operator else "",
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ids, *unit_params, scope.period.start, scope.period.end, *operator])
            return cursor.fetchall()

    def sources(self, elements: list[DataElement], scope: Scope):
        """(element id, unit id, [value, value ids, synthetic]) per unit and source: a stock's one
        value, a flow's values of its longest periods added up."""
        stocks = self.chosen(elements, scope, stocks=True)
        if stocks and scope.successors:
            stocks = _without_replaced(stocks, scope.successors)
        for element_id, unit_id, _source, pk, value, synthetic in stocks:
            yield element_id, unit_id, [_decimal(value), [pk], bool(synthetic)]
        flows: dict[tuple, list] = {}
        for element_id, unit_id, source, pk, value, synthetic in self.chosen(elements, scope, stocks=False):
            item = flows.setdefault((element_id, unit_id, source), [Decimal(0), [], False])
            item[0] += _decimal(value)
            item[1].append(pk)
            item[2] = item[2] or bool(synthetic)
        for (element_id, unit_id, _source), item in flows.items():
            yield element_id, unit_id, item

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        by_id = {e.pk: e for e in elements}
        maxed = {e.pk for e in elements if e.across_sources == DataElement.AcrossSources.MAX}
        partial = bool(scope.partial_predecessors)
        # Per element the sources added up straight (most of a national scope); per unit the best
        # source of a maxed element, and every source of a unit partly merged (weighed by its share).
        summed = {e.pk: [Decimal(0), [], False, False] for e in elements}
        per_unit: dict[tuple[int, int], list[list]] = {}
        for element_id, unit_id, item in self.sources(elements, scope):
            key = (element_id, unit_id)
            if element_id in maxed:
                best = per_unit.get(key)
                # Of equal figures, the source with the earliest value: the same on every database.
                if best is None or (item[0], -min(item[1])) > (best[0][0], -min(best[0][1])):
                    per_unit[key] = [item]
            elif partial:
                per_unit.setdefault(key, []).append(item)
            else:
                total = summed[element_id]
                total[0] += item[0]
                total[1] += item[1]
                total[2] = total[2] or item[2]
                total[3] = True

        result = {
            e.code: ElementTotal(value=None, provider=self.name, reason=scope.missing_crosswalk)
            for e in elements
        }
        for element_id, (value, ids, synthetic, found) in summed.items():
            if found:
                self._add(result[by_id[element_id].code], value, ids, synthetic)
        shares = scope.shares({unit_id for _, unit_id in per_unit}) if partial else {}
        for (element_id, unit_id), sources in per_unit.items():
            value = sum((v for v, _, _ in sources), Decimal(0))
            total = result[by_id[element_id].code]
            if unit_id in shares:
                # A partly merged unit counts by its share; with no share known it counts whole.
                predecessor, share = shares[unit_id]
                value = value * share if share is not None else value
                total.estimated = True
                label = f"{share:.0%}" if share is not None else "100% (chưa rõ tỷ lệ / share unknown)"
                note = f"{predecessor.name} ({predecessor.code}) × {label}"
                if note not in total.items:
                    total.items.append(note)
            ids = [pk for _, pks, _ in sources for pk in pks]
            self._add(total, value, ids, any(synthetic for _, _, synthetic in sources))
        return result

    @staticmethod
    def _add(total: ElementTotal, value: Decimal, ids: list[int], synthetic: bool) -> None:
        total.value = (total.value or Decimal(0)) + value
        total.inputs += len(ids)
        total.value_ids.extend(ids)
        total.synthetic = total.synthetic or synthetic


register_provider(ReportedValues())
# A commune's or an operator's values and their reports' states are read by this provider alone.
data_domain(ReportedValues.name, ("collection.datavalue", "collection.submission"))
