"""`utilities.bulk.insert_rows`: plain rows stored as the ORM stores them, keys in order, on SQLite
(one prepared INSERT) and PostgreSQL (COPY); `insert_selected`: rows copied
by the database through expressions."""

import gc
from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction
from django.db.models import DateTimeField, F, Value
from django.db.models.functions import Concat, JSONObject
from django.utils import timezone

from hatangso.collection.models import DataElement, DataValue
from hatangso.core.models import ChangeLogEntry
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator
from hatangso.utilities.bulk import collector_paused, insert_rows, insert_selected

LOG_CONSTANTS = {
    "actor": "test",
    "origin": "cli: test",
    "action": "create",
    "object_type": "x.y",
    "reason": "",
}


def test_rows_are_stored_as_the_orm_stores_them_with_their_keys_in_order(db):
    before = timezone.now()
    after = [{"name": "Phường Tứ Hạ", "value": "12.5", "nested": [1, None, True]}, None, {}]
    ids = insert_rows(
        ChangeLogEntry,
        ("object_id", "object_repr", "after"),
        [(str(n), f"object {n}", snapshot) for n, snapshot in enumerate(after)],
        **LOG_CONSTANTS,
    )
    stored = list(ChangeLogEntry.objects.order_by("id"))
    assert [e.pk for e in stored] == ids == sorted(ids)
    assert [(e.object_id, e.object_repr, e.after) for e in stored] == [
        (str(n), f"object {n}", snapshot) for n, snapshot in enumerate(after)
    ]
    assert {(e.actor, e.action, e.user_id, e.before) for e in stored} == {("test", "create", None, None)}
    assert len({e.time for e in stored}) == 1 and before <= stored[0].time <= timezone.now()


def test_dates_and_decimals_and_foreign_keys(seed_plan):
    element = DataElement.objects.get(code="mobile_subscriptions")
    unit = resolve_unit("19996", start=date(2024, 1, 1))
    operator = Operator.objects.get(code="viettel")
    columns = ("data_element_id", "unit_id", "period", "period_start", "period_end", "operator_id", "value",
               "created_by", "updated_by")  # fmt: skip
    (pk,) = insert_rows(
        DataValue,
        columns,
        [(element.pk, unit.pk, "202403", date(2024, 3, 1), date(2024, 3, 31), operator.pk, Decimal("4000.25"),
          "a", "a")],
        comment="",
        synthetic=True,
    )  # fmt: skip
    value = DataValue.objects.get(pk=pk)
    assert (value.period_start, value.period_end, value.value) == (
        date(2024, 3, 1),
        date(2024, 3, 31),
        Decimal("4000.25"),
    )
    assert (value.operator, value.unit, value.synthetic, value.version, value.followup) == (
        operator,
        unit,
        True,
        1,
        False,
    )


def test_keys_follow_the_last_one_taken_even_after_a_delete(db):
    first = ChangeLogEntry.objects.create(object_id="1", object_repr="first", **LOG_CONSTANTS).pk
    ChangeLogEntry.objects.filter(pk=first).delete()
    (pk,) = insert_rows(ChangeLogEntry, ("object_id", "object_repr"), [("2", "second")], **LOG_CONSTANTS)
    assert pk > first
    # The ORM's next key comes after the bulk one too.
    assert ChangeLogEntry.objects.create(object_id="3", object_repr="third", **LOG_CONSTANTS).pk > pk


def test_a_duplicate_refuses_the_whole_write(seed_plan):
    element = DataElement.objects.get(code="population")
    unit = resolve_unit("19996", start=date(2024, 1, 1))
    row = (element.pk, unit.pk, "2024", date(2024, 1, 1), date(2024, 12, 31), None, Decimal(1), "a", "a")
    columns = ("data_element_id", "unit_id", "period", "period_start", "period_end", "operator_id", "value",
               "created_by", "updated_by")  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_rows(DataValue, columns, [row, row], comment="")
    assert not DataValue.objects.exists()


