"""The plan owner's review of detected sites (plain server-rendered page)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hatangso.core.changelog import Actor
from hatangso.core.models import Role
from hatangso.core.scoping import scope_for
from hatangso.registry import selectors
from hatangso.registry.sites import confirm_site, split_site
from hatangso.utilities.errors import UserError


@login_required
def site_review(request):
    """Shared or unconfirmed sites, each with its stations: confirm as detected, or split some off."""
    scope = scope_for(request.user)
    if not (scope.is_superuser or Role.PLAN_OWNER in scope.roles()):
        raise Http404(_("Trang dành cho cơ quan chủ trì kế hoạch"))
    actor = Actor(user=request.user, origin=f"web: {request.path}"[:200])
    if request.method == "POST":
        site = selectors.get_site(request.user, request.POST.get("site", ""))
        try:
            if request.POST.get("action") == "confirm":
                confirm_site(site=site, actor=actor, user=request.user)
                messages.success(request, _("Đã xác nhận vị trí %(code)s.") % {"code": site.code})
            else:
                chosen = {int(pk) for pk in request.POST.getlist("station") if pk.isdigit()}
                stations = [s for s in site.visible_stations if s.pk in chosen]
                new_site = split_site(
                    site=site,
                    stations=stations,
                    actor=actor,
                    user=request.user,
                    reason=request.POST.get("reason", ""),
                )
                messages.success(
                    request,
                    _("Đã tách %(n)d trạm sang vị trí mới %(code)s.")
                    % {"n": len(stations), "code": new_site.code},
                )
        except UserError as exc:
            messages.error(request, exc.vi)
        return redirect(request.get_full_path())
    show = request.GET.get("show", "shared")
    sites = selectors.site_list(request.user, shared=True if show == "shared" else None)
    if show == "unconfirmed":
        sites = selectors.site_list(request.user, confirmed=False)
    page = Paginator(sites, 50).get_page(request.GET.get("page"))
    return render(request, "registry/site_review.html", {"page": page, "show": show})
