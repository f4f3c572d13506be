"""Data-entry pages for commune and enterprise users (plain server-rendered forms)."""

from datetime import date
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from hatangso.collection import checks, entry, selectors, services, workflow
from hatangso.collection.forms import CustomFieldForm
from hatangso.collection.models import FormElement, ReportForm, Submission
from hatangso.core.changelog import Actor
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import may_manage_plan
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected, saved_upload
from hatangso.utilities.periods import Period, parse_period, period_codes
from hatangso.utilities.webforms import MAX_ID
from hatangso.web.planning import plan_or_404

VALUE_SUFFIXES = {".xlsx", ".csv", ".json"}


def _actor(request) -> Actor:
    return Actor(user=request.user, origin=f"web: {request.path}"[:200])


def _form_and_period(form_id: int, period: str) -> tuple[ReportForm, Period]:
    """The form and period of an entry URL; a period that is not a DHIS2 code, or an id too large
    for the database, names no page (404 with the sentence)."""
    if form_id > MAX_ID:
        raise Http404(_("Không có biểu này"))
    try:
        parsed = parse_period(period)
    except UserError as exc:
        raise Http404(exc.vi) from exc
    return get_object_or_404(ReportForm, pk=form_id), parsed


def _reporter(request, form: ReportForm, period: Period) -> entry.Reporter:
    reporters = entry.reporters_for(request.user, form, period)
    index = request.GET.get("r", "0")
    if not reporters or not index.isdigit() or int(index) >= len(reporters):
        raise Http404(_("Bạn không báo cáo biểu này"))
    return reporters[int(index)]


@login_required
def entry_list(request):
    """The user's entries: for each reporter and kind of period, each period that has begun, with
    the forms of every plan covering the reporter's area and each plan's report status."""
    cards = entry.entry_cards(request.user, date.today())
    return render(request, "collection/entry_list.html", {"cards": cards})


@login_required
def entry_form(request, form_id: int, period: str):
    """The reporter's entry for the period, opened from one of its forms: each figure that any plan
    covering the reporter needs, once (entry.open_entry)."""
    form, parsed = _form_and_period(form_id, period)
    reporter = _reporter(request, form, parsed)
    current = entry.open_entry(request.user, form, reporter, parsed)
    upload_errors = []
    if request.method == "POST" and "file" in request.FILES:
        upload_errors = _import_upload(request)
        if not upload_errors:
            return redirect(request.get_full_path())
    elif request.method == "POST" and not current.locked:
        saved, ok = entry.save_entries(
            user=request.user,
            actor=_actor(request),
            rows=current.rows,
            posted=request.POST,
            reporter=reporter,
            period=parsed,
        )
        if not ok:
            messages.error(request, _("Có ô chưa hợp lệ; chưa lưu gì. Sửa các ô được đánh dấu rồi lưu lại."))
        else:
            if request.POST.get("action") == "submit":
                try:
                    sent = entry.submit_entry(entry=current, user=request.user, actor=_actor(request))
                    if len(current.reports) == 1:
                        messages.success(request, _("Đã lưu %(n)d giá trị và gửi báo cáo.") % {"n": saved})
                    else:
                        plans = ", ".join(report.form.plan.code for report in sent)
                        messages.success(
                            request,
                            _("Đã lưu %(n)d giá trị và gửi %(m)d báo cáo (kế hoạch %(plans)s).")
                            % {"n": saved, "m": len(sent), "plans": plans},
                        )
                except UserError as exc:
                    messages.error(request, exc.vi)
            else:
                messages.success(request, _("Đã lưu %(n)d giá trị (bản nháp).") % {"n": saved})
            return redirect(request.get_full_path())
    context = {
        "form": form,
        "entry": current,
        "period": parsed,
        "reporter": reporter,
        "rows": current.rows,
        "locked": current.locked,
        "violations": current.rule_violations(request.user),
        "outliers": checks.outliers(reporter.unit, parsed, reporter.operator, user=request.user),
        "upload_errors": upload_errors,
        "imports": [
            batch
            for report in current.reports
            if report.submission
            for batch in selectors.import_list(request.user, report.submission)
        ],
    }
    return render(request, "collection/entry_form.html", context)


def _import_upload(request) -> list:
    """Import a filled template within the user's scope; the row errors, or [] when it landed."""
    upload = request.FILES["file"]
    try:
        with saved_upload(upload, VALUE_SUFFIXES) as path:
            summary = services.import_values(path=path, actor=_actor(request), user=request.user)
    except ImportRejected as exc:
        messages.error(request, exc.vi)
        return exc.errors
    except UserError as exc:
        messages.error(request, exc.vi)
        return [None]
    counts = {"created": summary.created, "updated": summary.updated, "unchanged": summary.unchanged}
    messages.success(
        request,
        _("Đã nhập tệp %(name)s: %(created)d giá trị mới, %(updated)d sửa, %(unchanged)d không đổi.")
        % {"name": Path(upload.name).name, **counts},
    )
    return []


