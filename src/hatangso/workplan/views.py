"""Work-plan pages (task board, a task with its updates) and incident pages (the public form, the
reporter's private page, triage)."""

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import FileResponse, Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from hatangso.core import throttle
from hatangso.core.changelog import Actor
from hatangso.core.scoping import may_manage_plan
from hatangso.geography.selectors import children_of, resolve_unit_typed
from hatangso.plans.selectors import plans_for
from hatangso.plans.services import set_condition
from hatangso.registry.models import Operator
from hatangso.utilities.errors import UserError
from hatangso.utilities.files import CONTENT_TYPES, Upload
from hatangso.utilities.periods import parse_period
from hatangso.utilities.webforms import posted_id
from hatangso.web.planning import plan_or_404
from hatangso.workplan import selectors, services
from hatangso.workplan.forms import IncidentForm, IncidentHandleForm, RoadForm, UpdateForm
from hatangso.workplan.models import Incident, ProgressUpdate, Road, Task

INCIDENTS_PER_HOUR = 5


def _uploads(files) -> list[Upload]:
    return [Upload(name=Path(f.name).name, data=f.read()) for f in files]


def _triage_roads(user) -> dict[int, Road]:
    """The roads of every plan the user may open (an incident may be on any of them)."""
    return {road.pk: road for plan in plans_for(user) for road in selectors.road_list(user, plan=plan)}


@login_required
def task_board(request, slug: str):
    """The plan's tasks with their state, filterable by lead agency and state; an agency's staff
    see their agency's tasks first (`?agency=` shows every agency's)."""
    plan = plan_or_404(request, slug)
    services.sync_tasks(plan=plan, actor=Actor.from_request(request))
    today = timezone.localdate()
    agency = request.GET.get("agency", selectors.own_agency_code(request.user))
    state = request.GET.get("state", "")
    tasks = list(selectors.task_list(request.user, plan=plan))
    agencies = sorted({t.item.lead for t in tasks if t.item.lead_id}, key=lambda a: a.name)
    if agency:
        tasks = [t for t in tasks if t.item.lead_id and t.item.lead.code == agency]
    rows = [(t, t.state(today), Task.STATES[t.state(today)]) for t in tasks]
    summary = [(key, label, sum(1 for _, s, _ in rows if s == key)) for key, label in Task.STATES.items()]
    if state:
        rows = [row for row in rows if row[1] == state]
    context = {
        "plan": plan,
        "rows": rows,
        "summary": summary,
        "agency": agency,
        "state": state,
        "agencies": agencies,
    }
    return render(request, "workplan/task_board.html", context)


@login_required
def legacy_task(request, task_id: int):
    """The former address of a task (`/nhiem-vu/<id>/`, in reminders already sent): its plan's."""
    task = selectors.get_task(request.user, task_id)
    return redirect("task-detail", slug=task.item.plan.slug, task_id=task.pk)


@login_required
def task_detail(request, slug: str, task_id: int):
    plan = plan_or_404(request, slug)
    task = selectors.get_task(request.user, task_id)
    if task.item.plan_id != plan.pk:
        raise Http404(_("Không có nhiệm vụ này"))
    may_update = services.can_update_task(request.user, task)
    form = UpdateForm(initial={"done_on": timezone.localdate()})
    if request.method == "POST" and request.POST.get("condition") and task.item.condition_id:
        try:
            set_condition(
                condition=task.item.condition,
                met=request.POST["condition"] == "met",
                note=request.POST.get("note", ""),
                user=request.user,
                actor=Actor.from_request(request),
            )
            messages.success(request, _("Đã ghi điều kiện của kế hoạch."))
        except UserError as exc:
            messages.error(request, exc.vi)
        return redirect("task-detail", slug=plan.slug, task_id=task.pk)
    if request.method == "POST" and request.POST.get("decide"):
        update = get_object_or_404(ProgressUpdate, pk=posted_id(request.POST, "decide"), task=task)
        try:
            services.decide_update(
                update=update,
                accept=request.POST.get("action") == "accept",
                comment=request.POST.get("comment", ""),
                user=request.user,
                actor=Actor.from_request(request),
            )
            messages.success(request, _("Đã ghi ý kiến về cập nhật."))
        except UserError as exc:
            messages.error(request, exc.vi)
        return redirect("task-detail", slug=plan.slug, task_id=task.pk)
    if request.method == "POST":
        if not may_update:
            raise Http404(_("Không có nhiệm vụ này"))
        form = UpdateForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.add_update(
                    task=task, text=data["text"], done_on=data["done_on"], progress=data["progress"],
                    status=data["status"], links=data["links"], files=_uploads(data["files"]),
                    user=request.user, actor=Actor.from_request(request),
                )  # fmt: skip
                messages.success(request, _("Đã gửi cập nhật; chờ cơ quan chủ trì xem xét."))
                return redirect("task-detail", slug=plan.slug, task_id=task.pk)
            except UserError as exc:
                form.add_error(None, exc.vi)
    context = {
        "task": task,
        "state": task.state_label(timezone.localdate()),
        "updates": selectors.update_list(request.user, task=task),
        "form": form,
        "may_update": may_update,
        "may_decide": may_manage_plan(request.user, task.item.plan),
    }
    return render(request, "workplan/task_detail.html", context)


