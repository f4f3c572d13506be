from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import send_mail
from django.utils import timezone

from hatangso.core.management.base import HatangsoCommand
from hatangso.core.models import Role
from hatangso.plans.selectors import command_plan
from hatangso.utilities.numbers import format_date
from hatangso.workplan.services import reminders, sync_tasks


def _lines(tasks, label: str) -> list[str]:
    return [f"  [{label}] {t.item.number} (hạn {format_date(t.due_date)}): {t.item.text[:90]}" for t in tasks]


class Command(HatangsoCommand):
    help = "Nhắc việc / Overdue and due-soon tasks per agency (e-mail when SMTP is configured)"

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="số kế hoạch / plan code")
        parser.add_argument("--days", type=int, default=14, help="sắp đến hạn trong / due within N days")
        parser.add_argument(
            "--send", action="store_true", help="gửi e-mail / send e-mail (needs HATANGSO_SMTP_HOST)"
        )

    def handle(self, *args, days, send, **options):
        plan = command_plan(options["plan"])
        sync_tasks(plan=plan, actor=self.actor())
        today = timezone.localdate()
        found = reminders(plan=plan, today=today, days=days)
        if not found:
            self.console.print("Không có nhiệm vụ quá hạn hoặc sắp đến hạn / nothing overdue or due soon")
            return
        sent = 0
        for reminder in found:
            name = reminder.agency.name if reminder.agency else "Cơ quan chủ trì kế hoạch"
            counts = (
                f"{len(reminder.overdue)} quá hạn / overdue, {len(reminder.due_soon)} sắp đến hạn / due soon"
            )
            body = [f"{name}: {counts}"]
            body += _lines(reminder.overdue, "quá hạn") + _lines(reminder.due_soon, "sắp đến hạn")
            self.console.print("\n".join(body), markup=False)
            if send:
                sent += self._mail(plan, reminder, body)
        if send:
            where = "SMTP" if settings.SMTP_CONFIGURED else "console (HATANGSO_SMTP_HOST chưa đặt / not set)"
            self.console.print(f"Đã gửi / sent {sent} e-mail qua / via {where}")

    def _mail(self, plan, reminder, body: list[str]) -> int:
        users = get_user_model().objects.filter(is_active=True).exclude(email="")
        if reminder.agency is not None:
            users = users.filter(memberships__role=Role.AGENCY, memberships__agency=reminder.agency)
        else:
            users = users.filter(memberships__role=Role.PLAN_OWNER)
        recipients = sorted(set(users.values_list("email", flat=True)))
        if not recipients:
            return 0
        subject = f"[hatangso] Nhắc việc kế hoạch {plan.code}"
        return send_mail(subject, "\n".join(body), None, recipients)
