"""Writes of the work plan: tasks follow the plan, updates with evidence, the owner's decisions,
and the public's incident reports with their triage. Every write is audited."""

import secrets
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from hatangso.core.changelog import Actor, record_change, record_changes, snapshot
from hatangso.core.models import ChangeLogEntry, Role
from hatangso.core.scoping import may_manage_plan, scope_for
from hatangso.geography.locating import UnitLocator
from hatangso.geography.selectors import in_area, resolve_unit
from hatangso.plans.models import Agency, Plan, PlanItem
from hatangso.utilities.errors import Conflict, NotFound, UserError
from hatangso.utilities.files import (
    DOCUMENT_KINDS,
    IMAGE_KINDS,
    Upload,
    check_upload,
    store,
    without_metadata,
)
from hatangso.utilities.importing import ImportRejected, RowErrors, keep_original, map_columns
from hatangso.utilities.tabular import read_table
from hatangso.utilities.text import match_key
from hatangso.workplan.models import (
    Evidence,
    Incident,
    IncidentEvent,
    IncidentPhoto,
    ProgressUpdate,
    Road,
    Task,
)

TASK_KINDS = (PlanItem.Kind.TASK, PlanItem.Kind.MEASURE, PlanItem.Kind.RESPONSIBILITY)
EVIDENCE_MAX_BYTES = 10 * 2**20
EVIDENCE_MAX_FILES = 5
PHOTO_MAX_BYTES = 5 * 2**20
PHOTO_MAX_FILES = 3


@transaction.atomic
def sync_tasks(*, plan: Plan, actor: Actor) -> int:
    """A task for every task, measure and responsibility of the plan (kept across reloads; the
    default due date is the plan's report deadline). Returns how many were created."""
    items = plan.items.filter(kind__in=TASK_KINDS, task__isnull=True)
    created = Task.objects.bulk_create(Task(item=item, due_date=plan.report_deadline) for item in items)
    if any(t.pk is None for t in created):
        created = list(Task.objects.filter(item__in=[t.item_id for t in created]))
    record_changes(actor, ChangeLogEntry.Action.CREATE, created)
    return len(created)


def can_update_task(user, task: Task) -> bool:
    """The plan owner, and the body that leads the task: its agency's staff, a commune committee's
    clerks for tasks of the communes, an operator's staff for tasks of the enterprises."""
    scope = scope_for(user)
    if scope.is_superuser or may_manage_plan(user, task.item.plan):
        return True
    lead = task.item.lead
    if lead is None:
        return False
    for membership in scope.memberships:
        if membership.role == Role.AGENCY and membership.agency_id == lead.pk:
            return True
        if membership.role == Role.COMMUNE and lead.kind == Agency.Kind.COMMUNE_COMMITTEE:
            return True
        if membership.role == Role.ENTERPRISE and lead.kind == Agency.Kind.ENTERPRISE:
            return True
    return False


def _author_organisation(user, task: Task) -> dict:
    """The organisation an update is written for: the author's agency, or — on a task of the
    communes or of the enterprises — its commune or its operator; none for the plan owner."""
    lead = task.item.lead
    for membership in scope_for(user).memberships:
        if (
            membership.role == Role.AGENCY
            and membership.agency_id
            and (lead is None or membership.agency_id == lead.pk)
        ):
            return {"author_agency_id": membership.agency_id}
        if (
            lead is not None
            and membership.role == Role.COMMUNE
            and lead.kind == Agency.Kind.COMMUNE_COMMITTEE
        ):
            return {"author_unit_id": membership.unit_id}
        if lead is not None and membership.role == Role.ENTERPRISE and lead.kind == Agency.Kind.ENTERPRISE:
            return {"author_operator_id": membership.operator_id}
    return {}


def _check_files(files: list[Upload], *, kinds, max_bytes, max_files) -> list[str]:
    if len(files) > max_files:
        raise UserError(f"Tối đa {max_files} tệp mỗi lần", f"At most {max_files} files at a time")
    return [check_upload(f, kinds=kinds, max_bytes=max_bytes) for f in files]


