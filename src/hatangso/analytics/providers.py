"""Indicator sources: who computes the total of a data element over a scope.

Each data element names its provider (`DataElement.provider`, "values" by default). The registry
and measurement pipelines register their own providers here, so registry- and measurement-based
indicators need no special case in the engine.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cached_property
from typing import Protocol

from django.db.models import Count, QuerySet

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


def _period_rank(start: date, end: date) -> int:
    """0 for a month, 1 for a quarter, 2 for a year (months differ in length, kinds do not)."""
    days = (end - start).days
    return 0 if days < 32 else 1 if days < 93 else 2


class ReportedValues:
    """Totals of reported data values.

    Per unit and source (the unit itself or an operator) a stock takes its latest value in the
    period (a yearly figure counts as of 31/12) and a flow the sum of its values over the longest
    periods reported (a yearly total rather than the months it contains); sources are then summed
    or maxed as the element says; units are summed. Percentages are never averaged: indicators
    divide these totals.
    """

    name = "values"

    def totals(self, elements: list[DataElement], scope: Scope) -> dict[str, ElementTotal]:
        by_id = {e.pk: e for e in elements}
        rows = (
            DataValue.objects.filter(
                data_element_id__in=by_id,
                unit_id__in=scope.units.values("pk"),
                period_start__gte=scope.period.start,
                period_end__lte=scope.period.end,
                **({"operator_id": scope.operator_id} if scope.operator_id else {}),
            )
            .order_by()
            .values_list(
                "id",
                "data_element_id",
                "unit_id",
                "operator_id",
                "period_start",
                "period_end",
                "value",
                "synthetic",
            )
        )
        synthetic_elements = set()

        latest: dict[tuple, tuple[tuple[date, date], int, Decimal]] = {}
        # Flows per key and period length: a yearly total and the months it contains must not
        # both be added, so the longest periods reported win (the most complete figure).
        summed: dict[tuple, dict[int, list]] = defaultdict(lambda: defaultdict(lambda: [Decimal(0), []]))
        for pk, element_id, unit_id, operator_id, start, end, value, synthetic in rows:
            if synthetic:
                synthetic_elements.add(element_id)
            key = (element_id, unit_id, operator_id)
            if by_id[element_id].aggregation == DataElement.Aggregation.LAST:
                if key not in latest or (end, start) > latest[key][0]:
                    latest[key] = ((end, start), pk, value)
            else:
                bucket = summed[key][_period_rank(start, end)]
                bucket[0] += value
                bucket[1].append(pk)

        per_source: dict[tuple, tuple[Decimal, list[int]]] = {
            key: (value, [pk]) for key, (_, pk, value) in latest.items()
        }
        per_source.update({key: tuple(by_length[max(by_length)]) for key, by_length in summed.items()})

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
                value, ids = max(sources, key=lambda item: item[0])
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
