"""After a write, a read recomputes only the results whose data changed (core.dataversion's
domains): a commune's value is read by the reported-values provider alone, so registry and
measurement results stay as they were; a write that belongs to every result recomputes them all."""

from datetime import date

from hatangso.analytics.selectors import scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.core.changelog import record_change
from hatangso.core.models import ChangeLogEntry
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.models import Agency
from hatangso.utilities.periods import parse_period

YEAR = parse_period("2024")


def enter(actor, unit, code: str, value: str) -> None:
    set_value(element=DataElement.objects.get(code=code), unit=unit, period="2024", value=value, actor=actor)


def computed(plan, unit) -> dict:
    card = scorecard(plan=plan, unit=unit, period=YEAR)
    return {code: result.computed_at for code, result in card.results.items()}


def test_a_value_recomputes_the_values_indicators_only(seed_plan, actor):
    commune = resolve_unit("19996", start=date(2024, 6, 1))
    enter(actor, commune, "households", "2212")
    enter(actor, commune, "households_ftth", "2081")
    before = computed(seed_plan, commune)

    enter(actor, commune, "households_ftth", "2200")
    card = scorecard(plan=seed_plan, unit=commune, period=YEAR)
    after = {code: result.computed_at for code, result in card.results.items()}
    recomputed = {code for code in after if after[code] != before[code]}
    assert "household_fiber" in recomputed  # reads households_ftth
    assert {"bts_site_sharing", "pole_sharing", "fixed_individual_100mbps"}.isdisjoint(recomputed)
    fiber = next(e for e in card.evaluations if e.indicator.code == "household_fiber")
    assert (fiber.numerator, fiber.denominator) == (2200, 2212)
    assert card.data_version == ChangeLogEntry.objects.latest("id").id  # current as of the last write

    # Without a write nothing is computed again.
    assert computed(seed_plan, commune) == after

    # A plan's data belongs to every result.
    record_change(actor, ChangeLogEntry.Action.CREATE, Agency.objects.create(code="x", name="x"))
    again = computed(seed_plan, commune)
    assert all(again[code] != after[code] for code in after)
