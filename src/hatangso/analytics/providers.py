"""Indicator sources: who computes the total of a data element over a scope.

Each data element names its provider (`DataElement.provider`, "values" by default). The registry
and measurement pipelines register their own providers here, so registry- and measurement-based
indicators need no special case in the engine.
"""

from dataclasses import dataclass, field
from datetime import date
from decimal import Context, Decimal
from functools import cached_property
from typing import Protocol

from django.db import connection
from django.db.models import Count, QuerySet

from hatangso.collection.models import DataElement, DataValue
from hatangso.core.dataversion import data_domain
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import (
    Successions,
    ended_during,
    missing_crosswalk,
    partial_predecessors,
    successors_during,
    villages_among,
)
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
    def successions(self) -> Successions:
        """Units of the scope that others of it replaced during the period, with those successors."""
        return successors_during(self.units, start=self.period.start, end=self.period.end)

    @cached_property
    def villages(self) -> list[AdministrativeUnit]:
        """The scope's villages, read once for the pipelines that count them (mobile and fixed)."""
        return villages_among(self.units)

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
# from its code, utilities.periods: `2024`, `2024Q3`, `202409`). The unary `+` keeps SQLite from
# walking the element index for a scope that holds most of the values (its planner has no
# statistics): the unit's index (`value_by_unit_source_newest`) holds each unit's values by element
# and source, newest first, so a partition in its order needs no sort.
_SCOPE_VALUES = """
    FROM collection_datavalue
    WHERE +data_element_id IN ({elements}) AND unit_id IN ({units})
          AND period_start >= %s AND period_end <= %s {operator}
"""
_RANKED = (
    """
SELECT data_element_id, unit_id, operator_id, id, value, synthetic FROM (
    SELECT data_element_id, unit_id, operator_id, id, value, synthetic,
           {rank} OVER (PARTITION BY unit_id, data_element_id, operator_id ORDER BY {order}) AS pick"""
    + _SCOPE_VALUES
    + """) ranked
WHERE pick = 1
"""
)
_LATEST = {"rank": "ROW_NUMBER()", "order": "period_end DESC, period_start DESC"}
_LONGEST = {
    "rank": "RANK()",
    "order": "CASE WHEN LENGTH(period) = 4 THEN 2 WHEN period LIKE '%%Q%%' THEN 1 ELSE 0 END DESC",
}
# The latest value on SQLite: the row of a group's one MAX() gives the group's other columns (SQLite's
# documented bare columns), read in the index's order without a window (3 × quicker for the
# country). A key's periods never share both their end and their start.
_LATEST_ON_SQLITE = (
    """
SELECT data_element_id, unit_id, operator_id, id, value, synthetic FROM (
    SELECT data_element_id, unit_id, operator_id, id, value, synthetic, MAX(period_end || period_start)"""
    + _SCOPE_VALUES
    + """    GROUP BY unit_id, data_element_id, operator_id
) latest
"""
)


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


# How a figure of a unit whose share is not known counts (whole), in the lineage.
_SHARE_UNKNOWN = "100% (chưa rõ tỷ lệ / share unknown)"


