"""Reads of plans."""

from django.db.models import Prefetch, Q, QuerySet
from django.db.models.functions import Coalesce

from hatangso.core.scoping import scope_for
from hatangso.plans.models import Plan, PlanItem
from hatangso.utilities.errors import NotFound, UserError


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.select_related("area_unit").order_by("-year", "code")


def get_plan(code_or_slug: str) -> Plan:
    """The plan with this code, else the one with this slug (one query: the API reads it on every
    request)."""
    found = list(plan_list().filter(Q(code=code_or_slug) | Q(slug=code_or_slug)).order_by())
    plan = next((p for p in found if p.code == code_or_slug), found[0] if found else None)
    if plan is None:
        known = ", ".join(plan_list().values_list("code", flat=True)) or "chưa có / none"
        raise NotFound(
            f"Không có kế hoạch '{code_or_slug}' (đã nạp: {known}); nạp bằng 'hatangso plan load TỆP'",
            f"No plan '{code_or_slug}' (loaded: {known}); load one with 'hatangso plan load FILE'",
        )
    return plan


def plans_for(user) -> QuerySet[Plan]:
    """The plans a user may open (the plan switcher's list): see AccessScope.filter_plans."""
    return scope_for(user).filter_plans(plan_list())


def visible_plan(user, slug: str) -> Plan:
    """The plan `slug` if the user may open it; NotFound otherwise (the page answers 404)."""
    plan = plans_for(user).filter(slug=slug).first()
    if plan is None:
        raise NotFound(f"Không có kế hoạch '{slug}'", f"No plan '{slug}'")
    return plan


def published_plans() -> QuerySet[Plan]:
    """The plans with a published scorecard in force (the public page's list); anyone may read it.
    Read through the publications' reverse relation: plans sit below analytics."""
    return (
        Plan.objects.filter(
            pk__in=Plan.objects.filter(
                publications__pk__isnull=False, publications__withdrawn_at__isnull=True
            ).values("pk")
        )
        .select_related("area_unit")
        .order_by("-year", "code")
    )


def readable_plans(user) -> QuerySet[Plan]:
    """The plans an API caller may read: the plans it may open, or for the public (user None) the
    plans with a published scorecard in force, which is all the public reads of plans."""
    if user is None:
        return published_plans()
    return plans_for(user)


def readable_plan(user, code_or_slug: str) -> Plan:
    """`get_plan` within `readable_plans`: a plan the caller may not read does not exist for it,
    and the error names no other plan."""
    plan = readable_plans(user).filter(Q(slug=code_or_slug) | Q(code=code_or_slug)).first()
    if plan is None:
        raise NotFound(f"Không có kế hoạch '{code_or_slug}'", f"No plan '{code_or_slug}'")
    return plan


def plans_covering(user, unit, period) -> QuerySet[Plan]:
    """The plans the user may open that need `unit`'s figures for `period`: their area is the unit
    or contains it, and their years include the period's (a commune's entry serves all of them)."""
    ancestors = [int(pk) for pk in unit.path.strip("/").split("/") if pk]
    year = period.start.year
    return (
        plans_for(user)
        .filter(area_unit_id__in=ancestors, year__lte=year)
        .alias(last_year=Coalesce("end_year", "year"))
        .filter(last_year__gte=year)
    )


def landing_plan(user) -> Plan | None:
    """The plan a user lands on: of the plans covering a membership's area the most specific one,
    then the most recent; failing that (a province's department over commune plans) the widest of
    the plans within its area. None when the user may open no plan."""
    areas = [m.unit.path for m in scope_for(user).memberships if m.unit_id]

    def rank(plan: Plan) -> tuple:
        depth = plan.area_unit.path.count("/")
        covering = any(path.startswith(plan.area_unit.path) for path in areas)
        return (covering, depth if covering else -depth, plan.year, plan.issued_on)

    return max(plans_for(user), key=rank, default=None)


def command_plan(code_or_slug: str | None) -> Plan:
    """The plan a command works on: the one named by `--plan`, which may be left out only while a
    single plan is loaded."""
    if code_or_slug:
        return get_plan(code_or_slug)
    codes = list(plan_list().values_list("code", flat=True))
    if not codes:
        raise UserError(
            "Chưa có kế hoạch nào; nạp bằng 'hatangso plan load TỆP' hoặc chạy 'hatangso demo'",
            "No plan is loaded; load one with 'hatangso plan load FILE' or run 'hatangso demo'",
        )
    if len(codes) > 1:
        known = ", ".join(codes)
        raise UserError(
            f"Có {len(codes)} kế hoạch ({known}); chọn một bằng --plan MÃ",
            f"There are {len(codes)} plans ({known}); choose one with --plan CODE",
        )
    return plan_list().get()


def plan_detail(code_or_slug: str) -> Plan:
    """A plan with what its page shows: indicators, and items with their agencies and indicators."""
    plan = get_plan(code_or_slug)
    return (
        plan_list()
        .prefetch_related(
            "indicators",
            Prefetch(
                "items",
                queryset=PlanItem.objects.select_related("lead", "task").prefetch_related(
                    "coordinating", "indicators"
                ),
            ),
        )
        .get(pk=plan.pk)
    )
