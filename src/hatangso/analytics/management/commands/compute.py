import json
from datetime import date

from rich.table import Table

from hatangso.analytics.selectors import scorecard as current_scorecard
from hatangso.analytics.status import Status
from hatangso.core.management.base import HatangsoCommand
from hatangso.geography.selectors import missing_crosswalk, resolve_unit
from hatangso.plans.selectors import command_plan
from hatangso.utilities.errors import UserError
from hatangso.utilities.numbers import format_amount, format_number
from hatangso.utilities.periods import parse_period


class Command(HatangsoCommand):
    help = "Tính các chỉ tiêu của kế hoạch / Compute a plan's scorecard"

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="số kế hoạch / plan code, e.g. 1529/KH-UBND")
        parser.add_argument("--period", help="kỳ / period: 2024, 2024Q3, 202409 (mặc định: kỳ kế hoạch)")
        parser.add_argument("--unit", help="mã đơn vị / unit code (mặc định: địa bàn kế hoạch)")
        parser.add_argument(
            "--as-of",
            help="xem theo đơn vị hành chính có hiệu lực ngày này / view on the units in "
            "force on this date (YYYY-MM-DD), e.g. 2025-07-01 for the post-reorganisation units",
        )
        parser.add_argument("--json", action="store_true", help="in JSON / print JSON")

    def handle(self, *args, **options):
        plan = command_plan(options["plan"])
        period = parse_period(options["period"] or plan.period)
        if options["as_of"]:
            try:
                as_of = date.fromisoformat(options["as_of"])
            except ValueError as exc:
                raise UserError("--as-of phải có dạng YYYY-MM-DD", "--as-of must be YYYY-MM-DD") from exc
            unit = resolve_unit(options["unit"] or plan.area_unit.code, start=as_of)
        elif options["unit"]:
            unit = resolve_unit(options["unit"], start=period.start, end=period.end)
        else:
            unit = plan.area_unit
        scorecard = current_scorecard(plan=plan, unit=unit, period=period)  # stored if not current
        if options["json"]:
            self.stdout.write(json.dumps(scorecard.as_json(), ensure_ascii=False, indent=2))
            return
        self.console.print(render_scorecard_table(scorecard))
        if gap := missing_crosswalk(unit, start=period.start, end=period.end):
            self.console.print(gap, markup=False)


def render_scorecard_table(scorecard) -> Table:
    title = f"{scorecard.plan.code} · {scorecard.unit.name} · {scorecard.period}"
    if scorecard.synthetic:
        title += " · DỮ LIỆU MẪU / SYNTHETIC DEMO DATA"
    table = Table(title=title, show_lines=False)
    for column, justify in (
        ("STT", "right"),
        ("Chỉ tiêu / Indicator", "left"),
        ("Kế hoạch", "right"),
        ("Thực hiện", "right"),
        ("Tử số / Mẫu số", "right"),
        ("Đánh giá / Status", "left"),
    ):
        table.add_column(column, justify=justify)
    for number, e in enumerate(scorecard.evaluations, start=1):
        ratio = (
            f"{format_number(e.numerator, 0)} / {format_number(e.denominator, 0)}"
            if e.numerator is not None and e.indicator.is_ratio
            else "—"
        )
        rating = Status(e.status)
        status = f"[{rating.style}]{rating.label}[/]"
        if e.flags:
            status += " ⚠ >100%"
        table.add_row(
            str(number),
            e.indicator.name,
            f"{e.indicator.comparison} {format_amount(e.target, e.indicator.unit, 0)}",
            format_amount(e.value, e.indicator.unit),
            ratio,
            status,
        )
    return table
