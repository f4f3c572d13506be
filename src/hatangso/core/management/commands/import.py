from pathlib import Path

from hatangso.analytics.measurements.lines import import_line_measurements
from hatangso.analytics.measurements.population import import_population
from hatangso.analytics.measurements.speedtests import import_mlab, import_ookla, ookla_speeds
from hatangso.collection.services import import_values
from hatangso.core.management.base import HatangsoCommand
from hatangso.geography.services import import_boundaries, import_gso_list, import_villages
from hatangso.plans.selectors import command_plan
from hatangso.registry.imports import IMPORTERS
from hatangso.utilities.periods import parse_iso_day
from hatangso.workplan.services import import_roads

# `speedtests` is the documented name of the fixed-line speed samples import; `lines` stays an alias.
KINDS = ("admin-units", "villages", "boundaries", "values", "roads", "speedtests", "lines", "population")
KINDS = (*KINDS, "ookla", "mlab", *IMPORTERS)


class Command(HatangsoCommand):
    help = (
        "Nhập dữ liệu từ tệp / Import data from a file: admin-units, villages, boundaries, values, "
        "stations, opencellid, poles, ducts, fibre, gov-links, zones, speedtests (= lines), population, "
        "ookla, mlab, roads"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=KINDS, help="loại dữ liệu / kind of data")
        parser.add_argument("file", type=Path)
        parser.add_argument("--valid-from", help="admin-units: hiệu lực từ / valid from (YYYY-MM-DD)")
        parser.add_argument(
            "--on", help="boundaries: đơn vị có hiệu lực ngày / units in force on (YYYY-MM-DD; default today)"
        )
        parser.add_argument("--valid-to", help="admin-units: hiệu lực đến / valid to (YYYY-MM-DD)")
        parser.add_argument(
            "--province",
            help="admin-units: mã tỉnh cho danh mục 2 cấp từ 01/7/2025 / province code "
            "for the two-level list in force from 01/07/2025",
        )
        parser.add_argument("--source", default="", help="admin-units: ghi nguồn / source note")
        parser.add_argument("--plan", help="roads: số kế hoạch / plan code")
        parser.add_argument("--period", help="ookla: quý của tệp / the file's quarter (2024Q3)")
        parser.add_argument(
            "--network", choices=("mobile", "fixed"), help="ookla: mạng di động hay cố định / network"
        )
        parser.add_argument(
            "--synthetic", action="store_true", help="đánh dấu là dữ liệu mẫu / mark as synthetic"
        )

    def command_label(self) -> str:
        return "import"

    def handle(self, *args, kind, file, **options):
        actor = self.actor()
        if kind == "admin-units":
            summary = import_gso_list(
                path=file,
                actor=actor,
                province_code=options["province"],
                source=options["source"],
                valid_from=parse_iso_day(options["valid_from"]) if options["valid_from"] else None,
                valid_to=parse_iso_day(options["valid_to"]) if options["valid_to"] else None,
            )
            self.console.print(
                f"Đơn vị hành chính / units: {summary.created} mới / created, "
                f"{summary.updated} cập nhật / updated, {summary.unchanged} không đổi / unchanged"
            )
        elif kind == "boundaries":
            count = import_boundaries(
                path=file,
                actor=actor,
                on=parse_iso_day(options["on"]) if options["on"] else None,
                source=options["source"],
                synthetic=options["synthetic"],
            )
            self.console.print(f"Ranh giới / boundaries: {count}")
        elif kind in ("speedtests", "lines"):
            with self.console.status("Đang kiểm tra và ghi mẫu đo / Checking and storing samples…"):
                result = import_line_measurements(path=file, actor=actor, synthetic=options["synthetic"])
            counts = f"Mẫu đo / samples: {result.samples}, đường truyền / lines: {result.lines}"
            self.console.print(f"{counts} (lần nhập / batch {result.batch.pk})")
        elif kind == "population":
            result = import_population(
                path=file, actor=actor, on=parse_iso_day(options["on"]) if options["on"] else None,
                synthetic=options["synthetic"],
            )  # fmt: skip
            self.console.print(
                f"Điểm dân cư / population points: {result.points}, dân số / population "
                f"{result.population:,.0f} (lần nhập / batch {result.batch.pk})"
            )
        elif kind in {"ookla", "mlab"}:
            with self.console.status("Đang kiểm tra và ghi phép đo / Checking and storing tests…"):
                if kind == "ookla":
                    result = import_ookla(
                        path=file, actor=actor, period=options["period"], network=options["network"],
                        synthetic=options["synthetic"],
                    )  # fmt: skip
                else:
                    result = import_mlab(path=file, actor=actor, synthetic=options["synthetic"])
            self.console.print(
                f"{kind}: {result.rows} dòng / rows, {result.outside} ngoài ranh giới, bỏ qua / outside "
                f"every boundary, left out (lần nhập / batch {result.batch.pk})"
            )
            if kind == "ookla":
                overall = ookla_speeds(period=result.period, network=result.network, by_unit=False)
                if result.replaced:
                    self.console.print(
                        f"Thay thế / replaced {result.replaced} tệp cùng quý / file(s) of the quarter"
                    )
                for row in overall:
                    self.console.print(
                        f"Trung bình theo số phép đo / test-weighted mean: {row['download_mbps']:.1f} Mb/s "
                        f"xuống / down, {row['upload_mbps']:.1f} lên / up ({row['tests']} phép đo / tests)"
                    )
        elif kind == "roads":
            plan = command_plan(options["plan"])
            count = import_roads(path=file, plan=plan, actor=actor, synthetic=options["synthetic"])
            self.console.print(f"Tuyến đường / roads: {count}")
        elif kind in IMPORTERS:
            summary = IMPORTERS[kind](path=file, actor=actor, synthetic=options["synthetic"])
            self.console.print(
                f"{kind}: {summary.created} mới / created, {summary.updated} cập nhật / updated, "
                f"{summary.unchanged} không đổi / unchanged (lần nhập / batch {summary.batch.pk})"
            )
            for note in summary.notes:
                self.console.print(note)
        elif kind == "villages":
            created = import_villages(path=file, actor=actor, synthetic=options["synthetic"])
            self.console.print(f"Đã thêm / Created {created} thôn, TDP / villages")
        else:
            summary = import_values(path=file, actor=actor, synthetic=options["synthetic"])
            self.console.print(
                f"Số liệu / values: {summary.created} mới / created, {summary.updated} cập nhật / updated, "
                f"{summary.unchanged} không đổi / unchanged, {summary.skipped} dòng trống / empty rows "
                f"(lần nhập / batch {summary.batch.pk})"
            )
