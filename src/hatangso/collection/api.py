from datetime import datetime

from ninja import Router, Schema
from ninja.pagination import LimitOffsetPagination, paginate

from hatangso.api.auth import API_AUTH
from hatangso.collection import selectors

router = Router(tags=["values"], auth=API_AUTH)


class ValueOut(Schema):
    id: int
    data_element: str
    unit: str
    unit_name: str
    period: str
    operator: str | None
    value: str
    comment: str
    synthetic: bool
    updated_at: datetime
    updated_by: str

    @staticmethod
    def resolve_data_element(obj):
        return obj.data_element.code

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_value(obj):
        """Exact decimal as text, without the storage's trailing zeros ("10000", "97.5")."""
        text = f"{obj.value:f}"
        return text.rstrip("0").rstrip(".") if "." in text else text

    @staticmethod
    def resolve_operator(obj):
        return obj.operator.code if obj.operator_id else None


@router.get("/", response=list[ValueOut])
@paginate(LimitOffsetPagination)
def list_values(
    request,
    element: str | None = None,
    unit: str | None = None,
    period: str | None = None,
    operator: str | None = None,
):
    """Reported values the caller may see (its commune, its operator, or its area)."""
    return selectors.value_list(request.user, element=element, unit=unit, period=period, operator=operator)


@router.get("/{value_id}", response=ValueOut)
def get_value(request, value_id: int):
    return selectors.get_value(request.user, value_id)
