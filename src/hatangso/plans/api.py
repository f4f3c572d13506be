"""Read-only API of plans: the plan, its indicators and targets, its report forms."""

from datetime import date
from decimal import Decimal

from ninja import Router, Schema

from hatangso.analytics.api import PUBLIC, caller
from hatangso.api.auth import API_AUTH
from hatangso.api.schemas import responses
from hatangso.plans.selectors import readable_plan, readable_plans

router = Router(tags=["plans"], auth=API_AUTH)


class PlanOut(Schema):
    code: str
    slug: str
    title: str
    issuer: str
    issued_on: date
    year: int
    period: str
    area_unit: str
    area_name: str
    report_deadline: date | None

    @staticmethod
    def resolve_area_unit(obj):
        return obj.area_unit.code

    @staticmethod
    def resolve_area_name(obj):
        return obj.area_unit.name


class IndicatorOut(Schema):
    code: str
    name: str
    section: str
    text: str
    unit: str
    numerator: str
    denominator: str
    comparison: str
    target: Decimal
    maintain: bool
    condition: str | None
    condition_met: bool | None

    @staticmethod
    def resolve_condition(obj):
        return obj.condition.text if obj.condition_id else None

    @staticmethod
    def resolve_condition_met(obj):
        return obj.condition.met if obj.condition_id else None


class FieldOut(Schema):
    order: int
    code: str
    name: str
    value_type: str
    unit: str
    per_village: bool
    added_on_web: bool

    @staticmethod
    def resolve_code(obj):
        return obj.element.code

    @staticmethod
    def resolve_name(obj):
        return obj.element.name

    @staticmethod
    def resolve_value_type(obj):
        return obj.element.value_type

    @staticmethod
    def resolve_unit(obj):
        return obj.element.unit

    @staticmethod
    def resolve_per_village(obj):
        return obj.element.reporter == "village"


class FormOut(Schema):
    code: str
    name: str
    reporter: str
    period_type: str
    due_days: int
    operators: list[str]
    fields: list[FieldOut]

    @staticmethod
    def resolve_operators(obj):
        return [o.code for o in obj.operators.all()]

    @staticmethod
    def resolve_fields(obj):
        return list(obj.fields.select_related("element").order_by("order", "pk"))


def _reader(request):
    """The caller's account, or None for the public (no token, no session)."""
    return None if request.auth == PUBLIC else request.user


@router.get("/", auth=caller, response=responses(list[PlanOut]))
def list_plans(request):
    """The plans the caller may open (those whose area covers or lies within its role's area);
    without a token or a session, the plans with a published scorecard."""
    return list(readable_plans(_reader(request)))


@router.get("/{slug}", auth=caller, response=responses(PlanOut))
def get_plan_detail(request, slug: str):
    """A plan by its slug (`1529-kh-ubnd`) or its number, among those `GET /plans/` lists."""
    return readable_plan(_reader(request), slug)


@router.get("/{slug}/indicators", response=responses(list[IndicatorOut]))
def list_indicators(request, slug: str):
    """The plan's indicators with their exact targets (DESIGN.md §3)."""
    return list(readable_plan(request.user, slug).indicators.select_related("condition").order_by("order"))


@router.get("/{slug}/forms", response=responses(list[FormOut]))
def list_forms(request, slug: str):
    """The report forms of the plan, each with its fields in order and the operators it expects."""
    return list(readable_plan(request.user, slug).forms.prefetch_related("operators").order_by("order"))