def _without_replaced(
    stocks: list[tuple], successions: Successions, *, end: date
) -> tuple[list[tuple], list[tuple]]:
    """A stock is a territory's latest figure: the stocks with what is left of each once the later
    units of the scope that took its territory over during the period (the new commune's December
    count after the old commune's June one, in a year that spans the reorganisation) replaced it,
    source by source: the rows that count whole, and (row, part, note) of those that count in part,
    the note saying so (an estimate; part None: whole, but as a figure of unknown share).

    - A unit with successors in the scope: the share of it that went to a successor that reported
      the element from the same source is replaced, the rest still counts (Tứ Hạ's 40% that went to
      Kim Trà while only Hương Trà reported); it is left out once every successor reported.
    - A unit that ended inside the period with no successor of its own (the 705 districts on
      30/06/2025: the crosswalk links communes): the successors of the units below it took its
      territory over; it is left out once all of them reported. While only some did, how much of it
      they cover is not known: it counts whole, as a figure of unknown share does.
    - A successor's share that is not known leaves the rest unknown too: the figure counts whole.

    A unit whose territory no later unit of the scope reported keeps its figure: it is the latest."""
    successors, below = successions.successors, successions.below
    later = set().union(*successors.values(), *below.values())
    reported = {row[:3] for row in stocks if row[1] in later}  # (element, unit, source)
    # A unit above predecessors with its own figure (the district's) is asked whether it ended.
    above = {row[1] for row in stocks if row[1] in below} - successors.keys()
    ended = ended_during(above, end=end) if above else {}
    whole, parts = [], []
    for row in stocks:
        unit_id = row[1]
        if unit_id in successors:
            shares, label = successors[unit_id], successions.labels[unit_id]
        elif unit_id in ended:
            shares, label = dict.fromkeys(below[unit_id]), ended[unit_id]
        else:
            whole.append(row)
            continue
        element_id, source = row[0], row[2]
        replaced = [
            share for successor, share in shares.items() if (element_id, successor, source) in reported
        ]
        if not replaced:
            whole.append(row)
        elif len(replaced) < len(shares):
            if None in replaced:
                parts.append((row, None, f"{label} × {_SHARE_UNKNOWN}"))
            elif (rest := 1 - sum(replaced)) > 0:
                parts.append((row, rest, f"{label} × {rest:.0%}"))
    return whole, parts


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
        if stocks and connection.vendor == "sqlite":
            statement, ranking = _LATEST_ON_SQLITE, {}
        else:
            statement, ranking = _RANKED, _LATEST if stocks else _LONGEST
        sql = statement.format(
            **ranking,
            elements=", ".join(["%s"] * len(ids)),
            units=units,
            operator="AND operator_id = %s" if operator else "",
        )
        with connection.cursor() as cursor:
            cursor.execute(sql, [*ids, *unit_params, scope.period.start, scope.period.end, *operator])
            return cursor.fetchall()

    def sources(self, elements: list[DataElement], scope: Scope, straight: dict):
        """(element id, unit id, [value, value ids, synthetic, note]) per unit and source: a stock's
        one value (or the part of it that a later unit did not replace, with the note saying so), a
        flow's values of its longest periods added up. A stock of an element in `straight` goes to
        the element's accumulator there instead (most of a national scope's rows: no list each)."""
        stocks = self.chosen(elements, scope, stocks=True)
        successions = scope.successions if stocks else None
        parts = []
        if successions and successions.successors:
            stocks, parts = _without_replaced(stocks, successions, end=scope.period.end)
        for row in stocks:
            accumulator = straight.get(row[0])
            if accumulator is None:
                yield row[0], row[1], [_decimal(row[4]), [row[3]], bool(row[5]), ""]
            else:
                accumulator.add_row(row)
        for (element_id, unit_id, _source, pk, value, synthetic), part, note in parts:
            value = _decimal(value) if part is None else _decimal(value) * part
            accumulator = straight.get(element_id)
            if accumulator is None:
                yield element_id, unit_id, [value, [pk], bool(synthetic), note]
            else:
                accumulator.add(unit_id, pk, value, synthetic, note)
        flows: dict[tuple, list] = {}
        for element_id, unit_id, source, pk, value, synthetic in self.chosen(elements, scope, stocks=False):
            item = flows.setdefault((element_id, unit_id, source), [Decimal(0), [], False, ""])
            item[0] += _decimal(value)
            item[1].append(pk)
            item[2] = item[2] or bool(synthetic)
        for (element_id, unit_id, _source), item in flows.items():
            yield element_id, unit_id, item

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        by_id = {e.pk: e for e in elements}
        maxed = {e.pk for e in elements if e.across_sources == DataElement.AcrossSources.MAX}
        partial = bool(scope.partial_predecessors)
        result = {
            e.code: ElementTotal(value=None, provider=self.name, reason=scope.missing_crosswalk)
            for e in elements
        }
        # Per element the sources added up straight (most of a national scope); per unit the best
        # source of a maxed element, and every source of a unit partly merged (weighed by its share).
        summed = {e.pk: _RunningSum(result[e.code]) for e in elements}
        straight = {}  # a partly merged unit's sources are weighed by its share: none goes straight
        if not partial:
            straight = {
                pk: _BestSource(running) if pk in maxed else running for pk, running in summed.items()
            }
        per_unit: dict[tuple[int, int], list[list]] = {}
        best_sources: dict[tuple[int, int], list] = {}  # of a maxed element, per unit
        for element_id, unit_id, item in self.sources(elements, scope, straight):
            if element_id in maxed:
                best = best_sources.get((element_id, unit_id))
                # Of equal figures, the source with the earliest value: the same on every database.
                if best is None or item[0] > best[0] or (item[0] == best[0] and min(item[1]) < min(best[1])):
                    best_sources[element_id, unit_id] = item
            elif partial:
                per_unit.setdefault((element_id, unit_id), []).append(item)
            else:
                summed[element_id].add_item(item)
        if partial:  # a unit's best source may count by the unit's share
            per_unit.update((key, [item]) for key, item in best_sources.items())
        else:  # added up per element straight, unit after unit as the units' totals would be
            for (element_id, _), item in best_sources.items():
                summed[element_id].add_item(item)
            for accumulator in straight.values():
                accumulator.finish()

        for element_id, running in summed.items():
            if running.ids:
                self._add(result[by_id[element_id].code], running.value, running.ids, running.synthetic)
        shares = scope.shares({unit_id for _, unit_id in per_unit}) if partial else {}
        for (element_id, unit_id), sources in per_unit.items():
            value = sum((v for v, *_ in sources), Decimal(0))
            total = result[by_id[element_id].code]
            if unit_id in shares:
                # A partly merged unit counts by its share; with no share known it counts whole.
                predecessor, share = shares[unit_id]
                value = value * share if share is not None else value
                label = f"{share:.0%}" if share is not None else _SHARE_UNKNOWN
                _estimate(total, f"{predecessor} × {label}")
            for *_, note in sources:
                _estimate(total, note)
            ids = [pk for _, pks, *_ in sources for pk in pks]
            self._add(total, value, ids, any(synthetic for _, _, synthetic, _ in sources))
        return result

    @staticmethod
    def _add(total: ElementTotal, value: Decimal, ids: list[int], synthetic: bool) -> None:
        total.value = (total.value or Decimal(0)) + value
        total.inputs += len(ids)
        total.value_ids.extend(ids)
        total.synthetic = total.synthetic or synthetic


