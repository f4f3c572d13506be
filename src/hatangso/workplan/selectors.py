"""Reads of the work plan. Tasks are the plan's, which is public; updates, evidence and incident
reports are read through the user's role."""

from django.db.models import Q, QuerySet
from django.http import Http404

from hatangso.core.models import Role
from hatangso.core.scoping import scope_for
from hatangso.geography.selectors import in_area
from hatangso.workplan.models import Evidence, Incident, Road, Task
from hatangso.workplan.services import can_triage, can_update_task, triage_area


def task_list(user, *, plan, agency: str | None = None) -> QuerySet[Task]:
    tasks = (
        Task.objects.filter(item__plan=plan)
        .select_related("item__lead", "item__condition", "item__plan")
        .prefetch_related("item__coordinating", "item__indicators")
        .order_by("item__order")
    )
    if agency:
        tasks = tasks.filter(item__lead__code=agency)
    return tasks


def get_task(user, pk: int) -> Task:
    task = Task.objects.select_related("item__lead", "item__condition", "item__plan").filter(pk=pk).first()
    if task is None:
        raise Http404("Không có nhiệm vụ này / No such task")
    return task


def get_evidence(user, pk: int) -> Evidence:
    """Evidence is for the plan owner and the body responsible for the task."""
    evidence = (
        Evidence.objects.select_related("update__task__item__plan", "update__task__item__lead")
        .filter(pk=pk)
        .first()
    )
    if evidence is None or not can_update_task(user, evidence.update.task):
        raise Http404("Không có tệp này / No such file")
    return evidence


def incident_list(user) -> QuerySet[Incident]:
    """Those who triage see the reports located in their area and those not yet located (an
    address only); an operator or a commune sees those assigned to it."""
    incidents = Incident.objects.select_related("assigned_operator", "assigned_unit", "unit", "road")
    if can_triage(user):
        return incidents.filter(triage_area(user))
    condition = None
    for membership in scope_for(user).memberships:
        if membership.role == Role.ENTERPRISE:
            part = Q(assigned_operator=membership.operator)
        elif membership.role == Role.COMMUNE:
            part = Q(assigned_unit=membership.unit)
        else:
            continue
        condition = part if condition is None else condition | part
    return incidents.none() if condition is None else incidents.filter(condition)


def incident_by_token(token: str) -> Incident:
    incident = Incident.objects.filter(token=token).prefetch_related("events", "photos").first()
    if incident is None:
        raise Http404("Không có phản ánh này / No such report")
    return incident


def road_list(user, *, plan, status: str = "", work: str = "", unit: str = "") -> QuerySet[Road]:
    """The roads list of the plan's area (VI.3.c), for every account: it is the town's own list,
    not a reporter's data. Roads placed in no unit belong to the whole area."""
    roads = (
        Road.objects.filter(Q(unit__isnull=True) | in_area(plan.area_unit))
        .select_related("unit")
        .prefetch_related("tasks__item")
        .order_by("name", "section")
    )
    if status:
        roads = roads.filter(status=status)
    if work:
        roads = roads.filter(work=work)
    if unit:
        roads = roads.filter(unit__code=unit)
    return roads


def get_road(user, *, plan, pk: int) -> Road:
    road = road_list(user, plan=plan).filter(pk=pk).first()
    if road is None:
        raise Http404("Không có tuyến đường này / No such road")
    return road