@login_required
def evidence_file(request, evidence_id: int):
    """Evidence as a download only, with its checked type: never rendered by the browser."""
    evidence = selectors.get_evidence(request.user, evidence_id)
    response = FileResponse(
        open(evidence.stored_path, "rb"), as_attachment=True, filename=evidence.file_name,  # noqa: SIM115
        content_type=CONTENT_TYPES[evidence.kind],
    )  # fmt: skip
    response["X-Content-Type-Options"] = "nosniff"
    return response


@login_required
def incident_photo(request, photo_id: int):
    """A photo of an incident report, for those who handle it (the triage page's reports); the
    photo was re-encoded from its pixels when it was received, so it is shown inline."""
    photo = selectors.get_incident_photo(request.user, photo_id)
    response = FileResponse(open(photo.stored_path, "rb"), content_type=CONTENT_TYPES[photo.kind])  # noqa: SIM115
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    return response


def incident_form(request):
    """Anyone may report a shared telecom work built wrongly, unsafe or damaged (no login)."""
    form = IncidentForm()
    if request.method == "POST":
        form = IncidentForm(request.POST, request.FILES)
        address = request.META.get("REMOTE_ADDR", "")
        key = f"incidents:{address}"
        if request.POST.get("website"):
            # The hidden field was filled: a bot. Answer as if accepted, store nothing.
            return render(request, "workplan/incident_thanks.html", {"incident": None})
        # Counted atomically before storing anything, so parallel reports cannot pass the limit together.
        if form.is_valid() and throttle.hit(key, window=3600) > INCIDENTS_PER_HOUR:
            form.add_error(None, _("Bạn đã gửi nhiều phản ánh trong một giờ; vui lòng thử lại sau."))
        elif form.is_valid():
            data = form.cleaned_data
            try:
                incident = services.report_incident(
                    category=data["category"],
                    description=data["description"],
                    address=data["address"],
                    lat=data["lat"],
                    lon=data["lon"],
                    contact=data["contact"],
                    photos=_uploads(data["photos"]),
                    actor=Actor(user=None, origin=f"web (public): {address}"[:200]),
                )
                return render(request, "workplan/incident_thanks.html", {"incident": incident})
            except UserError as exc:
                throttle.undo(key)  # a refused report is not counted
                form.add_error(None, exc.vi)
    return render(
        request,
        "workplan/incident_form.html",
        {"form": form},
        status=200 if form.is_bound is False or form.is_valid() else 400,
    )


def incident_status(request, token: str):
    """The reporter's private page: their report's status and history, nobody else's."""
    incident = selectors.incident_by_token(token)
    return render(request, "workplan/incident_status.html", {"incident": incident})


def _handle_incident(request, incidents):
    """An enterprise's or a commune's step on a report assigned to it (services.handle_incident)."""
    incident = get_object_or_404(incidents, pk=posted_id(request.POST, "incident"))
    form = IncidentHandleForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, next(iter(form.errors.values()))[0])
        return redirect("incident-triage")
    data = form.cleaned_data
    try:
        services.handle_incident(
            incident=incident, status=data["status"], note=data["note"], photos=_uploads(data["photos"]),
            user=request.user, actor=Actor.from_request(request),
        )  # fmt: skip
        messages.success(request, _("Đã cập nhật phản ánh #%(n)d.") % {"n": incident.pk})
    except UserError as exc:
        messages.error(request, exc.vi)
    return redirect("incident-triage")