def _estimate(total: ElementTotal, note: str) -> None:
    """Part of the total is a share of a unit's figure (`note` says which): an estimate."""
    if note:
        total.estimated = True
        if note not in total.items:
            total.items.append(note)


class _RunningSum:
    """An element's sum over its sources as they come. A national scope adds a hundred thousand
    rows: a whole number (a count, as SQLite returns one) is added as an int and made a Decimal
    once. The sum is exact either way (Decimal's 28 digits hold any total of these values)."""

    __slots__ = ("fraction", "ids", "synthetic", "total", "whole")

    def __init__(self, total: ElementTotal):
        self.whole, self.fraction, self.ids, self.synthetic, self.total = 0, Decimal(0), [], False, total

    @property
    def value(self) -> Decimal:
        return Decimal(self.whole) + self.fraction

    def add_row(self, row: tuple) -> None:
        """A stock's chosen row (element, unit, source, value id, value, synthetic) that counts whole:
        `add` without its call, for every row of a national scope."""
        value = row[4]
        if type(value) is int:
            self.whole += value
        else:
            self.fraction += _decimal(value)
        self.ids.append(row[3])
        if row[5]:
            self.synthetic = True

    def add(self, unit_id: int, pk: int, value: int | float | Decimal, synthetic, note: str) -> None:
        """A unit's stock: its value as the database returns it, or the part that counts (`note`)."""
        if type(value) is int:
            self.whole += value
        else:
            self.fraction += _decimal(value)
        self.ids.append(pk)
        if synthetic:
            self.synthetic = True
        if note:
            _estimate(self.total, note)

    def add_item(self, item: list) -> None:
        """A source's [value, value ids, synthetic, note]."""
        self.fraction += item[0]
        self.ids += item[1]
        self.synthetic = self.synthetic or item[2]
        if item[3]:
            _estimate(self.total, item[3])

    def finish(self) -> None:
        """Nothing is kept aside (as _BestSource keeps its units' best)."""


class _BestSource:
    """Of a maxed element's stocks, each unit's best source as the rows come: the highest figure,
    of equal ones the earliest value (the choice `totals` makes of a source's [value, ids, …]),
    added to the element's running sum once all rows are in."""

    __slots__ = ("best", "running")

    def __init__(self, running: _RunningSum):
        self.best: dict[int, tuple] = {}  # unit id -> (value, value id, synthetic, note)
        self.running = running

    def add_row(self, row: tuple) -> None:
        """A stock's chosen row that counts whole: `add` without its call."""
        _element_id, unit_id, _source, pk, value, synthetic = row
        if type(value) is not int:
            value = _decimal(value)
        best = self.best.get(unit_id)
        if best is None or value > best[0] or (value == best[0] and pk < best[1]):
            self.best[unit_id] = (value, pk, synthetic, "")

    def add(self, unit_id: int, pk: int, value: int | float | Decimal, synthetic, note: str) -> None:
        if type(value) is not int:
            value = _decimal(value)
        best = self.best.get(unit_id)
        if best is None or value > best[0] or (value == best[0] and pk < best[1]):
            self.best[unit_id] = (value, pk, synthetic, note)

    def finish(self) -> None:
        for unit_id, (value, pk, synthetic, note) in self.best.items():
            self.running.add(unit_id, pk, value, synthetic, note)


register_provider(ReportedValues())
# A commune's or an operator's values and their reports' states are read by this provider alone.
data_domain(ReportedValues.name, ("collection.datavalue", "collection.submission"))
