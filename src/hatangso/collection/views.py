"""Data-entry pages for commune and enterprise users (plain server-rendered forms)."""

from datetime import date
from io import BytesIO
from pathlib import Path
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from hatangso.collection import checks, entry, selectors, services, workflow
from hatangso.collection.forms import CustomFieldForm
from hatangso.collection.models import FormElement, ReportForm, Submission
from hatangso.core.changelog import Actor
from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import may_manage_plan
from hatangso.utilities.errors import UserError
from hatangso.utilities.importing import ImportRejected, saved_upload
from hatangso.utilities.numbers import format_date
from hatangso.utilities.periods import Period, parse_period, period_codes, period_label
from hatangso.utilities.webforms import MAX_ID
from hatangso.web.planning import plan_or_404


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
            actor=Actor.from_request(request),
            rows=current.rows,
            posted=request.POST,
            reporter=reporter,
            period=parsed,
        )
        if not ok:
            messages.error(request, _("Có ô chưa hợp lệ; chưa lưu gì. Sửa các ô được đánh dấu rồi lưu lại."))
        elif request.POST.get("action") == "submit" and request.POST.get("confirmed") != "1":
            if saved:
                messages.success(request, _("Đã lưu %(n)d giá trị (bản nháp).") % {"n": saved})
            return _confirm(request, action="submit", submission_label=_entry_label(form, parsed, reporter),
                            back=request.get_full_path())  # fmt: skip
        else:
            if request.POST.get("action") == "submit":
                try:
                    actor = Actor.from_request(request)
                    sent = entry.submit_entry(entry=current, user=request.user, actor=actor)
                    messages.success(request, _sent_message(saved, sent, several=len(current.reports) > 1))
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


def _sent_message(saved: int, sent: list, *, several: bool) -> str:
    """What a send tells: the values it saved, if any (a confirmed send saves none), and the reports."""
    counts = {"n": saved, "m": len(sent), "plans": ", ".join(report.form.plan.code for report in sent)}
    if several and saved:
        return _("Đã lưu %(n)d giá trị và gửi %(m)d báo cáo (kế hoạch %(plans)s).") % counts
    if several:
        return _("Đã gửi %(m)d báo cáo (kế hoạch %(plans)s).") % counts
    return _("Đã lưu %(n)d giá trị và gửi báo cáo.") % counts if saved else _("Đã gửi báo cáo.")


