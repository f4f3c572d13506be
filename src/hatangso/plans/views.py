"""The plan owner's plan-document pages: upload a Kế hoạch, review the draft read from it side by side
with its text, download the corrected plan file, load it; and the page of a loaded plan."""

import re

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from hatangso.core.changelog import Actor
from hatangso.core.models import Role
from hatangso.core.scoping import may_manage_plan, scope_for
from hatangso.plans import drafting, selectors, services
from hatangso.plans.forms import NEW, ReviewForms, UploadForm
from hatangso.plans.planfile import Problem, plan_file_problems
from hatangso.utilities.errors import NotFound, UserError

QUOTED = re.compile(r"'([^']{8,})'")
LOW_MATCH = 0.75


def _require_plan_owner(request) -> None:
    scope = scope_for(request.user)
    if not (scope.is_superuser or Role.PLAN_OWNER in scope.roles()):
        raise Http404(_("Trang dành cho cơ quan chủ trì kế hoạch"))


def _draft(request, token: str) -> drafting.StoredDraft:
    _require_plan_owner(request)
    try:
        return drafting.get_draft(token, request.user)
    except NotFound as exc:
        raise Http404(exc.vi) from exc


@login_required
def plan_upload(request):
    _require_plan_owner(request)
    form = UploadForm(request.POST or None, request.FILES or None)
    error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["document"]
        # Read one byte more than allowed, so an oversized file is refused without reading it all.
        data = upload.read(drafting.MAX_UPLOAD_BYTES + 1)
        try:
            stored = drafting.start_draft(name=upload.name, data=data, user=request.user)
        except UserError as exc:
            error = exc
        else:
            return redirect("plan-draft", token=stored.token)
    return render(request, "plans/upload.html", {"form": form, "error": error})


def _review_list(stored: drafting.StoredDraft) -> list[tuple[str, int | None]]:
    """The parser's review list, each entry with the source line it is about (when it quotes one)."""
    rows = []
    for note in drafting.open_review(stored.review, stored.plan_file, stored.unmatched):
        quoted = QUOTED.search(note)
        rows.append((note, stored.locate(quoted.group(1)) if quoted else None))
    return rows


def _render_review(request, stored, forms: ReviewForms):
    def line(form, name="text"):
        value = form.initial.get(name) if not form.is_bound else form.data.get(form.add_prefix(name))
        return stored.locate(value or "")

    indicator_rows = []
    for form in forms.indicators.forms:
        unmatched = not (form.initial.get("code") or "")
        named = (form.data.get(form.add_prefix("code")) if form.is_bound else form.initial.get("code")) == NEW
        new_open = unmatched or named or any(form[n].errors for n in ("new_code", "name", "reporter"))
        indicator_rows.append((form, line(form), form.initial.get("score"), unmatched, new_open))
    item_rows = [(form, line(form)) for form in forms.items.forms]
    context = {
        "draft": stored,
        "lines": list(enumerate(stored.source_lines, start=1)),
        "review": _review_list(stored),
        "forms": forms,
        "indicator_rows": indicator_rows,
        "item_rows": item_rows,
        "low_match": LOW_MATCH,
        "unmatched_count": sum(1 for row in indicator_rows if row[3]),
        "area": drafting.area_label(stored.plan_file),
    }
    return render(request, "plans/review.html", context)


@login_required
def plan_draft(request, token: str):
    stored = _draft(request, token)
    catalog = drafting.catalog()
    if request.method != "POST":
        return _render_review(request, stored, ReviewForms(stored, catalog))
    forms = ReviewForms(stored, catalog, data=request.POST)
    if not forms.is_valid():
        forms.problems.append(_("Có lỗi trong biểu mẫu, xem các ô tô đỏ / the form has errors, see below"))
        return _render_review(request, stored, forms)
    plan_file, unmatched = forms.build()
    problems = plan_file_problems(plan_file)[1]
    try:
        services.plan_area(area_unit=plan_file["plan"]["area_unit"], period=plan_file["plan"]["period"])
    except UserError as exc:
        problems.append(Problem("plan.area_unit", exc.vi, exc.en))
    if problems:
        forms.add_problems(problems, plan_file)
        return _render_review(request, stored, forms)
    stored.plan_file, stored.unmatched = plan_file, unmatched
    drafting.save_draft(stored)
    if request.POST.get("action") != "load":
        messages.success(request, _("Đã lưu bản nháp / draft saved"))
        return redirect("plan-draft", token=token)
    try:
        summary = services.load_plan_data(
            data=plan_file,
            source_name=stored.file_name,
            actor=Actor.from_request(request),
            user=request.user,
        )
    except UserError as exc:
        forms.problems.append(f"{_('Chưa nạp kế hoạch')}: {exc}")
        return _render_review(request, stored, forms)
    verb = _("Đã nạp kế hoạch") if summary.created else _("Đã cập nhật kế hoạch")
    messages.success(
        request,
        f"{verb} {summary.plan.code}: {summary.indicators} {_('chỉ tiêu')}, {summary.items} {_('nội dung')}",
    )
    return redirect("plan-detail", slug=summary.plan.slug)


@login_required
def plan_draft_yaml(request, token: str):
    stored = _draft(request, token)
    review = drafting.open_review(stored.review, stored.plan_file, stored.unmatched)
    text = drafting.draft_yaml(stored.plan_file, review, stored.file_name)
    response = HttpResponse(text.encode("utf-8"), content_type="application/x-yaml; charset=utf-8")
    code = services.plan_slug(str(stored.plan_file["plan"].get("code") or "")) or "ke-hoach"
    response["Content-Disposition"] = f'attachment; filename="ban-nhap-{code}.yaml"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def plan_detail(request, slug: str):
    """The plan as structured text, for every account that may open the plan (its area covers or
    lies within the account's): every agency, commune and operator works from it (its items link
    to their tasks)."""
    try:
        plan = selectors.plan_detail(selectors.visible_plan(request.user, slug).slug)
    except NotFound as exc:
        raise Http404(exc.vi) from exc
    context = {"plan": plan, "manages": may_manage_plan(request.user, plan)}
    return render(request, "plans/plan_detail.html", context)
