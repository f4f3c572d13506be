"""Writes to the registry outside imports: tenancies and statuses, audited, within the user's scope."""

from datetime import date

from django.db import transaction
from django.utils import timezone

from hatangso.core.changelog import Actor, record_change, snapshot
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import scope_for
from hatangso.registry.models import DuctSegment, Operator, Pole
from hatangso.utilities.errors import Conflict, NotFound


def _check_owner(item, user) -> None:
    if not scope_for(user).can_write_operator_item(item.owner):
        raise NotFound(f"Không có {item.code}", f"No item {item.code}")


@transaction.atomic
def add_tenancy(
    *, item: Pole | DuctSegment, operator: Operator, actor: Actor, user, since: date | None = None
):
    """An operator starts using a pole or duct (from `since`, default today)."""
    _check_owner(item, user)
    if item.tenancies.filter(operator=operator, until__isnull=True).exists():
        raise Conflict(
            f"{operator.short_name} đã dùng chung {item.code}",
            f"{operator.short_name} already uses {item.code}",
        )
    tenancy = item.tenancies.filter(operator=operator).first()
    if tenancy is None:
        tenancy = item.tenancies.create(operator=operator, since=since or timezone.localdate())
        record_change(actor, ChangeLogEntry.Action.CREATE, tenancy)
        return tenancy
    before = snapshot(tenancy)
    tenancy.since, tenancy.until = since or timezone.localdate(), None
    tenancy.save()
    record_change(actor, ChangeLogEntry.Action.UPDATE, tenancy, before=before)
    return tenancy


@transaction.atomic
def end_tenancy(
    *, item: Pole | DuctSegment, operator: Operator, actor: Actor, user, until: date | None = None
):
    """An operator stops using a pole or duct; earlier periods keep counting the tenancy."""
    _check_owner(item, user)
    tenancy = item.tenancies.filter(operator=operator, until__isnull=True).first()
    if tenancy is None:
        raise NotFound(
            f"{operator.short_name} không dùng chung {item.code}",
            f"{operator.short_name} does not use {item.code}",
        )
    before = snapshot(tenancy)
    tenancy.until = until or timezone.localdate()
    tenancy.save()
    record_change(actor, ChangeLogEntry.Action.UPDATE, tenancy, before=before)
    return tenancy
