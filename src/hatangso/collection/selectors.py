"""Reads of reported values, always through the user's scope."""

from django.db.models import Q, QuerySet
from django.http import Http404

from hatangso.collection.models import DataValue, ImportBatch, ReportForm, Submission
from hatangso.core.scoping import scope_for
from hatangso.utilities.errors import NotFound
from hatangso.utilities.periods import parse_period


def value_list(
    user,
    *,
    element: str | None = None,
    unit: str | None = None,
    period: str | None = None,
    operator: str | None = None,
) -> QuerySet[DataValue]:
    values = DataValue.objects.select_related("data_element", "unit", "operator").order_by(
        "data_element__code", "unit__code", "period_start", "operator__code"
    )
    values = scope_for(user).filter_values(values)
    if element:
        values = values.filter(data_element__code=element)
    if unit:
        values = values.filter(unit__code=unit)
    if period:
        parsed = parse_period(period)
        values = values.filter(period_start__gte=parsed.start, period_end__lte=parsed.end)
    if operator:
        values = values.filter(operator__code=operator)
    return values


def get_value(user, pk: int) -> DataValue:
    """One value, or 404 when it does not exist *or* lies outside the user's scope."""
    value = (
        scope_for(user)
        .filter_values(DataValue.objects.filter(pk=pk))
        .select_related("data_element", "unit", "operator")
        .first()
    )
    if value is None:
        raise Http404("Không có giá trị này / No such value")
    return value


def submission_list(user) -> QuerySet[Submission]:
    submissions = Submission.objects.select_related("form", "form__plan", "unit", "operator")
    return scope_for(user).filter_values(submissions).order_by("form__order", "period", "unit__code")


def get_submission(user, pk: int) -> Submission:
    submission = submission_list(user).filter(pk=pk).first()
    if submission is None:
        raise Http404("Không có bản báo cáo này / No such submission")
    return submission


def import_list(user, submission: Submission | None = None) -> QuerySet[ImportBatch]:
    """Imported files the user may download: only those whose every report lies in the user's scope,
    so a file an office imported for all communes (or all operators) is never handed to one of them.
    A rejected file (nothing written, no report) is its uploader's alone (and a superuser's): its
    error report quotes the file's cells. Registry and measurement batches feed no report: not here."""
    visible = submission_list(user)
    outside = Submission.objects.exclude(pk__in=visible.values("pk"))
    batches = ImportBatch.objects.filter(submissions__in=visible).exclude(submissions__in=outside)
    if submission is not None:
        return batches.filter(submissions=submission).distinct().order_by("-created_at")
    rejected = ImportBatch.objects.filter(status=ImportBatch.Status.REJECTED)
    if not getattr(user, "is_superuser", False):
        rejected = rejected.filter(uploaded_by=user) if getattr(user, "pk", None) else rejected.none()
    return ImportBatch.objects.filter(
        Q(pk__in=batches.values("pk")) | Q(pk__in=rejected.values("pk"))
    ).order_by("-created_at", "-pk")


def get_import(user, pk: int) -> ImportBatch:
    batch = import_list(user).filter(pk=pk).first()
    if batch is None:
        raise Http404("Không có tệp này / No such file")
    return batch


def get_form(plan, code: str) -> ReportForm:
    form = plan.forms.filter(code=code).first()
    if form is None:
        known = ", ".join(plan.forms.values_list("code", flat=True))
        raise NotFound(
            f"Kế hoạch không có biểu '{code}' (có: {known})",
            f"The plan has no form '{code}' (known: {known})",
        )
    return form
