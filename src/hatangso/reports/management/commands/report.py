from pathlib import Path

from django.utils import timezone
from rich.markup import escape

from hatangso.core.management.base import HatangsoCommand
from hatangso.core.scoping import COMMAND_LINE
from hatangso.geography.selectors import resolve_unit
from hatangso.plans.selectors import command_plan
from hatangso.reports.content import deadline_warning
from hatangso.reports.services import (
    FORMATS,
    build_report,
    check_report_file,
    check_report_scope,
    load_report_texts,
)
from hatangso.utilities.periods import parse_iso_day, parse_period


class Command(HatangsoCommand):
    help = "Báo cáo kết quả thực hiện / The results report (DOCX, PDF, XLSX)"

    def add_arguments(self, parser):
        parser.add_argument("--plan", help="số kế hoạch / plan code (needed when several are loaded)")
        parser.add_argument("--period", help="kỳ / period, e.g. 2024 (default: the plan's)")
        parser.add_argument("--unit", help="mã đơn vị / unit code (default: the plan's area)")
        parser.add_argument("--format", choices=FORMATS, required=True, dest="fmt")
        parser.add_argument("--out", type=Path, required=True, help="tệp kết quả / output file")
        parser.add_argument("--date", help="ngày báo cáo / report date, YYYY-MM-DD (default today)")
        parser.add_argument(
            "--as-of",
            help="theo đơn vị hành chính có hiệu lực ngày này / on the units in force on this date "
            "(YYYY-MM-DD), e.g. 2025-07-01 for the post-reorganisation communes",
        )
        parser.add_argument(
            "--texts",
            type=Path,
            help="tệp YAML nội dung tự viết / YAML of the written sections (trien_khai, thuan_loi, "
            "kho_khan, vuong_mac, phuong_huong, kien_nghi), saved before the report is written",
        )

    def handle(self, *args, fmt, out, **options):
        plan = command_plan(options["plan"])
        period = parse_period(options["period"] or plan.period)
        as_of = parse_iso_day(options["as_of"]) if options["as_of"] else None
        if options["unit"]:
            unit = (
                resolve_unit(options["unit"], start=as_of)
                if as_of
                else resolve_unit(options["unit"], start=period.start, end=period.end)
            )
        else:
            unit = plan.area_unit
        report_date = parse_iso_day(options["date"]) if options["date"] else None
        check_report_file(out, fmt)  # before the texts are saved
        check_report_scope(plan=plan, period=period, unit=unit)
        if options["texts"]:
            load_report_texts(
                path=options["texts"],
                plan=plan,
                period=period.code,
                unit=unit,
                actor=self.actor(),
                user=COMMAND_LINE,
            )
        with self.console.status("Đang tạo báo cáo / Writing the report…"):
            path = build_report(
                plan=plan, period=period, unit=unit, fmt=fmt, out=out, report_date=report_date, as_of=as_of
            )
        warning = deadline_warning(plan, report_date or timezone.localdate())
        if warning:
            self.console.print(f"[yellow]{escape(warning)}[/yellow]")
        self.console.print(f"Báo cáo / report: {path}")
