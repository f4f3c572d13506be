from pathlib import Path

from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from hatangso.analytics.measurements.coverage import MODELS, CoverageParameters, compute_coverage, layers
from hatangso.analytics.measurements.export import FORMATS, export_layer
from hatangso.analytics.measurements.fixed import village_fixed_coverage
from hatangso.analytics.measurements.mobile import VillageCoverage, village_coverage
from hatangso.core.management.base import HatangsoCommand
from hatangso.geography.selectors import resolve_unit, rollup_units, villages_among
from hatangso.plans.selectors import command_plan
from hatangso.utilities.errors import UserError
from hatangso.utilities.numbers import format_number
from hatangso.utilities.periods import parse_iso_day, parse_period


def _yes_no(value: bool | None) -> str:
    return "—" if value is None else "có / yes" if value else "không / no"


KINDS = ("mobile", "fixed", "all")


class Command(HatangsoCommand):
    help = "Vùng phủ di động dự báo từ trạm / Mobile coverage predicted from the stations"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="compute|export|villages")
        compute = sub.add_parser("compute", help="tính lưới vùng phủ / compute the coverage grid")
        compute.add_argument("--cell", type=float, default=100.0, help="cạnh ô lưới (m) / cell size (m)")
        compute.add_argument(
            "--model", choices=MODELS, default="rma", help="mô hình suy hao / path-loss model"
        )
        compute.add_argument("--load", type=float, default=0.5, help="tải của ô / cell load (0–1)")
        compute.add_argument("--on", help="trạm hoạt động ngày / stations in service on (YYYY-MM-DD)")
        compute.add_argument("--unit", help="mã đơn vị / unit code (mặc định: địa bàn kế hoạch)")
        compute.add_argument("--plan", help="số kế hoạch / plan code")
        export = sub.add_parser("export", help="xuất lưới vùng phủ / export the grid")
        export.add_argument("--format", choices=FORMATS, required=True)
        export.add_argument("--out", type=Path, help="tệp ra / output file (default: coverage-DATE.FORMAT)")
        export.add_argument("--on", help="lớp vùng phủ của ngày / the layer as of (default: newest)")
        villages = sub.add_parser(
            "villages", help="thôn: khai báo và tính toán / villages: declared vs computed"
        )
        villages.add_argument("--period", help="kỳ / period (mặc định: kỳ kế hoạch)")
        villages.add_argument("--unit", help="mã đơn vị / unit code")
        villages.add_argument("--plan", help="số kế hoạch / plan code")
        villages.add_argument("--all", action="store_true", help="cả thôn không lệch / every village")
        villages.add_argument(
            "--kind",
            choices=KINDS,
            default="all",
            help="di động, cố định hay cả hai / mobile, fixed (FTTH) or both (default: all)",
        )

    def handle(self, *args, action, **options):
        getattr(self, f"_{action}")(**options)

    def _compute(self, *, cell, model, load, on, unit, **options):
        parameters = CoverageParameters(model=model, cell_m=cell, load=load)
        parameters.check()
        plan = command_plan(options["plan"]) if not (on and unit) else None
        on = parse_iso_day(on) if on else parse_period(plan.period).end
        area = resolve_unit(unit, start=on) if unit else plan.area_unit
        columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
        with Progress(*columns, console=self.console, transient=True) as progress:
            task = progress.add_task("Tính vùng phủ / Computing coverage", total=None)

            def advance(done: int, total: int) -> None:
                progress.update(task, completed=done, total=total)

            layer = compute_coverage(
                unit=area, on=on, actor=self.actor(), parameters=parameters, progress=advance
            )
        meta = layer.meta
        self.console.print(
            f"Vùng phủ / coverage {area.name}, {on:%d/%m/%Y}: {meta['cells']} ô / cells of {cell:g} m, "
            f"{meta['cells_reached']} có sóng / reached, {meta['stations']['used']} trạm 4G/5G / stations "
            f"(mô hình / model {model}, tải / load {load:g}) → {layer.folder}"
        )
        if meta.get("synthetic"):
            self.console.print("[yellow]Tính từ dữ liệu mẫu / computed from synthetic demo data[/]")

    def _export(self, *, format, out, on, **options):
        found = layers()
        day = parse_iso_day(on) if on else None
        if day:
            found = [layer for layer in found if layer.as_of == day]
        if not found:
            raise UserError(
                "Chưa có lớp vùng phủ nào"
                + (f" ngày {day:%d/%m/%Y}" if day else "")
                + " (hatangso coverage compute)",
                "No coverage layer"
                + (f" as of {day:%d/%m/%Y}" if day else "")
                + " (hatangso coverage compute)",
            )
        layer = found[-1]
        out = out or Path(f"coverage-{layer.as_of.isoformat()}.{format}")
        count = export_layer(layer, format, out)
        self.console.print(f"Đã ghi / Wrote {count} ô / cells → {out}")

    def _villages(self, *, period, unit, all, kind, **options):
        plan = command_plan(options["plan"])
        period = parse_period(period or plan.period)
        area = resolve_unit(unit, start=period.start, end=period.end) if unit else plan.area_unit
        villages = villages_among(rollup_units(area, start=period.start, end=period.end))
        if kind in ("mobile", "all"):
            rows = village_coverage(villages, period.start, period.end)
            title = f"Thôn, TDP phủ băng rộng di động / village mobile coverage · {area.name} · {period}"
            self._village_table(title, rows, all, fixed=False)
        if kind in ("fixed", "all"):
            rows, placed = village_fixed_coverage(villages, period.start, period.end)
            title = (
                f"Thôn, TDP phủ băng rộng cố định (FTTH) / village fixed broadband coverage · {area.name} · "
                f"{period}"
            )
            self._village_table(title, rows, all, fixed=True)
            self.console.print(
                f"Đường truyền đo trong kỳ / lines measured in the period: {placed.by_code} theo mã thôn / "
                f"by village code, {placed.by_point} theo tọa độ / by coordinates, {placed.commune_only} "
                "chỉ biết xã (không tính cho thôn) / commune only (not counted for a village)"
            )

    def _village_table(self, title: str, rows: list[VillageCoverage], every: bool, *, fixed: bool) -> None:
        shown = rows if every else [r for r in rows if r.disagrees]
        table = Table(title=title)
        last = ("Đường truyền / Lines",) if fixed else ("Dân số", "%")
        for column in ("Mã / Code", "Thôn / Village", "Khai báo / Declared", "Tính toán / Computed", *last):
            table.add_column(column)
        for r in shown:
            if fixed:
                figures = ("—" if r.lines is None else str(r.lines),)
            else:
                share = format_number(r.covered_share * 100) if r.covered_share is not None else "—"
                figures = (format_number(r.population, 0), share)
            table.add_row(r.village.code, r.village.name, _yes_no(r.declared), _yes_no(r.computed), *figures)
        self.console.print(table)
        disagree = sum(r.disagrees for r in rows)
        self.console.print(
            f"{disagree} / {len(rows)} thôn, TDP khai báo khác tính toán / "
            "villages where declared and computed disagree"
        )
