from pathlib import Path

from hatangso.core.management.base import HatangsoCommand
from hatangso.utilities.import_kinds import IMPORT_KINDS, import_options


class Command(HatangsoCommand):
    """`hatangso import KIND FILE`: the kinds are those the apps registered
    (hatangso.utilities.import_kinds); this command only looks the kind up and prints its lines."""

    @property
    def help(self) -> str:
        kinds = "; ".join(f"{name} ({kind.help})" for name, kind in IMPORT_KINDS.items())
        return f"Nhập dữ liệu từ tệp / Import data from a file: {kinds}"

    def add_arguments(self, parser):
        parser.add_argument("kind", choices=tuple(IMPORT_KINDS), help="loại dữ liệu / kind of data")
        parser.add_argument("file", type=Path)
        for option in import_options():
            parser.add_argument(option.flag, **option.arguments)

    def command_label(self) -> str:
        return "import"

    def handle(self, *args, kind, file, **options):
        actor = self.actor()
        import_kind = IMPORT_KINDS[kind]
        if import_kind.status:
            with self.console.status(import_kind.status):
                lines = list(import_kind.run(path=file, actor=actor, options=options))
        else:
            lines = list(import_kind.run(path=file, actor=actor, options=options))
        for line in lines:
            self.console.print(line)
