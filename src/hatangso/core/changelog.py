"""Change-log rows for every write. Services call `record_change` inside their transaction."""

from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from django.db import models, transaction
from django.db.models import F

from hatangso.core.models import ChangeLogEntry, CommitCount


@dataclass(frozen=True)
class Actor:
    """Who performs a write and through what: a web user, an API token, a command."""

    user: object | None
    origin: str

    @property
    def name(self) -> str:
        return getattr(self.user, "username", "") or "system"

    @classmethod
    def command(cls, name: str, user=None) -> "Actor":
        return cls(user=user, origin=f"cli: {name}")


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


# Change-log rows of these kinds change no number (a publication copies results); the apps that
# write them say so at start-up (`not_data`).
NOT_DATA: list[str] = []


def not_data(object_type_prefix: str) -> None:
    """Change-log rows whose object type starts with the prefix record no change of data."""
    NOT_DATA.append(object_type_prefix)


def _count_commit() -> None:
    if not CommitCount.objects.filter(pk=1).update(commits=F("commits") + 1):
        CommitCount.objects.get_or_create(pk=1, defaults={"commits": 1})


def _count_commit_of(object_type: str) -> None:
    """Count the current transaction once when it commits, if it changed data."""
    if any(object_type.startswith(prefix) for prefix in NOT_DATA):
        return
    pending = transaction.get_connection().run_on_commit
    if not any(entry[1] is _count_commit for entry in pending):
        transaction.on_commit(_count_commit)


def record_change(
    actor: Actor, action: str, instance: models.Model, before: dict | None = None, reason: str = ""
) -> ChangeLogEntry:
    _count_commit_of(instance._meta.label_lower)
    return ChangeLogEntry.objects.create(
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


def record_changes(actor: Actor, action: str, instances: list[models.Model]) -> None:
    """Bulk variant for imports: one change-log row per object, written in one query."""
    for object_type in {instance._meta.label_lower for instance in instances}:
        _count_commit_of(object_type)
    ChangeLogEntry.objects.bulk_create(
        ChangeLogEntry(
            user=actor.user if getattr(actor.user, "pk", None) else None,
            actor=actor.name,
            origin=actor.origin[:200],
            action=action,
            object_type=instance._meta.label_lower,
            object_id=str(instance.pk),
            object_repr=str(instance)[:300],
            after=snapshot(instance),
        )
        for instance in instances
    )