def _import_upload(request) -> list:
    """Import a filled template within the user's scope; the row errors, or [] when it landed."""
    upload, actor = request.FILES["file"], Actor.from_request(request)
    keep_refused = services.refusal_keeper("values", actor)
    try:
        with saved_upload(upload, services.VALUE_FILE_SUFFIXES, refused=keep_refused) as path:
            summary = services.import_values(path=path, actor=actor, user=request.user)
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
    if summary.submitted:
        messages.success(
            request,
            _("Tệp ghi báo cáo đã xong (completeDate): đã gửi %(n)d báo cáo.") % {"n": summary.submitted},
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


REVIEW_PAGE_SIZE = 50


def _review_filters(request, plan):
    """The review list's filters as asked, what they offer, and the reports they select (none, and
    the sentence, when a value is not offered)."""
    chosen = {name: request.GET.get(name, "").strip() for name in selectors.REVIEW_FILTERS}
    choices = selectors.review_choices(request.user, plan)
    try:
        return chosen, choices, selectors.review_list(request.user, plan, chosen, choices), ""
    except UserError as exc:
        return chosen, choices, Submission.objects.none(), exc.vi


@login_required
def review_list(request, slug: str):
    """For the plan owner: every report of the plan's forms, in every year and state, filtered and
    searched, each with the steps it may take; and who has reported each form and period of every
    year of the plan that has begun."""
    plan = plan_or_404(request, slug)
    _plan_owner_scope(request, plan)
    chosen, choices, submissions, problem = _review_filters(request, plan)
    today = date.today()
    summaries = []
    years = range(plan.year, (plan.end_year or plan.year) + 1)
    for form in plan.forms.all():
        for code in (c for year in years for c in period_codes(form.period_type, year)):
            if parse_period(code).start <= today:
                summaries.append(workflow.completeness(form=form, period=code))
    query = urlencode({name: value for name, value in chosen.items() if value})
    context = {
        "plan": plan,
        "summaries": summaries,
        "page": Paginator(submissions, REVIEW_PAGE_SIZE).get_page(request.GET.get("page")),
        "choices": choices,
        "chosen": chosen,
        "query": query,
        "problem": problem,
        "waiting": selectors.reviewable_submissions(request.user, plan)
        .filter(status=Submission.Status.SUBMITTED)
        .count(),
    }
    return render(request, "collection/review_list.html", context, status=400 if problem else 200)


REVIEW_COLUMNS = [
    gettext_lazy("Biểu"),
    gettext_lazy("Kỳ"),
    gettext_lazy("Đơn vị báo cáo"),
    gettext_lazy("Trạng thái"),
    gettext_lazy("Ngày gửi"),
    gettext_lazy("Người gửi"),
    gettext_lazy("Ngày quyết định"),
    gettext_lazy("Người quyết định"),
    gettext_lazy("Ý kiến"),
]


@login_required
def review_export(request, slug: str):
    """The review list as filtered, as an Excel file (names and comments written as text)."""
    from openpyxl import Workbook  # a large import, for this download only

    from hatangso.utilities.spreadsheets import append_row, set_widths

    plan = plan_or_404(request, slug)
    _plan_owner_scope(request, plan)
    submissions, problem = _review_filters(request, plan)[2:]
    if problem:
        raise Http404(problem)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Báo cáo")[:31]
    sheet.append([str(column) for column in REVIEW_COLUMNS])
    for s in submissions:
        append_row(sheet, [
            s.form.name, period_label(s.period), str(s.operator or s.unit.name), s.get_status_display(),
            _day(s.submitted_at), s.submitted_by, _day(s.decided_at), s.decided_by, s.comment,
        ])  # fmt: skip
    sheet.freeze_panes = "A2"
    set_widths(sheet, {1: 40, 2: 14, 3: 28, 4: 14, 5: 12, 6: 18, 7: 14, 8: 18, 9: 40})
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="duyet-bao-cao-{plan.slug}.xlsx"'
    return response


def _day(moment) -> str:
    return format_date(timezone.localtime(moment)) if moment else ""


XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Each step the review page takes, the question its confirmation asks and its button's words.
CONFIRMATIONS = {
    "approve": (
        gettext_lazy("Duyệt báo cáo này? Số liệu sẽ bị khóa cho đến khi mở lại."),
        gettext_lazy("Xác nhận duyệt"),
    ),
    "return": (
        gettext_lazy("Trả lại báo cáo này cho đơn vị báo cáo để sửa? Ghi rõ cần sửa gì."),
        gettext_lazy("Xác nhận trả lại"),
    ),
    "reopen": (
        gettext_lazy("Mở lại báo cáo đã duyệt để sửa? Ghi rõ lý do; lý do được lưu trong lịch sử."),
        gettext_lazy("Xác nhận mở lại"),
    ),
    "submit": (
        gettext_lazy("Gửi báo cáo này? Sau khi gửi, số liệu bị khóa cho đến khi được trả lại hoặc mở lại."),
        gettext_lazy("Xác nhận gửi báo cáo"),
    ),
}


def _confirm(request, *, action: str, submission_label: str, back: str, comment: str = ""):
    """The confirmation of a step, before anything is written: the same post again, confirmed."""
    question, button = CONFIRMATIONS[action]
    context = {
        "action": action,
        "question": question,
        "button": button,
        "what": submission_label,
        "back": back,
        "comment": comment,
        "asks_reason": action in ("return", "reopen"),
    }
    return render(request, "collection/review_confirm.html", context)


def _entry_label(form: ReportForm, period: Period, reporter: entry.Reporter) -> str:
    return f"{form.name} · {period_label(period.code)} · {reporter.label}"


def _submission_label(submission: Submission) -> str:
    who = submission.operator or submission.unit.name
    return f"{submission.form.name} · {period_label(submission.period)} · {who}"


def _status_label(state: dict | None) -> str:
    status = (state or {}).get("status")
    return Submission.Status(status).label if status in Submission.Status.values else ""


def _history(submission: Submission) -> list[ChangeLogEntry]:
    """The report's steps from the change log, each with its states in words."""
    entries = ChangeLogEntry.objects.filter(object_type="collection.submission", object_id=str(submission.pk))
    entries = list(entries.order_by("time"))
    for e in entries:
        e.before_label, e.after_label = _status_label(e.before), _status_label(e.after)
    return entries


@login_required
def review_submission(request, submission_id: int):
    """A report with its values and checks; approving, returning or re-opening it asks for a
    confirmation first (`?action=` opens it, as the review list's links do)."""
    submission = selectors.get_submission(request.user, submission_id)
    _plan_owner_scope(request, submission.form.plan)
    period = parse_period(submission.period)
    here = reverse("review-submission", kwargs={"submission_id": submission.pk})
    asked = request.POST.get("action") if request.method == "POST" else request.GET.get("action")
    if (asked is not None or request.method == "POST") and asked not in workflow.DECISIONS:
        raise Http404(_("Không có thao tác này"))
    comment = request.POST.get("comment", "")
    if asked and not (request.method == "POST" and request.POST.get("confirmed") == "1"):
        return _confirm(request, action=asked, submission_label=_submission_label(submission), back=here,
                        comment=comment)  # fmt: skip
    if request.method == "POST":
        try:
            actor = Actor.from_request(request)
            workflow.perform(asked, submission=submission, comment=comment, user=request.user, actor=actor)
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
        "history": _history(submission),
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
            services.remove_form_field(field=field, user=request.user, actor=Actor.from_request(request))
            messages.success(request, _("Đã bỏ trường %(code)s.") % {"code": field.element.code})
        except UserError as exc:
            messages.error(request, exc.vi)
        return redirect("form-fields", form_id=form.pk)
    if request.method == "POST":
        field_form = CustomFieldForm(request.POST)
        if field_form.is_valid():
            try:
                field = services.add_form_field(
                    form=form, user=request.user, actor=Actor.from_request(request), **field_form.cleaned_data
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
