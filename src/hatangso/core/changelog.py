"""Change-log rows for every write. Services call `record_change` inside their transaction."""

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from itertools import islice

from django.db import models
from django.db.models import CharField, F, Value
from django.db.models.functions import Cast, JSONObject, Substr
from django.utils import timezone
from django.utils.translation import gettext

from hatangso.core.dataversion import count_commit_of
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.utilities.bulk import insert_rows, insert_selected
from hatangso.utilities.expressions import IsoMoment, JsonBoolean, JsonValue, NumberText

CHANGES_PER_WRITE = 50_000
# The name written for a write that no account made (a command, the demo).
SYSTEM = "system"


@dataclass(frozen=True)
class Actor:
    """Who performs a write and through what: a web user, an API token, a command."""

    user: object | None
    origin: str

    @property
    def name(self) -> str:
        return getattr(self.user, "username", "") or SYSTEM

    @property
    def account(self):
        """The user account behind the write: None for a command's principal or a visitor."""
        return self.user if getattr(self.user, "pk", None) else None

    @classmethod
    def command(cls, name: str, user=COMMAND_LINE) -> "Actor":
        """A command's write: with the command line's full authority unless it acts for a user."""
        return cls(user=user, origin=f"cli: {name}")

    @classmethod
    def from_request(cls, request) -> "Actor":
        """The signed-in user (None for a visitor) and the address written through, as the change
        log shows it: `api: PUT /api/v1/values/` or `web: /nhap-lieu/3/2024/`."""
        user = request.user if request.user.is_authenticated else None
        if request.path.startswith("/api/"):
            return cls(user=user, origin=f"api: {request.method} {request.path}"[:200])
        return cls(user=user, origin=f"web: {request.path}"[:200])


def actor_label(name: str) -> str:
    """Who wrote, as a page shows it: a command's `SYSTEM` in the reader's language."""
    return gettext("hệ thống") if name == SYSTEM else name


def snapshot(instance: models.Model) -> dict:
    """The instance's concrete field values as JSON-safe data."""
    fields = instance._meta.concrete_fields
    return row_snapshot(type(instance), [field.value_from_object(instance) for field in fields])


def row_snapshot(model: type[models.Model], values) -> dict:
    """`snapshot` of a stored row read without a model object: its values in the order of the
    model's concrete fields (`values_list(*attnames)`)."""
    data = {}
    for field, value in zip(model._meta.concrete_fields, values, strict=True):
        if isinstance(value, date | datetime):
            value = value.isoformat()
        elif isinstance(value, Decimal):
            value = str(value)
        data[field.attname] = value
    return data


def record_change(
    actor: Actor, action: str, instance: models.Model, before: dict | None = None, reason: str = ""
) -> ChangeLogEntry:
    count_commit_of(instance._meta.label_lower)
    entry = _entry(actor, action, instance, before=before, reason=reason)
    entry.save(force_insert=True)
    return entry


def record_changes(actor: Actor, action: str, instances: Iterable[models.Model]) -> None:
    """Bulk variant for imports: one change-log row per object (inside the import's atomic block)."""
    by_model: dict[type[models.Model], list[models.Model]] = {}
    for instance in instances:
        by_model.setdefault(type(instance), []).append(instance)
    deleted = action == ChangeLogEntry.Action.DELETE
    for model, objects in by_model.items():
        rows = ((o.pk, str(o), None, None if deleted else snapshot(o)) for o in objects)
        record_rows(actor, action, model, rows)


def record_rows(actor: Actor, action: str, model: type[models.Model], rows: Iterable[tuple]):
    """Bulk variant for rows written without model objects (`utilities.bulk.insert_rows`): one
    change-log row per (primary key, the object's text, its `snapshot` before and after the write;
    None where there is none), written a few tens of thousands at a time (a national file's million
    would not fit in memory at once)."""
    shared = _bulk_columns(actor, action, model)
    count_commit_of(shared["object_type"])
    rows = iter(rows)
    while chunk := list(islice(rows, CHANGES_PER_WRITE)):
        insert_rows(
            ChangeLogEntry,
            ("object_id", "object_repr", "before", "after"),
            [(str(pk), text[:300], before, after) for pk, text, before, after in chunk],
            **shared,
        )


def record_inserted(actor: Actor, rows: models.QuerySet, *, text) -> int:
    """Bulk variant for rows a service has just inserted (`utilities.bulk.insert_rows`): the
    database writes each one's creation entry from the stored row, in one INSERT … SELECT, its
    `snapshot` built as JSON by the database and `text` (an expression over the row) as its text.
    A national file's million values then cost no Python per entry. Returns how many entries."""
    model = rows.model
    shared = {"time": timezone.now(), **_bulk_columns(actor, ChangeLogEntry.Action.CREATE, model)}
    count_commit_of(shared["object_type"])
    return insert_selected(
        ChangeLogEntry,
        rows,
        checks=False,  # the snapshot's JSON is the database's own (JSON_OBJECT)
        **{
            name: Value(value, output_field=ChangeLogEntry._meta.get_field(name))
            for name, value in shared.items()
        },
        object_id=Cast("pk", CharField()),
        object_repr=Substr(text, 1, 300),
        after=JSONObject(**{field.attname: _stored_json(field) for field in model._meta.concrete_fields}),
    )


def _bulk_columns(actor: Actor, action: str, model: type[models.Model]) -> dict:
    """The columns every change-log row of one bulk write of `model` shares."""
    return {
        "user_id": getattr(actor.account, "pk", None),
        "actor": actor.name,
        "origin": actor.origin[:200],
        "action": action,
        "object_type": model._meta.label_lower,
        "reason": "",
    }


def _stored_json(field: models.Field):
    """The expression of one field's value in `snapshot`'s JSON."""
    kind = field.get_internal_type()
    column = F(field.attname)
    if kind == "DateTimeField":
        return IsoMoment(column)
    if kind == "DecimalField":
        return NumberText(column)
    if kind == "BooleanField":
        return JsonBoolean(column, output_field=field)
    if kind == "JSONField":
        return JsonValue(column, output_field=field)
    return column


def _entry(
    actor: Actor, action: str, instance: models.Model, before: dict | None = None, reason: str = ""
) -> ChangeLogEntry:
    """The change-log row of one write, not yet saved (a command's principal has no account)."""
    return ChangeLogEntry(
        user=actor.account,
        actor=actor.name,
        origin=actor.origin[:200],
        action=action,
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_repr=str(instance)[:300],
        reason=reason[:500],
        before=before,
        after=None if action == ChangeLogEntry.Action.DELETE else snapshot(instance),
    )
