"""The base of every `hatangso` command: one clear sentence on error, never a traceback."""

import pkgutil
import sys
import traceback
from datetime import datetime
from importlib import import_module

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.recorder import MigrationRecorder
from rich.console import Console

from hatangso.core.changelog import Actor
from hatangso.utilities.errors import UserError


def migration_files() -> set[tuple[str, str]]:
    """(app label, name) of every migration on disk, found as Django's migration loader finds them
    but without importing them."""
    found = set()
    for app_config in apps.get_app_configs():
        module_name, _ = MigrationLoader.migrations_module(app_config.label)
        if module_name is None:
            continue
        try:
            module = import_module(module_name)
        except ModuleNotFoundError:  # an app without migrations (django_htmx)
            continue
        found.update(
            (app_config.label, name)
            for _, name, is_pkg in pkgutil.iter_modules(getattr(module, "__path__", []))
            if not is_pkg and name[0] not in "_~"
        )
    return found


def ensure_database() -> None:
    """Create or upgrade the schema when needed, so every command works on a fresh home."""
    # Planning imports every migration (≈ 0,1 s of each command's start, issue 19 item 7): when
    # every migration on disk is recorded as applied there is nothing to plan.
    if migration_files() <= MigrationRecorder(connection).applied_migrations().keys():
        return
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
