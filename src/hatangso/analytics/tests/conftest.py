"""Fixtures of the measurement imports' tests (test_ookla_mlab.py, test_speedtest_imports.py)."""

import json
from datetime import date

import pytest

from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.services import import_boundaries

# Commune 19996 as a 0.02° square (as in test_coverage.py).
SQUARE = [[107.40, 16.42], [107.42, 16.42], [107.42, 16.44], [107.40, 16.44], [107.40, 16.42]]


@pytest.fixture
def own_store(settings, tmp_path):
    """A measurement store (and imports folder) of the test's own."""
    settings.HOME = tmp_path / "home"


@pytest.fixture
def area(seed_plan, actor, tmp_path):
    """Commune 19996 with the square as its boundary, so rows place themselves by point."""
    feature = {
        "type": "Feature",
        "properties": {"ma": "19996"},
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
    }
    path = tmp_path / "ranh-gioi.geojson"
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}), encoding="utf-8")
    import_boundaries(path=path, actor=actor, on=date(2024, 1, 1))
    return AdministrativeUnit.objects.get(code="19996", valid_to__isnull=False)
