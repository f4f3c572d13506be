from pathlib import Path

from hatangso.collection.selectors import get_form
from hatangso.collection.workbooks import write_template
from hatangso.core.management.base import HatangsoCommand
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.selectors import command_plan
from hatangso.registry.models import Operator
from hatangso.utilities.errors import NotFound
from hatangso.utilities.periods import parse_period


class Command(HatangsoCommand):
    help = "Tạo biểu mẫu Excel để điền / Generate a form's Excel template"

    def add_arguments(self, parser):
        parser.add_argument("form", help="mã biểu / form code, e.g. ubnd_xa_nam")
        parser.add_argument("--period", required=True)
        parser.add_argument("--unit", help="mã xã, phường (hoặc địa bàn) / commune (or area) code")
        parser.add_argument("--operator", help="mã doanh nghiệp (biểu doanh nghiệp) / operator code")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--plan")

    def handle(self, *args, form, period, **options):
        plan = command_plan(options["plan"])
        report_form = get_form(plan, form)
        parsed = parse_period(period)
        unit = (
            resolve_unit(options["unit"], start=parsed.start, end=parsed.end)
            if options["unit"]
            else plan.area_unit
        )
        operator = None
        if options["operator"]:
            operator = Operator.objects.filter(code=options["operator"]).first()
            if operator is None:
                raise NotFound(
                    f"Không có doanh nghiệp '{options['operator']}'", f"No operator '{options['operator']}'"
                )
        rows = write_template(
            form=report_form, unit=unit, period=parsed.code, path=options["out"], operator=operator
        )
        self.console.print(f"Đã tạo / Wrote {options['out']} ({rows} dòng cần điền / rows to fill)")
