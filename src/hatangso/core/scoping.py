"""What a user may see. Selectors filter every query through `AccessScope`; templates never do.

- plan owner, agency, leader: everything reported in their area (the unit's subtree);
- commune: its own commune's and villages' own reports, never an operator's raw figures;
- enterprise: its own operator's figures only;
- anyone else (the public): no raw data at all.

Who acts is always said, never implied. The command line (and the system's own work: the demo
loader, a batch's bookkeeping) acts as `COMMAND_LINE`, the one principal with full scope, which
every command passes explicitly (`HatangsoCommand.actor()` carries it). `user=None` means nobody —
the anonymous public: every check and selector gives it the least authority (no write, no raw
data), exactly as it does a visitor; a forgotten argument never grants anything. Services that
need an acting user take it as a required keyword (no `user=None` default).
"""

from dataclasses import dataclass
from functools import cached_property

from django.db.models import Q, QuerySet

from hatangso.core.models import Membership, Role

AREA_ROLES = {Role.PLAN_OWNER, Role.AGENCY, Role.LEADER}


class CommandLine:
    """The command line's (and the system's) authority: full scope, and no account — the change
    log records no user for it ("system"). Use the single instance `COMMAND_LINE`."""

    is_superuser = True
    is_authenticated = False  # no account, so no memberships
    is_active = True
    pk = None
    username = ""

    def __repr__(self) -> str:
        return "COMMAND_LINE"


COMMAND_LINE = CommandLine()


@dataclass
class AccessScope:
    user: object

    @cached_property
    def memberships(self) -> list[Membership]:
        if not getattr(self.user, "is_authenticated", False):
            return []
        return list(self.user.memberships.select_related("unit", "operator", "agency"))

    @property
    def is_superuser(self) -> bool:
        return bool(getattr(self.user, "is_superuser", False))

    def roles(self) -> set[str]:
        return {m.role for m in self.memberships}

    def _values_condition(self, prefix: str) -> Q | None:
        """The condition on data values (or on rows with a `<prefix>unit` and `<prefix>operator`)."""
        if self.is_superuser:
            return Q()
        condition = None
        for membership in self.memberships:
            if membership.role in AREA_ROLES:
                part = Q(**{f"{prefix}unit__path__startswith": membership.unit.path})
            elif membership.role == Role.COMMUNE:
                part = Q(
                    **{
                        f"{prefix}unit__path__startswith": membership.unit.path,
                        f"{prefix}operator__isnull": True,
                    }
                )
            else:
                part = Q(**{f"{prefix}operator": membership.operator})
                if membership.unit_id:
                    part &= Q(**{f"{prefix}unit__path__startswith": membership.unit.path})
            condition = part if condition is None else condition | part
        return condition

    def reads_area(self, unit) -> bool:
        """Whether the user reads everything reported in `unit` (an area role over it)."""
        return self.is_superuser or any(
            m.role in AREA_ROLES and (m.unit_id is None or unit.path.startswith(m.unit.path))
            for m in self.memberships
        )

    def reads_figures(self, unit, plan) -> bool:
        """Whether the user may see the figures behind a unit's indicators (numerator and
        denominator, element totals): for the plan's whole area they are published aggregates; for
        a commune they are that commune's reported figures, for the area's roles and the commune."""
        return (
            unit.pk == plan.area_unit_id
            or self.reads_area(unit)
            or any(
                m.role == Role.COMMUNE and m.unit_id and unit.path.startswith(m.unit.path)
                for m in self.memberships
            )
        )

    def filter_values(self, queryset: QuerySet, prefix: str = "") -> QuerySet:
        condition = self._values_condition(prefix)
        return queryset.none() if condition is None else queryset.filter(condition)

    def can_write_value(self, *, unit, operator) -> bool:
        """Reporters write their own data; the plan owner may correct anything in its area."""
        if self.is_superuser:
            return True
        for membership in self.memberships:
            in_area = membership.unit_id is None or unit.path.startswith(membership.unit.path)
            if membership.role == Role.PLAN_OWNER and in_area:
                return True
            if membership.role == Role.COMMUNE and in_area and operator is None:
                return True
            if membership.role == Role.ENTERPRISE and in_area and operator == membership.operator:
                return True
        return False

    def can_write_operator_item(self, operator) -> bool:
        """Registry items: the plan owner writes any; an enterprise only those of its own operator."""
        if self.is_superuser:
            return True
        return any(
            m.role == Role.PLAN_OWNER
            or (m.role == Role.ENTERPRISE and operator is not None and m.operator_id == operator.pk)
            for m in self.memberships
        )

    def filter_operator_items(self, queryset: QuerySet, field: str = "operator") -> QuerySet:
        """Registry rows the user may read: all in the area for area roles; an enterprise its own."""
        if self.is_superuser:
            return queryset
        condition = None
        for membership in self.memberships:
            if membership.role in AREA_ROLES:
                part = Q(unit__path__startswith=membership.unit.path) if membership.unit_id else Q()
            elif membership.role == Role.ENTERPRISE:
                part = Q(**{field: membership.operator})
            else:
                continue
            condition = part if condition is None else condition | part
        return queryset.none() if condition is None else queryset.filter(condition)


    def filter_plans(self, queryset: QuerySet) -> QuerySet:
        """Plans the user may open: a role scoped to an area applies to every plan whose area covers
        it or lies within it (a commune clerk follows the district's and the province's plans); a
        role with no area (an operator's) to every plan. A superuser sees all, and so does an
        account without a role, which reads only the aggregates any account reads."""
        if self.is_superuser or not self.memberships:
            return queryset
        condition = None
        for membership in self.memberships:
            if membership.unit_id is None:
                return queryset
            ancestors = [int(pk) for pk in membership.unit.path.strip("/").split("/") if pk]
            part = Q(area_unit__path__startswith=membership.unit.path) | Q(area_unit_id__in=ancestors)
            condition = part if condition is None else condition | part
        return queryset.none() if condition is None else queryset.filter(condition)


def scope_for(user) -> AccessScope:
    return AccessScope(user=user)


def may_manage_plan(user, plan) -> bool:
    """The plan owner of the plan's area (or a superuser, or the command line)."""
    scope = scope_for(user)
    return scope.is_superuser or any(
        m.role == Role.PLAN_OWNER and m.unit_id and plan.area_unit.path.startswith(m.unit.path)
        for m in scope.memberships
    )
