"""Who may download the results report: it carries every operator's raw figures (the workbook),
so only the plan owner, agencies and leaders whose area holds the unit, and superusers."""

from hatangso.core.scoping import AREA_ROLES, scope_for


def may_download_report(user, unit) -> bool:
    scope = scope_for(user)
    return scope.is_superuser or any(
        m.role in AREA_ROLES and m.unit_id and unit.path.startswith(m.unit.path) for m in scope.memberships
    )
