"""Reads of plans."""

from django.db.models import Prefetch, QuerySet

from hatangso.plans.models import Plan, PlanItem
from hatangso.utilities.errors import NotFound, UserError


def plan_list() -> QuerySet[Plan]:
    return Plan.objects.select_related("area_unit").order_by("-year", "code")


def get_plan(code_or_slug: str) -> Plan:
    plan = plan_list().filter(code=code_or_slug).first() or plan_list().filter(slug=code_or_slug).first()
    if plan is None:
        known = ", ".join(plan_list().values_list("code", flat=True)) or "chưa có / none"
        raise NotFound(
            f"Không có kế hoạch '{code_or_slug}' (đã nạp: {known}); nạp bằng 'hatangso plan load TỆP'",
            f"No plan '{code_or_slug}' (loaded: {known}); load one with 'hatangso plan load FILE'",
        )
    return plan


def default_plan() -> Plan:
    plan = plan_list().first()
    if plan is None:
        raise UserError(
            "Chưa có kế hoạch nào; nạp bằng 'hatangso plan load TỆP' hoặc chạy 'hatangso demo'",
            "No plan is loaded; load one with 'hatangso plan load FILE' or run 'hatangso demo'",
        )
    return plan


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
