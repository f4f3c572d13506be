from rich.table import Table

from hatangso.collection.checks import outliers, rule_violations
from hatangso.core.management.base import HatangsoCommand
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.selectors import children_of, resolve_unit
from hatangso.plans.selectors import command_plan
from hatangso.utilities.periods import parse_period, period_label


class Command(HatangsoCommand):
    help = "Kiểm tra số liệu: quy tắc và giá trị bất thường / Check data: rules and outliers"

    def add_arguments(self, parser):
        parser.add_argument("--period", required=True)
        parser.add_argument(
            "--unit", help="một xã, phường / one commune (default: every commune of the area)"
        )
        parser.add_argument("--plan")

    def handle(self, *args, period, **options):
        plan = command_plan(options["plan"])
        parsed = parse_period(period)
        units = (
            [resolve_unit(options["unit"], start=parsed.start, end=parsed.end)]
            if options["unit"]
            else list(children_of(plan.area_unit, start=parsed.start, end=parsed.end).filter(level="commune"))
        )
        table = Table(title=f"Kiểm tra số liệu / Data checks · {plan.code} · {period_label(parsed.code)}")
        table.add_column("Đơn vị / Unit")
        table.add_column("Loại / Kind")
        table.add_column("Chi tiết / Details")
        problems = 0
        for unit in units:
            for violation in rule_violations(plan, unit, parsed, user=COMMAND_LINE):
                table.add_row(unit.name, "quy tắc / rule", str(violation))
                problems += 1
            for outlier in outliers(unit, parsed, user=COMMAND_LINE):
                table.add_row(unit.name, "bất thường / outlier", str(outlier))
                problems += 1
        if problems:
            self.console.print(table)
        self.console.print(f"{problems} vấn đề / problem(s) trong / in {len(units)} đơn vị / units")
