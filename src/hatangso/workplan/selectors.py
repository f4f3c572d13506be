"""Reads of the work plan. Tasks are the plan's, which is public; updates, evidence and incident
reports are read through the user's role."""

from django.db.models import Q, QuerySet
from django.http import Http404

from hatangso.core.models import Role
from hatangso.core.scoping import scope_for
from hatangso.geography.models import AdministrativeUnit
from hatangso.geography.selectors import in_area
from hatangso.workplan.models import Evidence, Incident, IncidentPhoto, ProgressUpdate, Road, Task
from hatangso.workplan.services import assigned_condition, can_triage, triage_area, triage_memberships


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


def own_agency_code(user) -> str:
    """The agency a user works for (its first agency membership), "" for anyone else: the task
    board opens on that agency's tasks."""
    agencies = (m.agency.code for m in scope_for(user).memberships if m.role == Role.AGENCY and m.agency_id)
    return next(agencies, "")


def get_task(user, pk: int) -> Task:
    task = Task.objects.select_related("item__lead", "item__condition", "item__plan").filter(pk=pk).first()
    if task is None:
        raise Http404("Không có nhiệm vụ này / No such task")
    return task


def _updates_condition(user) -> Q | None:
    """Whose progress updates a user reads (None: nobody's). The plan owner's and the leader's of
    the plan's area; the lead agency's staff when the task is led by one agency; and each update's
    author's own organisation — its agency, its commune or its operator. A task led by "the
    communes" or "the enterprises" names no single body: there a commune or an operator reads only
    its own updates, never a competitor's or a neighbour's."""
    scope = scope_for(user)
    if scope.is_superuser:
        return Q()
    condition = None
    for membership in scope.memberships:
        if membership.role in (Role.PLAN_OWNER, Role.LEADER):
            if not membership.unit_id:
                continue
            part = Q(task__item__plan__area_unit__path__startswith=membership.unit.path)
        elif membership.role == Role.AGENCY and membership.agency_id:
            part = Q(task__item__lead_id=membership.agency_id) | Q(author_agency_id=membership.agency_id)
        elif membership.role == Role.COMMUNE and membership.unit_id:
            part = Q(author_unit_id=membership.unit_id)
        elif membership.role == Role.ENTERPRISE and membership.operator_id:
            part = Q(author_operator_id=membership.operator_id)
        else:
            continue
        condition = part if condition is None else condition | part
    return condition


def update_list(user, *, task: Task | None = None) -> QuerySet[ProgressUpdate]:
    """The progress updates (with their evidence) the user may read — the one rule behind the task
    page, the API and the evidence download."""
    updates = ProgressUpdate.objects.select_related("task__item__plan", "task__item__lead").prefetch_related(
        "evidence"
    )
    if task is not None:
        updates = updates.filter(task=task)
    condition = _updates_condition(user)
    return updates.none() if condition is None else updates.filter(condition)


def get_evidence(user, pk: int) -> Evidence:
    """An evidence file of an update the user may read (update_list), else 404."""
    evidence = (
        Evidence.objects.select_related("update__task__item__plan", "update__task__item__lead")
        .filter(pk=pk, update__in=update_list(user).values("pk"))
        .first()
    )
    if evidence is None:
        raise Http404("Không có tệp này / No such file")
    return evidence


def incident_list(user) -> QuerySet[Incident]:
    """Those who triage see the reports located in their area and those not yet located (an
    address only); an operator or a commune sees those assigned to it."""
    incidents = Incident.objects.select_related(
        "assigned_operator", "assigned_unit", "unit", "road"
    ).prefetch_related("photos")
    if can_triage(user):
        return incidents.filter(triage_area(user))
    condition = assigned_condition(user)
    return incidents.none() if condition is None else incidents.filter(condition)


def incident_by_token(token: str) -> Incident:
    incident = Incident.objects.filter(token=token).prefetch_related("events", "photos").first()
    if incident is None:
        raise Http404("Không có phản ánh này / No such report")
    return incident


def get_incident_photo(user, pk: int) -> IncidentPhoto:
    """A photo of an incident report the user handles (the triage page's reports, incident_list),
    else 404: the public never gets a photo, not even through a report's private link."""
    photo = (
        IncidentPhoto.objects.filter(pk=pk, incident__in=incident_list(user).values("pk"))
        .select_related("incident")
        .first()
    )
    if photo is None:
        raise Http404("Không có ảnh này / No such photo")
    return photo


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


def triage_communes(user) -> QuerySet[AdministrativeUnit]:
    """The communes of the provinces where the user triages: the picker offers those in force today
    ("Phường Tứ Hạ (19996)"), and a name typed is looked up among them."""
    provinces = Q(pk__in=[])
    for membership in triage_memberships(user):
        if membership.unit_id is None:
            provinces = Q()
            break
        provinces |= Q(path__startswith=f"/{membership.unit.path.strip('/').split('/')[0]}/")
    return AdministrativeUnit.objects.filter(provinces, level=AdministrativeUnit.Level.COMMUNE)
