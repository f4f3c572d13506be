"""Tasks follow the plan; updates with evidence; conditions; reminders."""

import io
from datetime import date

import pytest
import yaml
from django.core import mail
from django.core.management import call_command
from PIL import Image

from hatangso.core.models import ChangeLogEntry
from hatangso.core.scoping import COMMAND_LINE
from hatangso.core.services import create_user, grant_membership
from hatangso.plans.models import Agency, Plan
from hatangso.plans.services import SEED_PLAN_FILE, set_condition
from hatangso.utilities.errors import NotFound, UserError
from hatangso.utilities.files import Upload, without_metadata
from hatangso.workplan.models import Evidence, ProgressUpdate, Task
from hatangso.workplan.services import add_update, decide_update, reminders

PASSWORD = "a long passphrase 2024"
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def agency_user(username, code, actor):
    user = create_user(username=username, password=PASSWORD, actor=actor, email=f"{username}@example.invalid")
    area = Plan.objects.get().area_unit
    grant_membership(user=user, role="agency", agency=Agency.objects.get(code=code), unit=area, actor=actor)
    return user


def task(number):
    return Task.objects.select_related("item__lead", "item__condition").get(item__number=number)


def test_every_task_measure_and_responsibility_of_the_seed_is_a_task(seed_plan):
    spec = yaml.safe_load(SEED_PLAN_FILE.read_text(encoding="utf-8"))
    expected = {
        item["number"]: item.get("lead")
        for item in spec["items"]
        if item["kind"] in ("task", "measure", "responsibility")
    }
    assert len(expected) == 55
    found = {
        t.item.number: (t.item.lead.code if t.item.lead_id else None)
        for t in Task.objects.select_related("item__lead")
    }
    assert found == expected
    assert {t.due_date for t in Task.objects.all()} == {date(2024, 11, 30)}


def test_a_conditional_task_waits_until_its_condition_holds(seed_plan, actor):
    shared = task("III.1.e")  # "khi cấp tỉnh triển khai"
    after_deadline = date(2024, 12, 15)
    assert shared.state(after_deadline) == "waiting"
    assert task("III.1.a").state(after_deadline) == "overdue"
    assert "III.1.e" not in [
        t.item.number for r in reminders(plan=seed_plan, today=after_deadline) for t in r.overdue
    ]
    set_condition(condition=shared.item.condition, met=True, actor=actor, user=COMMAND_LINE)
    assert task("III.1.e").state(after_deadline) == "overdue"


def test_an_agency_updates_its_own_tasks_only(seed_plan, actor, table_counts):
    qldt = agency_user("qldt", "phong_qldt", actor)
    update = add_update(
        task=task("VI.3.c"),
        text="Đã lập danh sách 12 tuyến đường",
        done_on=date(2024, 9, 1),
        progress=60,
        user=qldt,
        actor=actor,
        files=[Upload("danh-sach.pdf", PDF)],
    )
    assert update.evidence.get().kind == "pdf"
    before = table_counts()
    with pytest.raises(NotFound):
        add_update(
            task=task("VI.2"), text="Đã bố trí kinh phí", done_on=date(2024, 9, 1), user=qldt, actor=actor
        )
    assert table_counts() == before


def test_a_bad_evidence_file_stores_nothing(seed_plan, actor, table_counts, settings):
    qldt = agency_user("qldt", "phong_qldt", actor)
    files_before = (
        set((settings.HOME / "evidence").glob("*")) if (settings.HOME / "evidence").exists() else set()
    )
    before = table_counts()
    page = b"<html><script>alert(1)</script></html>"
    with pytest.raises(UserError) as error:
        files = [Upload("ok.pdf", PDF), Upload("bao-cao.pdf", page)]
        add_update(
            task=task("VI.3.c"),
            text="Có minh chứng",
            done_on=date(2024, 9, 1),
            user=qldt,
            actor=actor,
            files=files,
        )
    assert (
        error.value.vi == "Tệp bao-cao.pdf không thuộc loại được nhận (docx, jpeg, ods, odt, pdf, png, xlsx)"
    )
    with pytest.raises(UserError) as error:
        files = [Upload("lon.pdf", PDF + b"0" * (10 * 2**20))]
        add_update(
            task=task("VI.3.c"),
            text="Tệp quá lớn",
            done_on=date(2024, 9, 1),
            user=qldt,
            actor=actor,
            files=files,
        )
    assert error.value.en == "File lon.pdf is larger than 10 MB"
    assert table_counts() == before
    files_after = (
        set((settings.HOME / "evidence").glob("*")) if (settings.HOME / "evidence").exists() else set()
    )
    assert files_after == files_before


