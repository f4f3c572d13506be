import json
from pathlib import Path

from rich.table import Table

from hatangso.core.management.base import HatangsoCommand
from hatangso.core.scoping import COMMAND_LINE
from hatangso.plans import selectors
from hatangso.utilities.errors import UserError
from hatangso.utilities.numbers import format_date


class Command(HatangsoCommand):
    help = "Nạp và liệt kê kế hoạch / Load and list plans"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="load|parse|list|schema|condition")
        parse = sub.add_parser("parse", help="đọc văn bản kế hoạch (TXT, DOCX, PDF) / read a plan document")
        parse.add_argument("document", type=Path)
        parse.add_argument("--out", type=Path, help="tệp kế hoạch YAML / plan file to write (default: print)")
        load = sub.add_parser("load", help="Nạp tệp kế hoạch YAML / load a YAML plan file")
        load.add_argument("file", type=Path)
        listing = sub.add_parser("list", help="Danh sách kế hoạch / list plans")
        listing.add_argument("--json", action="store_true", help="in JSON / print JSON")
        sub.add_parser("schema", help="JSON Schema của tệp kế hoạch / the plan file's JSON Schema")
        condition = sub.add_parser("condition", help="ghi điều kiện đã/chưa đáp ứng / record a condition")
        condition.add_argument("code", help="mã điều kiện / condition code, e.g. province_deployed")
        state = condition.add_mutually_exclusive_group(required=True)
        state.add_argument("--met", action="store_true", help="đã đáp ứng / has come true")
        state.add_argument("--not-met", action="store_true", help="chưa đáp ứng / has not")
        condition.add_argument("--note", default="", help="căn cứ / the document that says so")
        condition.add_argument("--plan", help="số kế hoạch / plan code")

    def command_label(self) -> str:
        return "plan"

    def handle(self, *args, action, **options):
        # The plan file's pydantic models and the document reader are imported by the actions that
        # use them: `plan list` starts without them (issue 19, item 7).
        if action == "schema":
            from hatangso.plans.planfile import plan_file_schema

            self.stdout.write(plan_file_schema())
            return
        if action == "load":
            from hatangso.plans import services

            summary = services.load_plan(path=options["file"], actor=self.actor(), user=COMMAND_LINE)
            verb = "Đã nạp / Loaded" if summary.created else "Đã cập nhật / Updated"
            self.console.print(
                f"{verb} {summary.plan.code}: {summary.indicators} chỉ tiêu / indicators, "
                f"{summary.items} nội dung / items, {summary.data_elements} phần tử dữ liệu / data elements"
            )
            return
        if action == "parse":
            self._parse(options["document"], options["out"])
            return
        if action == "condition":
            plan = selectors.command_plan(options["plan"])
            found = plan.conditions.filter(code=options["code"]).first()
            if found is None:
                known = ", ".join(plan.conditions.values_list("code", flat=True))
                raise UserError(
                    f"Không có điều kiện '{options['code']}' (có: {known})",
                    f"No condition '{options['code']}' (known: {known})",
                )
            from hatangso.plans import services

            services.set_condition(
                condition=found,
                met=options["met"],
                note=options["note"],
                actor=self.actor(),
                user=COMMAND_LINE,
            )
            self.console.print(
                f"{found.text}: {'đã đáp ứng / met' if options['met'] else 'chưa đáp ứng / not met'}"
            )
            return
        plans = selectors.plan_list().select_related("parent").prefetch_related("children")
        if options["json"]:
            self.stdout.write(json.dumps([plan_json(p) for p in plans], ensure_ascii=False, indent=2))
            return
        table = Table(title="Kế hoạch / Plans", caption="CT: số chỉ tiêu / indicators")
        # The code and period are what other commands take: never cut them.
        table.add_column("Số / Code", no_wrap=True, min_width=12)
        table.add_column("Trích yếu / Title", ratio=1)
        table.add_column("Địa bàn / Area", ratio=1)
        table.add_column("Kỳ", no_wrap=True)
        table.add_column("Hạn BC / Due", no_wrap=True)
        table.add_column("CT", justify="right")
        for plan in plans:
            table.add_row(
                plan.code,
                plan.title,
                str(plan.area_unit),
                plan.period,
                format_date(plan.report_deadline),
                str(plan.indicators.count()),
            )
        self.console.print(table)

    def _parse(self, document: Path, out: Path | None) -> None:
        from hatangso.plans.drafting import draft_plan_file, draft_yaml
        from hatangso.plans.parsing import parse_plan, read_document

        draft = draft_plan_file(parse_plan(read_document(document)))
        text = draft_yaml(draft.plan_file, draft.review, document.name)
        if out is None:
            self.stdout.write(text)
        else:
            out.write_text(text, encoding="utf-8")
        plan = draft.plan_file
        counts = f"{len(plan['indicators'])} chỉ tiêu / indicators, {len(plan['items'])} nội dung / items"
        self.stderr.write(
            f"{plan['plan']['code']}: {counts}, {len(draft.review)} điểm cần xem lại / to review"
            + (f" → {out}" if out else "")
        )
        for line in draft.review:
            self.stderr.write(f"  - {line}")


def plan_json(plan) -> dict:
    """A plan as `plan list --json` prints it: its level (its area's), its years and its place among
    the plans (parent and children, by slug)."""
    return {
        "code": plan.code,
        "slug": plan.slug,
        "title": plan.title,
        "area": {"code": plan.area_unit.code, "name": plan.area_unit.name},
        "level": plan.area_unit.level,
        "year": plan.year,
        "end_year": plan.end_year,
        "period": plan.period,
        "parent": plan.parent.slug if plan.parent else None,
        "children": sorted(child.slug for child in plan.children.all()),
        "illustrative": plan.illustrative,
        "indicators": plan.indicators.count(),
    }