@transaction.atomic
def add_update(
    *,
    task: Task,
    text: str,
    done_on: date,
    user,
    actor: Actor,
    progress: int | None = None,
    status: str = "",
    links: str = "",
    files: list[Upload] = (),
) -> ProgressUpdate:
    """The responsible body reports what it did, with evidence files. Every file is checked before
    anything is stored: one bad file stores nothing."""
    if not can_update_task(user, task):
        raise NotFound(f"Không có nhiệm vụ {task.item.number}", f"No task {task.item.number}")
    text = (text or "").strip()
    if not text:
        raise UserError("Cần ghi nội dung đã thực hiện", "Describe what was done")
    if progress is not None and not 0 <= progress <= 100:
        raise UserError("Tiến độ phải từ 0 đến 100%", "Progress must be between 0 and 100%")
    if status and status not in Task.Status.values:
        raise UserError(f"Trạng thái '{status}' không có", f"Unknown status '{status}'")
    if done_on > timezone.localdate():
        raise UserError("Ngày thực hiện chưa đến", "The date is in the future")
    kinds = _check_files(
        list(files), kinds=DOCUMENT_KINDS, max_bytes=EVIDENCE_MAX_BYTES, max_files=EVIDENCE_MAX_FILES
    )
    update = ProgressUpdate.objects.create(
        task=task, text=text, done_on=done_on, progress=progress, status=status, links=links.strip(),
        created_by=actor.name, **_author_organisation(user, task),
    )  # fmt: skip
    record_change(actor, ChangeLogEntry.Action.CREATE, update)
    for upload, kind in zip(files, kinds, strict=True):
        path, digest = store(upload.data, "evidence", kind)
        evidence = Evidence.objects.create(
            update=update, file_name=upload.name[:200], stored_path=str(path), sha256=digest,
            size=len(upload.data), kind=kind, uploaded_by=actor.name,
        )  # fmt: skip
        record_change(actor, ChangeLogEntry.Action.CREATE, evidence)
    return update


def apply_update(task: Task, update: ProgressUpdate) -> None:
    """Set the task's status and progress as accepting `update` does (not saved): its progress and
    status when it gives them, a first update starts the task, a done task is at 100 %."""
    if update.progress is not None:
        task.progress = update.progress
    if update.status:
        task.status = update.status
    elif task.status == Task.Status.NOT_STARTED:
        task.status = Task.Status.IN_PROGRESS
    if task.status == Task.Status.DONE:
        task.progress = 100


@transaction.atomic
def decide_update(
    *, update: ProgressUpdate, accept: bool, comment: str, user, actor: Actor
) -> ProgressUpdate:
    """The plan owner accepts an update (its progress and status become the task's) or returns it."""
    update = ProgressUpdate.objects.select_for_update().select_related("task__item__plan").get(pk=update.pk)
    if not may_manage_plan(user, update.task.item.plan):
        raise NotFound("Không có cập nhật này", "No such update")
    if update.decision != ProgressUpdate.Decision.SUBMITTED:
        raise Conflict(
            f"Cập nhật đã được xem xét ({update.get_decision_display()})",
            f"The update was already decided ({update.decision})",
        )
    if not accept and not comment.strip():
        raise UserError("Cần ghi lý do trả lại", "Give a reason for returning it")
    before = snapshot(update)
    update.decision = ProgressUpdate.Decision.ACCEPTED if accept else ProgressUpdate.Decision.RETURNED
    update.decision_comment, update.decided_by, update.decided_at = (
        comment.strip(),
        actor.name,
        timezone.now(),
    )
    update.save()
    record_change(actor, ChangeLogEntry.Action.UPDATE, update, before=before, reason=comment.strip())
    if accept:
        task = update.task
        before = snapshot(task)
        apply_update(task, update)
        task.save()
        record_change(
            actor, ChangeLogEntry.Action.UPDATE, task, before=before, reason=f"cập nhật #{update.pk}"
        )
    return update


