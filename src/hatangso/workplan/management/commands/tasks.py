from pathlib import Path

from django.utils import timezone
from rich.table import Table

from hatangso.core.management.base import HatangsoCommand
from hatangso.core.scoping import COMMAND_LINE
from hatangso.plans.selectors import command_plan
from hatangso.utilities.errors import UserError
from hatangso.utilities.files import Upload
from hatangso.utilities.numbers import format_date
from hatangso.utilities.periods import parse_day
from hatangso.workplan.selectors import task_list
from hatangso.workplan.services import add_update, sync_tasks


class Command(HatangsoCommand):
    help = "Nhiệm vụ của kế hoạch / The plan's tasks: list, update"

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="số kế hoạch / plan code")
        sub = parser.add_subparsers(dest="action", required=True, metavar="list|update")
        listing = sub.add_parser("list", help="danh sách nhiệm vụ / list tasks")
        listing.add_argument("--agency", help="mã cơ quan chủ trì / lead agency code, e.g. phong_qldt")
        listing.add_argument("--overdue", action="store_true", help="chỉ nhiệm vụ quá hạn / overdue only")
        update = sub.add_parser("update", help="báo cáo tiến độ / report progress on a task")
        update.add_argument("number", help="mục / section number, e.g. III.1.e")
        update.add_argument("--text", required=True, help="nội dung đã thực hiện / what was done")
        update.add_argument("--date", help="ngày / date (dd/mm/yyyy; default today)")
        update.add_argument("--progress", type=int, help="tiến độ / progress 0-100")
        update.add_argument("--status", choices=["not_started", "in_progress", "done", "cancelled"])
        update.add_argument(
            "--file", type=Path, action="append", default=[], help="minh chứng / evidence file"
        )

    def handle(self, *args, action, **options):
        plan = command_plan(options["plan"])
        sync_tasks(plan=plan, actor=self.actor())
        today = timezone.localdate()
        if action == "update":
            task = task_list(COMMAND_LINE, plan=plan).filter(item__number=options["number"]).first()
            if task is None:
                raise UserError(
                    f"Không có nhiệm vụ mục {options['number']}", f"No task numbered {options['number']}"
                )
            files = []
            for path in options["file"]:
                if not path.is_file():
                    raise UserError(f"Không tìm thấy tệp {path}", f"File {path} not found")
                files.append(Upload(name=path.name, data=path.read_bytes()))
            done_on = parse_day(options["date"]) if options["date"] else today
            update = add_update(
                task=task, text=options["text"], done_on=done_on,
                progress=options["progress"], status=options["status"] or "", files=files, user=COMMAND_LINE,
                actor=self.actor(),
            )  # fmt: skip
            self.console.print(f"Đã ghi cập nhật / update recorded: #{update.pk} ({task.item.number})")
            return
        tasks = task_list(COMMAND_LINE, plan=plan, agency=options["agency"])
        table = Table(title=f"Nhiệm vụ / tasks · {plan.code}")
        for column in ("Mục", "Nội dung", "Chủ trì", "Hạn", "Tình trạng", "%"):
            table.add_column(column)
        shown = 0
        for task in tasks:
            state = task.state(today)
            if options["overdue"] and state != "overdue":
                continue
            shown += 1
            text = task.item.text if len(task.item.text) < 70 else task.item.text[:69] + "…"
            lead = task.item.lead.name if task.item.lead_id else ""
            table.add_row(
                task.item.number,
                text,
                lead,
                format_date(task.due_date),
                task.state_label(today),
                str(task.progress),
            )
        self.console.print(table)
        self.console.print(f"{shown} nhiệm vụ / tasks")
