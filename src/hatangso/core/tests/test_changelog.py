"""`core.changelog.record_inserted`: the change log the database writes from stored rows reads as the
one written from model objects (`snapshot`), on SQLite and PostgreSQL."""

from datetime import UTC, date, datetime
from decimal import Decimal

from django.db.models import F
from django.utils import timezone

from hatangso.collection.models import DataElement, DataValue, ImportBatch
from hatangso.core.changelog import record_inserted, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator


def entries_of(model) -> dict[str, ChangeLogEntry]:
    return {e.object_id: e for e in ChangeLogEntry.objects.filter(object_type=model._meta.label_lower)}


def test_each_field_type_reads_as_the_snapshot_of_the_object(db, actor):
    moment = datetime(2025, 7, 1, 8, 30, tzinfo=UTC)
    errors = [{"row": 2, "vi": 'sai "mã"', "en": None}]
    batches = [
        ImportBatch.objects.create(
            kind="values", file_name="a.csv", rows=2, created_by="x", synthetic=True, errors=errors
        ),
        ImportBatch.objects.create(kind="values", file_name="b.csv", rows=0, created_by="y", errors=[]),
    ]
    ImportBatch.objects.filter(pk=batches[1].pk).update(created_at=moment)  # whole seconds
    before = timezone.now()
    assert record_inserted(actor, ImportBatch.objects.all(), text=F("file_name")) == 2
    entries = entries_of(ImportBatch)
    for batch in ImportBatch.objects.all():
        entry = entries[str(batch.pk)]
        assert entry.after == snapshot(batch)
        assert (entry.action, entry.object_repr, entry.before) == ("create", batch.file_name, None)
        assert (entry.actor, entry.origin, entry.user_id) == (actor.name, actor.origin, None)
        assert before <= entry.time <= timezone.now()
    assert entries[str(batches[1].pk)].after["created_at"] == "2025-07-01T08:30:00+00:00"


def test_a_value_reads_as_its_snapshot_with_the_number_as_written(seed_plan, actor):
    unit = resolve_unit("19996", start=date(2024, 1, 1))
    viettel = Operator.objects.get(code="viettel")
    common = {"unit": unit, "created_by": "a", "updated_by": "a", "period_start": date(2024, 3, 1),
              "period_end": date(2024, 3, 31), "period": "202403"}  # fmt: skip
    households = DataElement.objects.get(code="households")
    subscriptions = DataElement.objects.get(code="mobile_subscriptions")
    own = DataValue.objects.create(
        data_element=households, value=Decimal("1200"), comment='ghi chú "trích"', **common
    )
    operator = DataValue.objects.create(
        data_element=subscriptions, operator=viettel, value=Decimal("12.5"), followup=True, **common
    )
    record_inserted(actor, DataValue.objects.all(), text=DataValue.description())
    entries = entries_of(DataValue)
    for value, number in ((own, "1200"), (operator, "12.5")):
        value.refresh_from_db()
        assert entries[str(value.pk)].after == {**snapshot(value), "value": number}
    assert entries[str(own.pk)].object_repr == "households 19996 202403 = 1200"
    assert entries[str(operator.pk)].object_repr == f"mobile_subscriptions 19996 202403 [{viettel}] = 12.5"
