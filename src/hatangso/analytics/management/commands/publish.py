from hatangso.analytics.publishing import publish_scorecard, withdraw_publication
from hatangso.analytics.status import Status
from hatangso.core.management.base import HatangsoCommand
from hatangso.plans.selectors import command_plan


class Command(HatangsoCommand):
    help = "Công bố (hoặc rút) kết quả chỉ tiêu của một kỳ cho người dân / Publish (or withdraw) a scorecard"

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="số kế hoạch / plan code, e.g. 1529/KH-UBND")
        parser.add_argument("--period", required=True, help="kỳ / period: 2024, 2024Q3, 202409")
        parser.add_argument("--withdraw", action="store_true", help="rút công bố / withdraw")

    def handle(self, *args, plan, period, withdraw, **options):
        plan = command_plan(plan)
        if withdraw:
            publication = withdraw_publication(plan=plan, period=period, actor=self.actor())
            self.console.print(
                f"Đã rút công bố kỳ {publication.period} / Withdrawn: {plan.code} {publication.period}"
            )
            return
        publication = publish_scorecard(plan=plan, period=period, actor=self.actor())
        card = publication.snapshot["scorecard"]
        achieved = sum(1 for row in card["indicators"] if row["status"] == Status.ACHIEVED)
        self.console.print(
            f"Đã công bố kỳ {publication.period} của {card['unit']['name']} / Published {plan.code} "
            f"{publication.period}: {achieved}/{len(card['indicators'])} chỉ tiêu hoàn thành "
            f"/ indicators met; /cong-khai/{plan.slug}/"
            + (" (dữ liệu mẫu / synthetic demo data)" if publication.synthetic else "")
        )