def test_a_field_without_a_value_or_default_is_named(db):
    with pytest.raises(TypeError, match=r"core\.ChangeLogEntry\.actor needs a value"):
        insert_rows(ChangeLogEntry, ("object_id", "object_repr"), [("1", "one")], origin="o", action="create",
                    object_type="x.y")  # fmt: skip
    assert not ChangeLogEntry.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_outside_an_atomic_block_the_rows_are_one_transaction_of_their_own():
    ids = insert_rows(
        ChangeLogEntry, ("object_id", "object_repr"), [("1", "one"), ("2", "two")], **LOG_CONSTANTS
    )
    assert list(ChangeLogEntry.objects.order_by("id").values_list("id", "object_repr")) == [
        (ids[0], "one"),
        (ids[1], "two"),
    ]
    # A row the database refuses (no object text) takes the rows before it with it.
    with pytest.raises(IntegrityError):
        insert_rows(
            ChangeLogEntry, ("object_id", "object_repr"), [("3", "three"), ("4", None)], **LOG_CONSTANTS
        )
    assert ChangeLogEntry.objects.count() == 2


def test_the_collector_is_paused_only_inside():
    assert gc.isenabled()
    with collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), collector_paused():
        raise ValueError
    assert gc.isenabled()


def test_texts_are_stored_as_given(db):
    texts = ['Phường "Tứ Hạ"', "line\nbreak", "back\\slash", "", "Thủy Biều"]
    rows = [(str(n), text) for n, text in enumerate(texts)]
    ids = insert_rows(ChangeLogEntry, ("object_id", "object_repr"), rows, **LOG_CONSTANTS)
    stored = list(ChangeLogEntry.objects.order_by("id").values_list("id", "object_id", "object_repr"))
    assert stored == [(pk, str(n), text) for pk, (n, text) in zip(ids, enumerate(texts), strict=True)]


def test_selected_rows_are_copied_through_their_expressions(db):
    insert_rows(ChangeLogEntry, ("object_id", "object_repr"), [("1", "one"), ("2", "two"), ("3", "three")],
                **LOG_CONSTANTS)  # fmt: skip
    copied = insert_selected(
        ChangeLogEntry,
        ChangeLogEntry.objects.filter(object_repr__in=["one", "three"]),
        actor=Value("copier"), origin=F("origin"), action=Value("update"), object_type=F("object_type"),
        object_id=F("object_id"), object_repr=Concat(F("object_repr"), Value(" (copy)")), reason=Value(""),
        time=Value(timezone.now(), output_field=DateTimeField()),
    )  # fmt: skip
    assert copied == 2
    copies = ChangeLogEntry.objects.filter(actor="copier").order_by("object_id")
    assert [(c.object_id, c.object_repr, c.action, c.before, c.after) for c in copies] == [
        ("1", "one (copy)", "update", None, None),
        ("3", "three (copy)", "update", None, None),
    ]


def _checks_on(cursor) -> bool:
    cursor.execute("PRAGMA ignore_check_constraints")
    return cursor.fetchone() == (0,)


def test_checks_are_skipped_for_the_one_statement_that_asks(db):
    """On SQLite `checks=False` skips the CHECK constraints (a JSON column's validity) for that
    INSERT only, including one that fails; the next write is checked again."""
    insert_rows(ChangeLogEntry, ("object_id", "object_repr"), [("1", "one")], **LOG_CONSTANTS)
    columns = {name: F(name) for name in ("origin", "action", "object_type", "object_id", "reason")}
    copied = insert_selected(
        ChangeLogEntry, ChangeLogEntry.objects.all(), checks=False, actor=Value("copier"),
        object_repr=F("object_repr"), time=Value(timezone.now(), output_field=DateTimeField()),
        after=JSONObject(text=F("object_repr"), id=F("id")), **columns,
    )  # fmt: skip
    assert copied == 1
    assert ChangeLogEntry.objects.get(actor="copier").after == {
        "text": "one", "id": ChangeLogEntry.objects.get(actor="test").pk,
    }  # fmt: skip
    with pytest.raises(IntegrityError), transaction.atomic():  # no time (NOT NULL): refused
        insert_selected(ChangeLogEntry, ChangeLogEntry.objects.all(), checks=False, **columns)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            assert _checks_on(cursor)
            with pytest.raises(IntegrityError, match="CHECK constraint failed"), transaction.atomic():
                cursor.execute("UPDATE core_changelogentry SET after = 'not json'")
