"""Change-log rows for every write. Services call `record_change` inside their transaction."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models

from hatangso.core.dataversion import count_commit_of
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.utilities.bulk import insert_objects

CHANGES_PER_WRITE = 5000


@dataclass(frozen=True)
class Actor:
    """Who performs a write and through what: a web user, an API token, a command."""

    user: object | None
    origin: str

    @property
    def name(self) -> str:
        return getattr(self.user, "username", "") or "system"

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


def snapshot(instance: models.Model) -> dict:
    """The instance's concrete field values as JSON-safe data."""
    data = {}
    for field in instance._meta.concrete_fields:
        value = field.value_from_object(instance)
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


def record_changes(actor: Actor, action: str, instances: list[models.Model]) -> None:
    """Bulk variant for imports: one change-log row per object, written a few thousand at a time
    (a national file's million entries would not fit in memory at once)."""
    instances = list(instances)
    for object_type in {instance._meta.label_lower for instance in instances}:
        count_commit_of(object_type)
    for start in range(0, len(instances), CHANGES_PER_WRITE):
        insert_objects(
            [_entry(actor, action, instance) for instance in instances[start : start + CHANGES_PER_WRITE]]
        )


def _entry(
    actor: Actor, action: str, instance: models.Model, before: dict | None = None, reason: str = ""
) -> ChangeLogEntry:
    """The change-log row of one write, not yet saved (a command's principal has no account)."""
    return ChangeLogEntry(
        user=actor.user if getattr(actor.user, "pk", None) else None,
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
