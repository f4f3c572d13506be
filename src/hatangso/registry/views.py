"""Registry pages: the index, a list per kind with filters (the kind's FilterSet), CSV export and
detail pages, all through the user's scope; the plan owner's review of detected sites."""

import csv

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hatangso.core.changelog import Actor
from hatangso.core.models import Role
from hatangso.core.scoping import scope_for
from hatangso.registry import selectors
from hatangso.registry.filtersets import KINDS, filter_errors, filter_items
from hatangso.registry.sites import confirm_site, split_site
from hatangso.utilities.errors import UserError
from hatangso.utilities.spreadsheets import csv_cell

PAGE_SIZE = 50
SYNTHETIC_NOTE = "dữ liệu mẫu / synthetic demo data"


@login_required
def site_review(request):
    """Shared or unconfirmed sites, each with its stations: confirm as detected, or split some off."""
    scope = scope_for(request.user)
    if not (scope.is_superuser or Role.PLAN_OWNER in scope.roles()):
        raise Http404(_("Trang dành cho cơ quan chủ trì kế hoạch"))
    actor = Actor.from_request(request)
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


def _kind(slug: str):
    kind = KINDS.get(slug)
    if kind is None:
        raise Http404(_("Không có loại hạ tầng này"))
    return kind


def _counts(kind, items) -> dict:
    counts = {"total": items.count()}
    if kind.shared_field:
        counts["shared"] = items.filter(**{f"{kind.shared_field}__gte": 2}).count()
    return counts


@login_required
def registry_index(request):
    """The kinds of infrastructure with the number of items the user may see (and how many are
    shared, counted today)."""
    rows = []
    for kind in KINDS.values():
        rows.append({"kind": kind, **_counts(kind, kind.queryset(request.user))})
    return render(request, "registry/index.html", {"rows": rows, "today": timezone.localdate()})


def _operator_of(item):
    operator = getattr(item, "operator", None)
    if operator is None:
        operator = getattr(item, "owner", None)
    return operator


def _csv_rows(kind, items):
    header = [
        "ma", "ten", "doanh_nghiep", "ma_don_vi", "ten_don_vi", "cach_xac_dinh_don_vi", "trang_thai",
        "ngay_hoat_dong", "ngay_ngung", "vi_do", "kinh_do",
    ]  # fmt: skip
    if kind.shared_field:
        header.append("so_doanh_nghiep")
    header.append("du_lieu_mau")
    yield header
    for item in items:
        operator = _operator_of(item)
        name = getattr(item, "name", "") or getattr(item, "office", "") or getattr(item, "owner_name", "")
        row = [
            item.code, name, operator.code if operator else "", item.unit.code if item.unit_id else "",
            item.unit.name if item.unit_id else "", item.unit_source, item.status,
            item.in_service_from or "", item.in_service_to or "",
            "" if item.lat is None else f"{item.lat:.6f}", "" if item.lon is None else f"{item.lon:.6f}",
        ]  # fmt: skip
        if kind.shared_field:
            row.append(getattr(item, kind.shared_field))
        row.append(SYNTHETIC_NOTE if item.synthetic else "")
        yield [csv_cell(cell) for cell in row]


def _csv_response(kind, items) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ha-tang-{kind.api}.csv"'
    response.write("\ufeff")  # Excel reads UTF-8 Vietnamese only with the byte-order mark
    writer = csv.writer(response)
    for row in _csv_rows(kind, items):
        writer.writerow(row)
    return response


@login_required
def registry_list(request, kind: str):
    """One kind's items, filtered (GET form, works without JavaScript), sorted, paginated; with
    `format=csv` the whole filtered list as CSV."""
    kind = _kind(kind)
    filterset = filter_items(kind, request, request.GET)
    valid = filterset.is_valid()
    items = filterset.qs if valid else kind.queryset(request.user).none()
    if valid and request.GET.get("format") == "csv":
        return _csv_response(kind, items)
    if not valid:
        messages.error(request, filter_errors(filterset)[0])
    page = Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))
    keep = request.GET.copy()
    keep.pop("page", None)
    keep.pop("format", None)
    sort_keep = keep.copy()
    sort_keep.pop("sort", None)
    context = {
        "kind": kind,
        "filter": filterset,
        "page": page,
        "counts": _counts(kind, items),
        "query": keep.urlencode(),
        "sort_query": sort_keep.urlencode(),
        "sort": request.GET.get("sort", ""),
        "synthetic": items.filter(synthetic=True).exists(),
    }
    return render(request, "registry/list.html", context, status=200 if valid else 400)


def _history(entries) -> list[dict]:
    rows = []
    for entry in entries:
        changed = []
        if entry.before and entry.after:
            for key, new in entry.after.items():
                old = entry.before.get(key)
                if old != new and key not in {"updated_at", "import_batch_id"}:
                    changed.append(f"{key}: {old} → {new}")
        rows.append({"entry": entry, "changed": changed[:10]})
    return rows


@login_required
def station_detail(request, operator: str, code: str):
    station = selectors.get_station(request.user, operator, code)
    context = {
        "kind": KINDS["tram"],
        "item": station,
        "operator": station.operator,
        "history": _history(selectors.item_history(request.user, station)),
    }
    return render(request, "registry/detail.html", context)


@login_required
def registry_detail(request, kind: str, code: str):
    """One item: where it is and how its commune was found, status and dates, owner and tenants (as
    far as the user may see them), a site's stations, its change-log history."""
    kind = _kind(kind)
    user = request.user
    context = {"kind": kind}
    related = []
    if kind.slug == "tram":
        raise Http404(_("Không có hạng mục này"))
    if kind.slug == "vi-tri-tram":
        item = selectors.get_site(user, code)
        context["stations"] = item.visible_stations
    elif kind.slug in {"cot", "cong-be"}:
        item = (selectors.get_pole if kind.slug == "cot" else selectors.get_duct)(user, code)
        related = selectors.visible_tenancies(user, item)
        context["tenancies"] = related
        context["operator"] = item.owner
    elif kind.slug == "cap-quang":
        item = selectors.get_fibre(user, code)
        context["operator"] = item.operator
    elif kind.slug == "truyen-so-lieu":
        item = selectors.get_gov_link(user, code)
        context["operator"] = item.operator
    else:
        item = selectors.get_zone(user, code)
        context["coverage"] = selectors.visible_coverage(user, item)
    context["item"] = item
    context["history"] = _history(selectors.item_history(user, item, related=related))
    return render(request, "registry/detail.html", context)