@transaction.atomic
def set_task(
    *, task: Task, user, actor: Actor, due_date: date | None = None, status: str | None = None
) -> Task:
    """The plan owner sets a task's due date or status directly (e.g. cancels it)."""
    if not may_manage_plan(user, task.item.plan):
        raise NotFound(f"Không có nhiệm vụ {task.item.number}", f"No task {task.item.number}")
    before = snapshot(task)
    if due_date is not None:
        task.due_date = due_date
    if status is not None:
        if status not in Task.Status.values:
            raise UserError(f"Trạng thái '{status}' không có", f"Unknown status '{status}'")
        task.status = status
    task.save()
    record_change(actor, ChangeLogEntry.Action.UPDATE, task, before=before)
    return task


@dataclass(frozen=True)
class Reminder:
    agency: Agency | None
    overdue: list[Task]
    due_soon: list[Task]


def reminders(*, plan: Plan, today: date, days: int = 14) -> list[Reminder]:
    """Per lead agency (None: the plan owner's own tasks), the overdue tasks and those due within
    `days`; tasks waiting on a condition are neither."""
    groups: dict[int | None, tuple[Agency | None, list, list]] = {}
    tasks = (
        Task.objects.filter(item__plan=plan)
        .select_related("item__lead", "item__condition")
        .order_by("item__order")
    )
    for task in tasks:
        state = task.state(today)
        soon = (
            state in (Task.Status.NOT_STARTED, Task.Status.IN_PROGRESS)
            and task.due_date
            and task.due_date <= today + timedelta(days=days)
        )
        if state != "overdue" and not soon:
            continue
        key = task.item.lead_id
        _, overdue, due_soon = groups.setdefault(key, (task.item.lead, [], []))
        (overdue if state == "overdue" else due_soon).append(task)
    return [Reminder(agency, overdue, due_soon) for agency, overdue, due_soon in groups.values()]


# --- incidents ----------------------------------------------------------------------------------


@transaction.atomic
def report_incident(
    *,
    category: str,
    description: str,
    actor: Actor,
    address: str = "",
    lat: float | None = None,
    lon: float | None = None,
    contact: str = "",
    photos: list[Upload] = (),
    synthetic: bool = False,
) -> Incident:
    """Anyone reports a shared telecom work built wrongly, unsafe or damaged. Photos are checked and
    re-encoded without their metadata before they are stored; the private link is the token."""
    if category not in Incident.Category.values:
        raise UserError("Chọn loại phản ánh", "Choose the kind of report")
    description = (description or "").strip()
    if len(description) < 10:
        raise UserError("Mô tả cần ít nhất 10 ký tự", "The description needs at least 10 characters")
    if not address.strip() and (lat is None or lon is None):
        raise UserError("Cần ghi địa chỉ hoặc chọn vị trí trên bản đồ", "Give an address or a position")
    if lat is not None and not (-90 <= lat <= 90 and -180 <= (lon or 0) <= 180):
        raise UserError("Vị trí không hợp lệ", "The position is invalid")
    cleaned = _cleaned_photos(photos)
    unit = None
    if lat is not None and lon is not None:
        unit = UnitLocator(on=timezone.localdate()).locate(lon, lat).unit
    incident = Incident.objects.create(
        token=secrets.token_urlsafe(24), category=category, description=description[:5000],
        address=address.strip()[:300], lat=lat, lon=lon, unit=unit, contact=contact.strip()[:200],
        synthetic=synthetic,
    )  # fmt: skip
    record_change(actor, ChangeLogEntry.Action.CREATE, incident)
    IncidentEvent.objects.create(incident=incident, status=Incident.Status.NEW, actor="người phản ánh")
    _store_photos(incident, cleaned)
    return incident


