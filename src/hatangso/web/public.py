"""The public pages (no login; IV.1 tuyên truyền): the list of plans with published results
(`/cong-khai/`), and per plan (`/cong-khai/<slug>/`) the scorecard the plan owner published and a
map of the communes coloured from that snapshot only — never live data — with the incident report
form one click away. And the plan owner's publishing page (`/ke-hoach/<slug>/cong-bo/`)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from hatangso.analytics.publishing import (
    newer_data,
    publish_scorecard,
    publishable_periods,
    withdraw_publication,
)
from hatangso.analytics.selectors import live_publication, publication_history
from hatangso.analytics.status import Status
from hatangso.core.changelog import Actor
from hatangso.core.scoping import may_manage_plan
from hatangso.plans.selectors import get_plan, published_plans
from hatangso.utilities.errors import NotFound, UserError
from hatangso.web import layers
from hatangso.web.maps import legend_statuses
from hatangso.web.planning import plan_or_404, to_the_plan


def published_indicator(publication, code: str | None) -> dict:
    """The published row of `code` (default: the first), or NotFound."""
    rows = publication.snapshot["scorecard"]["indicators"]
    row = rows[0] if not code else next((r for r in rows if r["code"] == code), None)
    if row is None:
        raise NotFound(
            f"Kết quả công bố không có chỉ tiêu '{code}'",
            f"The published scorecard has no indicator '{code}'",
        )
    return row


def published_values(publication, code: str) -> dict[str, dict]:
    return {
        unit: {
            "name": entry["name"],
            **entry["indicators"].get(code, {"value": None, "status": Status.NO_DATA}),
        }
        for unit, entry in publication.snapshot["communes"].items()
    }


def public_list(request, to: str = "public-plan"):
    """The plans with published results; straight to the plan's page when only one has any (so
    the former address `/cong-khai/` keeps showing it)."""
    plans = list(published_plans())
    if len(plans) == 1:
        return to_the_plan(request, plans, to, {})
    return render(request, "web/public_list.html", {"plans": plans})


def _public_plan(slug: str):
    """Any plan by its slug: an issued plan is a public document, even before results are out."""
    try:
        return get_plan(slug)
    except NotFound as exc:
        raise Http404(exc.vi) from exc


def public_page(request, slug: str):
    plan = _public_plan(slug)
    publication = live_publication(plan=plan)
    context = {"plan": plan, "publication": publication, "statuses": legend_statuses()}
    if publication is None:
        return render(request, "web/public.html", context)
    status = 200
    card = publication.snapshot["scorecard"]
    try:
        row = published_indicator(publication, request.GET.get("indicator"))
    except UserError as exc:
        context["error"] = exc.vi
        status = 404
        row = published_indicator(publication, None)
    values = published_values(publication, row["code"])
    context.update(
        card=card,
        computed_at=parse_datetime(card["computed_at"]),
        # The owner is told when data changed after publication (the public sees the snapshot).
        outdated=may_manage_plan(request.user, plan) and newer_data(publication),
        rows=[{**r, "status_label": Status(r["status"]).label} for r in card["indicators"]],
        chosen=row,
        communes=[
            {"code": code, **entry, "status_label": Status(entry["status"]).label}
            for code, entry in values.items()
        ],
    )
    return render(request, "web/public.html", context, status=status)


def public_communes_geojson(request, slug: str):
    """The communes coloured by an indicator of the published scorecard (nothing else)."""
    publication = live_publication(plan=_public_plan(slug))
    if publication is None:
        error = NotFound("Chưa có kết quả nào được công bố", "Nothing is published yet")
        return JsonResponse({"detail": error.vi, "detail_en": error.en}, status=404)
    try:
        row = published_indicator(publication, request.GET.get("indicator"))
    except UserError as exc:
        return JsonResponse({"detail": exc.vi, "detail_en": exc.en}, status=exc.status)
    values = published_values(publication, row["code"])
    document = layers.commune_layer(publication.plan, publication.period, values)
    document["properties"] = {"indicator": row["code"], "name": row["name"], "target": row["target"],
                              "comparison": row["comparison"], "unit": row["unit"],
                              "period": publication.period,
                              "published_at": publication.published_at.isoformat()}  # fmt: skip
    return JsonResponse(document)


@login_required
def publish_page(request, slug: str):
    """The plan owner publishes a period's current scorecard, or withdraws it; the page says which
    publications are out of date (data changed after they were published)."""
    plan = plan_or_404(request, slug)
    if not may_manage_plan(request.user, plan):
        raise Http404(_("Trang dành cho cơ quan chủ trì kế hoạch"))
    if request.method == "POST":
        actor = Actor.from_request(request)
        period = request.POST.get("period", "")
        try:
            if request.POST.get("action") == "withdraw":
                withdraw_publication(plan=plan, period=period, actor=actor)
                messages.success(request, _("Đã rút công bố kết quả kỳ %(period)s.") % {"period": period})
            else:
                publication = publish_scorecard(plan=plan, period=period, actor=actor)
                messages.success(
                    request, _("Đã công bố kết quả kỳ %(period)s.") % {"period": publication.period}
                )
        except UserError as exc:
            messages.error(request, exc.vi)
        return redirect("publish", slug=plan.slug)
    history = list(publication_history(plan=plan))
    return render(
        request,
        "web/publish.html",
        {
            "plan": plan,
            "periods": publishable_periods(plan),
            "live": [(p, newer_data(p)) for p in history if p.withdrawn_at is None],
            "history": history,
        },
    )
