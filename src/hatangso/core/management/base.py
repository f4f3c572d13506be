"""The base of every `hatangso` command: one clear sentence on error, never a traceback."""

import sys
import traceback
from datetime import datetime

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from rich.console import Console

from hatangso.core.changelog import Actor
from hatangso.utilities.errors import UserError


def ensure_database() -> None:
    """Create or upgrade the schema when needed, so every command works on a fresh home."""
    executor = MigrationExecutor(connection)
    if executor.migration_plan(executor.loader.graph.leaf_nodes()):
        call_command("migrate", interactive=False, verbosity=0)


def log_unexpected(exc: BaseException) -> str:
    log_dir = settings.HOME / "logs"
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / "errors.log"
    with log_file.open("a", encoding="utf-8") as handle:
        handle.write(f"--- {datetime.now().isoformat()} {' '.join(sys.argv)}\n")
        handle.write("".join(traceback.format_exception(exc)))
    return str(log_file)


class HatangsoCommand(BaseCommand):
    needs_database = True
    # Django's system checks import the URL configuration (every API schema, ~0,5 s): `hatangso
    # check` runs them; a command that reads or writes data does not need them.
    requires_system_checks = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.console = Console(highlight=False)
        self.err = Console(stderr=True, highlight=False)

    def actor(self) -> Actor:
        return Actor.command(f"hatangso {self.command_label()}")

    def command_label(self) -> str:
        return self.__module__.rsplit(".", 1)[-1]

    def run_from_argv(self, argv):
        try:
            super().run_from_argv(argv)
        except (UserError, CommandError) as exc:
            self.err.print(f"[bold red]Lỗi / Error:[/] {exc}", markup=True, soft_wrap=True)
            errors = getattr(exc, "errors", None)
            for error in errors or []:
                self.err.print(f"  • {error}", markup=False, soft_wrap=True)
            sys.exit(1)
        except DatabaseError as exc:
            log_file = log_unexpected(exc)
            self.err.print(
                f"[bold red]Lỗi / Error:[/] Không truy cập được cơ sở dữ liệu; kiểm tra "
                f"HATANGSO_DATABASE_URL ({exc.__class__.__name__}) / Cannot use the database; check "
                f"HATANGSO_DATABASE_URL. Chi tiết / details: {log_file}",
                soft_wrap=True,
            )
            sys.exit(2)
        except KeyboardInterrupt:
            self.err.print("Đã dừng / Stopped")
            sys.exit(130)
        except Exception as exc:
            log_file = log_unexpected(exc)
            self.err.print(
                f"[bold red]Lỗi không mong đợi / Unexpected error:[/] {exc.__class__.__name__}: {exc}. "
                f"Chi tiết / details: {log_file}",
                soft_wrap=True,
            )
            sys.exit(2)

    def execute(self, *args, **options):
        if self.needs_database:
            ensure_database()
        return super().execute(*args, **options)
