from datetime import datetime

from django.shortcuts import get_object_or_404
from ninja import Router, Schema, UploadedFile
from ninja.pagination import paginate

from hatangso.api.auth import API_AUTH
from hatangso.api.pagination import Pagination
from hatangso.api.schemas import Period, object_id, responses
from hatangso.collection import checks, selectors, services, workflow
from hatangso.collection.models import ReportForm
from hatangso.core.changelog import Actor
from hatangso.geography.selectors import resolve_unit
from hatangso.registry.models import Operator
from hatangso.utilities.errors import NotFound
from hatangso.utilities.importing import saved_upload
from hatangso.utilities.numbers import plain_decimal
from hatangso.utilities.periods import parse_period

router = Router(tags=["values"], auth=API_AUTH)
submissions_router = Router(tags=["submissions"], auth=API_AUTH)


class ValueOut(Schema):
    id: int
    data_element: str
    unit: str
    unit_name: str
    period: str
    operator: str | None
    value: str
    comment: str
    synthetic: bool
    version: int
    updated_at: datetime
    updated_by: str

    @staticmethod
    def resolve_data_element(obj):
        return obj.data_element.code

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code

    @staticmethod
    def resolve_unit_name(obj):
        return obj.unit.name

    @staticmethod
    def resolve_value(obj):
        return plain_decimal(obj.value)

    @staticmethod
    def resolve_operator(obj):
        return obj.operator.code if obj.operator_id else None


class ValueIn(Schema):
    data_element: str
    unit: str
    period: Period
    value: str
    operator: str | None = None
    comment: str = ""
    version: int | None = None
    reason: str = ""


@router.get("/", response=responses(list[ValueOut]))
@paginate(Pagination)
def list_values(
    request,
    element: str | None = None,
    unit: str | None = None,
    period: Period | None = None,
    operator: str | None = None,
):
    """Reported values the caller may see (its commune, its operator, or its area)."""
    return selectors.value_list(request.user, element=element, unit=unit, period=period, operator=operator)


@router.put("/", response=responses(ValueOut, write=True))
def put_value(request, payload: ValueIn):
    """Enter or change one value, with the checks of every other path. Changing an existing value
    needs its `version` (409 if someone changed it since); approved reports are locked (409)."""
    return services.enter_value(
        user=request.user,
        actor=Actor.from_request(request),
        element_code=payload.data_element,
        unit_code=payload.unit,
        period=payload.period,
        value=payload.value,
        operator_code=payload.operator,
        comment=payload.comment,
        version=payload.version,
        reason=payload.reason,
    )


class ImportOut(Schema):
    batch: int
    created: int
    updated: int
    unchanged: int
    skipped: int
    deleted: int
    submitted: int  # reports the file completed (DHIS2's completeDate) and the import sent
    submissions: list[int]


@router.post("/import", response=responses(ImportOut, write=True))
def import_file(request, file: UploadedFile):
    """A filled template, values CSV or a DHIS2 file (dataValueSet JSON, XML or CSV, ADX), imported
    all-or-nothing within the caller's scope (400 with every bad row otherwise); the file stays with
    the reports it feeds, and a refused file is kept under imports/rejected with its reason."""
    actor = Actor.from_request(request)
    keep_refused = services.refusal_keeper("values", actor)
    with saved_upload(file, services.VALUE_FILE_SUFFIXES, refused=keep_refused) as path:
        summary = services.import_values(path=path, actor=actor, user=request.user)
    return {
        "batch": summary.batch.pk,
        "created": summary.created,
        "updated": summary.updated,
        "unchanged": summary.unchanged,
        "skipped": summary.skipped,
        "deleted": summary.deleted,
        "submitted": summary.submitted,
        "submissions": sorted(summary.batch.submissions.values_list("pk", flat=True)),
    }


@router.get("/{value_id}", response=responses(ValueOut))
def get_value(request, value_id: int = object_id()):
    return selectors.get_value(request.user, value_id)


class SubmissionOut(Schema):
    id: int
    form: str
    unit: str
    operator: str | None
    period: str
    status: str
    comment: str
    submitted_at: datetime | None
    decided_at: datetime | None

    @staticmethod
    def resolve_form(obj):
        return obj.form.code

    @staticmethod
    def resolve_unit(obj):
        return obj.unit.code

    @staticmethod
    def resolve_operator(obj):
        return obj.operator.code if obj.operator_id else None


class SubmissionIn(Schema):
    plan: str
    form: str
    unit: str
    period: Period
    operator: str | None = None


class Decision(Schema):
    comment: str = ""


@submissions_router.get("/", response=responses(list[SubmissionOut]))
@paginate(Pagination)
def list_submissions(request):
    return selectors.submission_list(request.user)


@submissions_router.post("/", response=responses(SubmissionOut, write=True))
def open_submission(request, payload: SubmissionIn):
    """The caller's report for a form and period (created as a draft the first time)."""
    form = ReportForm.objects.filter(plan__slug=payload.plan, code=payload.form).first() or (
        ReportForm.objects.filter(plan__code=payload.plan, code=payload.form).first()
    )
    if form is None:
        raise NotFound(f"Không có biểu '{payload.form}'", f"No form '{payload.form}'")
    parsed = parse_period(payload.period)
    operator = get_object_or_404(Operator, code=payload.operator) if payload.operator else None
    return workflow.get_submission(
        form=form,
        unit=resolve_unit(payload.unit, start=parsed.start, end=parsed.end),
        operator=operator,
        period=parsed.code,
        user=request.user,
        actor=Actor.from_request(request),
    )


@submissions_router.get("/{submission_id}", response=responses(SubmissionOut))
def get_submission(request, submission_id: int = object_id()):
    return selectors.get_submission(request.user, submission_id)


class CheckOut(Schema):
    violations: list[str]
    outliers: list[str]


@submissions_router.get("/{submission_id}/checks", response=responses(CheckOut))
def submission_checks(request, submission_id: int = object_id()):
    """Broken validation rules and outliers of the report's data — to read before submitting."""
    submission = selectors.get_submission(request.user, submission_id)
    period = parse_period(submission.period)
    return {
        "violations": [
            str(v)
            for v in checks.rule_violations(
                submission.form.plan, submission.unit, period, submission.operator, user=request.user
            )
        ],
        "outliers": [
            str(o) for o in checks.outliers(submission.unit, period, submission.operator, user=request.user)
        ],
    }


@submissions_router.post("/{submission_id}/{action}", response=responses(SubmissionOut, write=True))
def decide(request, action: str, submission_id: int = object_id(), payload: Decision | None = None):
    """`submit` (the reporter), `approve`, `return` (with a comment) or `reopen` (with a reason)."""
    submission = selectors.get_submission(request.user, submission_id)
    comment = payload.comment if payload else ""
    return workflow.perform(
        action, submission=submission, comment=comment, user=request.user, actor=Actor.from_request(request)
    )