@login_required
def incident_triage(request):
    """Those who triage assign and follow the reports of their area; the enterprise or commune a
    report is assigned to says it is being handled or handled, with a note and photos."""
    incidents = selectors.incident_list(request.user)
    may_triage = services.can_triage(request.user)
    handles = not may_triage and services.assigned_condition(request.user) is not None
    if not may_triage and not handles:
        raise Http404(_("Không có phản ánh nào dành cho bạn"))
    if request.method == "POST" and handles:
        return _handle_incident(request, incidents)
    if request.method == "POST":
        incident = get_object_or_404(Incident, pk=posted_id(request.POST, "incident"))
        operator = Operator.objects.filter(code=request.POST.get("operator")).first()
        road = None
        if request.POST.get("road", "").isdigit():
            road = _triage_roads(request.user).get(int(request.POST["road"]))
        unit = None
        if request.POST.get("unit"):
            try:
                communes = selectors.triage_communes(request.user)
                unit = resolve_unit_typed(request.POST["unit"], on=timezone.localdate(), within=communes)
            except UserError as exc:
                messages.error(request, exc.vi)
                return redirect("incident-triage")
        try:
            services.triage_incident(
                incident=incident,
                status=request.POST.get("status", ""),
                comment=request.POST.get("comment", ""),
                operator=operator,
                unit=unit,
                road=road,
                user=request.user,
                actor=Actor.from_request(request),
            )
            messages.success(request, _("Đã cập nhật phản ánh #%(n)d.") % {"n": incident.pk})
        except UserError as exc:
            messages.error(request, exc.vi)
        return redirect("incident-triage")
    context = {
        "incidents": incidents.prefetch_related("events")[:200],
        "may_triage": may_triage,
        "handles": handles,
        "statuses": Incident.Status.choices,
        "operators": Operator.objects.all(),
        "roads": _triage_roads(request.user).values() if may_triage else (),
        "communes": selectors.triage_communes(request.user).valid_on(timezone.localdate()).order_by("name")
        if may_triage
        else (),
        "handle_form": IncidentHandleForm(),
        "closed": (Incident.Status.RESOLVED, Incident.Status.REJECTED),
    }
    return render(request, "workplan/incident_triage.html", context)


@login_required
def road_list(request, slug: str):
    """The roads where shared telecom works must be built, repaired or upgraded (VI.3.c)."""
    plan = plan_or_404(request, slug)
    chosen = {key: request.GET.get(key, "") for key in ("status", "work", "unit")}
    roads = selectors.road_list(request.user, plan=plan, **chosen)
    context = {
        "plan": plan,
        "roads": roads,
        "chosen": chosen,
        "statuses": Road.Status.choices,
        "works": Road.Work.choices,
        "units": _plan_communes(plan),
        "may_manage": services.may_manage_roads(request.user, plan),
    }
    return render(request, "workplan/road_list.html", context)


def _plan_communes(plan):
    period = parse_period(plan.period)
    return list(children_of(plan.area_unit, start=period.start, end=period.end))


@login_required
def road_edit(request, slug: str, road_id: int | None = None):
    """Add a road to the list or change one: the plan owner and Phòng Quản lý đô thị."""
    plan = plan_or_404(request, slug)
    if not services.may_manage_roads(request.user, plan):
        raise Http404(_("Không có tuyến đường này"))
    road = selectors.get_road(request.user, plan=plan, pk=road_id) if road_id else None
    units = _plan_communes(plan)
    tasks = list(selectors.task_list(request.user, plan=plan))
    initial = {"status": Road.Status.PLANNED}
    if road is not None:
        initial = {
            "name": road.name, "section": road.section, "unit": road.unit.code if road.unit else "",
            "work": road.work, "status": road.status, "note": road.note,
            "tasks": [str(pk) for pk in road.tasks.values_list("pk", flat=True)],
        }  # fmt: skip
    form = RoadForm(request.POST or None, initial=initial, units=units, tasks=tasks)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_code = {u.code: u for u in units}
        by_pk = {str(t.pk): t for t in tasks}
        try:
            saved = services.save_road(
                plan=plan, road=road, name=data["name"], section=data["section"],
                unit=by_code.get(data["unit"]), work=data["work"], status=data["status"], note=data["note"],
                tasks=[by_pk[pk] for pk in data["tasks"]], user=request.user,
                actor=Actor.from_request(request),
            )  # fmt: skip
            messages.success(request, _("Đã lưu tuyến «%(road)s».") % {"road": saved})
            return redirect("road-list", slug=plan.slug)
        except UserError as exc:
            form.add_error(None, exc.vi)
    status = 400 if form.is_bound and form.errors else 200
    incidents = selectors.incident_list(request.user).filter(road=road) if road else []
    context = {"plan": plan, "road": road, "form": form, "incidents": incidents}
    return render(request, "workplan/road_form.html", context, status=status)
