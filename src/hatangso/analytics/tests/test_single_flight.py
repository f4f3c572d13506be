"""The scorecard selector under concurrent readers (issue 15): after a write, readers of the same
scorecard compute it once and all get the results of the current data version. Each reader runs in
its own thread with its own database connection (collection/tests/test_concurrency.py)."""

from datetime import date

import pytest

from hatangso.analytics.selectors import scorecard
from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.collection.tests.test_concurrency import race_db  # noqa: F401 (a fixture)
from hatangso.core.dataversion import data_version
from hatangso.geography.selectors import resolve_unit
from hatangso.utilities.periods import parse_period

pytestmark = pytest.mark.django_db(transaction=True)

READERS = 4


def enter(actor, unit, code: str, value: str) -> None:
    set_value(element=DataElement.objects.get(code=code), unit=unit, period="2024", value=value, actor=actor)


def test_readers_racing_after_a_write_compute_once_and_see_the_write(seed_plan, actor, race_db):  # noqa: F811
    commune, period = resolve_unit("19996", start=date(2024, 6, 1)), parse_period("2024")
    enter(actor, commune, "households", "2212")
    enter(actor, commune, "households_ftth", "2081")
    before = scorecard(plan=seed_plan, unit=commune, period=period)  # stored, current
    enter(actor, commune, "households_ftth", "2200")  # a write: the stored results are stale
    version = data_version()
    assert before.data_version < version

    db = race_db()
    cards = db.race(*[lambda: scorecard(plan=seed_plan, unit=commune, period=period)] * READERS)
    assert not [c for c in cards if isinstance(c, BaseException)], cards
    # Computed once: every reader got the same stored results (a second computation would have
    # stored them again, later), of the current data version, with the written value.
    assert len({c.computed_at for c in cards}) == 1 and cards[0].computed_at > before.computed_at
    assert {c.data_version for c in cards} == {version}
    values = {next(e.value for e in c.evaluations if e.indicator.code == "household_fiber") for c in cards}
    assert len(values) == 1 and values.pop() == pytest.approx(2200 / 2212 * 100, abs=0.05)
    # Without a write, the next reader reads them and computes nothing.
    [again] = db.race(lambda: scorecard(plan=seed_plan, unit=commune, period=period))
    assert (again.computed_at, again.data_version) == (cards[0].computed_at, version)
