from rich.table import Table

from hatangso.core.management.base import HatangsoCommand
from hatangso.registry.models import Site
from hatangso.registry.sites import DEFAULT_DISTANCE_M, detect_sites


class Command(HatangsoCommand):
    help = "Vị trí trạm dùng chung / Shared BTS sites: detect, list"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="detect|list")
        detect = sub.add_parser("detect", help="gom trạm thành vị trí / group stations into sites")
        detect.add_argument(
            "--distance",
            type=float,
            default=DEFAULT_DISTANCE_M,
            help=f"khoảng cách tối đa (m) / max distance in metres (default {DEFAULT_DISTANCE_M:g})",
        )
        listing = sub.add_parser("list", help="liệt kê vị trí dùng chung / list shared sites")
        listing.add_argument("--all", action="store_true", help="cả vị trí không dùng chung / all sites")

    def handle(self, *args, action, **options):
        if action == "detect":
            with self.console.status("Đang gom trạm / Grouping stations…"):
                result = detect_sites(actor=self.actor(), distance_m=options["distance"])
            self.console.print(
                f"Trạm / stations: {result.stations} · vị trí / sites: {result.sites} · "
                f"dùng chung / shared: {result.shared_sites} · mới / new: {result.created} · "
                f"bỏ / removed: {result.removed} · trạm đổi vị trí / stations moved: {result.moved}"
            )
            return
        table = Table(title="Vị trí trạm / BTS sites")
        for column in ("Mã / Code", "Đơn vị / Unit", "Doanh nghiệp / Operators", "Xác nhận / Confirmed"):
            table.add_column(column)
        for site in Site.objects.select_related("unit").prefetch_related("stations__operator"):
            operators = sorted({s.operator.short_name for s in site.stations.all()})
            if len(operators) >= 2 or options["all"]:
                unit = site.unit.name if site.unit else ""
                table.add_row(site.code, unit, ", ".join(operators), "✓" if site.confirmed else "")
        self.console.print(table)
