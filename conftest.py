"""Shared fixtures. The test run's own HATANGSO_HOME is set by hatangso.utilities.pytest_home,
loaded with `-p` (pyproject) before pytest-django reads the settings."""

import pytest


@pytest.fixture
def actor():
    from hatangso.core.changelog import Actor

    return Actor.command("test")


@pytest.fixture
def reference_units(db, actor):
    """The shipped units of Huế (pre- and post-2025) with the 2025 crosswalk, and the operators."""
    from hatangso.geography.services import load_reference_units
    from hatangso.registry.operators import load_reference_operators

    load_reference_units(actor=actor)
    load_reference_operators(actor=actor)


@pytest.fixture
def seed_plan(reference_units, actor):
    """Plan 1529/KH-UBND loaded from the shipped plan file."""
    from hatangso.plans.services import SEED_PLAN_FILE, load_plan

    return load_plan(path=SEED_PLAN_FILE, actor=actor).plan


@pytest.fixture
def table_counts(db):
    """A snapshot of every table's row count, to assert that nothing was written."""
    from django.apps import apps

    from hatangso.collection.models import ImportBatch
    from hatangso.core.models import ChangeLogEntry

    def counts() -> dict[str, int]:
        result = {m._meta.label: m.objects.count() for m in apps.get_models()}
        # A rejected import keeps only its error report (a rejected batch, change-logged), no data.
        rejected = ImportBatch.objects.filter(status="rejected").values_list("pk", flat=True)
        rejected = [str(pk) for pk in rejected]
        result["collection.ImportBatch"] -= len(rejected)
        result["core.ChangeLogEntry"] -= ChangeLogEntry.objects.filter(
            object_type="collection.importbatch", object_id__in=rejected
        ).count()
        return result

    return counts