def _cleaned_photos(photos: list[Upload]) -> list[tuple[bytes, str]]:
    """Each photo checked and re-encoded without its metadata, with its kind (before any write)."""
    kinds = _check_files(
        list(photos), kinds=IMAGE_KINDS, max_bytes=PHOTO_MAX_BYTES, max_files=PHOTO_MAX_FILES
    )
    return [(without_metadata(p.data, kind, p.name), kind) for p, kind in zip(photos, kinds, strict=True)]


def _store_photos(incident: Incident, cleaned: list[tuple[bytes, str]]) -> None:
    for data, kind in cleaned:
        path, digest = store(data, "incident-photos", kind)
        IncidentPhoto.objects.create(
            incident=incident, stored_path=str(path), sha256=digest, size=len(data), kind=kind
        )


QLDT_AGENCY = "phong_qldt"


def triage_memberships(user) -> list:
    """The memberships through which a user handles incident reports and the roads list: the plan
    owner's, and Phòng Quản lý đô thị's (DESIGN.md §2; plan VI.3.c)."""
    return [
        m
        for m in scope_for(user).memberships
        if m.role == Role.PLAN_OWNER
        or (m.role == Role.AGENCY and m.agency_id and m.agency.code == QLDT_AGENCY)
    ]


def can_triage(user) -> bool:
    """Whether the user handles incident reports somewhere (a superuser and the command line too)."""
    return scope_for(user).is_superuser or bool(triage_memberships(user))


def triage_area(user) -> Q:
    """The incident reports a user triages: those located in the area of a triage membership, and
    those not located yet (an address only). Nothing for a user who does not triage."""
    if scope_for(user).is_superuser:
        return Q()
    condition = Q(pk__in=[])
    for membership in triage_memberships(user):
        condition |= Q(unit__isnull=True) | in_area(membership.unit) if membership.unit_id else Q()
    return condition


def may_manage_roads(user, plan: Plan) -> bool:
    """The roads list of a plan's area is kept by its plan owner and its Phòng Quản lý đô thị."""
    if scope_for(user).is_superuser:
        return True
    return any(
        m.unit_id is None or plan.area_unit.path.startswith(m.unit.path) for m in triage_memberships(user)
    )


@transaction.atomic
def triage_incident(
    *,
    incident: Incident,
    status: str,
    user,
    actor: Actor,
    comment: str = "",
    operator=None,
    unit=None,
    road=None,
) -> Incident:
    """Assign to the responsible enterprise or commune, follow to resolution; the reporter sees each
    step and its public comment on the private link."""
    if not can_triage(user) or not Incident.objects.filter(triage_area(user), pk=incident.pk).exists():
        raise NotFound("Không có phản ánh này", "No such report")
    if status not in Incident.Status.values:
        raise UserError(f"Trạng thái '{status}' không có", f"Unknown status '{status}'")
    if status == Incident.Status.ASSIGNED and operator is None and unit is None:
        raise UserError(
            "Chọn doanh nghiệp hoặc UBND xã, phường để chuyển xử lý", "Choose whom to assign it to"
        )
    if status == Incident.Status.REJECTED and not comment.strip():
        raise UserError("Cần ghi lý do không xử lý", "Give the reason for rejecting it")
    before = snapshot(incident)
    incident.status = status
    if operator is not None:
        incident.assigned_operator = operator
    if unit is not None:
        incident.assigned_unit = unit
    if road is not None:
        incident.road = road
    incident.resolved_at = timezone.now() if status == Incident.Status.RESOLVED else None
    incident.save()
    record_change(actor, ChangeLogEntry.Action.UPDATE, incident, before=before, reason=comment.strip())
    IncidentEvent.objects.create(incident=incident, status=status, comment=comment.strip(), actor=actor.name)
    return incident


def assigned_condition(user) -> Q | None:
    """The incident reports assigned to the user's operator or commune (None: none), which the
    user handles (handle_incident)."""
    condition = None
    for membership in scope_for(user).memberships:
        if membership.role == Role.ENTERPRISE and membership.operator_id:
            part = Q(assigned_operator_id=membership.operator_id)
        elif membership.role == Role.COMMUNE and membership.unit_id:
            part = Q(assigned_unit_id=membership.unit_id)
        else:
            continue
        condition = part if condition is None else condition | part
    return condition


