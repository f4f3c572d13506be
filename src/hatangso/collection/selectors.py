"""Reads of reported values, always through the user's scope."""

from dataclasses import dataclass

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


# The review list's filters (`?form=&period=&reporter=&status=&q=`): a reporter is a commune
# ("u<pk>") or an operator ("o<pk>"), as a report is either one's.
REVIEW_FILTERS = ("form", "period", "reporter", "status", "q")


def _reporter_key(submission: Submission) -> str:
    return f"o{submission.operator_id}" if submission.operator_id else f"u{submission.unit_id}"


@dataclass(frozen=True)
class ReviewChoices:
    """What the review list's filters offer: the values found among the reports the user reviews."""

    forms: list[tuple[str, str]]
    periods: list[str]
    reporters: list[tuple[str, str]]
    statuses: list[tuple[str, str]]


def reviewable_submissions(user, plan) -> QuerySet[Submission]:
    """Every report of the plan's forms the user decides on, in every year of the plan and every
    state: the plan owner's of the plan's area (the caller checks the role, may_manage_plan)."""
    return submission_list(user).filter(form__plan=plan)


def review_choices(user, plan) -> ReviewChoices:
    submissions = reviewable_submissions(user, plan)
    reporters = {_reporter_key(s): str(s.operator or s.unit.name) for s in submissions}
    return ReviewChoices(
        forms=[(str(f.pk), f.name) for f in plan.forms.order_by("order", "code")],
        periods=sorted(set(submissions.values_list("period", flat=True)), key=parse_period),
        reporters=sorted(reporters.items(), key=lambda item: item[1]),
        statuses=list(Submission.Status.choices),
    )


def review_list(
    user, plan, chosen: dict[str, str], choices: ReviewChoices | None = None
) -> QuerySet[Submission]:
    """The reports the user reviews (reviewable_submissions), filtered by `chosen` (REVIEW_FILTERS);
    NotFound for a value the filters (`choices`, by default the user's) do not offer, so a mistyped
    address is told, not emptied."""
    submissions = reviewable_submissions(user, plan)
    choices = choices or review_choices(user, plan)
    offered = {
        "form": {key for key, _ in choices.forms},
        "period": set(choices.periods),
        "reporter": {key for key, _ in choices.reporters},
        "status": {key for key, _ in choices.statuses},
    }
    for name, allowed in offered.items():
        value = chosen.get(name, "")
        if value and value not in allowed:
            raise NotFound(
                "Bộ lọc có giá trị không có trong danh sách; chọn lại trong danh sách.",
                f"The filter {name} has a value that is not offered; choose one from the list.",
            )
    if chosen.get("form"):
        submissions = submissions.filter(form_id=int(chosen["form"]))
    if chosen.get("period"):
        submissions = submissions.filter(period=chosen["period"])
    if reporter := chosen.get("reporter"):
        by = "operator_id" if reporter[0] == "o" else "unit_id"
        submissions = submissions.filter(**{by: int(reporter[1:])})
        if by == "unit_id":
            submissions = submissions.filter(operator__isnull=True)
    if chosen.get("status"):
        submissions = submissions.filter(status=chosen["status"])
    if search := chosen.get("q", "").strip():
        submissions = submissions.filter(
            Q(unit__name__icontains=search)
            | Q(operator__short_name__icontains=search)
            | Q(operator__name__icontains=search)
            | Q(form__name__icontains=search)
            | Q(comment__icontains=search)
            | Q(period__icontains=search)
        )
    return submissions.order_by("-period", "form__order", "unit__name", "operator__short_name")
