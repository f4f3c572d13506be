from pathlib import Path

from hatangso.core.management.base import HatangsoCommand
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.selectors import default_plan, get_plan
from hatangso.reports.services import FORMATS, build_report, load_report_texts
from hatangso.utilities.periods import parse_iso_day, parse_period


class Command(HatangsoCommand):
    help = "Báo cáo kết quả thực hiện / The results report (DOCX, PDF, XLSX)"

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="số kế hoạch / plan code (default: the latest plan)")
        parser.add_argument("--period", help="kỳ / period, e.g. 2024 (default: the plan's)")
        parser.add_argument("--unit", help="mã đơn vị / unit code (default: the plan's area)")
        parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
        parser.add_argument("--out", type=Path, required=True, help="tệp kết quả / output file")
        parser.add_argument("--date", help="ngày báo cáo / report date, YYYY-MM-DD (default today)")
        parser.add_argument(
            "--texts",
            type=Path,
            help="tệp YAML nội dung tự viết / YAML of the written sections (trien_khai, thuan_loi, "
            "kho_khan, vuong_mac, kien_nghi), saved before the report is written",
        )

    def handle(self, *args, fmt, out, **options):
        plan = get_plan(options["plan"]) if options["plan"] else default_plan()
        period = parse_period(options["period"] or plan.period)
        unit = (
            resolve_unit(options["unit"], start=period.start, end=period.end)
            if options["unit"]
            else plan.area_unit
        )
        report_date = parse_iso_day(options["date"]) if options["date"] else None
        if options["texts"]:
            load_report_texts(
                path=options["texts"], plan=plan, period=period.code, unit=unit, actor=self.actor()
            )
        with self.console.status("Đang tạo báo cáo / Writing the report…"):
            path = build_report(
                plan=plan, period=period, unit=unit, fmt=fmt, out=out, report_date=report_date
            )
        self.console.print(f"Báo cáo / report: {path}")