# The steps of an assigned report that its enterprise or commune takes; the others are the triage's.
HANDLER_STATUSES = (Incident.Status.IN_PROGRESS, Incident.Status.RESOLVED)


@transaction.atomic
def handle_incident(
    *, incident: Incident, status: str, note: str, user, actor: Actor, photos: list[Upload] = ()
) -> Incident:
    """The enterprise or commune a report is assigned to tells its progress: being handled, or
    handled (with what was done), with photos; the reporter sees each step on the private link."""
    condition = assigned_condition(user)
    if condition is None or not Incident.objects.filter(condition, pk=incident.pk).exists():
        raise NotFound("Không có phản ánh này", "No such report")
    if status not in HANDLER_STATUSES:
        raise UserError("Chọn «Đang xử lý» hoặc «Đã xử lý xong»", "Choose in progress or resolved")
    if incident.status in (Incident.Status.RESOLVED, Incident.Status.REJECTED):
        raise Conflict(
            "Phản ánh đã đóng; liên hệ cơ quan tiếp nhận nếu cần mở lại", "The report is closed"
        )
    note = (note or "").strip()
    if status == Incident.Status.RESOLVED and not note:
        raise UserError("Cần ghi đã xử lý thế nào", "Say how it was resolved")
    cleaned = _cleaned_photos(photos)
    before = snapshot(incident)
    incident.status = status
    incident.resolved_at = timezone.now() if status == Incident.Status.RESOLVED else None
    incident.save()
    record_change(actor, ChangeLogEntry.Action.UPDATE, incident, before=before, reason=note)
    IncidentEvent.objects.create(incident=incident, status=status, comment=note, actor=actor.name)
    _store_photos(incident, cleaned)
    return incident


ROAD_COLUMNS = {
    "name": {"ten_duong", "ten", "name"},
    "section": {"doan", "section"},
    "unit_code": {"ma_don_vi", "ma_xa", "unit_code"},
    "work": {"hang_muc", "work"},
    "status": {"trang_thai", "status"},
    "tasks": {"nhiem_vu", "tasks"},
    "note": {"ghi_chu", "note"},
}
ROAD_WORDS = {
    match_key(w): value
    for value, words in {
        Road.Work.BUILD: ("build", "xây dựng", "xây dựng mới"),
        Road.Work.REPAIR: ("repair", "sửa chữa"),
        Road.Work.UPGRADE: ("upgrade", "nâng cấp", "cải tạo", "nâng cấp, cải tạo"),
        Road.Status.PLANNED: ("planned", "trong danh mục", "kế hoạch"),
        Road.Status.IN_PROGRESS: ("in_progress", "đang thực hiện"),
        Road.Status.DONE: ("done", "đã hoàn thành", "hoàn thành"),
    }.items()
    for w in words
}


