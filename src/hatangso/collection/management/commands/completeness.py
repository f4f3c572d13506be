from rich.table import Table

from hatangso.collection.selectors import get_form
from hatangso.collection.workflow import completeness
from hatangso.core.management.base import HatangsoCommand
from hatangso.plans.selectors import command_plan
from hatangso.utilities.numbers import format_date

STATUS_VI = {
    "draft": "đang nhập, chưa gửi",
    "submitted": "đã gửi",
    "approved": "đã duyệt",
    "returned": "trả lại",
    "missing": "chưa báo cáo",
}


class Command(HatangsoCommand):
    help = "Tình hình nộp báo cáo / Reporting completeness and timeliness"

    def add_arguments(self, parser):
        parser.add_argument("form", help="mã biểu / form code, e.g. ubnd_xa_nam")
        parser.add_argument("--period", required=True, help="kỳ / period, e.g. 2024, 2024Q3, 202409")
        parser.add_argument("--plan", help="số kế hoạch / plan code")

    def handle(self, *args, form, period, **options):
        plan = command_plan(options["plan"])
        report_form = get_form(plan, form)
        result = completeness(form=report_form, period=period)
        table = Table(
            title=f"{report_form.name} · {result.period} · hạn / due {format_date(result.due)}",
            caption=f"Đã nhận / received {result.received}/{result.expected} · "
            f"đúng hạn / on time {result.on_time}/{result.expected}",
        )
        for column in ("Đơn vị báo cáo / Reporter", "Trạng thái / Status", "Ngày gửi / Sent", "Đúng hạn"):
            table.add_column(column)
        for row in result.rows:
            on_time = {True: "✓", False: "trễ / late", None: ""}[row.on_time]
            sent = format_date(row.submitted_at.date()) if row.submitted_at else ""
            table.add_row(f"{row.reporter} ({row.code})", STATUS_VI[row.status], sent, on_time)
        self.console.print(table)
        if result.missing:
            names = ", ".join(f"{row.reporter} ({row.code})" for row in result.missing)
            self.console.print(f"Chưa gửi báo cáo / not reported: {names}")
