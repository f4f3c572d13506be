"""Read-only API of administrative units (GSO codes, with validity)."""

from datetime import date

from ninja import Router, Schema
from ninja.pagination import paginate

from hatangso.api.auth import API_AUTH
from hatangso.api.pagination import Pagination
from hatangso.api.schemas import Day, responses
from hatangso.geography.selectors import unit_list

router = Router(tags=["units"], auth=API_AUTH)


class UnitOut(Schema):
    code: str
    name: str
    level: str
    type_name: str
    parent: str | None
    valid_from: date | None
    valid_to: date | None
    synthetic: bool

    @staticmethod
    def resolve_parent(obj):
        return obj.parent.code if obj.parent_id else None


@router.get("/", response=responses(list[UnitOut]))
@paginate(Pagination)
def list_units(
    request,
    code: str | None = None,
    parent: str | None = None,
    level: str | None = None,
    on: Day | None = None,
):
    """Units, filtered by code, parent code, level (province, district, commune, village) and the
    day they were in force (`on=2024-06-01`): a code alone may name a unit before and after 2025."""
    return unit_list(code=code, parent=parent, level=level, on=on)