def import_roads(*, path, plan: Plan, actor: Actor, synthetic: bool = False) -> int:
    """The roads list (VI.3.c) from CSV/XLSX, all or nothing; `nhiem_vu` links tasks by section
    number (`VI.3.c; IV.2.b`). A road already listed (same name and section) is updated."""
    table = read_table(path)
    mapping = map_columns(table.columns, ROAD_COLUMNS, ("name", "work"))
    errors, rows = RowErrors(), []
    tasks = {t.item.number: t for t in Task.objects.filter(item__plan=plan).select_related("item")}
    for number, cells in table.rows:

        def cell(field, cells=cells):
            return cells.get(mapping.get(field, ""), "")

        def fail(field, vi, en, number=number, cell=cell):
            errors.add(number, mapping.get(field, field), cell(field), vi, en)

        ok = True
        work = ROAD_WORDS.get(match_key(cell("work")))
        if work not in Road.Work.values:
            fail(
                "work",
                "hạng mục không rõ (xây dựng mới, sửa chữa, nâng cấp)",
                "unknown work (build, repair, upgrade)",
            )
            ok = False
        status = ROAD_WORDS.get(match_key(cell("status"))) if cell("status") else Road.Status.PLANNED
        if status not in Road.Status.values:
            fail("status", "trạng thái không rõ", "unknown status (planned, in_progress, done)")
            ok = False
        unit = None
        if cell("unit_code"):
            try:
                unit = resolve_unit(cell("unit_code"), start=plan.issued_on)
            except UserError as exc:
                fail("unit_code", exc.vi, exc.en)
                ok = False
        linked = []
        for code in [c.strip() for c in cell("tasks").replace(",", ";").split(";") if c.strip()]:
            if code not in tasks:
                fail("tasks", f"không có nhiệm vụ mục {code}", f"no task numbered {code}")
                ok = False
            else:
                linked.append(tasks[code])
        if not cell("name"):
            fail("name", "thiếu tên đường", "the road name is missing")
            ok = False
        if ok:
            rows.append((cell("name")[:200], cell("section")[:300], unit, work, status, cell("note"), linked))
    if errors:
        raise ImportRejected(Path(path).name, errors.errors)
    keep_original(path, "roads")
    with transaction.atomic():
        for name, section, unit, work, status, note, linked in rows:
            road = Road.objects.filter(name=name, section=section).first()
            road = road or Road(name=name, section=section)
            _write_road(road, unit=unit, work=work, status=status, note=note, tasks=linked,
                        synthetic=synthetic, actor=actor)  # fmt: skip
    return len(rows)


def _write_road(road: Road, *, unit, work, status, note, tasks, synthetic, actor: Actor, reason=""):
    before = snapshot(road) if road.pk else None
    road.unit, road.work, road.status, road.note, road.synthetic = unit, work, status, note, synthetic
    road.save()
    road.tasks.set(tasks)
    action = ChangeLogEntry.Action.UPDATE if before else ChangeLogEntry.Action.CREATE
    record_change(actor, action, road, before=before, reason=reason)


@transaction.atomic
def save_road(
    *,
    plan: Plan,
    road: Road | None,
    name: str,
    section: str = "",
    unit=None,
    work: str,
    status: str = Road.Status.PLANNED,
    note: str = "",
    tasks=(),
    user,
    actor: Actor,
) -> Road:
    """Add a road to the plan's roads list (VI.3.c) or change one; the plan owner and Phòng Quản lý
    đô thị keep the list."""
    if not may_manage_roads(user, plan):
        raise NotFound("Không có tuyến đường này", "No such road")
    name, section = " ".join(name.split())[:200], " ".join(section.split())[:300]
    if not name:
        raise UserError("Cần ghi tên đường", "The road name is missing")
    if work not in Road.Work.values:
        raise UserError("Hạng mục không rõ (xây dựng mới, sửa chữa, nâng cấp)", "Unknown work")
    if status not in Road.Status.values:
        raise UserError("Trạng thái không rõ", "Unknown status")
    if unit is not None and not unit.path.startswith(plan.area_unit.path):
        raise UserError(
            f"{unit.name} không thuộc địa bàn kế hoạch", f"{unit.name} is outside the plan's area"
        )
    tasks = list(tasks)
    if any(t.item.plan_id != plan.pk for t in tasks):
        raise UserError("Nhiệm vụ không thuộc kế hoạch này", "A task is not of this plan")
    twin = Road.objects.filter(name=name, section=section).exclude(pk=road.pk if road else None).first()
    if twin is not None:
        raise UserError(f"Tuyến «{twin}» đã có trong danh mục", f"The road «{twin}» is already listed")
    road = road or Road()
    road.name, road.section = name, section
    _write_road(road, unit=unit, work=work, status=status, note=note.strip(), tasks=tasks,
                synthetic=road.synthetic, actor=actor)  # fmt: skip
    return road
