"""The plan owner's report page: write the sections only people can write, download the report."""

import tempfile
from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hatangso.core.changelog import Actor
from hatangso.core.scoping import may_manage_plan
from hatangso.reports.api import CONTENT_TYPES
from hatangso.reports.content import deadline_warning
from hatangso.reports.models import ReportText
from hatangso.reports.services import FORMATS, build_report, set_report_text
from hatangso.utilities.errors import UserError
from hatangso.utilities.periods import parse_period
from hatangso.web.planning import plan_or_404


def _plan_for_owner(request, slug: str):
    plan = plan_or_404(request, slug)
    if not may_manage_plan(request.user, plan):
        raise Http404(_("Trang dành cho cơ quan chủ trì kế hoạch"))
    return plan


@login_required
def report_page(request, slug: str):
    plan = _plan_for_owner(request, slug)
    period = parse_period(plan.period)
    if request.method == "POST":
        actor = Actor.from_request(request)
        for section in ReportText.Section.values:
            set_report_text(
                plan=plan, period=period.code, unit=plan.area_unit, section=section,
                text=request.POST.get(section, ""), user=request.user, actor=actor,
            )  # fmt: skip
        messages.success(request, _("Đã lưu nội dung báo cáo."))
        return redirect("report-page", slug=plan.slug)
    saved = dict(
        ReportText.objects.filter(plan=plan, period=period.code, unit=plan.area_unit).values_list(
            "section", "text"
        )
    )
    sections = [(value, label, saved.get(value, "")) for value, label in ReportText.Section.choices]
    return render(
        request,
        "reports/report_page.html",
        {
            "plan": plan,
            "period": period,
            "sections": sections,
            "formats": FORMATS,
            "deadline_warning": deadline_warning(plan, timezone.localdate()),
        },
    )


@login_required
def report_download(request, slug: str, fmt: str):
    plan = _plan_for_owner(request, slug)
    if fmt not in FORMATS:
        raise Http404()
    period = parse_period(plan.period)
    name = f"bao-cao-{plan.slug}-{period.code}.{fmt}"
    try:
        with tempfile.TemporaryDirectory(prefix="hatangso-report-") as folder:
            data = build_report(
                plan=plan, period=period, unit=plan.area_unit, fmt=fmt, out=Path(folder) / name
            ).read_bytes()
    except UserError as exc:
        messages.error(request, exc.vi)
        return redirect("report-page", slug=plan.slug)
    response = HttpResponse(data, content_type=CONTENT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response
