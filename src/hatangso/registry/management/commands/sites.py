from rich.table import Table

from hatangso.core.management.base import HatangsoCommand
from hatangso.core.scoping import COMMAND_LINE
from hatangso.registry.models import Site
from hatangso.registry.sites import DEFAULT_DISTANCE_M, confirm_site, detect_sites, split_site
from hatangso.utilities.errors import UserError


class Command(HatangsoCommand):
    help = "Vị trí trạm dùng chung / Shared BTS sites: detect, list"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="detect|list|confirm|split")
        detect = sub.add_parser("detect", help="gom trạm thành vị trí / group stations into sites")
        detect.add_argument(
            "--distance",
            type=float,
            default=DEFAULT_DISTANCE_M,
            help=f"khoảng cách tối đa (m) / max distance in metres (default {DEFAULT_DISTANCE_M:g})",
        )
        listing = sub.add_parser("list", help="liệt kê vị trí dùng chung / list shared sites")
        listing.add_argument("--all", action="store_true", help="cả vị trí không dùng chung / all sites")
        confirm = sub.add_parser("confirm", help="xác nhận vị trí / confirm a site as detected")
        confirm.add_argument("site", help="mã vị trí / site code, e.g. VT000012")
        split = sub.add_parser("split", help="tách trạm ra vị trí mới / split stations off into a new site")
        split.add_argument("site", help="mã vị trí / site code")
        split.add_argument(
            "--stations", nargs="+", required=True, help="trạm / stations as OPERATOR:CODE, e.g. vnpt:HT0012"
        )
        split.add_argument("--reason", default="", help="lý do / reason")

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
        if action in {"confirm", "split"}:
            site = Site.objects.filter(code=options["site"]).first()
            if site is None:
                raise UserError(f"Không có vị trí {options['site']}", f"No site {options['site']}")
            if action == "confirm":
                confirm_site(site=site, actor=self.actor(), user=COMMAND_LINE)
                self.console.print(f"Đã xác nhận / confirmed {site.code}")
                return
            stations = []
            for name in options["stations"]:
                operator, _, code = name.partition(":")
                station = site.stations.filter(operator__code=operator, code=code).first()
                if station is None:
                    raise UserError(
                        f"Trạm {name} không thuộc vị trí {site.code}",
                        f"Station {name} is not on site {site.code}",
                    )
                stations.append(station)
            new_site = split_site(
                site=site, stations=stations, actor=self.actor(), user=COMMAND_LINE, reason=options["reason"]
            )
            self.console.print(f"Đã tách sang vị trí mới / split off into {new_site.code}")
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
