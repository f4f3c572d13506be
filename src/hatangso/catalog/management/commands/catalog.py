import json

from rich.table import Table

from hatangso.catalog import selectors
from hatangso.catalog.services import load_catalog
from hatangso.core.management.base import HatangsoCommand
from hatangso.utilities.numbers import unit_label

SIGNS = {">=": "≥", "<=": "≤"}


class Command(HatangsoCommand):
    help = "Danh mục chỉ tiêu quốc gia / The national indicator catalog"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="list")
        listing = sub.add_parser("list", help="liệt kê danh mục chỉ tiêu / list the indicator catalog")
        listing.add_argument("--json", action="store_true", help="in JSON / print JSON")

    def handle(self, *args, action, **options):
        # The shipped file is what the catalog is: a newer release's entries reach the database here.
        load_catalog(actor=self.actor())
        entries = list(selectors.catalog_list())
        if options["json"]:
            data = {
                "indicators": [selectors.entry_json(e) for e in entries],
                "data_elements": [selectors.element_json(e) for e in selectors.catalog_elements(entries)],
            }
            self.stdout.write(json.dumps(data, ensure_ascii=False, indent=2))
            return
        # The terminal shows what a plan author picks by; --json has every field.
        table = Table(
            title=f"Danh mục chỉ tiêu / Indicator catalog ({len(entries)})",
            caption="Đạt khi thực hiện so với kế hoạch / achieved when value vs target: ≥ > ≤ <",
        )
        table.add_column("Mã / Code", no_wrap=True)
        table.add_column("Chỉ tiêu / Indicator", ratio=1)
        table.add_column("ĐVT", no_wrap=True)
        table.add_column("Đạt", no_wrap=True)
        for entry in entries:
            table.add_row(
                entry.code,
                entry.name,
                unit_label(entry.unit) or str(entry.get_unit_display()),
                SIGNS.get(entry.comparison, entry.comparison),
            )
        self.console.print(table)
