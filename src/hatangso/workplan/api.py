"""Work-plan API: tasks and their updates, with the same rules as the pages."""

from datetime import date

from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Router, Schema, UploadedFile

from hatangso.api.auth import API_AUTH
from hatangso.api.schemas import Day, object_id, responses
from hatangso.core.changelog import Actor
from hatangso.plans.selectors import get_plan
from hatangso.utilities.errors import NotFound
from hatangso.utilities.files import Upload
from hatangso.workplan import selectors, services
from hatangso.workplan.models import ProgressUpdate

router = Router(tags=["work plan"], auth=API_AUTH)


class TaskOut(Schema):
    id: int
    number: str
    kind: str
    text: str
    lead: str | None
    coordinating: list[str]
    condition: str | None
    indicators: list[str]
    due_date: date | None
    status: str
    state: str
    progress: int

    @staticmethod
    def resolve_number(obj):
        return obj.item.number

    @staticmethod
    def resolve_kind(obj):
        return obj.item.kind

    @staticmethod
    def resolve_text(obj):
        return obj.item.text

    @staticmethod
    def resolve_lead(obj):
        return obj.item.lead.code if obj.item.lead_id else None

    @staticmethod
    def resolve_coordinating(obj):
        return [a.code for a in obj.item.coordinating.all()]

    @staticmethod
    def resolve_condition(obj):
        return obj.item.condition.text if obj.item.condition_id else None

    @staticmethod
    def resolve_indicators(obj):
        return [i.code for i in obj.item.indicators.all()]

    @staticmethod
    def resolve_state(obj):
        return obj.state(timezone.localdate())


class UpdateOut(Schema):
    id: int
    task: int
    text: str
    done_on: date
    progress: int | None
    status: str
    decision: str
    decision_comment: str
    created_by: str
    evidence: list[str]

    @staticmethod
    def resolve_task(obj):
        return obj.task_id

    @staticmethod
    def resolve_evidence(obj):
        return [e.file_name for e in obj.evidence.all()]


class UpdateIn(Schema):
    text: str
    done_on: Day
    progress: int | None = None
    status: str = ""
    links: str = ""


class DecisionIn(Schema):
    comment: str = ""


@router.get("/plans/{slug}/tasks", response=responses(list[TaskOut]))
def list_tasks(request, slug: str, agency: str | None = None, state: str | None = None):
    """The plan's tasks; `state` is one of not_started, in_progress, done, cancelled, waiting, overdue."""
    tasks = selectors.task_list(request.user, plan=get_plan(slug), agency=agency)
    today = timezone.localdate()
    return [t for t in tasks if state is None or t.state(today) == state]


@router.get("/tasks/{task_id}/updates", response=responses(list[UpdateOut]))
def list_updates(request, task_id: int = object_id()):
    """The task's updates the caller may read: the lead agency, the plan owner, the leader, and
    each update's author's own organisation (never a competitor's or another commune's)."""
    task = selectors.get_task(request.user, task_id)
    return list(selectors.update_list(request.user, task=task))


@router.post("/tasks/{task_id}/updates", response=responses(UpdateOut, write=True))
def add_update(
    request,
    payload: Form[UpdateIn],
    task_id: int = object_id(),
    files: File[list[UploadedFile]] = None,
):
    """Report progress (multipart form: fields and up to 5 evidence files). 404 outside the caller's tasks."""
    task = selectors.get_task(request.user, task_id)
    uploads = [Upload(name=f.name, data=f.read()) for f in files or []]
    return services.add_update(
        task=task,
        text=payload.text,
        done_on=payload.done_on,
        progress=payload.progress,
        status=payload.status,
        links=payload.links,
        files=uploads,
        user=request.user,
        actor=Actor.from_request(request),
    )


@router.post("/updates/{update_id}/{action}", response=responses(UpdateOut, write=True))
def decide(request, action: str, update_id: int = object_id(), payload: DecisionIn | None = None):
    """The plan owner's `accept` or `return` (with a comment)."""
    update = get_object_or_404(ProgressUpdate, pk=update_id)
    if action not in ("accept", "return"):
        raise NotFound(f"Không có thao tác '{action}'", f"No action '{action}'")
    return services.decide_update(
        update=update,
        accept=action == "accept",
        comment=payload.comment if payload else "",
        user=request.user,
        actor=Actor.from_request(request),
    )
