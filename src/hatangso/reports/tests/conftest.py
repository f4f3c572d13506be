"""Fixtures shared by the report tests."""

from datetime import date

import pytest

from hatangso.collection.models import DataElement
from hatangso.collection.services import set_value
from hatangso.geography.selectors import resolve_unit


@pytest.fixture
def reported(seed_plan, actor):
    """A few 2024 values for two communes, enough for some indicators to be computed."""
    for code, households, ftth in (("19996", 3000, 2900), ("20005", 2000, 1500)):
        unit = resolve_unit(code, start=date(2024, 6, 1))
        for element, value in (("households", households), ("households_ftth", ftth)):
            set_value(
                element=DataElement.objects.get(code=element),
                unit=unit,
                period="2024",
                value=str(value),
                actor=actor,
            )
    return seed_plan
