"""The `values` provider chooses the values on the database (window functions): the same totals,
inputs and lineage as the documented rule applied row by row, on SQLite and on PostgreSQL."""

import random
from collections import defaultdict
from decimal import Decimal

import pytest

from hatangso.analytics.engine import build_scope
from hatangso.analytics.providers import PROVIDERS
from hatangso.collection.models import DataElement, DataValue
from hatangso.geography.models import AdministrativeUnit
from hatangso.registry.models import Operator
from hatangso.utilities.periods import parse_period

PERIODS = ["2024", "2024Q1", "2024Q2", "202401", "202402", "202403", "202405", "202411", "2023", "202312"]


def by_rule(elements, scope):
    """The provider's documented rule over every value, in Python: per element, unit and source the
    latest value of a stock, or the sum of a flow's values of its longest periods; sources summed or
    maxed; units summed; synthetic when a value it is made of is."""
    rank = {"monthly": 0, "quarterly": 1, "yearly": 2}
    values = DataValue.objects.filter(
        data_element__in=elements,
        unit__in=scope.units,
        period_start__gte=scope.period.start,
        period_end__lte=scope.period.end,
        **({"operator_id": scope.operator_id} if scope.operator_id else {}),
    )
    per_source = defaultdict(list)
    for value in values:
        per_source[(value.data_element_id, value.unit_id, value.operator_id)].append(value)
    per_unit = defaultdict(list)
    for (element_id, unit_id, _), rows in per_source.items():
        if DataElement.objects.get(pk=element_id).aggregation == "last":
            chosen = [max(rows, key=lambda v: (v.period_end, v.period_start))]
        else:
            longest = max(rank[parse_period(v.period).kind] for v in rows)
            chosen = [v for v in rows if rank[parse_period(v.period).kind] == longest]
        per_unit[(element_id, unit_id)].append(chosen)
    expected = {}
    for element in elements:
        value, ids = None, []
        for (element_id, _), sources in per_unit.items():
            if element_id != element.pk:
                continue
            sums = [(sum(v.value for v in chosen), min(v.pk for v in chosen), chosen) for chosen in sources]
            if element.across_sources == "max":
                best = max(sums, key=lambda item: (item[0], -item[1]))
                value, ids = (value or 0) + best[0], ids + [v.pk for v in best[2]]
            else:
                value = (value or 0) + sum(item[0] for item in sums)
                ids += [v.pk for _, _, chosen in sums for v in chosen]
        synthetic = DataValue.objects.filter(pk__in=ids, synthetic=True).exists()
        expected[element.code] = (value, len(ids), sorted(ids), synthetic)
    return expected


@pytest.fixture
def random_values(reference_units):
    """Stocks and flows, summed or maxed across sources, in mixed periods, from the communes and
    three operators of thị xã Hương Trà, with fractional figures (SQLite stores them as floats)."""
    elements = [
        DataElement.objects.create(
            code=code,
            name=code,
            value_type="number",
            aggregation=aggregation,
            across_sources=across,
            reporter="commune",
        )
        for code, aggregation, across in (
            ("stock_sum", "last", "sum"),
            ("stock_max", "last", "max"),
            ("flow_sum", "sum", "sum"),
            ("flow_max", "sum", "max"),
        )
    ]
    rng = random.Random(18)
    district = AdministrativeUnit.objects.get(code="480", level="district")
    communes = list(AdministrativeUnit.objects.filter(parent=district))
    operators = [None, *Operator.objects.filter(code__in=["viettel", "vnpt", "mobifone"])]
    rows = {}
    for _ in range(600):
        element, commune, operator = rng.choice(elements), rng.choice(communes), rng.choice(operators)
        period = parse_period(rng.choice(PERIODS))
        # Equal figures now and then, so that ties between maxed sources are exercised.
        value = Decimal(rng.choice([7, 7, rng.randint(0, 500)]))
        if rng.random() < 0.5:
            value += Decimal(rng.randint(0, 9999)) / 10000
        rows[(element.pk, commune.pk, operator, period.code)] = DataValue(
            data_element=element, unit=commune, operator=operator, period=period.code,
            period_start=period.start, period_end=period.end, value=value,
            synthetic=rng.random() < 0.1, created_by="test", updated_by="test",
        )  # fmt: skip
    DataValue.objects.bulk_create(rows.values())
    return elements, district, communes, operators


@pytest.mark.parametrize("period", ["2024", "2024Q1", "202402", "2023"])
def test_totals_on_the_database_follow_the_rule_value_by_value(random_values, period):
    elements, district, communes, operators = random_values
    span = parse_period(period)
    scopes = [build_scope(district, span), build_scope(communes[0], span),
              build_scope(district, span, operator_id=operators[1].pk)]  # fmt: skip
    checked = 0
    for scope in scopes:
        totals = PROVIDERS["values"].totals(elements, scope)
        got = {code: (t.value, t.inputs, sorted(t.value_ids), t.synthetic) for code, t in totals.items()}
        assert got == by_rule(elements, scope)
        checked += sum(t.inputs for t in totals.values())
    assert checked > 20  # the scopes have values to choose from