def test_the_owner_accepts_or_returns_an_update(seed_plan, actor):
    qldt = agency_user("qldt", "phong_qldt", actor)
    owner = create_user(username="vhtt", password=PASSWORD, actor=actor)
    grant_membership(user=owner, role="plan_owner", unit=seed_plan.area_unit, actor=actor)
    first = add_update(
        task=task("VI.3.c"),
        text="Đã lập danh sách",
        done_on=date(2024, 9, 1),
        progress=100,
        status="done",
        user=qldt,
        actor=actor,
    )
    with pytest.raises(NotFound):
        decide_update(update=first, accept=True, comment="", user=qldt, actor=actor)
    with pytest.raises(UserError):
        decide_update(update=first, accept=False, comment=" ", user=owner, actor=actor)
    decide_update(update=first, accept=False, comment="Thiếu danh sách kèm theo", user=owner, actor=actor)
    assert task("VI.3.c").status == "not_started"
    second = add_update(
        task=task("VI.3.c"),
        text="Gửi kèm danh sách",
        done_on=date(2024, 9, 5),
        progress=100,
        status="done",
        user=qldt,
        actor=actor,
    )
    decide_update(update=second, accept=True, comment="", user=owner, actor=actor)
    assert (task("VI.3.c").status, task("VI.3.c").progress) == ("done", 100)
    history = ChangeLogEntry.objects.filter(object_type="workplan.progressupdate", action="update")
    assert [e.after["decision"] for e in history.order_by("time")] == ["returned", "accepted"]
    assert ProgressUpdate.objects.filter(decision="accepted").count() == 1


def test_remind_prints_and_mails_each_agency(seed_plan, actor, settings, capsys, monkeypatch):
    agency_user("qldt", "phong_qldt", actor)
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SMTP_CONFIGURED = True
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *a: date(2024, 12, 1))
    call_command("remind", "--send")
    out = capsys.readouterr().out
    assert "Phòng Quản lý đô thị: 7 quá hạn / overdue" in out  # IV.2.a, IV.2.b, IV.2.d, VI.3.a–d
    assert "III.1.e" not in out  # waiting on the province: not late
    qldt_mail = [m for m in mail.outbox if m.to == ["qldt@example.invalid"]]
    assert len(qldt_mail) == 1 and "VI.3.c" in qldt_mail[0].body


def test_evidence_images_keep_no_location(seed_plan, actor):
    image = Image.new("RGB", (40, 30), "red")
    exif = Image.Exif()
    exif[0x8825] = {1: "N", 2: (16.0, 30.0, 0.0)}  # GPSInfo
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif)
    assert b"Exif" in buffer.getvalue()[:200]
    cleaned = without_metadata(buffer.getvalue(), "jpeg")
    assert b"Exif" not in cleaned and Image.open(io.BytesIO(cleaned)).size == (40, 30)
    assert not Evidence.objects.exists()


def test_roads_list_imports_all_or_nothing(seed_plan, actor, tmp_path, table_counts):
    from hatangso.utilities.importing import ImportRejected
    from hatangso.workplan.models import Road
    from hatangso.workplan.services import import_roads

    path = tmp_path / "duong.csv"
    path.write_text(
        "ten_duong,doan,ma_don_vi,hang_muc,trang_thai,nhiem_vu\n"
        "Đường Lý Bôn,từ QL1A đến cầu Tứ Phú,19996,xây dựng mới,,VI.3.c\n"
        "Tỉnh lộ 16,,20005,sơn lại,,VI.9\n",
        encoding="utf-8",
    )
    before = table_counts()
    with pytest.raises(ImportRejected) as rejected:
        import_roads(path=path, plan=seed_plan, actor=actor)
    assert [(e.row, e.column) for e in rejected.value.errors] == [(3, "hang_muc"), (3, "nhiem_vu")]
    assert table_counts() == before
    path.write_text(path.read_text(encoding="utf-8").replace("sơn lại,,VI.9", "sửa chữa,,"), encoding="utf-8")
    assert import_roads(path=path, plan=seed_plan, actor=actor) == 2
    road = Road.objects.get(name="Đường Lý Bôn")
    assert (road.work, road.status, road.unit.code) == ("build", "planned", "19996")
    assert [t.item.number for t in road.tasks.all()] == ["VI.3.c"]
    assert import_roads(path=path, plan=seed_plan, actor=actor) == 2 and Road.objects.count() == 2
