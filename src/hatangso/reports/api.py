"""Report downloads: `GET /api/v1/plans/{slug}/report.{docx,pdf,xlsx}?period=&unit=`."""

import tempfile
from pathlib import Path

from django.http import HttpResponse
from ninja import Router

from hatangso.api.auth import API_AUTH
from hatangso.api.schemas import Error, Period
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.selectors import get_plan
from hatangso.reports.access import may_download_report
from hatangso.reports.services import FORMATS, build_report
from hatangso.utilities.errors import NotFound
from hatangso.utilities.periods import parse_period

router = Router(tags=["reports"], auth=API_AUTH)
CONTENT_TYPES = {
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


@router.get(
    "/{slug}/report.{fmt}",
    response={400: Error, 401: Error, 404: Error, 422: Error},
    openapi_extra={
        "responses": {
            200: {
                "description": "The report file",
                "content": {
                    t: {"schema": {"type": "string", "format": "binary"}} for t in CONTENT_TYPES.values()
                },
            }
        }
    },
)
def report(request, slug: str, fmt: str, period: Period | None = None, unit: str | None = None):
    """The results report of the plan's area (or one of its units). For the plan owner, agencies
    and leaders of the area: the workbook carries every operator's raw figures."""
    plan = get_plan(slug)
    parsed = parse_period(period or plan.period)
    target = resolve_unit(unit, start=parsed.start, end=parsed.end) if unit else plan.area_unit
    if fmt not in FORMATS or not may_download_report(request.user, target):
        raise NotFound("Không có báo cáo này", "No such report")
    name = f"bao-cao-{plan.slug}-{parsed.code}-{target.code}.{fmt}"
    with tempfile.TemporaryDirectory(prefix="hatangso-report-") as folder:
        data = build_report(
            plan=plan, period=parsed, unit=target, fmt=fmt, out=Path(folder) / name
        ).read_bytes()
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
