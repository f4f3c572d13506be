from pathlib import Path

from rich.table import Table

from hatangso.collection.dhis2 import Kind, map_uid, map_uids_from_file
from hatangso.collection.models import Dhis2Mapping
from hatangso.core.management.base import HatangsoCommand
from hatangso.utilities.errors import UserError


class Command(HatangsoCommand):
    help = "Ánh xạ UID DHIS2 sang mã / Map DHIS2 UIDs to our codes"

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True, metavar="map|maps")
        mapping = sub.add_parser(
            "map", help="ghi UID DHIS2 của một mã / record the DHIS2 UID of a code (KIND UID CODE, or --file)"
        )
        mapping.add_argument("kind", nargs="?", help=f"loại / kind: {', '.join(Kind.values)}")
        mapping.add_argument("uid", nargs="?", help="UID DHIS2 (11 ký tự / characters)")
        mapping.add_argument("code", nargs="?", help="mã của chúng ta / our code")
        mapping.add_argument("--file", type=Path, help="tệp CSV/XLSX cột kind, uid, code / a CSV/XLSX file")
        sub.add_parser("maps", help="các ánh xạ đã ghi / the recorded mappings")

    def handle(self, *args, action, **options):
        if action == "maps":
            table = Table(title="Ánh xạ UID DHIS2 / DHIS2 UID mappings")
            for column in ("Loại / Kind", "UID", "Mã / Code", "Người ghi / By"):
                table.add_column(column)
            for mapping in Dhis2Mapping.objects.all():
                table.add_row(mapping.kind, mapping.uid, mapping.code, mapping.created_by)
            self.console.print(table)
            return
        if options["file"]:
            count = map_uids_from_file(path=options["file"], actor=self.actor())
            self.console.print(f"Đã ghi / Recorded {count} ánh xạ / mappings")
            return
        if not (options["kind"] and options["uid"] and options["code"]):
            raise UserError(
                "Hãy ghi `hatangso dhis2 map LOẠI UID MÃ` hoặc `hatangso dhis2 map --file TỆP`",
                "Give `hatangso dhis2 map KIND UID CODE` or `hatangso dhis2 map --file FILE`",
            )
        mapping = map_uid(kind=options["kind"], uid=options["uid"], code=options["code"], actor=self.actor())
        self.console.print(f"Đã ghi / Recorded {mapping}")
