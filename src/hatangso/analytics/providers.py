"""Indicator sources: who computes the total of a data element over a scope.

Each data element names its provider (`DataElement.provider`, "values" by default). The registry
and measurement pipelines register their own providers here, so registry- and measurement-based
indicators need no special case in the engine.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Context, Decimal
from functools import cached_property
from typing import Protocol

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import Case, Count, F, QuerySet, Value, When
from django.db.models.functions import Length

from hatangso.collection.models import DataElement, DataValue
from hatangso.core.dataversion import data_domain
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import missing_crosswalk, partial_predecessors
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


# A value's period kind as a rank, from its code (utilities.periods: yearly `2024`, quarterly
# `2024Q3`, monthly `202409`): 0 for a month, 1 for a quarter, 2 for a year.
_SPAN = Case(
    When(period_length=4, then=Value(2)), When(period__contains="Q", then=Value(1)), default=Value(0)
)

# Of the scope's values, those a total is made of, chosen on the database so that a national scope
# sends back one row per unit and source rather than every month of every source: per element,
# unit and source the latest value of a stock, and a flow's values of its longest periods (a yearly
# total rather than the months it contains, the most complete figure). Plain SQL over the ORM's
# query of the scope's values; SQLite (≥ 3.25) and PostgreSQL both have these window functions.
_CHOSEN = """
SELECT element, in_unit, source, id, value, any_synthetic FROM (
    SELECT scoped.*,
           ROW_NUMBER() OVER (PARTITION BY element, in_unit, source
                              ORDER BY period_end DESC, period_start DESC) AS latest,
           MAX(span) OVER (PARTITION BY element, in_unit, source) AS longest,
           MAX(CASE WHEN synthetic THEN 1 ELSE 0 END) OVER (PARTITION BY element, in_unit, source)
               AS any_synthetic
    FROM ({scoped}) scoped
) ranked
WHERE (aggregation = 'last' AND latest = 1) OR (aggregation <> 'last' AND span = longest)
"""


_VALUE_FIELD = DataValue._meta.get_field("value")
_QUANTUM = Decimal(1).scaleb(-_VALUE_FIELD.decimal_places)
_FROM_FLOAT = Context(prec=15).create_decimal_from_float


def _decimal(value) -> Decimal:
    """A value as the ORM reads it: PostgreSQL returns a Decimal; SQLite the number it stored (an
    integer or a float), which Django's SQLite backend reads at 15 digits, to the field's places."""
    if isinstance(value, Decimal):
        return value
    return _FROM_FLOAT(value).quantize(_QUANTUM, context=_VALUE_FIELD.context)


class ReportedValues:
    """Totals of reported data values.

    Per unit and source (the unit itself or an operator) a stock takes its latest value in the
    period (a yearly figure counts as of 31/12) and a flow the sum of its values over the longest
    periods reported (a yearly total rather than the months it contains); sources are then summed
    or maxed as the element says; units are summed. Percentages are never averaged: indicators
    divide these totals.
    """

    name = "values"

    def chosen(self, elements: list[DataElement], scope: Scope) -> list[tuple]:
        """(element id, unit id, source, value id, value, synthetic) of the values the totals are
        made of; `synthetic` says whether any value of that element, unit and source in the period
        is synthetic."""
        scoped = (
            DataValue.objects.filter(
                data_element_id__in=[e.pk for e in elements],
                unit_id__in=scope.units.values("pk"),
                period_start__gte=scope.period.start,
                period_end__lte=scope.period.end,
                **({"operator_id": scope.operator_id} if scope.operator_id else {}),
            )
            .order_by()
            .annotate(period_length=Length("period"))
            .values(
                "id",
                "period_start",
                "period_end",
                "value",
                "synthetic",
                element=F("data_element_id"),
                in_unit=F("unit_id"),
                source=F("operator_id"),
                aggregation=F("data_element__aggregation"),
                span=_SPAN,
            )
        )
        try:
            sql, params = scoped.query.sql_with_params()
        except EmptyResultSet:  # no elements of this provider asked for
            return []
        with connection.cursor() as cursor:
            cursor.execute(_CHOSEN.format(scoped=sql), params)
            rows = cursor.fetchall()
        return [(e, u, o, pk, _decimal(v), bool(synthetic)) for e, u, o, pk, v, synthetic in rows]

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        by_id = {e.pk: e for e in elements}
        synthetic_elements = set()
        # A stock has one value per unit and source; a flow the values of its longest periods.
        per_source: dict[tuple, list] = defaultdict(lambda: [Decimal(0), []])
        for element_id, unit_id, operator_id, pk, value, synthetic in self.chosen(elements, scope):
            if synthetic:
                synthetic_elements.add(element_id)
            item = per_source[(element_id, unit_id, operator_id)]
            item[0] += value
            item[1].append(pk)

        per_unit: dict[tuple[int, int], list[tuple[Decimal, list[int]]]] = defaultdict(list)
        for (element_id, unit_id, _operator), item in per_source.items():
            per_unit[(element_id, unit_id)].append(item)

        result = {
            e.code: ElementTotal(
                value=None,
                provider=self.name,
                synthetic=e.pk in synthetic_elements,
                reason=scope.missing_crosswalk,
            )
            for e in elements
        }
        shares = scope.shares({unit_id for _element_id, unit_id in per_unit})
        for (element_id, unit_id), sources in per_unit.items():
            element = by_id[element_id]
            if element.across_sources == DataElement.AcrossSources.MAX:
                # Of equal figures, the source with the earliest value: the same on every database.
                value, ids = max(sources, key=lambda item: (item[0], -min(item[1])))
            else:
                value = sum((v for v, _ in sources), Decimal(0))
                ids = [pk for _, pks in sources for pk in pks]
            total = result[element.code]
            if unit_id in shares:
                # A partly merged unit counts by its share; with no share known it counts whole.
                predecessor, share = shares[unit_id]
                value = value * share if share is not None else value
                total.estimated = True
                label = f"{share:.0%}" if share is not None else "100% (chưa rõ tỷ lệ / share unknown)"
                note = f"{predecessor.name} ({predecessor.code}) × {label}"
                if note not in total.items:
                    total.items.append(note)
            total.value = (total.value or Decimal(0)) + value
            total.inputs += len(ids)
            total.value_ids.extend(ids)
        return result


register_provider(ReportedValues())
# A commune's or an operator's values and their reports' states are read by this provider alone.
data_domain(ReportedValues.name, ("collection.datavalue", "collection.submission"))
