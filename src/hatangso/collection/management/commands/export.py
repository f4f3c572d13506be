from pathlib import Path

from django.db.models import Q

from hatangso.collection.exports import (
    FORMATS,
    SYNTHETIC_NOTE,
    all_values,
    export_values,
    write_dhis2_metadata,
)
from hatangso.collection.models import ReportForm
from hatangso.core.management.base import HatangsoCommand
from hatangso.geography.selectors import units_with_code
from hatangso.utilities.errors import NotFound
from hatangso.utilities.periods import parse_period


class Command(HatangsoCommand):
    help = (
        "Xuất số liệu (csv, xlsx, dhis2-json, dhis2-xml, adx) hoặc siêu dữ liệu DHIS2 / Export data values "
        "(csv, xlsx, dhis2-json, dhis2-xml, adx) or the DHIS2 metadata"
    )

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=["values", "dhis2-metadata"])
        parser.add_argument("--format", choices=FORMATS, default="csv")
        parser.add_argument("--out", type=Path, required=True)
        parser.add_argument("--period", help="chỉ kỳ này / only this period (and periods inside it)")
        parser.add_argument("--unit", help="chỉ đơn vị này và cấp dưới / only this unit's subtree (code)")
        parser.add_argument("--element", help="chỉ phần tử dữ liệu này / only this data element")
        parser.add_argument(
            "--form", help="chỉ biểu này (DHIS2: dataSet, completeDate) / only this form (DHIS2: data set)"
        )

    def command_label(self) -> str:
        return "export"

    def handle(self, *args, kind, **options):
        if kind == "dhis2-metadata":
            counts = write_dhis2_metadata(options["out"])
            summary = ", ".join(f"{count} {name}" for name, count in counts.items())
            self.console.print(
                f"Đã xuất siêu dữ liệu DHIS2 / Exported DHIS2 metadata: {summary} → {options['out']}"
            )
            return
        form = None
        if options["form"]:
            form = ReportForm.objects.filter(code=options["form"]).first()
            if form is None:
                raise NotFound(f"Không có biểu mã {options['form']}", f"No form has code {options['form']}")
        values = all_values()
        if options["period"]:
            period = parse_period(options["period"])
            values = values.filter(period_start__gte=period.start, period_end__lte=period.end)
        if options["unit"]:
            units = list(units_with_code(options["unit"]))
            if not units:
                raise NotFound(
                    f"Không có đơn vị hành chính mã {options['unit']}",
                    f"No administrative unit has code {options['unit']}",
                )
            subtree = Q()
            for unit in units:  # every version of the code, with the units under it
                subtree |= Q(unit__path__startswith=unit.path)
            values = values.filter(subtree)
        if options["element"]:
            values = values.filter(data_element__code=options["element"])
        count = export_values(values, path=options["out"], fmt=options["format"], form=form)
        self.console.print(f"Đã xuất / Exported {count} giá trị / values → {options['out']}")
        if values.filter(synthetic=True).exists():
            # DHIS2's format has no place to say so: the command does.
            self.console.print(f"[yellow]Tệp có {SYNTHETIC_NOTE}[/yellow]")