@login_required
def import_list(request):
    """The imported files the user may see (the selector's scope), with a rejected file's row errors;
    a rejected file wrote nothing."""
    page = Paginator(selectors.import_list(request.user).prefetch_related("submissions"), 50).get_page(
        request.GET.get("page")
    )
    return render(request, "collection/import_list.html", {"page": page})


@login_required
def import_file(request, batch_id: int):
    """An imported file as it was uploaded, for those who may see a report it belongs to."""
    batch = selectors.get_import(request.user, batch_id)
    path = Path(batch.stored_path)
    if not path.is_file():
        raise Http404(_("Tệp gốc không còn trên máy chủ"))
    return FileResponse(path.open("rb"), as_attachment=True, filename=batch.file_name)


@login_required
def entry_template(request, form_id: int, period: str):
    """The same form as an Excel file, to fill offline and upload or import."""
    from hatangso.collection.workbooks import write_template  # imports openpyxl

    form, parsed = _form_and_period(form_id, period)
    reporter = _reporter(request, form, parsed)
    folder = settings.HOME / "templates-out"
    who = reporter.operator.code if reporter.operator else reporter.unit.code
    path = folder / f"{form.code}-{parsed.code}-{who}.xlsx"
    write_template(form=form, unit=reporter.unit, period=parsed.code, path=path, operator=reporter.operator)
    return FileResponse(path.open("rb"), as_attachment=True, filename=path.name)


def _plan_owner_scope(request, plan):
    """The plan owner of *this* plan's area (a plan owner elsewhere sees nothing of it)."""
    if not may_manage_plan(request.user, plan):
        raise Http404(_("Trang dành cho cơ quan chủ trì kế hoạch"))


@login_required
def review_list(request, slug: str):
    """For the plan owner: who has reported each form and period, and what waits for approval."""
    plan = plan_or_404(request, slug)
    _plan_owner_scope(request, plan)
    today = date.today()
    summaries = []
    for form in plan.forms.all():
        for code in period_codes(form.period_type, plan.year):
            period = parse_period(code)
            if period.start <= today:
                summaries.append(workflow.completeness(form=form, period=code))
    waiting = selectors.submission_list(request.user).filter(
        form__plan=plan, status=Submission.Status.SUBMITTED
    )
    return render(
        request, "collection/review_list.html", {"plan": plan, "summaries": summaries, "waiting": waiting}
    )


@login_required
def review_submission(request, submission_id: int):
    submission = selectors.get_submission(request.user, submission_id)
    _plan_owner_scope(request, submission.form.plan)
    period = parse_period(submission.period)
    if request.method == "POST":
        action = request.POST.get("action")
        comment = request.POST.get("comment", "")
        if action not in workflow.DECISIONS:
            raise Http404()
        try:
            workflow.perform(
                action, submission=submission, comment=comment, user=request.user, actor=_actor(request)
            )
            messages.success(request, _("Đã cập nhật trạng thái báo cáo."))
        except UserError as exc:
            messages.error(request, exc.vi)
        return redirect("review-submission", submission_id=submission.pk)
    reporter = entry.Reporter(
        unit=submission.unit,
        operator=submission.operator,
        label=str(submission.operator or submission.unit.name),
    )
    context = {
        "submission": submission,
        "period": period,
        "rows": entry.entry_rows(submission.form, reporter, period),
        "violations": checks.rule_violations(
            submission.form.plan, submission.unit, period, submission.operator, user=request.user
        ),
        "outliers": checks.outliers(submission.unit, period, submission.operator, user=request.user),
        "imports": selectors.import_list(request.user, submission),
        "history": ChangeLogEntry.objects.filter(
            object_type="collection.submission", object_id=str(submission.pk)
        ).order_by("time"),
    }
    return render(request, "collection/review_submission.html", context)


@login_required
def form_fields(request, form_id: int):
    """For the plan owner: a form's fields in order, with custom fields to add or remove."""
    form = get_object_or_404(ReportForm.objects.select_related("plan"), pk=form_id)
    _plan_owner_scope(request, form.plan)
    field_form = CustomFieldForm()
    if request.method == "POST" and request.POST.get("remove"):
        field = get_object_or_404(FormElement, pk=request.POST["remove"], form=form)
        try:
            services.remove_form_field(field=field, user=request.user, actor=_actor(request))
            messages.success(request, _("Đã bỏ trường %(code)s.") % {"code": field.element.code})
        except UserError as exc:
            messages.error(request, exc.vi)
        return redirect("form-fields", form_id=form.pk)
    if request.method == "POST":
        field_form = CustomFieldForm(request.POST)
        if field_form.is_valid():
            try:
                field = services.add_form_field(
                    form=form, user=request.user, actor=_actor(request), **field_form.cleaned_data
                )
                messages.success(
                    request, _("Đã thêm trường %(code)s vào biểu.") % {"code": field.element.code}
                )
                return redirect("form-fields", form_id=form.pk)
            except UserError as exc:
                field_form.add_error("code", exc.vi)
    context = {
        "form": form,
        "fields": form.fields.select_related("element").order_by("order", "pk"),
        "field_form": field_form,
    }
    return render(request, "collection/form_fields.html", context)
